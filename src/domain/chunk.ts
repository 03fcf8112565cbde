// Splitting work into provider calls: deterministic, so a replayed coordinator chooses the same chunks.

/** Splits `items` into consecutive slices of at most `size`, preserving order; `size` must be a positive integer. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer; got ${size}`);
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** What fills a chunk: the servers chosen, in the order offered, and the size the chunk may not pass. */
export interface ChosenChunk<T> {
  readonly chosen: T[];
  /** The smallest `maxChunkSize` over the chosen servers' requests (Infinity when none was chosen). */
  readonly limit: number;
}

/**
 * Fills one chunk from `candidates`, in order: each server brings the limit of the requests that want it (the
 * smallest `maxChunkSize` among them), and the chunk stops before the first server that would make it larger than
 * the smallest limit of what it holds. The candidates are taken in order, never skipped: arrival order is kept.
 */
export function fillChunk<T>(candidates: Iterable<T>, limitOf: (candidate: T) => number): ChosenChunk<T> {
  const chosen: T[] = [];
  let limit = Infinity;
  for (const candidate of candidates) {
    const next = Math.min(limit, limitOf(candidate));
    if (chosen.length + 1 > next) break;
    limit = next;
    chosen.push(candidate);
  }
  return { chosen, limit };
}

/** Whether a chosen chunk is as large as it may be: a chunk that is not full may wait for servers that could fill it. */
export function isFull<T>(chunk: ChosenChunk<T>): boolean {
  return chunk.chosen.length > 0 && chunk.chosen.length >= chunk.limit;
}
