// ELB v3 behaviour over HTTP: batch-add (201, successful/existed), operating_status settling on the manual clock,
// the demo's 300 members with marker pagination and filters, show calls, batch-delete, token auth.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_HUAWEI_TOKEN,
  startHuaweiSimulator,
  type HuaweiSimulator,
  type RunningSimulator,
} from '../../src/simulator/index.js';
import {
  DEMO_POOL,
  IP_TARGET_POOL,
  LB,
  NO_MONITOR_POOL,
  PROJECT,
  SUBNET,
  admin,
  ecsIp,
  elb,
  hwMembers,
  poolPath,
  range,
} from './helpers.js';

let sim: RunningSimulator<HuaweiSimulator>;

beforeAll(async () => {
  sim = await startHuaweiSimulator({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.simulator.reset();
  sim.simulator.clock.setManual();
});

type Member = {
  id: string;
  address: string;
  protocol_port: number;
  operating_status: string;
  ret_status?: string;
  admin_state_up: boolean;
  instance_id: string;
  member_type: string;
};
const batchAdd = async (pool: string, members: unknown[]) =>
  elb(sim.url, { method: 'POST', path: poolPath(pool, '/members/batch-add'), data: { members } });
const list = async (pool: string, query: Record<string, string | string[]> = {}) => {
  const answer = await elb(sim.url, { path: poolPath(pool, '/members'), query });
  return answer.body as {
    members: Member[];
    page_info: { previous_marker?: string; next_marker?: string; current_count: number };
  };
};
const advance = (ms: number) => admin(sim.url, 'POST', '/_sim/clock/advance', { ms });

describe('batch-add', () => {
  it('answers 201 with ret_status successful, then existed (same ids) for the same address and port', async () => {
    const first = await batchAdd(DEMO_POOL, hwMembers([1, 2], { name: 'lzs_batch_member', weight: 1 }));
    expect(first.status).toBe(201);
    const created = first.body.members as Member[];
    expect(created.map((m) => [m.address, m.ret_status])).toEqual([
      [ecsIp(1), 'successful'],
      [ecsIp(2), 'successful'],
    ]);
    expect(created[0]).toMatchObject({
      name: 'lzs_batch_member',
      member_type: 'instance',
      instance_id: 'ecs-simulator-0001',
      admin_state_up: true,
      port_id: '',
    });
    const again = await batchAdd(DEMO_POOL, hwMembers([2, 3]));
    expect((again.body.members as Member[]).map((m) => [m.address, m.ret_status])).toEqual([
      [ecsIp(2), 'existed'],
      [ecsIp(3), 'successful'],
    ]);
    expect((again.body.members as Member[])[0]?.id).toBe(created[1]?.id);
    expect(again.headers['x-request-id']).toBe(again.body.request_id);
  });

  it('reports a repeat within one call as existed', async () => {
    const answer = await batchAdd(DEMO_POOL, hwMembers([5, 5]));
    const members = answer.body.members as Member[];
    expect(members.map((m) => m.ret_status)).toEqual(['successful', 'existed']);
    expect(members[0]?.id).toBe(members[1]?.id);
  });

  it('applies all or nothing: one bad member leaves the pool unchanged', async () => {
    const answer = await batchAdd(DEMO_POOL, [
      ...hwMembers([1, 2]),
      { address: '8.8.8.8', protocol_port: 80, subnet_cidr_id: SUBNET },
    ]);
    expect(answer.status).toBe(400);
    expect((await list(DEMO_POOL)).members).toEqual([]);
  });

  it('is also accepted with an X-Auth-Token', async () => {
    const answer = await elb(sim.url, {
      method: 'POST',
      path: poolPath(DEMO_POOL, '/members/batch-add'),
      data: { members: hwMembers([9]) },
      token: DEFAULT_HUAWEI_TOKEN,
    });
    expect(answer.status).toBe(201);
  });
});

describe('operating_status', () => {
  it('goes INITIAL → ONLINE in a pool with a health monitor, after the configured time', async () => {
    await admin(sim.url, 'PATCH', '/_sim/settings', { timings: { initialMs: 4000 } });
    const added = (await batchAdd(DEMO_POOL, hwMembers([1]))).body.members as Member[];
    expect(added[0]?.operating_status).toBe('INITIAL');
    await advance(3999);
    expect((await list(DEMO_POOL)).members[0]?.operating_status).toBe('INITIAL');
    await advance(1);
    expect((await list(DEMO_POOL)).members[0]?.operating_status).toBe('ONLINE');
  });

  it('is NO_MONITOR in a pool without a health monitor', async () => {
    const added = (await batchAdd(NO_MONITOR_POOL, hwMembers([1]))).body.members as Member[];
    expect(added[0]?.operating_status).toBe('NO_MONITOR');
  });

  it('is OFFLINE for a backend the world marks down, and for an address with no ECS (admin_state_up false)', async () => {
    // Every 50th server of the inventory (i % 50 === 49) is down.
    await batchAdd(DEMO_POOL, [
      ...hwMembers([49]),
      { address: '192.168.120.1', protocol_port: 80, subnet_cidr_id: SUBNET },
    ]);
    await advance(10_000);
    const members = (await list(DEMO_POOL)).members;
    expect(members.map((m) => [m.address, m.operating_status, m.admin_state_up])).toEqual([
      [ecsIp(49), 'OFFLINE', true],
      ['192.168.120.1', 'OFFLINE', false],
    ]);
    const down = members[0] as Member & { reason?: { reason_code: string } };
    expect(down.reason?.reason_code).toBe('CONNECT_TIMEOUT');
  });

  it('settles IP-type members too, OFFLINE when the world marks the address down', async () => {
    const added = await batchAdd(IP_TARGET_POOL, [
      { address: '10.9.9.8', protocol_port: 80 },
      { address: '10.9.9.9', protocol_port: 80 },
    ]);
    expect((added.body.members as Member[]).map((m) => [m.member_type, m.operating_status])).toEqual([
      ['ip', 'INITIAL'],
      ['ip', 'INITIAL'],
    ]);
    await advance(10_000);
    expect((await list(IP_TARGET_POOL)).members.map((m) => m.operating_status)).toEqual(['ONLINE', 'OFFLINE']);
  });
});

describe('the demo pool: 300 members, pagination, filters, show, delete', () => {
  it('takes 300 members in two batches and pages through them with marker and limit', async () => {
    expect((await batchAdd(DEMO_POOL, hwMembers(range(0, 200)))).status).toBe(201);
    expect((await batchAdd(DEMO_POOL, hwMembers(range(200, 300)))).status).toBe(201);
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await list(DEMO_POOL, { limit: '120', ...(marker ? { marker } : {}) });
      seen.push(...page.members.map((m) => m.address));
      pages++;
      if (!page.page_info.next_marker) break;
      marker = page.page_info.next_marker;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(range(0, 300).map(ecsIp));
    const all = await list(DEMO_POOL);
    expect(all.page_info.current_count).toBe(300);
  });

  it('pages backwards with page_reverse from a marker', async () => {
    await batchAdd(DEMO_POOL, hwMembers(range(0, 10)));
    const ids = (await list(DEMO_POOL)).members.map((m) => m.id);
    const back = await list(DEMO_POOL, { limit: '3', marker: ids[6] as string, page_reverse: 'true' });
    expect(back.members.map((m) => m.id)).toEqual(ids.slice(3, 6));
    expect(back.page_info.previous_marker).toBe(ids[3]);
  });

  it('filters by repeated address keys and by protocol_port', async () => {
    await batchAdd(DEMO_POOL, [...hwMembers(range(0, 5)), ...hwMembers([1], { protocol_port: 8080 })]);
    const byAddress = await list(DEMO_POOL, { address: [ecsIp(3), ecsIp(1)] });
    expect(byAddress.members.map((m) => `${m.address}:${m.protocol_port}`)).toEqual([
      `${ecsIp(1)}:80`,
      `${ecsIp(3)}:80`,
      `${ecsIp(1)}:8080`,
    ]);
    const byBoth = await list(DEMO_POOL, { address: ecsIp(1), protocol_port: '8080' });
    expect(byBoth.members.map((m) => m.protocol_port)).toEqual([8080]);
  });

  it('shows a member, its pool and the load balancer', async () => {
    const added = (await batchAdd(DEMO_POOL, hwMembers([1]))).body.members as Member[];
    const member = await elb(sim.url, { path: poolPath(DEMO_POOL, `/members/${added[0]?.id}`) });
    expect(member.body.member).toMatchObject({
      id: added[0]?.id,
      address: ecsIp(1),
      ip_version: 'v4',
      project_id: PROJECT,
    });
    const pool = await elb(sim.url, { path: poolPath(DEMO_POOL) });
    expect(pool.body.pool).toMatchObject({
      id: DEMO_POOL,
      protocol: 'TCP',
      loadbalancers: [{ id: LB }],
      members: [{ id: added[0]?.id }],
    });
    const lb = await elb(sim.url, { path: `/v3/${PROJECT}/elb/loadbalancers/${LB}` });
    expect(lb.body.loadbalancer).toMatchObject({
      id: LB,
      provisioning_status: 'ACTIVE',
      operating_status: 'ONLINE',
      guaranteed: true,
    });
  });

  it('batch-deletes by id and by address and port, reporting not found for the rest', async () => {
    const added = (await batchAdd(DEMO_POOL, hwMembers([1, 2, 3]))).body.members as Member[];
    const answer = await elb(sim.url, {
      method: 'POST',
      path: poolPath(DEMO_POOL, '/members/batch-delete'),
      data: {
        members: [
          { id: added[0]?.id },
          { address: ecsIp(2), protocol_port: 80 },
          { id: 'no-such-member' },
          { address: ecsIp(2), protocol_port: 80 },
        ],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.members).toEqual([
      { id: added[0]?.id, ret_status: 'successful' },
      { id: added[1]?.id, ret_status: 'successful' },
      { id: 'no-such-member', ret_status: 'not found' },
      { id: '', ret_status: 'not found' },
    ]);
    expect((await list(DEMO_POOL)).members.map((m) => m.address)).toEqual([ecsIp(3)]);
  });

  it('logs a batch that changes nothing as a replay', async () => {
    await batchAdd(DEMO_POOL, hwMembers([1]));
    await batchAdd(DEMO_POOL, hwMembers([1]));
    const entries = (await admin(sim.url, 'GET', '/_sim/calls?action=BatchCreateMembers')).body.entries;
    expect(entries.map((e: { outcome: string; committed: boolean }) => [e.outcome, e.committed])).toEqual([
      ['applied', true],
      ['replayed', false],
    ]);
  });
});
