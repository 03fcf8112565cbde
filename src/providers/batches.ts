// Reads that page through filter batches: the batches are independent, so they go a few at a time instead of one
// after another (a wait on 1,000 servers is five filtered lists of 200; one after another they cost five round trips
// per poll). Results keep the batches' order, so what a list answers does not depend on which call came back first.

/** A list whose pages never end is a provider bug: a client stops after this many pages rather than loop for ever. */
export const MAX_PAGES = 100_000;

/** How many filter batches of one list are read at once: enough for 1,000 servers in one round, few enough to stay polite. */
export const LIST_BATCHES_AT_ONCE = 5;

/** Runs `read` on every batch, at most `atOnce` at a time, and answers the results in the batches' order. */
export async function readBatches<B, R>(
  batches: readonly B[],
  read: (batch: B) => Promise<R>,
  atOnce = LIST_BATCHES_AT_ONCE,
): Promise<R[]> {
  const results: R[] = new Array(batches.length);
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const at = next++;
      results[at] = await read(batches[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, batches.length) }, lane));
  return results;
}

/** One batch's read: the members it found and the request ids of its calls. */
export interface BatchRead<M extends { readonly key: string }> {
  readonly members: M[];
  readonly requestIds: string[];
}

/** The batches' reads as one list: members in the batches' order, each key once (filters can overlap), every request id. */
export function mergeBatches<M extends { readonly key: string }>(reads: readonly BatchRead<M>[]): BatchRead<M> {
  const members: M[] = [];
  const requestIds: string[] = [];
  const seen = new Set<string>();
  for (const read of reads) {
    requestIds.push(...read.requestIds);
    for (const member of read.members) {
      if (seen.has(member.key)) continue;
      seen.add(member.key);
      members.push(member);
    }
  }
  return { members, requestIds };
}
