// The admin API's state dump, clock, settings and reset; world files in JSON and YAML; the default world.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_HUAWEI_CREDENTIAL,
  DEFAULT_HUAWEI_TOKEN,
  DEFAULT_WORLD,
  loadWorld,
  startSimulators,
  WorldError,
  type RunningSimulators,
} from '../../src/simulator/index.js';
import {
  DEFAULT_GROUP,
  DEMO_GROUP,
  DEMO_POOL,
  admin,
  elb,
  gwlbClient,
  hwMembers,
  poolPath,
  servers,
} from './helpers.js';

let sims: RunningSimulators;
const dir = mkdtempSync(join(tmpdir(), 'lbflow-sim-world-'));

beforeAll(async () => {
  sims = await startSimulators({ port: 0 });
});
afterAll(async () => {
  await sims.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the state dump', () => {
  it('shows groups, members and key ids, and never a secret or a token', async () => {
    await gwlbClient(sims.alibaba.url)('AddServersToServerGroup', {
      ServerGroupId: DEFAULT_GROUP,
      Servers: servers([1100]),
    });
    await elb(sims.huawei.url, {
      method: 'POST',
      path: poolPath(DEMO_POOL, '/members/batch-add'),
      data: { members: hwMembers([1]) },
    });
    const ali = await admin(sims.alibaba.url, 'GET', '/_sim/state');
    const hw = await admin(sims.huawei.url, 'GET', '/_sim/state');
    expect(ali.body.credentials).toContainEqual({
      accessKeyId: DEFAULT_ALIBABA_CREDENTIAL.accessKeyId,
      sts: false,
      disabled: false,
    });
    expect(ali.body.serverGroups.find((g: { id: string }) => g.id === DEFAULT_GROUP)).toMatchObject({
      serverCount: 1,
      servers: [{ serverId: 'i-bp67acfmxazb4p1100' }],
    });
    expect(hw.body.credentials).toEqual([
      { accessKey: DEFAULT_HUAWEI_CREDENTIAL.accessKey, temporary: false, disabled: false },
    ]);
    expect(hw.body.projects[0].pools[0]).toMatchObject({ id: DEMO_POOL, memberCount: 1 });
    const text = JSON.stringify([ali.body, hw.body]);
    for (const secret of [
      DEFAULT_ALIBABA_CREDENTIAL.accessKeySecret,
      'simulator-demo-sts-secret-0001',
      'CAISsimulator-demo-security-token-0001',
      DEFAULT_HUAWEI_CREDENTIAL.secretKey,
      DEFAULT_HUAWEI_TOKEN,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('keeps secrets out of the call log too', async () => {
    await gwlbClient(sims.alibaba.url, {
      credentials: { ...DEFAULT_ALIBABA_CREDENTIAL, accessKeySecret: 'wrong-secret' },
    })('ListServerGroups');
    await elb(sims.huawei.url, { path: poolPath(DEMO_POOL), token: DEFAULT_HUAWEI_TOKEN });
    const text = JSON.stringify([
      (await admin(sims.alibaba.url, 'GET', '/_sim/calls')).body,
      (await admin(sims.huawei.url, 'GET', '/_sim/calls')).body,
    ]);
    expect(text).toContain(DEFAULT_ALIBABA_CREDENTIAL.accessKeyId);
    expect(text).not.toContain(DEFAULT_ALIBABA_CREDENTIAL.accessKeySecret);
    expect(text).not.toContain(DEFAULT_HUAWEI_TOKEN);
  });
});

describe('clock, settings and reset', () => {
  it('shares one clock between the two simulators', async () => {
    await admin(sims.alibaba.url, 'POST', '/_sim/clock', { mode: 'manual', now: '2030-01-01T00:00:00Z' });
    await admin(sims.alibaba.url, 'POST', '/_sim/clock/advance', { ms: 1500 });
    const hw = await admin(sims.huawei.url, 'GET', '/_sim/clock');
    expect(hw.body).toMatchObject({ mode: 'manual', iso: '2030-01-01T00:00:01.500Z' });
    await admin(sims.huawei.url, 'POST', '/_sim/clock', { mode: 'real' });
    expect((await admin(sims.alibaba.url, 'GET', '/_sim/clock')).body.mode).toBe('real');
  });

  it('refuses a negative advance and an unknown clock mode', async () => {
    expect((await admin(sims.alibaba.url, 'POST', '/_sim/clock/advance', { ms: -1 })).status).toBe(400);
    expect((await admin(sims.alibaba.url, 'POST', '/_sim/clock', { mode: 'fast' })).status).toBe(400);
  });

  it('reads and changes settings, and refuses unknown ones', async () => {
    const changed = await admin(sims.huawei.url, 'PATCH', '/_sim/settings', { timings: { initialMs: 0 } });
    expect(changed.body.timings).toEqual({ initialMs: 0 });
    expect(
      (await admin(sims.alibaba.url, 'PATCH', '/_sim/settings', { timings: { addingMs: 5 } })).body.timings,
    ).toEqual({ configuringMs: 1000, addingMs: 5, removingMs: 1000 });
    expect((await admin(sims.alibaba.url, 'PATCH', '/_sim/settings', { speed: 2 })).status).toBe(400);
  });

  it('reset restores the starting world and empties the call log', async () => {
    await gwlbClient(sims.alibaba.url)('AddServersToServerGroup', { ServerGroupId: DEMO_GROUP, Servers: servers([1]) });
    expect((await admin(sims.alibaba.url, 'POST', '/_sim/reset')).status).toBe(200);
    const state = await admin(sims.alibaba.url, 'GET', '/_sim/state');
    expect(state.body.serverGroups.find((g: { id: string }) => g.id === DEMO_GROUP).serverCount).toBe(0);
    expect((await admin(sims.alibaba.url, 'GET', '/_sim/calls')).body.counts.total).toBe(0);
    expect(state.body.timings).toEqual({ configuringMs: 1000, addingMs: 1000, removingMs: 1000 });
  });

  it('reset with a world replaces it, and an invalid world changes nothing', async () => {
    const bad = await admin(sims.huawei.url, 'POST', '/_sim/reset', {
      world: { huawei: { projects: [{ id: 'short', region: 'r' }] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('huawei.projects.0.id');
    expect((await admin(sims.huawei.url, 'GET', '/_sim/state')).body.projects[0].pools).toHaveLength(5);
    const world = {
      huawei: {
        credentials: [{ accessKey: 'AK2', secretKey: 'SK2' }],
        projects: [{ id: 'a'.repeat(32), region: 'r' }],
      },
    };
    expect((await admin(sims.huawei.url, 'POST', '/_sim/reset', { world })).status).toBe(200);
    expect((await admin(sims.huawei.url, 'GET', '/_sim/state')).body.projects.map((p: { id: string }) => p.id)).toEqual(
      ['a'.repeat(32)],
    );
    await admin(sims.huawei.url, 'POST', '/_sim/reset');
  });
});

describe('world files', () => {
  it('loads a YAML world, taking the section it leaves out from the default world', () => {
    const file = join(dir, 'world.yaml');
    writeFileSync(
      file,
      [
        'alibaba:',
        '  credentials:',
        '    - { accessKeyId: yaml-key, accessKeySecret: yaml-secret }',
        '  timings: { configuringMs: 5, addingMs: 5, removingMs: 5 }',
        '  regions:',
        '    - id: cn-shanghai',
        '      zones: [cn-shanghai-a]',
        '      vpcs: [{ id: vpc-y, cidr: 10.0.0.0/8 }]',
        '      ecsRanges: [{ idPrefix: i-y, count: 3, vpcId: vpc-y, zones: [cn-shanghai-a], firstIp: 10.0.0.1 }]',
        '      serverGroups: [{ id: sgp-y, vpcId: vpc-y, servers: [{ serverId: i-y0001, serverType: Ecs }] }]',
      ].join('\n'),
    );
    const world = loadWorld(file);
    expect(world.alibaba.regions[0]?.serverGroups[0]).toMatchObject({
      id: 'sgp-y',
      type: 'Instance',
      connectionDrain: { enabled: false, timeoutSeconds: 300 },
    });
    expect(world.alibaba.quotas).toEqual({ serversPerGroup: 300, serversPerGroupPerZone: 100 });
    expect(world.huawei.projects[0]?.id).toBe(DEFAULT_WORLD.huawei?.projects?.[0]?.id);
  });

  it('loads a JSON world and serves it', async () => {
    const file = join(dir, 'world.json');
    writeFileSync(
      file,
      JSON.stringify({
        alibaba: {
          credentials: [{ accessKeyId: 'json-key', accessKeySecret: 'json-secret' }],
          regions: [
            {
              id: 'cn-beijing',
              zones: ['z'],
              vpcs: [{ id: 'v', cidr: '10.0.0.0/8' }],
              serverGroups: [{ id: 'sgp-json', type: 'Ip', vpcId: 'v' }],
            },
          ],
        },
      }),
    );
    const other = await startSimulators({ port: 0, world: file });
    try {
      const answer = await gwlbClient(other.alibaba.url, {
        credentials: { accessKeyId: 'json-key', accessKeySecret: 'json-secret' },
      })('ListServerGroups');
      expect((answer.body.ServerGroups as Array<{ ServerGroupId: string }>).map((g) => g.ServerGroupId)).toEqual([
        'sgp-json',
      ]);
    } finally {
      await other.close();
    }
  });

  it('reports every problem of an invalid world with its path', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'alibaba:\n  regions:\n    - id: r\n      zones: []\n      vpcs: [{ id: v, cidr: not-a-cidr }]\n  surprise: 1\n',
    );
    let error: unknown;
    try {
      loadWorld(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorldError);
    const message = (error as Error).message;
    expect(message).toContain('alibaba.regions.0.zones');
    expect(message).toContain('alibaba.regions.0.vpcs.0.cidr');
    expect(message).toContain('surprise');
  });

  it('refuses to start on a world whose references do not resolve, naming the reference', async () => {
    const world = {
      alibaba: { regions: [{ id: 'r', zones: ['z'], serverGroups: [{ id: 'sgp', vpcId: 'vpc-missing' }] }] },
    };
    await expect(startSimulators({ port: 0, world })).rejects.toThrow(/server group sgp is in VPC vpc-missing/);
  });
});

describe('the default world', () => {
  it('has the demo group with quotas raised to 1000 and the ECS inventory for it, spread over four zones', () => {
    const world = loadWorld(undefined);
    const region = world.alibaba.regions[0];
    const demo = region?.serverGroups.find((g) => g.id === DEMO_GROUP);
    expect(demo?.quotas).toEqual({ serversPerGroup: 1000, serversPerGroupPerZone: 300 });
    expect(region?.ecsRanges[0]).toMatchObject({
      count: 1200,
      zones: ['cn-hangzhou-h', 'cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k'],
    });
    expect(world.alibaba.quotas).toEqual({ serversPerGroup: 300, serversPerGroupPerZone: 100 });
  });
});
