import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chunk,
  dedupeServers,
  identityKey,
  planAdd,
  type AlibabaServer,
  type HuaweiServer,
} from '../../src/domain/index.js';

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

const alibabaServers = fc
  .uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 600 })
  .map((ids) => ids.map((n): AlibabaServer => ({ serverType: 'Ecs', serverId: `i-${n}`, port: 6081 })));

describe('planAdd', () => {
  it('skips servers already present and chunks the rest in request order', () => {
    const servers: HuaweiServer[] = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((address) => ({
      address,
      protocolPort: 80,
      weight: 1,
    }));
    const plan = planAdd({ provider: 'huawei-elb', servers, present: ['10.0.0.2:80', '10.9.9.9:80'], maxChunkSize: 2 });
    expect(plan).toEqual({ alreadyPresent: [servers[1]], chunks: [[servers[0], servers[2]], [servers[3]]] });
  });

  it('matches present IPv6 members whatever their spelling', () => {
    const servers: HuaweiServer[] = [
      {
        address: '2001:DB8:0:0:0:0:0:1',
        protocolPort: 443,
        weight: 1,
        subnetCidrId: '61da8098-954b-4809-bc5a-b99ccef8a398',
      },
    ];
    const present = [identityKey('huawei-elb', { address: '2001:db8::1', protocolPort: 443 })];
    expect(planAdd({ provider: 'huawei-elb', servers, present, maxChunkSize: 200 })).toEqual({
      alreadyPresent: servers,
      chunks: [],
    });
  });

  it('sends a repeated key once, since GWLB rejects duplicates within a call', () => {
    const a: AlibabaServer = { serverType: 'Ecs', serverId: 'i-a', port: 6081 };
    expect(
      planAdd({ provider: 'alibaba-gwlb', servers: [a, { ...a }], present: [], maxChunkSize: 200 }).chunks,
    ).toEqual([[a]]);
  });

  it('partitions the servers exactly into already present and chunks of at most maxChunkSize, order preserved', () => {
    fc.assert(
      fc.property(
        alibabaServers,
        fc.integer({ min: 1, max: 200 }),
        fc.func(fc.boolean()),
        (servers, maxChunkSize, isPresent) => {
          const keys = servers.map((s) => identityKey('alibaba-gwlb', s));
          const present = [...keys.filter((k) => isPresent(k)), 'Ecs:i-not-requested:6081'];
          const plan = planAdd({ provider: 'alibaba-gwlb', servers, present, maxChunkSize });
          expect(plan.alreadyPresent).toEqual(servers.filter((_, i) => present.includes(keys[i]!)));
          expect(plan.chunks.flat()).toEqual(servers.filter((_, i) => !present.includes(keys[i]!)));
          for (const c of plan.chunks) expect(c.length).toBeLessThanOrEqual(maxChunkSize);
          expect(planAdd({ provider: 'alibaba-gwlb', servers, present, maxChunkSize })).toEqual(plan);
          expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('plans a deduplicated request without losing a server', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 120 }), (ids) => {
        const servers = ids.map((n): AlibabaServer => ({ serverType: 'Ecs', serverId: `i-${n}`, port: 6081 }));
        const { unique } = dedupeServers('alibaba-gwlb', servers);
        const plan = planAdd({ provider: 'alibaba-gwlb', servers: unique, present: [], maxChunkSize: 7 });
        expect(plan.chunks.flat()).toEqual(unique);
        expect(new Set(plan.chunks.flat().map((s) => s.serverId)).size).toBe(new Set(ids).size);
      }),
    );
  });
});
