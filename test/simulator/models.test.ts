// The models and shared pieces driven directly, without HTTP: state machines on a manual clock, all-or-nothing
// changes, and the bounds that keep memory finite.
import { describe, expect, it } from 'vitest';
import { GwlbModel } from '../../src/simulator/alibaba/model.js';
import { BoundedMap, NonceCache } from '../../src/simulator/common/bounded.js';
import { CallLog } from '../../src/simulator/common/calllog.js';
import { SimClock } from '../../src/simulator/common/clock.js';
import { RateLimiter, WindowLimiter } from '../../src/simulator/common/ratelimit.js';
import { ElbModel } from '../../src/simulator/huawei/model.js';
import { loadWorld } from '../../src/simulator/index.js';
import { DEFAULT_GROUP, DEMO_POOL, PROJECT, SUBNET, ecsId, ecsIp } from './helpers.js';

const manualClock = () => {
  const clock = new SimClock(() => 1_700_000_000_000);
  clock.setManual();
  return clock;
};
const ecs = (i: number) => ({ serverId: ecsId(i), serverType: 'Ecs' as const, port: 6081 });

describe('GwlbModel', () => {
  it('moves a group Configuring → Available and servers Adding → Available as the clock advances', () => {
    const clock = manualClock();
    const model = new GwlbModel(loadWorld(undefined).alibaba, clock);
    model.addServers(undefined, DEFAULT_GROUP, [ecs(1100)]);
    const view = () => {
      const group = model.listServerGroups({ serverGroupIds: [DEFAULT_GROUP], maxResults: 1 }).items[0];
      const server = model.listServerGroupServers({ serverGroupId: DEFAULT_GROUP, maxResults: 10 }).items[0];
      return [group?.ServerGroupStatus, server?.Status];
    };
    expect(view()).toEqual(['Configuring', 'Adding']);
    clock.advance(1000);
    expect(view()).toEqual(['Available', 'Available']);
  });

  it('changes nothing when any server of the call fails a check', () => {
    const model = new GwlbModel(loadWorld(undefined).alibaba, manualClock());
    expect(() =>
      model.addServers(undefined, DEFAULT_GROUP, [ecs(1100), { serverId: 'i-none', serverType: 'Ecs', port: 6081 }]),
    ).toThrow(/Ecs\(i-none\)/);
    expect(model.listServerGroupServers({ serverGroupId: DEFAULT_GROUP, maxResults: 10 }).totalCount).toBe(0);
    expect(model.listServerGroups({ serverGroupIds: [DEFAULT_GROUP], maxResults: 1 }).items[0]?.ServerGroupStatus).toBe(
      'Available',
    );
  });

  it('lists across every group when no ServerGroupId is given', () => {
    const model = new GwlbModel(loadWorld(undefined).alibaba, manualClock());
    expect(model.listServerGroupServers({ maxResults: 1 }).totalCount).toBe(300);
    expect(() => model.listServerGroupServers({ serverGroupId: 'sgp-none', maxResults: 1 })).toThrow(
      /ServerGroup\(sgp-none\)/,
    );
  });
});

describe('ElbModel', () => {
  it('reports existing members as existed and creates only the new ones', () => {
    const model = new ElbModel(loadWorld(undefined).huawei, manualClock());
    const option = (i: number) => ({ address: ecsIp(i), protocolPort: 80, subnetCidrId: SUBNET });
    expect(model.batchCreateMembers(PROJECT, DEMO_POOL, [option(1)]).created).toBe(1);
    const second = model.batchCreateMembers(PROJECT, DEMO_POOL, [option(1), option(2)]);
    expect([second.created, second.members.map((m) => m.ret_status)]).toEqual([1, ['existed', 'successful']]);
  });
});

describe('bounds', () => {
  it('a BoundedMap evicts its oldest entry at capacity', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect([map.has('a'), map.has('b'), map.has('c'), map.size]).toEqual([false, true, true, 2]);
  });

  it('a NonceCache refuses a nonce within its window and forgets it after', () => {
    let now = 0;
    const nonces = new NonceCache(1000, 10, () => now);
    expect([nonces.use('n'), nonces.use('n')]).toEqual([true, false]);
    now = 1001;
    expect(nonces.use('n')).toBe(true);
  });

  it('the call log keeps its newest entries at capacity and still counts them all', () => {
    const log = new CallLog(3);
    for (let i = 0; i < 5; i++) {
      log.record({
        at: '',
        simAt: '',
        action: 'A',
        method: 'POST',
        path: '/',
        status: 200,
        requestId: `r${i}`,
        outcome: 'read',
        committed: false,
        faults: [],
        durationMs: 0,
      });
    }
    expect(log.entries().map((e) => e.requestId)).toEqual(['r2', 'r3', 'r4']);
    expect(log.counts().byAction.A?.calls).toBe(5);
  });

  it('a WindowLimiter lets `calls` through in any window of `perSeconds`, counting each key apart', () => {
    let now = 0;
    const limiter = new WindowLimiter(10, () => now);
    const limit = { calls: 3, perSeconds: 60 };
    expect(limiter.take('a', limit)).toBe(true);
    now = 30_000;
    expect([limiter.take('a', limit), limiter.take('a', limit), limiter.take('a', limit)]).toEqual([true, true, false]);
    expect(limiter.take('b', limit)).toBe(true);
    // Sliding: a call leaves the window 60 s after it was taken, not at a minute's boundary.
    now = 59_999;
    expect(limiter.take('a', limit)).toBe(false);
    now = 60_001;
    expect([limiter.take('a', limit), limiter.take('a', limit)]).toEqual([true, false]);
  });

  it('a RateLimiter lets a burst through and then refills at its rate', () => {
    let now = 0;
    const limiter = new RateLimiter({ requestsPerSecond: 2, burst: 2 }, 10, () => now);
    expect([limiter.take('k'), limiter.take('k'), limiter.take('k')]).toEqual([true, true, false]);
    now = 500;
    expect([limiter.take('k'), limiter.take('k')]).toEqual([true, false]);
  });
});
