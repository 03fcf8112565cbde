// One test per ELB v3 / API gateway error code: the condition that produces it, its HTTP status and the body
// {error_msg, error_code, request_id} with the same id in X-Request-Id.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_HUAWEI_CREDENTIAL,
  DEFAULT_HUAWEI_TOKEN,
  DEFAULT_WORLD,
  startHuaweiSimulator,
  type HuaweiSimulator,
  type RunningSimulator,
} from '../../src/simulator/index.js';
import {
  DEMO_POOL,
  FULL_POOL,
  GATEWAY_POOL,
  IP_TARGET_POOL,
  PROJECT,
  SUBNET,
  SUBNET_B,
  admin,
  ecsIp,
  elb,
  hwMembers,
  poolPath,
  range,
  type ElbAnswer,
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

function expectError(answer: ElbAnswer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body.error_code }).toEqual({ status, code });
  expect(Object.keys(answer.body).sort()).toEqual(['error_code', 'error_msg', 'request_id']);
  expect(answer.body.request_id).toMatch(/^[0-9a-f]{32}$/);
  expect(answer.headers['x-request-id']).toBe(answer.body.request_id);
}

const batchAdd = (pool: string, members: unknown[]) =>
  elb(sim.url, { method: 'POST', path: poolPath(pool, '/members/batch-add'), data: { members } });
const quotaDetails = (keys: string[]) =>
  elb(sim.url, { path: `/v3/${PROJECT}/elb/quotas/details`, query: { quota_key: keys } });
const withWorld = (edit: (w: typeof DEFAULT_WORLD) => void) => {
  const world = structuredClone(DEFAULT_WORLD);
  edit(world);
  sim.simulator.reset(world);
};

describe('ELB.8902 (400): validation', () => {
  it('refuses unrecognized attributes, naming them', async () => {
    const answer = await batchAdd(DEMO_POOL, [
      { ...hwMembers([1])[0], protection_status: 'x', protection_reason: 'y' },
    ]);
    expectError(answer, 400, 'ELB.8902');
    expect(answer.body.error_msg).toBe("Unrecognized attribute(s) 'protection_status, protection_reason'");
  });

  it('refuses a missing address, a weight over 100, an empty list and more than 200 members', async () => {
    expectError(await batchAdd(DEMO_POOL, [{ protocol_port: 80, subnet_cidr_id: SUBNET }]), 400, 'ELB.8902');
    expectError(await batchAdd(DEMO_POOL, hwMembers([1], { weight: 101 })), 400, 'ELB.8902');
    expectError(await batchAdd(DEMO_POOL, []), 400, 'ELB.8902');
    expectError(await batchAdd(DEMO_POOL, hwMembers(range(0, 201))), 400, 'ELB.8902');
  });

  it('counts a name in Unicode characters, as ELB documents: 255 emoji fit, 256 do not (issue 13 row 7)', async () => {
    const emoji = '\u{1F680}';
    expectError(await batchAdd(DEMO_POOL, hwMembers([97], { name: emoji.repeat(256) })), 400, 'ELB.8902');
    const added = await batchAdd(DEMO_POOL, hwMembers([97], { name: emoji.repeat(255) }));
    expect(added.status).toBe(201);
    expect((added.body.members as { name: string }[])[0]?.name).toBe(emoji.repeat(255));
  });

  it('refuses an address outside its subnet and a missing protocol_port', async () => {
    expectError(
      await batchAdd(DEMO_POOL, [{ address: '192.168.200.50', protocol_port: 80, subnet_cidr_id: SUBNET }]),
      400,
      'ELB.8902',
    );
    expectError(await batchAdd(DEMO_POOL, [{ address: ecsIp(1), subnet_cidr_id: SUBNET }]), 400, 'ELB.8902');
  });

  it("refuses a gateway (IP protocol) member with a port other than 0 or in the load balancer's own subnet", async () => {
    expectError(await batchAdd(GATEWAY_POOL, hwMembers([1])), 400, 'ELB.8902');
    expectError(
      await batchAdd(GATEWAY_POOL, [{ address: '192.168.130.5', protocol_port: 0, subnet_cidr_id: SUBNET_B }]),
      400,
      'ELB.8902',
    );
    expect((await batchAdd(GATEWAY_POOL, hwMembers([1], { protocol_port: 0 }))).status).toBe(201);
  });

  it('refuses an IP-type member with a public address', async () => {
    expectError(await batchAdd(IP_TARGET_POOL, [{ address: '8.8.8.8', protocol_port: 80 }]), 400, 'ELB.8902');
  });

  it('refuses a batch-delete item that mixes id with address, and a list marker that is no member', async () => {
    const del = await elb(sim.url, {
      method: 'POST',
      path: poolPath(DEMO_POOL, '/members/batch-delete'),
      data: { members: [{ id: 'x', address: '10.0.0.1', protocol_port: 80 }] },
    });
    expectError(del, 400, 'ELB.8902');
    expectError(
      await elb(sim.url, { path: poolPath(DEMO_POOL, '/members'), query: { marker: 'not-a-member', limit: '10' } }),
      400,
      'ELB.8902',
    );
    expectError(
      await elb(sim.url, { path: poolPath(DEMO_POOL, '/members'), query: { limit: '2001' } }),
      400,
      'ELB.8902',
    );
  });

  it('refuses a body that is not JSON', async () => {
    expectError(
      await elb(sim.url, { method: 'POST', path: poolPath(DEMO_POOL, '/members/batch-add'), rawBody: '{"members": [' }),
      400,
      'ELB.8902',
    );
  });
});

describe('ELB codes for the world', () => {
  it('ELB.8904 (404): an unknown pool, subnet, member or load balancer', async () => {
    const pool = await batchAdd('00000000-0000-0000-0000-000000000000', hwMembers([1]));
    expectError(pool, 404, 'ELB.8904');
    expect(pool.body.error_msg).toBe('pool 00000000-0000-0000-0000-000000000000 could not be found.');
    expectError(
      await batchAdd(DEMO_POOL, hwMembers([1], { subnet_cidr_id: 'f2d6ecf7-0000-0000-0000-000000000000' })),
      404,
      'ELB.8904',
    );
    expectError(await elb(sim.url, { path: poolPath(DEMO_POOL, '/members/no-such-member') }), 404, 'ELB.8904');
    expectError(await elb(sim.url, { path: `/v3/${PROJECT}/elb/loadbalancers/no-such-lb` }), 404, 'ELB.8904');
  });

  it('ELB.8905 (409): a pool already at its members_per_pool quota, in the documented words only', async () => {
    const answer = await batchAdd(FULL_POOL, hwMembers([1]));
    expectError(answer, 409, 'ELB.8905');
    expect(answer.body.error_msg).toBe('Quota exceeded for resources: members_per_pool');
  });

  it('ELB.8905 (409): the project at its member quota; what still fits is added', async () => {
    const held = (await quotaDetails(['member'])).body.quotas as Array<{ used: number }>;
    withWorld((w) => void (w.huawei!.quotas = { membersPerPool: 500, members: held[0]!.used + 1 }));
    const refused = await batchAdd(DEMO_POOL, hwMembers([1, 2]));
    expectError(refused, 409, 'ELB.8905');
    expect(refused.body.error_msg).toBe('Quota exceeded for resources: member');
    expect((await batchAdd(DEMO_POOL, hwMembers([1]))).status).toBe(201);
  });

  it('quotas are per project: raising members_per_pool there makes room in its full pool; -1 is unlimited', async () => {
    withWorld((w) => void (w.huawei!.projects![0]!.quotas = { membersPerPool: 501 }));
    expect((await batchAdd(FULL_POOL, hwMembers([1]))).status).toBe(201);
    expectError(await batchAdd(FULL_POOL, hwMembers([2])), 409, 'ELB.8905');
    withWorld((w) => void (w.huawei!.projects![0]!.quotas = { membersPerPool: -1, members: -1 }));
    expect((await batchAdd(FULL_POOL, hwMembers(range(1, 200)))).status).toBe(201);
  });

  it("ELB.8907 (409): an address that is a load balancer's VIP", async () => {
    const answer = await batchAdd(DEMO_POOL, [
      { address: '192.168.200.10', protocol_port: 80, subnet_cidr_id: SUBNET_B },
    ]);
    expectError(answer, 409, 'ELB.8907');
  });

  it('ELB.8907 (409): removing members from a pool with member deletion protection', async () => {
    withWorld((w) => void (w.huawei!.projects![0]!.pools![2]!.memberDeletionProtection = true));
    const answer = await elb(sim.url, {
      method: 'POST',
      path: poolPath(FULL_POOL, '/members/batch-delete'),
      data: { members: [{ address: '192.168.100.1', protocol_port: 80 }] },
    });
    expectError(answer, 409, 'ELB.8907');
  });

  it('ELB.8933 (400): an IPv6 address', async () => {
    expectError(
      await batchAdd(DEMO_POOL, [{ address: '2001:db8::1', protocol_port: 80, subnet_cidr_id: SUBNET }]),
      400,
      'ELB.8933',
    );
  });

  it('ELB.8938 (400): an IP-type member in a pool whose protocol is IP', async () => {
    expectError(await batchAdd(GATEWAY_POOL, [{ address: '10.1.1.1', protocol_port: 0 }]), 400, 'ELB.8938');
  });

  it('ELB.8939 (400): an IP-type member on a load balancer without ip_target_enable', async () => {
    expectError(await batchAdd(DEMO_POOL, [{ address: '10.1.1.1', protocol_port: 80 }]), 400, 'ELB.8939');
  });

  it('ELB.8906 (500): an injected internal error', async () => {
    await admin(sim.url, 'POST', '/_sim/faults', { action: 'ListMembers', effect: 'error', times: 1 });
    expectError(await elb(sim.url, { path: poolPath(DEMO_POOL, '/members') }), 500, 'ELB.8906');
  });
});

describe('API gateway codes', () => {
  it('APIGW.0101 (404): a path or method the API does not have', async () => {
    expectError(
      await elb(sim.url, { method: 'POST', path: poolPath(DEMO_POOL, '/members/batch-update'), data: { members: [] } }),
      404,
      'APIGW.0101',
    );
    expectError(await elb(sim.url, { method: 'DELETE', path: poolPath(DEMO_POOL) }), 404, 'APIGW.0101');
  });

  it('APIGW.0201 (413): a body over 12 MB', async () => {
    const answer = await elb(sim.url, {
      method: 'POST',
      path: poolPath(DEMO_POOL, '/members/batch-add'),
      rawBody: `{"members":[],"x":"${'x'.repeat(12 * 1024 * 1024)}"}`,
    });
    expectError(answer, 413, 'APIGW.0201');
  });

  it('APIGW.0301 (401): a wrong secret key, an unknown AK, an unknown token, no credentials', async () => {
    expectError(await elb(sim.url, { path: poolPath(DEMO_POOL), sk: 'wrong' }), 401, 'APIGW.0301');
    expectError(await elb(sim.url, { path: poolPath(DEMO_POOL), ak: 'NOSUCHAK', sk: 'x' }), 401, 'APIGW.0301');
    expectError(await elb(sim.url, { path: poolPath(DEMO_POOL), token: 'MIIunknown' }), 401, 'APIGW.0301');
    expectError(
      await elb(sim.url, { path: poolPath(DEMO_POOL), tamper: (r) => void delete r.headers.Authorization }),
      401,
      'APIGW.0301',
    );
  });

  it('APIGW.0301 (401): an X-Sdk-Date more than 15 minutes off', async () => {
    const stale = new Date(Date.now() - 16 * 60_000)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}Z$/, 'Z');
    const answer = await elb(sim.url, { path: poolPath(DEMO_POOL), headers: { 'X-Sdk-Date': stale } });
    expectError(answer, 401, 'APIGW.0301');
    expect(answer.body.error_msg).toContain('15 minutes');
  });

  it('APIGW.0301 (401): the body changed after signing (the hash covers the exact bytes)', async () => {
    const answer = await elb(sim.url, {
      method: 'POST',
      path: poolPath(DEMO_POOL, '/members/batch-add'),
      data: { members: hwMembers([1]) },
      tamper: (r) => void (r.body = `${r.body}\n`),
    });
    expectError(answer, 401, 'APIGW.0301');
  });

  it('APIGW.0301 (401): the AK is locked for 5 minutes after 5 failed signatures in a row', async () => {
    for (let i = 0; i < 5; i++) await elb(sim.url, { path: poolPath(DEMO_POOL), sk: 'wrong' });
    const locked = await elb(sim.url, { path: poolPath(DEMO_POOL) });
    expectError(locked, 401, 'APIGW.0301');
    expect(locked.body.error_msg).toContain('AK access failed to reach the limit');
    expect(DEFAULT_HUAWEI_CREDENTIAL.accessKey).toBeTruthy();
  });

  it('APIGW.0302 (403): a token scoped to another project', async () => {
    withWorld((w) =>
      w.huawei!.tokens!.push({ token: 'MIIother-project', projectId: 'ffffffffffffffffffffffffffffffff' }),
    );
    expectError(await elb(sim.url, { path: poolPath(DEMO_POOL), token: 'MIIother-project' }), 403, 'APIGW.0302');
  });

  it('APIGW.0307 (401): an expired token', async () => {
    withWorld((w) =>
      w.huawei!.tokens!.push({ token: 'MIIexpired', projectId: PROJECT, expiresAt: '2020-01-01T00:00:00Z' }),
    );
    expectError(await elb(sim.url, { path: poolPath(DEMO_POOL), token: 'MIIexpired' }), 401, 'APIGW.0307');
  });

  it('APIGW.0308 (429): more calls of one API than its flow control allows', async () => {
    await admin(sim.url, 'PATCH', '/_sim/settings', { rateLimit: { requestsPerSecond: 0.001, burst: 2 } });
    expect((await elb(sim.url, { path: poolPath(DEMO_POOL), token: DEFAULT_HUAWEI_TOKEN })).status).toBe(200);
    expect((await elb(sim.url, { path: poolPath(DEMO_POOL), token: DEFAULT_HUAWEI_TOKEN })).status).toBe(200);
    expectError(await elb(sim.url, { path: poolPath(DEMO_POOL), token: DEFAULT_HUAWEI_TOKEN }), 429, 'APIGW.0308');
    // Another API has its own budget.
    expect((await elb(sim.url, { path: poolPath(DEMO_POOL, '/members'), token: DEFAULT_HUAWEI_TOKEN })).status).toBe(
      200,
    );
  });

  it('APIGW.0308 (429): more batch-adds than the member ration per project (200 per minute, as the v2 member page documents it)', async () => {
    expect(sim.simulator.settings().apiLimits.BatchCreateMembers).toEqual({ calls: 200, perSeconds: 60 });
    await admin(sim.url, 'PATCH', '/_sim/settings', {
      apiLimits: { BatchCreateMembers: { calls: 2, perSeconds: 60 } },
    });
    expect((await batchAdd(DEMO_POOL, [])).body.error_code).not.toBe('APIGW.0308');
    expect((await batchAdd(DEMO_POOL, [])).body.error_code).not.toBe('APIGW.0308');
    const refused = await batchAdd(DEMO_POOL, []);
    expectError(refused, 429, 'APIGW.0308');
    expect(refused.body.error_msg).toContain('limit:2,time:1 minute');
    // Other APIs keep the gateway's own flow control only.
    expect((await elb(sim.url, { path: poolPath(DEMO_POOL, '/members'), token: DEFAULT_HUAWEI_TOKEN })).status).toBe(
      200,
    );
  });

  it('APIGW.0310 (403): a project the world does not have', async () => {
    expectError(
      await elb(sim.url, { path: `/v3/ffffffffffffffffffffffffffffffff/elb/pools/${DEMO_POOL}` }),
      403,
      'APIGW.0310',
    );
  });
});

describe('ListQuotaDetails', () => {
  it('answers the quota keys asked for, with the limit and what the project uses', async () => {
    const answer = await quotaDetails(['members_per_pool', 'member']);
    expect(answer.status).toBe(200);
    expect(answer.body.request_id).toMatch(/^[0-9a-f]{32}$/);
    const quotas = answer.body.quotas as Array<Record<string, unknown>>;
    expect(quotas.map((q) => q.quota_key).sort()).toEqual(['member', 'members_per_pool']);
    const perPool = quotas.find((q) => q.quota_key === 'members_per_pool')!;
    expect(perPool).toEqual({ quota_key: 'members_per_pool', quota_limit: 500, used: 500, unit: 'count' });
    const member = quotas.find((q) => q.quota_key === 'member')!;
    expect(member.quota_limit).toBe(10_000);
    await batchAdd(DEMO_POOL, hwMembers([1, 2, 3]));
    const after = ((await quotaDetails(['member'])).body.quotas as Array<Record<string, unknown>>)[0]!;
    expect(after.used).toBe((member.used as number) + 3);
  });

  it('answers only the key asked for, and every modelled key when none is', async () => {
    expect(((await quotaDetails(['member'])).body.quotas as unknown[]).length).toBe(1);
    expect(((await quotaDetails([])).body.quotas as unknown[]).length).toBe(2);
    withWorld((w) => void (w.huawei!.projects![0]!.quotas = { membersPerPool: -1 }));
    const perPool = ((await quotaDetails(['members_per_pool'])).body.quotas as Array<Record<string, unknown>>)[0]!;
    expect(perPool.quota_limit).toBe(-1);
  });
});
