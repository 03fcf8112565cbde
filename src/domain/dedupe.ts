// Identity of a backend in the provider's own terms (its `IdentityRules`), so duplicates collapse and servers
// already in the group are skipped.
import { canonicalIpv6 } from './ip.js';
import type { IdentityRules } from './provider.js';

/** Canonical address text, so `2001:db8::1` and `2001:0db8:0:0:0:0:0:1` are one member. */
export function canonicalAddress(address: string): string {
  // Without a colon it is no IPv6 address: skip the parse (the hot path of every key of an IPv4 member).
  return address.includes(':') ? (canonicalIpv6(address) ?? address) : address;
}

/** Two servers with one key whose other attributes differ: the caller must choose, so it is a validation error. */
export interface DedupeConflict {
  readonly key: string;
  /** Index of the first server with this key (the one kept). */
  readonly firstIndex: number;
  /** Index of the conflicting server. */
  readonly index: number;
  /** Attributes that differ, in field order. */
  readonly fields: string[];
}

export interface DedupeResult<S> {
  /** First occurrence of every key, in input order. */
  readonly unique: S[];
  /** Exact duplicates dropped (same key, same attributes after defaults). */
  readonly duplicatesCollapsed: number;
  /** Same key, different attributes; not in `unique` and not counted as collapsed. */
  readonly conflicts: DedupeConflict[];
}

/** Non-identity attributes that differ between two servers with the same key. */
function differingFields(identity: readonly string[], first: object, other: object): string[] {
  const a = first as Record<string, unknown>;
  const b = other as Record<string, unknown>;
  const fields: string[] = [];
  for (const field of [...Object.keys(a), ...Object.keys(b)]) {
    if (identity.includes(field) || fields.includes(field)) continue;
    if (a[field] !== b[field]) fields.push(field);
  }
  return fields;
}

/** Collapses exact duplicates (keeping the first, order-stable) and reports same-key servers that disagree. */
export function dedupeBy<I extends object, L extends readonly I[]>(
  rules: IdentityRules<I>,
  servers: L,
): DedupeResult<L[number]> {
  const firstIndexByKey = new Map<string, number>();
  const unique: L[number][] = [];
  const conflicts: DedupeConflict[] = [];
  let duplicatesCollapsed = 0;
  servers.forEach((server, index) => {
    const key = rules.key(server);
    const firstIndex = firstIndexByKey.get(key);
    if (firstIndex === undefined) {
      firstIndexByKey.set(key, index);
      unique.push(server);
      return;
    }
    const fields = differingFields(rules.fields, servers[firstIndex] as object, server as object);
    if (fields.length === 0) duplicatesCollapsed++;
    else conflicts.push({ key, firstIndex, index, fields });
  });
  return { unique, duplicatesCollapsed, conflicts };
}

/** Only the identity fields of a server: what a list filter or a removal needs, and less to record in history. */
export function pickIdentity<I extends object>(rules: IdentityRules<I>, server: I): I {
  const picked: Record<string, unknown> = {};
  for (const field of rules.fields) picked[field] = (server as Record<string, unknown>)[field];
  return picked as I;
}
