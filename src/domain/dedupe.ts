// Identity of a backend in the provider's own terms, so duplicates collapse and servers already in the group are skipped.
import { canonicalIpv6 } from './ip.js';
import type { Provider } from './provider.js';

/** What identifies a GWLB server: the fields ListServerGroupServers returns for a member (loose types so listed members fit too). */
export interface AlibabaIdentity {
  readonly serverType: string;
  readonly serverId: string;
  readonly port: number;
}

/** What identifies a Huawei member: "two members of a pool must differ in address and port". */
export interface HuaweiIdentity {
  readonly address: string;
  readonly protocolPort: number;
}

/** The identity fields of one provider's server. */
export type IdentityOf<P extends Provider> = P extends 'alibaba-gwlb' ? AlibabaIdentity : HuaweiIdentity;

const IDENTITY_FIELDS: Record<Provider, readonly string[]> = {
  'alibaba-gwlb': ['serverType', 'serverId', 'port'],
  'huawei-elb': ['address', 'protocolPort'],
};

/** Canonical address text, so `2001:db8::1` and `2001:0db8:0:0:0:0:0:1` are one member. */
function canonicalAddress(address: string): string {
  // Without a colon it is no IPv6 address: skip the parse (the hot path of every key of an IPv4 member).
  return address.includes(':') ? (canonicalIpv6(address) ?? address) : address;
}

/** The identity key of a server: Alibaba `Type:id:port`, Huawei `address:port` (IPv6 in brackets, canonical form). */
export function identityKey<P extends Provider>(provider: P, server: IdentityOf<P>): string {
  if (provider === 'alibaba-gwlb') {
    const s = server as AlibabaIdentity;
    return `${s.serverType}:${s.serverId}:${s.port}`;
  }
  const s = server as HuaweiIdentity;
  const address = canonicalAddress(s.address);
  return address.includes(':') ? `[${address}]:${s.protocolPort}` : `${address}:${s.protocolPort}`;
}

/** The identity in words for messages: `Ecs i-abc port 6081`, `10.0.0.1 port 80`. */
export function describeIdentity<P extends Provider>(provider: P, server: IdentityOf<P>): string {
  if (provider === 'alibaba-gwlb') {
    const s = server as AlibabaIdentity;
    return `${s.serverType} ${s.serverId} port ${s.port}`;
  }
  const s = server as HuaweiIdentity;
  return `${canonicalAddress(s.address)} port ${s.protocolPort}`;
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
function differingFields(provider: Provider, first: object, other: object): string[] {
  const identity = IDENTITY_FIELDS[provider];
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
export function dedupeServers<L extends readonly IdentityOf<Provider>[]>(
  provider: Provider,
  servers: L,
): DedupeResult<L[number]> {
  const firstIndexByKey = new Map<string, number>();
  const unique: L[number][] = [];
  const conflicts: DedupeConflict[] = [];
  let duplicatesCollapsed = 0;
  servers.forEach((server, index) => {
    const key = identityKey(provider, server);
    const firstIndex = firstIndexByKey.get(key);
    if (firstIndex === undefined) {
      firstIndexByKey.set(key, index);
      unique.push(server);
      return;
    }
    const fields = differingFields(provider, servers[firstIndex] as object, server as object);
    if (fields.length === 0) duplicatesCollapsed++;
    else conflicts.push({ key, firstIndex, index, fields });
  });
  return { unique, duplicatesCollapsed, conflicts };
}

/** Only the identity fields of a server: what a list filter or a removal needs, and less to record in history. */
export function identityOf<P extends Provider>(provider: P, server: IdentityOf<P>): IdentityOf<P> {
  if (provider === 'alibaba-gwlb') {
    const { serverType, serverId, port } = server as AlibabaIdentity;
    return { serverType, serverId, port } as IdentityOf<P>;
  }
  const { address, protocolPort } = server as HuaweiIdentity;
  return { address, protocolPort } as IdentityOf<P>;
}

/** A key back to the identity a list filter or a removal takes (the inverse of `identityKey`). */
export function identityFromKey<P extends Provider>(provider: P, key: string): IdentityOf<P> {
  const cut = key.lastIndexOf(':');
  const port = Number(key.slice(cut + 1));
  const head = key.slice(0, cut);
  if (provider === 'alibaba-gwlb') {
    const colon = head.indexOf(':');
    return { serverType: head.slice(0, colon), serverId: head.slice(colon + 1), port } as IdentityOf<P>;
  }
  const address = head.startsWith('[') && head.endsWith(']') ? head.slice(1, -1) : head;
  return { address, protocolPort: port } as IdentityOf<P>;
}
