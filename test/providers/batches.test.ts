import { describe, expect, it } from 'vitest';
import { readBatches } from '../../src/providers/batches.js';

describe('reading filter batches', () => {
  it("reads a few at once and answers in the batches' order, whichever comes back first", async () => {
    let running = 0;
    let most = 0;
    const read = async (n: number) => {
      running++;
      most = Math.max(most, running);
      // Later batches answer sooner.
      await new Promise((resolve) => setTimeout(resolve, 5 * (8 - n)));
      running--;
      return n * 10;
    };
    expect(await readBatches([0, 1, 2, 3, 4, 5, 6, 7], read, 3)).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(most).toBe(3);
  });

  it('fails when one batch fails', async () => {
    await expect(
      readBatches([1, 2, 3], async (n) => (n === 2 ? Promise.reject(new Error('batch 2')) : n)),
    ).rejects.toThrow('batch 2');
  });

  it('answers nothing for no batches', async () => {
    expect(await readBatches([], async () => 1)).toEqual([]);
  });
});
