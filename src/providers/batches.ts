// Reads that page through filter batches: the batches are independent, so they go a few at a time instead of one
// after another (a wait on 1,000 servers is five filtered lists of 200; one after another they cost five round trips
// per poll). Results keep the batches' order, so what a list answers does not depend on which call came back first.

/** How many filter batches of one list are read at once: enough for 1,000 servers in one round, few enough to stay polite. */
export const LIST_BATCHES_AT_ONCE = 5;

/** Runs `read` on every batch, at most `atOnce` at a time, and answers the results in the batches' order. */
export async function readBatches<B, R>(batches: readonly B[], read: (batch: B) => Promise<R>, atOnce = LIST_BATCHES_AT_ONCE): Promise<R[]> {
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
