// A server's identity, asked of its provider's rules (src/providers/<name>/definition/identity.ts).
import {
  dedupeBy,
  pickIdentity,
  type DedupeResult,
  type IdentityOf,
  type IdentityRules,
  type Provider,
} from '../domain/index.js';
import { definitionOf } from './providers.js';

const rulesOf = <P extends Provider>(provider: P) =>
  definitionOf(provider).identity as unknown as IdentityRules<IdentityOf<P>>;

/** The identity key of a server: one string per server in its group (`Ecs:i-abc:6081`, `10.0.0.1:80`, `[2001:db8::1]:80`). */
export function identityKey<P extends Provider>(provider: P, server: IdentityOf<P>): string {
  return rulesOf(provider).key(server);
}

/** The identity in words for messages: `Ecs i-abc port 6081`, `10.0.0.1 port 80`. */
export function describeIdentity<P extends Provider>(provider: P, server: IdentityOf<P>): string {
  return rulesOf(provider).describe(server);
}

/** Only the identity fields of a server: what a list filter or a removal needs, and less to record in history. */
export function identityOf<P extends Provider>(provider: P, server: IdentityOf<P>): IdentityOf<P> {
  return pickIdentity(rulesOf(provider), server);
}

/** A key back to the identity a list filter or a removal takes (the inverse of `identityKey`). */
export function identityFromKey<P extends Provider>(provider: P, key: string): IdentityOf<P> {
  return rulesOf(provider).fromKey(key);
}

/** Collapses exact duplicates (keeping the first, order-stable) and reports same-key servers that disagree. */
export function dedupeServers<L extends readonly IdentityOf[]>(
  provider: Provider,
  servers: L,
): DedupeResult<L[number]> {
  return dedupeBy(rulesOf(provider) as IdentityRules<object>, servers);
}
