// GWLB behaviour over HTTP: the group and server state machines on a manual clock, pagination, connection
// draining, the demo's 1,000 servers, and ClientToken replays proven by the call log.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAlibabaSimulator, type AlibabaSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_GROUP, DEMO_GROUP, DRAIN_GROUP, admin, ecsId, ecsIp, gwlbClient, range, servers } from './helpers.js';

let sim: RunningSimulator<AlibabaSimulator>;
let call: ReturnType<typeof gwlbClient>;

beforeAll(async () => {
  sim = await startAlibabaSimulator({ port: 0 });
  call = gwlbClient(sim.url);
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  sim.simulator.reset();
  await admin(sim.url, 'POST', '/_sim/clock', { mode: 'manual' });
});

const advance = (ms: number) => admin(sim.url, 'POST', '/_sim/clock/advance', { ms });
const groupStatus = async (id: string) => {
  const answer = await call('ListServerGroups', { ServerGroupIds: [id] });
  return (answer.body.ServerGroups as Array<{ ServerGroupStatus: string; ServerCount: number }>)[0];
};
const statuses = async (id: string) => {
  const answer = await call('ListServerGroupServers', { ServerGroupId: id, MaxResults: 1000 });
  return (answer.body.Servers as Array<{ ServerId: string; Status: string }>).map((s) => `${s.ServerId}:${s.Status}`);
};

describe('state machines on the manual clock', () => {
  it('an add puts the group in Configuring and the servers in Adding until the configured times pass', async () => {
    await admin(sim.url, 'PATCH', '/_sim/settings', { timings: { configuringMs: 3000, addingMs: 2000 } });
    expect(
      (await call('AddServersToServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers([1100, 1101]) })).status,
    ).toBe(200);
    expect((await groupStatus(DEFAULT_GROUP))?.ServerGroupStatus).toBe('Configuring');
    expect(await statuses(DEFAULT_GROUP)).toEqual([`${ecsId(1100)}:Adding`, `${ecsId(1101)}:Adding`]);
    await advance(2000);
    expect(await statuses(DEFAULT_GROUP)).toEqual([`${ecsId(1100)}:Available`, `${ecsId(1101)}:Available`]);
    expect((await groupStatus(DEFAULT_GROUP))?.ServerGroupStatus).toBe('Configuring');
    await advance(1000);
    expect(await groupStatus(DEFAULT_GROUP)).toMatchObject({ ServerGroupStatus: 'Available', ServerCount: 2 });
  });

  it('a remove goes Removing, then the server is gone', async () => {
    await call('AddServersToServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers([1100]) });
    await advance(10_000);
    expect(
      (await call('RemoveServersFromServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers([1100]) })).status,
    ).toBe(200);
    expect(await statuses(DEFAULT_GROUP)).toEqual([`${ecsId(1100)}:Removing`]);
    await advance(10_000);
    expect(await statuses(DEFAULT_GROUP)).toEqual([]);
    expect((await groupStatus(DEFAULT_GROUP))?.ServerCount).toBe(0);
  });

  it('with connection draining a removed server goes Removing → Draining → gone, and may come back while Draining', async () => {
    await call('AddServersToServerGroup', { ServerGroupId: DRAIN_GROUP, Servers: servers([1100, 1101]) });
    await advance(1000);
    await call('RemoveServersFromServerGroup', { ServerGroupId: DRAIN_GROUP, Servers: servers([1100, 1101]) });
    expect(await statuses(DRAIN_GROUP)).toEqual([`${ecsId(1100)}:Removing`, `${ecsId(1101)}:Removing`]);
    await advance(1000);
    expect(await statuses(DRAIN_GROUP)).toEqual([`${ecsId(1100)}:Draining`, `${ecsId(1101)}:Draining`]);
    expect(
      (await call('AddServersToServerGroup', { ServerGroupId: DRAIN_GROUP, Servers: servers([1100]) })).status,
    ).toBe(200);
    expect(await statuses(DRAIN_GROUP)).toEqual([`${ecsId(1100)}:Adding`, `${ecsId(1101)}:Draining`]);
    await advance(10_000); // the group's 10 s drain timeout
    expect(await statuses(DRAIN_GROUP)).toEqual([`${ecsId(1100)}:Available`]);
  });

  it('the group is Creating for its creatingMs after the world starts', async () => {
    const world = {
      alibaba: {
        credentials: [{ accessKeyId: 'k', accessKeySecret: 's' }],
        regions: [
          {
            id: 'cn-hangzhou',
            zones: ['z'],
            vpcs: [{ id: 'vpc-1', cidr: '10.0.0.0/8' }],
            serverGroups: [{ id: 'sgp-new', type: 'Ip' as const, vpcId: 'vpc-1', creatingMs: 5000 }],
          },
        ],
      },
    };
    sim.simulator.reset(world);
    const creds = { accessKeyId: 'k', accessKeySecret: 's' };
    const c = gwlbClient(sim.url, { credentials: creds });
    const first = await c('ListServerGroups');
    expect((first.body.ServerGroups as Array<{ ServerGroupStatus: string }>)[0]?.ServerGroupStatus).toBe('Creating');
    const refused = await c('AddServersToServerGroup', {
      ServerGroupId: 'sgp-new',
      Servers: [{ ServerId: '10.0.0.1', ServerType: 'Ip' }],
    });
    expect(refused.code).toBe('IncorrectStatus.ServerGroup');
    await advance(5000);
    expect(
      (
        await c('AddServersToServerGroup', {
          ServerGroupId: 'sgp-new',
          Servers: [{ ServerId: '10.0.0.1', ServerType: 'Ip' }],
        })
      ).status,
    ).toBe(200);
  });

  it('the admin clock reports manual time and moves only when advanced', async () => {
    const before = await admin(sim.url, 'GET', '/_sim/clock');
    expect(before.body.mode).toBe('manual');
    const after = await advance(90_000);
    expect(after.body.now - before.body.now).toBe(90_000);
    const back = await admin(sim.url, 'POST', '/_sim/clock', { mode: 'real' });
    expect(back.body.mode).toBe('real');
  });
});

describe('the demo group and pagination', () => {
  it('takes 1,000 ECS servers in 5 calls of 200 and lists them page by page with NextToken', async () => {
    for (let chunk = 0; chunk < 5; chunk++) {
      const answer = await call('AddServersToServerGroup', {
        ServerGroupId: DEMO_GROUP,
        Servers: servers(range(chunk * 200, chunk * 200 + 200)),
        ClientToken: `demo-${chunk}`,
      });
      expect(answer.status).toBe(200);
      await advance(1000);
    }
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await call('ListServerGroupServers', {
        ServerGroupId: DEMO_GROUP,
        MaxResults: 300,
        ...(token ? { NextToken: token } : {}),
      });
      expect(page.body.TotalCount).toBe(1000);
      expect(page.body.MaxResults).toBe(300);
      for (const s of page.body.Servers as Array<{
        ServerId: string;
        ServerIp: string;
        Status: string;
        Port: number;
      }>) {
        expect(s).toMatchObject({ Status: 'Available', Port: 6081 });
        seen.push(`${s.ServerId}@${s.ServerIp}`);
      }
      token = String(page.body.NextToken);
      pages++;
    } while (token);
    expect(pages).toBe(4);
    expect(seen).toEqual(range(0, 1000).map((i) => `${ecsId(i)}@${ecsIp(i)}`));
    expect((await groupStatus(DEMO_GROUP))?.ServerCount).toBe(1000);
  });

  it('defaults to pages of 20 and filters by ServerIds and ServerIps', async () => {
    await call('AddServersToServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers(range(1000, 1030)) });
    const first = await call('ListServerGroupServers', { ServerGroupId: DEFAULT_GROUP });
    expect([
      (first.body.Servers as unknown[]).length,
      first.body.MaxResults,
      first.body.TotalCount,
      first.body.NextToken === '',
    ]).toEqual([20, 20, 30, false]);
    const byId = await call('ListServerGroupServers', {
      ServerGroupId: DEFAULT_GROUP,
      ServerIds: [ecsId(1003), ecsId(1007)],
    });
    expect((byId.body.Servers as Array<{ ServerId: string }>).map((s) => s.ServerId)).toEqual([
      ecsId(1003),
      ecsId(1007),
    ]);
    const byIp = await call('ListServerGroupServers', { ServerGroupId: DEFAULT_GROUP, ServerIps: [ecsIp(1010)] });
    expect((byIp.body.Servers as Array<{ ServerId: string }>).map((s) => s.ServerId)).toEqual([ecsId(1010)]);
  });

  it('lists server groups with filters and Skip', async () => {
    const all = await call('ListServerGroups', { MaxResults: 100 });
    expect(all.body.TotalCount).toBe(5);
    const ip = await call('ListServerGroups', { ServerGroupType: 'Ip' });
    expect((ip.body.ServerGroups as Array<{ ServerGroupId: string }>).map((g) => g.ServerGroupId)).toEqual([
      'sgp-atstuj3rtoptyui0002',
      'sgp-atstuj3rtoptyui0003',
    ]);
    const tagged = await call('ListServerGroups', { Tag: [{ Key: 'app', Value: 'lbflow-demo' }] });
    expect((tagged.body.ServerGroups as Array<{ ServerGroupId: string }>).map((g) => g.ServerGroupId)).toEqual([
      DEMO_GROUP,
    ]);
    const skipped = await call('ListServerGroups', { Skip: 4 });
    expect((skipped.body.ServerGroups as unknown[]).length).toBe(1);
    const full = (all.body.ServerGroups as Array<Record<string, unknown>>)[3];
    expect(full).toMatchObject({
      ServerGroupName: 'quota-hit',
      ServerGroupType: 'Ip',
      ServerCount: 300,
      Protocol: 'GENEVE',
      ConnectionDrainConfig: { ConnectionDrainEnabled: false, ConnectionDrainTimeout: 300 },
    });
    // Every field of the SDK's HealthCheckConfig model, the UDP check's expected answer and request included.
    expect(Object.keys(full?.HealthCheckConfig as object).sort()).toEqual([
      'HealthCheckConnectPort',
      'HealthCheckConnectTimeout',
      'HealthCheckDomain',
      'HealthCheckEnabled',
      'HealthCheckExp',
      'HealthCheckHttpCode',
      'HealthCheckInterval',
      'HealthCheckPath',
      'HealthCheckProtocol',
      'HealthCheckReq',
      'HealthyThreshold',
      'UnhealthyThreshold',
    ]);
  });

  it('keeps a NextToken valid when servers before it are removed', async () => {
    await call('AddServersToServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers(range(1000, 1010)) });
    await advance(5000);
    const first = await call('ListServerGroupServers', { ServerGroupId: DEFAULT_GROUP, MaxResults: 5 });
    await call('RemoveServersFromServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers([1000, 1001]) });
    await advance(5000);
    const second = await call('ListServerGroupServers', {
      ServerGroupId: DEFAULT_GROUP,
      MaxResults: 5,
      NextToken: first.body.NextToken,
    });
    expect((second.body.Servers as Array<{ ServerId: string }>).map((s) => s.ServerId)).toEqual(
      range(1005, 1010).map(ecsId),
    );
    expect(second.body.NextToken).toBe('');
  });
});

describe('ClientToken idempotency', () => {
  it('compares a replay by value: DryRun absent (the SDK) and DryRun=false (other clients) match; other servers do not', async () => {
    const body = { ServerGroupId: DEFAULT_GROUP, Servers: servers([1150]), ClientToken: 'chunk-dryrun-norm' };
    const first = await call('AddServersToServerGroup', body);
    const withFalse = await call('AddServersToServerGroup', { ...body, DryRun: false });
    expect([first.status, withFalse.status]).toEqual([200, 200]);
    expect(withFalse.body.RequestId).toBe(first.body.RequestId);
    const other = await call('AddServersToServerGroup', { ...body, Servers: servers([1151]) });
    expect([other.status, other.body.Code]).toEqual([400, 'IdempotenceSignatureMismatch']);
  });

  it('a replay with the same token and parameters returns the original RequestId and changes nothing (call log)', async () => {
    const body = { ServerGroupId: DEFAULT_GROUP, Servers: servers([1100, 1101]), ClientToken: 'chunk-0001' };
    const first = await call('AddServersToServerGroup', body);
    expect(first.status).toBe(200);
    const stateBefore = await admin(sim.url, 'GET', '/_sim/state');
    // Still Configuring: a replay must answer from the token, not with IncorrectStatus.
    const replay1 = await call('AddServersToServerGroup', body);
    await advance(5000);
    const replay2 = await call('AddServersToServerGroup', body);
    expect([replay1.status, replay2.status]).toEqual([200, 200]);
    expect([replay1.body.RequestId, replay2.body.RequestId]).toEqual([first.body.RequestId, first.body.RequestId]);

    const calls = await admin(sim.url, 'GET', '/_sim/calls?clientToken=chunk-0001');
    expect(calls.body.counts.byClientToken['chunk-0001']).toMatchObject({
      action: 'AddServersToServerGroup',
      calls: 3,
      committed: 1,
      replayed: 2,
    });
    expect(calls.body.entries.map((e: { outcome: string }) => e.outcome)).toEqual(['applied', 'replayed', 'replayed']);
    // The log records the request id each client got: the original one for a replay.
    expect(calls.body.entries.map((e: { requestId: string }) => e.requestId)).toEqual([
      first.body.RequestId,
      first.body.RequestId,
      first.body.RequestId,
    ]);
    const stateAfter = await admin(sim.url, 'GET', '/_sim/state');
    const group = (s: any) => s.body.serverGroups.find((g: { id: string }) => g.id === DEFAULT_GROUP);
    expect(group(stateAfter).servers.map((x: { serverId: string }) => x.serverId)).toEqual(
      group(stateBefore).servers.map((x: { serverId: string }) => x.serverId),
    );
    expect(group(stateAfter).serverCount).toBe(2);
  });

  it('a replay after a failed first attempt is a fresh attempt (errors are not remembered)', async () => {
    await call('AddServersToServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers([1100]) });
    const body = { ServerGroupId: DEFAULT_GROUP, Servers: servers([1101]), ClientToken: 'retry-after-busy' };
    expect((await call('AddServersToServerGroup', body)).code).toBe('IncorrectStatus.ServerGroup');
    await advance(5000);
    expect((await call('AddServersToServerGroup', body)).status).toBe(200);
    const counts = (await admin(sim.url, 'GET', '/_sim/calls')).body.counts.byClientToken['retry-after-busy'];
    expect(counts).toMatchObject({ calls: 2, committed: 1, rejected: 1 });
  });

  it('the call log counts calls per action and status', async () => {
    await call('ListServerGroups');
    await call('ListServerGroups');
    await call('AddServersToServerGroup', { ServerGroupId: 'sgp-missing', Servers: servers([1]) });
    const counts = (await admin(sim.url, 'GET', '/_sim/calls')).body.counts.byAction;
    expect(counts.ListServerGroups).toMatchObject({ calls: 2, byStatus: { 200: 2 } });
    expect(counts.AddServersToServerGroup).toMatchObject({
      calls: 1,
      byStatus: { 404: 1 },
      byOutcome: { rejected: 1 },
    });
  });
});
