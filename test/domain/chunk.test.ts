import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunk, fillChunk, isFull } from '../../src/domain/index.js';

describe('chunk', () => {
  it('splits 450 items into 200, 200 and 50', () => {
    const items = Array.from({ length: 450 }, (_, i) => i);
    expect(chunk(items, 200).map((c) => c.length)).toEqual([200, 200, 50]);
  });

  it('returns no chunks for no items', () => {
    expect(chunk([], 3)).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('throws a RangeError for size %s', (size) => {
    expect(() => chunk([1, 2], size)).toThrow(RangeError);
  });

  it('loses nothing, duplicates nothing and keeps order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer({ min: 1, max: 250 }), (items, size) => {
        expect(chunk(items, size).flat()).toEqual(items);
      }),
    );
  });

  it('fills every chunk to the size except possibly the last, never beyond it', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 1000 }), fc.integer({ min: 1, max: 250 }), (items, size) => {
        const chunks = chunk(items, size);
        expect(chunks).toHaveLength(Math.ceil(items.length / size));
        chunks.forEach((c, i) => {
          expect(c.length).toBeGreaterThan(0);
          expect(c.length).toBeLessThanOrEqual(size);
          if (i < chunks.length - 1) expect(c.length).toBe(size);
        });
      }),
    );
  });

  it('is deterministic and does not modify its input', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.integer({ min: 1, max: 20 }), (items, size) => {
        const copy = [...items];
        expect(chunk(items, size)).toEqual(chunk(copy, size));
        expect(items).toEqual(copy);
      }),
    );
  });
});

/** A queued server: its name and the smallest maxChunkSize of the requests that want it. */
interface Queued {
  readonly name: number;
  readonly limit: number;
}
const queue = fc
  .array(fc.integer({ min: 1, max: 250 }), { maxLength: 900 })
  .map((limits) => limits.map((limit, name): Queued => ({ name, limit })));
const limitOf = (q: Queued) => q.limit;

describe('fillChunk', () => {
  it('fills 450 servers of requests of 200 into chunks of 200, 200 and 50', () => {
    let rest: Queued[] = Array.from({ length: 450 }, (_, name) => ({ name, limit: 200 }));
    const sizes: number[] = [];
    while (rest.length > 0) {
      const { chosen } = fillChunk(rest, limitOf);
      sizes.push(chosen.length);
      rest = rest.slice(chosen.length);
    }
    expect(sizes).toEqual([200, 200, 50]);
  });

  it('never holds more than the smallest limit of what it holds, and stops at the first server that would pass it', () => {
    const servers = [200, 200, 3, 200, 200].map((limit, name) => ({ name, limit }));
    const first = fillChunk(servers, limitOf);
    expect([first.chosen.map((q) => q.name), first.limit]).toEqual([[0, 1, 2], 3]);
    expect(isFull(first)).toBe(true);
    // A server whose limit is smaller than what is already chosen ends the chunk before it: order is never skipped.
    const second = fillChunk(
      [200, 200, 1].map((limit, name) => ({ name, limit })),
      limitOf,
    );
    expect([second.chosen.map((q) => q.name), second.limit, isFull(second)]).toEqual([[0, 1], 200, false]);
  });

  it('chooses nothing from nothing, and nothing chosen is never full', () => {
    const none = fillChunk<Queued>([], limitOf);
    expect([none.chosen, none.limit, isFull(none)]).toEqual([[], Infinity, false]);
  });

  it('chooses a prefix no larger than its limit, as large as it may be, and in turn loses or repeats nothing', () => {
    fc.assert(
      fc.property(queue, (servers) => {
        let rest = servers;
        const taken: Queued[] = [];
        while (rest.length > 0) {
          const chunk = fillChunk(rest, limitOf);
          expect(chunk.chosen).toEqual(rest.slice(0, chunk.chosen.length));
          expect(chunk.chosen.length).toBeGreaterThan(0);
          expect(chunk.limit).toBe(Math.min(...chunk.chosen.map(limitOf)));
          expect(chunk.chosen.length).toBeLessThanOrEqual(chunk.limit);
          const next = rest[chunk.chosen.length];
          // Maximal: the next server would make the chunk larger than its limit or its own.
          if (next) expect(chunk.chosen.length + 1).toBeGreaterThan(Math.min(chunk.limit, next.limit));
          taken.push(...chunk.chosen);
          rest = rest.slice(chunk.chosen.length);
        }
        expect(taken).toEqual(servers);
      }),
    );
  });
});
