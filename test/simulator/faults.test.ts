// Fault injection through the admin API: per action, by exact sequence or seeded probability; latency, 5xx,
// throttling, connection reset, commit-then-drop, slow settling, servers that never become Available.
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/simulator/common/faults.js';
import { startSimulators, type RunningSimulators } from '../../src/simulator/index.js';
import { DEFAULT_GROUP, DEMO_POOL, admin, ecsId, elb, gwlbClient, hwMembers, poolPath, servers } from './helpers.js';

let sims: RunningSimulators;
let call: ReturnType<typeof gwlbClient>;

beforeAll(async () => {
  sims = await startSimulators({ port: 0 });
  call = gwlbClient(sims.alibaba.url);
});
afterAll(async () => {
  await sims.close();
});
beforeEach(() => {
  sims.alibaba.simulator.reset();
  sims.huawei.simulator.reset();
  sims.clock.setManual();
});

const addFault = (url: string, rule: Record<string, unknown>) => admin(url, 'POST', '/_sim/faults', rule);
const listIds = async () => {
  const answer = await call('ListServerGroupServers', { ServerGroupId: DEFAULT_GROUP, MaxResults: 100 });
  return (answer.body.Servers as Array<{ ServerId: string; Status: string }>).map((s) => `${s.ServerId}:${s.Status}`);
};

describe('which calls a rule hits', () => {
  it('fires on exactly the calls its sequence marks, for its action only', async () => {
    await addFault(sims.alibaba.url, { action: 'ListServerGroups', effect: 'error', sequence: '.x.x' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await call('ListServerGroups')).status);
      expect((await call('ListServerGroupServers', { ServerGroupId: DEFAULT_GROUP })).status).toBe(200);
    }
    expect(statuses).toEqual([200, 503, 200, 503, 200, 200]);
  });

  it('repeats its sequence when asked and stops after `times` fires', async () => {
    await addFault(sims.alibaba.url, {
      action: 'ListServerGroups',
      effect: 'throttle',
      sequence: 'x.',
      repeat: true,
      times: 2,
    });
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) codes.push((await call('ListServerGroups')).code ?? 'ok');
    expect(codes).toEqual(['Throttling.User', 'ok', 'Throttling.User', 'ok', 'ok', 'ok']);
  });

  it('repeats the same pattern for the same seed', () => {
    const run = (seed: number) => {
      const faults = new FaultInjector({ seed, rules: [{ action: '*', effect: 'error', probability: 0.3 }] });
      return Array.from({ length: 40 }, () => (faults.decide('ListMembers').terminal ? 'x' : '.')).join('');
    };
    expect(run(42)).toBe(run(42));
    expect(run(42)).not.toBe(run(43));
    expect(run(42)).toContain('x');
  });

  it('loads the fault plan a world declares', async () => {
    sims.alibaba.simulator.reset({
      alibaba: {
        credentials: [{ accessKeyId: 'k', accessKeySecret: 's' }],
        regions: [{ id: 'r', zones: ['z'] }],
        faults: { seed: 7, rules: [{ action: 'ListServerGroups', effect: 'error', status: 500 }] },
      },
    });
    const answer = await gwlbClient(sims.alibaba.url, { credentials: { accessKeyId: 'k', accessKeySecret: 's' } })(
      'ListServerGroups',
    );
    expect([answer.status, answer.code]).toEqual([500, 'InternalError']);
    expect((await admin(sims.alibaba.url, 'GET', '/_sim/faults')).body.seed).toBe(7);
  });
});

describe('effects on Alibaba', () => {
  it('error: 503 ServiceUnavailable by default, or the status and code the rule names', async () => {
    await addFault(sims.alibaba.url, { action: 'ListServerGroups', effect: 'error' });
    expect([(await call('ListServerGroups')).status, (await call('ListServerGroups')).code]).toEqual([
      503,
      'ServiceUnavailable',
    ]);
    await admin(sims.alibaba.url, 'DELETE', '/_sim/faults');
    await addFault(sims.alibaba.url, { action: 'ListServerGroups', effect: 'error', status: 400 });
    expect((await call('ListServerGroups')).code).toBe('SystemBusy');
    await admin(sims.alibaba.url, 'PUT', '/_sim/faults', {
      rules: [{ action: 'ListServerGroups', effect: 'error', status: 500 }],
    });
    expect([(await call('ListServerGroups')).status, (await call('ListServerGroups')).code]).toEqual([
      500,
      'InternalError',
    ]);
  });

  it('latency: the call still succeeds and the log names the fault', async () => {
    await addFault(sims.alibaba.url, { action: 'ListServerGroups', effect: 'latency', latencyMs: 50 });
    expect((await call('ListServerGroups')).status).toBe(200);
    const entries = (await admin(sims.alibaba.url, 'GET', '/_sim/calls?action=ListServerGroups')).body.entries;
    expect(entries[0].faults).toEqual([expect.stringMatching(/:latency$/)]);
  });

  it('reset: the connection drops without an answer and nothing changes', async () => {
    await addFault(sims.alibaba.url, { action: 'AddServersToServerGroup', effect: 'reset', times: 1 });
    await expect(
      call('AddServersToServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers([1100]) }),
    ).rejects.toThrow();
    expect(await listIds()).toEqual([]);
  });

  it('commit then drop (reset): the change is applied, the client sees a reset, a retry with the token gets the original answer', async () => {
    await addFault(sims.alibaba.url, { action: 'AddServersToServerGroup', effect: 'commitThenDrop', times: 1 });
    const body = { ServerGroupId: DEFAULT_GROUP, Servers: servers([1100]), ClientToken: 'dropped-once' };
    await expect(call('AddServersToServerGroup', body)).rejects.toThrow();
    expect(await listIds()).toEqual([`${ecsId(1100)}:Adding`]);
    const retry = await call('AddServersToServerGroup', body);
    expect(retry.status).toBe(200);
    const log = (await admin(sims.alibaba.url, 'GET', '/_sim/calls?clientToken=dropped-once')).body;
    expect(log.entries.map((e: { outcome: string; committed: boolean }) => [e.outcome, e.committed])).toEqual([
      ['dropped', true],
      ['replayed', false],
    ]);
    expect(retry.body.RequestId).toBe(log.entries[0].requestId);
    expect(log.counts.byClientToken['dropped-once']).toMatchObject({ calls: 2, committed: 1, replayed: 1 });
  });

  it('commit then drop (error): the change is applied and the client sees a 503', async () => {
    await addFault(sims.alibaba.url, {
      action: 'AddServersToServerGroup',
      effect: 'commitThenDrop',
      drop: 'error',
      times: 1,
    });
    const answer = await call('AddServersToServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers([1100]) });
    expect([answer.status, answer.code]).toEqual([503, 'ServiceUnavailable']);
    expect(await listIds()).toEqual([`${ecsId(1100)}:Adding`]);
  });

  it('slow settling: the change takes settleFactor times as long', async () => {
    await admin(sims.alibaba.url, 'PATCH', '/_sim/settings', { timings: { configuringMs: 1000, addingMs: 1000 } });
    await addFault(sims.alibaba.url, { action: 'AddServersToServerGroup', effect: 'slowSettle', settleFactor: 5 });
    await call('AddServersToServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers([1100]) });
    sims.clock.advance(4000);
    expect(await listIds()).toEqual([`${ecsId(1100)}:Adding`]);
    sims.clock.advance(1000);
    expect(await listIds()).toEqual([`${ecsId(1100)}:Available`]);
  });

  it('never available: the servers of the call stay Adding while the group becomes Available', async () => {
    await addFault(sims.alibaba.url, { action: 'AddServersToServerGroup', effect: 'neverAvailable', times: 1 });
    await call('AddServersToServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers([1100]) });
    sims.clock.advance(24 * 3600 * 1000);
    await call('AddServersToServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers([1101]) });
    sims.clock.advance(60_000);
    expect(await listIds()).toEqual([`${ecsId(1100)}:Adding`, `${ecsId(1101)}:Available`]);
    const groups = await call('ListServerGroups', { ServerGroupIds: [DEFAULT_GROUP] });
    expect((groups.body.ServerGroups as Array<{ ServerGroupStatus: string }>)[0]?.ServerGroupStatus).toBe('Available');
  });
});

describe('effects on Huawei', () => {
  const add = (ids: number[]) =>
    elb(sims.huawei.url, {
      method: 'POST',
      path: poolPath(DEMO_POOL, '/members/batch-add'),
      data: { members: hwMembers(ids) },
    });

  it('throttle: 429 APIGW.0308', async () => {
    await addFault(sims.huawei.url, { action: 'ListMembers', effect: 'throttle', times: 1 });
    const answer = await elb(sims.huawei.url, { path: poolPath(DEMO_POOL, '/members') });
    expect([answer.status, answer.body.error_code]).toEqual([429, 'APIGW.0308']);
  });

  it('commit then drop: the members exist although the client saw a reset; a retry reports them existed', async () => {
    await addFault(sims.huawei.url, { action: 'BatchCreateMembers', effect: 'commitThenDrop', times: 1 });
    await expect(add([1, 2])).rejects.toThrow();
    const retry = await add([1, 2]);
    expect((retry.body.members as Array<{ ret_status: string }>).map((m) => m.ret_status)).toEqual([
      'existed',
      'existed',
    ]);
  });

  it('reset before the change: nothing is created', async () => {
    await addFault(sims.huawei.url, { action: 'BatchCreateMembers', effect: 'reset', times: 1 });
    await expect(add([1])).rejects.toThrow();
    expect((await add([1])).body.members).toMatchObject([{ ret_status: 'successful' }]);
  });

  it('never available: members stay INITIAL', async () => {
    await addFault(sims.huawei.url, { action: 'BatchCreateMembers', effect: 'neverAvailable' });
    await add([1]);
    sims.clock.advance(24 * 3600 * 1000);
    const list = await elb(sims.huawei.url, { path: poolPath(DEMO_POOL, '/members') });
    expect((list.body.members as Array<{ operating_status: string }>).map((m) => m.operating_status)).toEqual([
      'INITIAL',
    ]);
  });

  it('error with a gateway status: 503 APIGW.0613', async () => {
    await addFault(sims.huawei.url, { action: '*', effect: 'error', status: 503, times: 1 });
    const answer = await elb(sims.huawei.url, { path: poolPath(DEMO_POOL) });
    expect([answer.status, answer.body.error_code]).toEqual([503, 'APIGW.0613']);
  });
});

describe('the fault admin API', () => {
  it('refuses an unknown effect and lists, counts and removes rules', async () => {
    const bad = await admin(sims.alibaba.url, 'POST', '/_sim/faults', { effect: 'explode' });
    expect(bad.status).toBe(400);
    const added = await addFault(sims.alibaba.url, { action: 'ListServerGroups', effect: 'latency', latencyMs: 1 });
    await call('ListServerGroups');
    const id = added.body.ids[0];
    const listed = await admin(sims.alibaba.url, 'GET', '/_sim/faults');
    expect(listed.body.rules).toMatchObject([{ id, effect: 'latency', seen: 1, fired: 1 }]);
    expect((await admin(sims.alibaba.url, 'DELETE', `/_sim/faults/${id}`)).body.rules).toEqual([]);
    expect((await admin(sims.alibaba.url, 'DELETE', `/_sim/faults/${id}`)).status).toBe(404);
  });

  it('answers unknown admin routes with 404', async () => {
    const res = await request(`${sims.huawei.url}/_sim/nothing`);
    expect(res.statusCode).toBe(404);
    await res.body.text();
  });
});
