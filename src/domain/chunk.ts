// Splitting the work into provider calls: deterministic, so a replayed workflow plans the same chunks.
import { identityKey, type IdentityOf } from './dedupe.js';
import type { Provider } from './provider.js';
import type { ServerOf } from './request.js';

/** Splits `items` into consecutive slices of at most `size`, preserving order; `size` must be a positive integer. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer; got ${size}`);
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

export interface AddPlanInput<P extends Provider> {
  readonly provider: P;
  /** Validated, deduplicated servers in request order. */
  readonly servers: readonly ServerOf<P>[];
  /** Identity keys (see `identityKey`) of the members already in the group. */
  readonly present: readonly string[];
  readonly maxChunkSize: number;
}

export interface AddPlan<S> {
  /** Requested servers the group already has: not sent again. */
  readonly alreadyPresent: S[];
  /** The remaining servers, in request order, in calls of at most `maxChunkSize`. */
  readonly chunks: S[][];
}

/** Plans the add calls: skips servers already present and chunks the rest; a repeated key is sent once, as GWLB rejects duplicates in one call. */
export function planAdd<P extends Provider>({
  provider,
  servers,
  present,
  maxChunkSize,
}: AddPlanInput<P>): AddPlan<ServerOf<P>> {
  const presentKeys = new Set(present);
  const seen = new Set<string>();
  const alreadyPresent: ServerOf<P>[] = [];
  const toAdd: ServerOf<P>[] = [];
  for (const server of servers) {
    const key = identityKey(provider, server as IdentityOf<P>);
    if (seen.has(key)) continue;
    seen.add(key);
    (presentKeys.has(key) ? alreadyPresent : toAdd).push(server);
  }
  return { alreadyPresent, chunks: chunk(toAdd, maxChunkSize) };
}
