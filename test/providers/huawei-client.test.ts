// The ELB v3 client over real HTTP against the in-process simulator: every operation, AK/SK and IAM-token auth,
// every error code the simulator produces (by its own conditions where it has them, by the fault API otherwise),
// transport faults and aborts.
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HuaweiServer } from '../../src/providers/huawei/definition/index.js';
import type { LoadBalancerProvider } from '../../src/providers/index.js';
import type { RunningSimulators } from '../../src/simulator/index.js';
import {
  BIG_POOL,
  DEFAULT_HUAWEI_CREDENTIAL,
  DEFAULT_HUAWEI_TOKEN,
  DEMO_POOL,
  FULL_POOL,
  GATEWAY_POOL,
  HW_EXPIRED_TOKEN,
  HW_OTHER_PROJECT_KEY,
  HW_OTHER_PROJECT_TOKEN,
  HW_TEMPORARY,
  IP_TARGET_POOL,
  LB,
  OTHER_PROJECT,
  PROTECTED_POOL,
  SUBNET,
  SUBNET_B,
  addFault,
  bigAddress,
  calls,
  classified,
  expectRequestId,
  huaweiClient,
  member,
  pool,
  providerError,
  range,
  startTestSimulators,
  TEST_WORLD,
} from './helpers.js';

let sims: RunningSimulators;
let client: LoadBalancerProvider<'huawei-elb'>;
const extra: Array<LoadBalancerProvider<'huawei-elb'>> = [];
const make = (config: Parameters<typeof huaweiClient>[1]) => {
  const c = huaweiClient(sims, config);
  extra.push(c);
  return c;
};

beforeAll(async () => {
  sims = await startTestSimulators();
  client = huaweiClient(sims);
});
afterAll(async () => {
  await client.close();
  await sims.close();
});
beforeEach(() => {
  sims.huawei.simulator.reset();
  sims.clock.setManual();
});
afterEach(async () => {
  await Promise.all(extra.splice(0).map((c) => c.close()));
});

const add = (poolId: string, servers: HuaweiServer[], c = client) =>
  c.addServers(pool(poolId), servers, { idempotencyKey: 'unused-by-elb' });
const ipMember = (address: string, protocolPort = 80): HuaweiServer => ({ address, protocolPort, weight: 1 });

describe('the quota that bounds a pool (ListQuotaDetails)', () => {
  const withQuotas = (quotas: { membersPerPool?: number; members?: number }) => {
    const world = structuredClone(TEST_WORLD);
    world.huawei!.projects![0]!.quotas = quotas;
    sims.huawei.simulator.reset(world);
  };

  it('reads members_per_pool as the per-group quota and the member quota less its use as the project room', async () => {
    const before = await client.groupQuota!(pool(DEMO_POOL));
    expect(before.perGroup).toBe(500);
    expect(before.requestIds).toHaveLength(1);
    expect(before.requestIds[0]).toMatch(/^[0-9a-f]{32}$/);
    await add(DEMO_POOL, [member(1), member(2)]);
    const after = await client.groupQuota!(pool(DEMO_POOL));
    expect(after.accountRoom).toBe((before.accountRoom as number) - 2);
    const sent = (await calls(sims.huawei.url, 'ListQuotaDetails')).at(-1)!;
    expect(sent).toMatchObject({ status: 200, outcome: 'read' });
  });

  it('leaves out a quota the project does not bound (-1)', async () => {
    withQuotas({ membersPerPool: -1, members: -1 });
    const q = await client.groupQuota!(pool(DEMO_POOL));
    expect(q).toEqual({ requestIds: [expect.stringMatching(/^[0-9a-f]{32}$/)] });
  });

  it('has the project room never below 0', async () => {
    withQuotas({ members: 1 });
    expect((await client.groupQuota!(pool(DEMO_POOL))).accountRoom).toBe(0);
  });
});

describe('pool readiness (ShowPool + ShowLoadBalancer)', () => {
  it('reports a pool whose load balancer is ACTIVE as ready, naming the load balancer, with both request ids', async () => {
    const r = await client.groupReadiness(pool(DEMO_POOL));
    expect(r).toMatchObject({ ready: true, status: 'ACTIVE', loadBalancerId: LB });
    expect(r.requestIds).toHaveLength(2);
    expect(r.requestIds[0]).toMatch(/^[0-9a-f]{32}$/);
  });

  it('turns an unknown pool into ELB.8904 naming the pool (ServerGroupNotFound, permanent)', async () => {
    const e = await providerError(client.groupReadiness(pool('5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e9999')));
    expect(classified(e)).toEqual({
      code: 'ELB.8904',
      httpStatus: 404,
      disposition: 'permanent',
      failureType: 'ServerGroupNotFound',
    });
  });
});

describe('adding and removing members', () => {
  it('adds members and reads ret_status successful, with member ids and INITIAL status', async () => {
    const result = await add(DEMO_POOL, [member(1), member(2)]);
    expect(result.dryRun).toBe(false);
    expect(result.requestIds[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(result.servers).toEqual([
      {
        key: '192.168.0.2:80',
        outcome: 'added',
        memberId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'INITIAL',
      },
      {
        key: '192.168.0.3:80',
        outcome: 'added',
        memberId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'INITIAL',
      },
    ]);
  });

  it('reads ret_status existed for members already in the pool, next to new ones, with the existing member id', async () => {
    const first = await add(DEMO_POOL, [member(3)]);
    const second = await add(DEMO_POOL, [member(3), member(4)]);
    expect(second.servers.map((s) => s.outcome)).toEqual(['existed', 'added']);
    expect(second.servers[0]?.memberId).toBe(first.servers[0]?.memberId);
  });

  it('sends unicode names, weights and IP-type members with an availability zone as they are', async () => {
    await add(IP_TARGET_POOL, [
      { address: '10.1.2.3', protocolPort: 8080, weight: 7, name: '后端 ☃ é', availabilityZone: 'cn-north-4a' },
    ]);
    const [m] = (await client.listServers(pool(IP_TARGET_POOL))).members;
    expect(m).toMatchObject({
      key: '10.1.2.3:8080',
      address: '10.1.2.3',
      protocolPort: 8080,
      weight: 7,
      name: '后端 ☃ é',
      status: 'INITIAL',
    });
    expect(m?.subnetCidrId).toBeUndefined();
  });

  it('lists members with their member id and raw operating_status, INITIAL until health checks settle', async () => {
    const added = await add(DEMO_POOL, [member(5), member(49)]);
    expect((await client.listServers(pool(DEMO_POOL))).members.map((m) => m.status)).toEqual(['INITIAL', 'INITIAL']);
    sims.clock.advance(60_000);
    const listed = await client.listServers(pool(DEMO_POOL));
    expect(listed.members.map((m) => [m.memberId, m.status])).toEqual([
      [added.servers[0]?.memberId, 'ONLINE'],
      [added.servers[1]?.memberId, 'OFFLINE'],
    ]);
    expect(listed.members[0]).toMatchObject({
      address: '192.168.0.6',
      protocolPort: 80,
      subnetCidrId: SUBNET,
      weight: 1,
    });
  });

  it('removes members by address and port, reading successful and not found per member', async () => {
    const added = await add(DEMO_POOL, [member(6), member(7)]);
    const result = await client.removeServers(
      pool(DEMO_POOL),
      [
        { address: member(6).address, protocolPort: 80 },
        { address: '192.168.9.9', protocolPort: 80 },
      ],
      { idempotencyKey: 'k' },
    );
    expect(result.servers).toEqual([
      { key: '192.168.0.7:80', outcome: 'removed', memberId: added.servers[0]?.memberId },
      { key: '192.168.9.9:80', outcome: 'not-found' },
    ]);
    expect((await client.listServers(pool(DEMO_POOL))).members.map((m) => m.key)).toEqual(['192.168.0.8:80']);
  });

  it('makes a dry run a read of the pool and its load balancer only (ELB has no DryRun)', async () => {
    const result = await client.addServers(pool(DEMO_POOL), [member(8)], { idempotencyKey: 'k', dryRun: true });
    expect(result).toMatchObject({ dryRun: true, servers: [{ key: '192.168.0.9:80', outcome: 'dry-run' }] });
    expect(result.requestIds).toHaveLength(2);
    expect((await calls(sims.huawei.url)).map((c) => c.action)).toEqual(['ShowPool', 'ShowLoadBalancer']);
    expect(
      (await client.removeServers(pool(DEMO_POOL), [member(8)], { idempotencyKey: 'k', dryRun: true })).dryRun,
    ).toBe(true);
  });

  it('fails a dry run on a pool that does not exist', async () => {
    expect(
      (
        await providerError(
          client.addServers(pool('5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e9999'), [member(8)], {
            idempotencyKey: 'k',
            dryRun: true,
          }),
        )
      ).failureType,
    ).toBe('ServerGroupNotFound');
  });

  it('adds 200 members in one call and refuses 0 or 201 without sending', async () => {
    expect(
      (
        await add(
          DEMO_POOL,
          range(0, 200).map((i) => member(i)),
        )
      ).servers.filter((s) => s.outcome === 'added'),
    ).toHaveLength(200);
    for (const n of [0, 201]) {
      expect(
        classified(
          await providerError(
            add(
              DEMO_POOL,
              range(0, n).map((i) => member(i)),
            ),
          ),
        ),
      ).toEqual({
        code: 'Client.InvalidRequest',
        httpStatus: 0,
        disposition: 'permanent',
        failureType: 'ProviderRejected',
      });
    }
    expect((await calls(sims.huawei.url, 'BatchCreateMembers')).length).toBe(1);
  });
});

describe('listing members (ListMembers)', () => {
  it('reads a 2,500-member pool completely: two pages of limit 2000 chained by next_marker', async () => {
    const listed = await client.listServers(pool(BIG_POOL));
    expect(listed.members).toHaveLength(2500);
    expect(new Set(listed.members.map((m) => m.memberId)).size).toBe(2500);
    expect(listed.members[2499]).toMatchObject({ key: `${bigAddress(2499)}:80` });
    expect(listed.requestIds).toHaveLength(2);
    expect(await calls(sims.huawei.url, 'ListMembers')).toHaveLength(2);
  });

  it('reads the same 2,500 members with limit 500 in 5 pages: the last full page has no next_marker, so no empty page follows', async () => {
    const listed = await make({ pageSize: 500 }).listServers(pool(BIG_POOL));
    expect(listed.members.map((m) => m.address)).toEqual(range(0, 2500).map(bigAddress));
    expect(listed.requestIds).toHaveLength(5);
  });

  it('sends a member filter as repeated address keys in batches of at most 200, returning only address+port matches', async () => {
    const wanted = range(0, 450).map((i) => ipMember(bigAddress(i * 5)));
    const listed = await client.listServers(pool(BIG_POOL), {
      servers: [...wanted, ipMember(bigAddress(1), 81), ipMember('10.99.0.1')],
    });
    expect(listed.members.map((m) => m.address)).toEqual(wanted.map((s) => s.address));
    expect(listed.requestIds).toHaveLength(3);
  });
});

describe('credentials', () => {
  it('authenticates with an IAM token sent as X-Auth-Token', async () => {
    const token = make({ credentials: { authToken: DEFAULT_HUAWEI_TOKEN } });
    expect((await token.groupReadiness(pool(DEMO_POOL))).ready).toBe(true);
    expect((await token.addServers(pool(DEMO_POOL), [member(9)], { idempotencyKey: 'k' })).servers[0]?.outcome).toBe(
      'added',
    );
  });

  it('signs temporary AK/SK with X-Security-Token', async () => {
    expect((await make({ credentials: HW_TEMPORARY }).listServers(pool(DEMO_POOL))).members).toEqual([]);
  });

  it('never shows the secret key or a token through util.inspect, JSON or an error', async () => {
    const aksk = make({ credentials: HW_TEMPORARY });
    const token = make({ credentials: { authToken: DEFAULT_HUAWEI_TOKEN } });
    const e = await providerError(
      make({ credentials: { ...HW_TEMPORARY, secretKey: 'wrong' } }).groupReadiness(pool(DEMO_POOL)),
    );
    for (const text of [
      inspect(aksk, { depth: 10, showHidden: true }),
      JSON.stringify(aksk),
      inspect(token, { depth: 10 }),
      JSON.stringify(token),
      String(e),
      JSON.stringify(e),
    ]) {
      for (const secret of [HW_TEMPORARY.secretKey, HW_TEMPORARY.securityToken, DEFAULT_HUAWEI_TOKEN])
        expect(text).not.toContain(secret);
    }
  });
});

// ------------------------------------------------------------------ every error code

interface ErrorCase {
  readonly name: string;
  readonly run: () => Promise<unknown>;
  readonly expected: { code: string; httpStatus: number; disposition: string; failureType: string };
}

const permanent = (code: string, failureType: string, httpStatus = 400) => ({
  code,
  httpStatus,
  disposition: 'permanent',
  failureType,
});
const authFailure = (code: string, httpStatus: number) => ({
  code,
  httpStatus,
  disposition: 'auth',
  failureType: 'AuthenticationFailed',
});
const unavailable = (code: string, httpStatus: number) => ({
  code,
  httpStatus,
  disposition: 'retryable',
  failureType: 'ProviderUnavailable',
});
const fault = (action: string, rule: Record<string, unknown>) =>
  addFault(sims.huawei.url, { action, effect: 'error', times: 1, ...rule });

const errorCases: ErrorCase[] = [
  {
    name: 'ELB.8902: an address outside the subnet',
    run: () => add(DEMO_POOL, [{ ...member(1), subnetCidrId: SUBNET_B }]),
    expected: permanent('ELB.8902', 'ProviderRejected'),
  },
  {
    name: 'ELB.8902: protocol_port other than 0 in an IP-protocol pool',
    run: () => add(GATEWAY_POOL, [member(1)]),
    expected: permanent('ELB.8902', 'ProviderRejected'),
  },
  {
    name: 'ELB.8904: an unknown subnet (BackendNotFound)',
    run: () => add(DEMO_POOL, [{ ...member(1), subnetCidrId: '61da8098-954b-4809-bc5a-000000000000' }]),
    expected: permanent('ELB.8904', 'BackendNotFound', 404),
  },
  {
    name: 'ELB.8904: adding to an unknown pool (ServerGroupNotFound)',
    run: () => add('5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e9999', [member(1)]),
    expected: permanent('ELB.8904', 'ServerGroupNotFound', 404),
  },
  {
    name: 'ELB.8904: listing an unknown pool (ServerGroupNotFound)',
    run: () => client.listServers(pool('5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e9999')),
    expected: permanent('ELB.8904', 'ServerGroupNotFound', 404),
  },
  {
    name: 'ELB.8905: a pool at its members_per_pool quota',
    run: () => add(FULL_POOL, [member(1)]),
    expected: { code: 'ELB.8905', httpStatus: 409, disposition: 'permanent', failureType: 'QuotaExceeded' },
  },
  {
    name: "ELB.8907: the load balancer's own VIP as a member (bounded retry)",
    run: () => add(DEMO_POOL, [{ address: '192.168.200.10', protocolPort: 80, subnetCidrId: SUBNET_B, weight: 1 }]),
    expected: { code: 'ELB.8907', httpStatus: 409, disposition: 'retryable', failureType: 'BackendConflict' },
  },
  {
    name: 'ELB.8907: removing from a pool with member deletion protection',
    run: () =>
      client.removeServers(pool(PROTECTED_POOL), [{ address: '192.168.1.1', protocolPort: 80 }], {
        idempotencyKey: 'k',
      }),
    expected: { code: 'ELB.8907', httpStatus: 409, disposition: 'retryable', failureType: 'BackendConflict' },
  },
  {
    name: 'ELB.8933: an IPv6 member',
    run: () => add(DEMO_POOL, [{ address: '2001:db8::1', protocolPort: 80, subnetCidrId: SUBNET, weight: 1 }]),
    expected: permanent('ELB.8933', 'ProviderRejected'),
  },
  {
    name: 'ELB.8938: an IP-type member in an IP-protocol pool',
    run: () => add(GATEWAY_POOL, [ipMember('10.0.0.1', 0)]),
    expected: permanent('ELB.8938', 'ProviderRejected'),
  },
  {
    name: 'ELB.8939: an IP-type member without ip_target_enable',
    run: () => add(DEMO_POOL, [ipMember('10.0.0.1')]),
    expected: permanent('ELB.8939', 'ProviderRejected'),
  },
  {
    name: 'ELB.8906 (injected 500)',
    run: async () => {
      await fault('ListMembers', { status: 500 });
      return client.listServers(pool(DEMO_POOL));
    },
    expected: unavailable('ELB.8906', 500),
  },
  {
    name: 'APIGW.0301: a wrong secret key',
    run: () =>
      make({ credentials: { ...DEFAULT_HUAWEI_CREDENTIAL, secretKey: 'wrong' } }).groupReadiness(pool(DEMO_POOL)),
    expected: authFailure('APIGW.0301', 401),
  },
  {
    name: 'APIGW.0301: an unknown access key',
    run: () => make({ credentials: { accessKey: 'NOBODY', secretKey: 's' } }).groupReadiness(pool(DEMO_POOL)),
    expected: authFailure('APIGW.0301', 401),
  },
  {
    name: 'APIGW.0301: an X-Sdk-Date 20 minutes off',
    run: () => make({ clock: () => new Date(Date.now() + 20 * 60_000) }).groupReadiness(pool(DEMO_POOL)),
    expected: authFailure('APIGW.0301', 401),
  },
  {
    name: 'APIGW.0301: a security token that does not match the AK',
    run: () => make({ credentials: { ...HW_TEMPORARY, securityToken: 'other' } }).groupReadiness(pool(DEMO_POOL)),
    expected: authFailure('APIGW.0301', 401),
  },
  {
    name: 'APIGW.0301: an AK locked after five failed signatures, even with the right key',
    run: async () => {
      const wrong = make({ credentials: { ...DEFAULT_HUAWEI_CREDENTIAL, secretKey: 'wrong' } });
      for (let i = 0; i < 5; i++) await wrong.groupReadiness(pool(DEMO_POOL)).catch(() => undefined);
      return client.groupReadiness(pool(DEMO_POOL));
    },
    expected: authFailure('APIGW.0301', 401),
  },
  {
    name: 'APIGW.0301: an unknown IAM token',
    run: () => make({ credentials: { authToken: 'MIInot-a-token' } }).groupReadiness(pool(DEMO_POOL)),
    expected: authFailure('APIGW.0301', 401),
  },
  {
    name: 'APIGW.0302: an AK limited to other projects',
    run: () => make({ credentials: HW_OTHER_PROJECT_KEY }).groupReadiness(pool(DEMO_POOL)),
    expected: authFailure('APIGW.0302', 403),
  },
  {
    name: 'APIGW.0302: a token scoped to another project',
    run: () => make({ credentials: { authToken: HW_OTHER_PROJECT_TOKEN } }).groupReadiness(pool(DEMO_POOL)),
    expected: authFailure('APIGW.0302', 403),
  },
  {
    name: 'APIGW.0307: an expired IAM token (refresh and sign again)',
    run: () => make({ credentials: { authToken: HW_EXPIRED_TOKEN } }).groupReadiness(pool(DEMO_POOL)),
    expected: { code: 'APIGW.0307', httpStatus: 401, disposition: 'resign', failureType: 'AuthenticationFailed' },
  },
  {
    name: 'APIGW.0310: a project the account does not have',
    run: () => client.groupReadiness(pool(DEMO_POOL, 'b'.repeat(32))),
    expected: permanent('APIGW.0310', 'ProviderRejected', 403),
  },
  {
    name: "APIGW.0308: the gateway's flow control (429)",
    run: async () => {
      await addFault(sims.huawei.url, { action: 'ListMembers', effect: 'throttle', times: 1 });
      return client.listServers(pool(DEMO_POOL));
    },
    expected: { code: 'APIGW.0308', httpStatus: 429, disposition: 'throttled', failureType: 'ProviderUnavailable' },
  },
  {
    name: 'APIGW.0610 (injected 502)',
    run: async () => {
      await fault('BatchCreateMembers', { status: 502 });
      return add(DEMO_POOL, [member(1)]);
    },
    expected: unavailable('APIGW.0610', 502),
  },
  {
    name: 'APIGW.0613 (injected 503)',
    run: async () => {
      await fault('BatchDeleteMembers', { status: 503 });
      return client.removeServers(pool(DEMO_POOL), [member(1)], { idempotencyKey: 'k' });
    },
    expected: unavailable('APIGW.0613', 503),
  },
  ...(
    [
      ['APIGW.0101', 404, 'permanent', 'ProviderRejected'],
      ['APIGW.0201', 413, 'permanent', 'ProviderRejected'],
      ['ELB.0002', 400, 'permanent', 'ProviderRejected'],
    ] as const
  ).map(([code, httpStatus, disposition, failureType]): ErrorCase => ({
    name: `${code} (injected: the client never provokes it)`,
    run: async () => {
      await fault('BatchCreateMembers', { status: httpStatus, code, message: `injected ${code}` });
      return add(DEMO_POOL, [member(1)]);
    },
    expected: { code, httpStatus, disposition, failureType },
  })),
];

describe('every ELB and API gateway error code maps to its classification and catalogue type', () => {
  it.each(errorCases)('$name', async ({ run, expected }) => {
    const e = await providerError(run());
    expect(classified(e)).toEqual(expected);
    expect(e.provider).toBe('huawei-elb');
    expectRequestId(e);
  });

  it('bounds the ELB.8907 retry and tells the caller so', async () => {
    const e = await providerError(
      add(DEMO_POOL, [{ address: '192.168.200.10', protocolPort: 80, subnetCidrId: SUBNET_B, weight: 1 }]),
    );
    expect(e.maxAttempts).toBe(3);
  });

  it('gives a 429 without Retry-After the documented 2 s wait', async () => {
    await addFault(sims.huawei.url, { action: 'ListMembers', effect: 'throttle', times: 1 });
    expect((await providerError(client.listServers(pool(DEMO_POOL)))).retryAfterMs).toBe(2000);
  });
});

// ------------------------------------------------------------------ transport

describe('transport faults and aborts', () => {
  it('turns a connection reset into a retryable Transport.ConnectionReset', async () => {
    await addFault(sims.huawei.url, { action: 'ShowPool', effect: 'reset', times: 1 });
    expect(classified(await providerError(client.groupReadiness(pool(DEMO_POOL))))).toEqual({
      code: 'Transport.ConnectionReset',
      httpStatus: 0,
      disposition: 'retryable',
      failureType: 'ProviderUnavailable',
    });
  });

  it('reads existed on the retry of a batch-add whose answer was lost after the commit', async () => {
    await addFault(sims.huawei.url, {
      action: 'BatchCreateMembers',
      effect: 'commitThenDrop',
      drop: 'reset',
      times: 1,
    });
    expect((await providerError(add(DEMO_POOL, [member(20), member(21)]))).code).toBe('Transport.ConnectionReset');
    expect((await add(DEMO_POOL, [member(20), member(21)])).servers.map((s) => s.outcome)).toEqual([
      'existed',
      'existed',
    ]);
    expect((await client.listServers(pool(DEMO_POOL))).members).toHaveLength(2);
  });

  it('turns a response slower than the headers timeout into a retryable Transport.Timeout', async () => {
    await addFault(sims.huawei.url, { action: 'ListMembers', effect: 'latency', latencyMs: 2500, times: 1 });
    expect((await providerError(make({ timeouts: { headersMs: 100 } }).listServers(pool(DEMO_POOL)))).code).toBe(
      'Transport.Timeout',
    );
  });

  it("rethrows the caller's abort as it is, not as a ProviderError", async () => {
    await addFault(sims.huawei.url, { action: 'ListMembers', effect: 'latency', latencyMs: 2500, times: 1 });
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    const pending = client.listServers(pool(DEMO_POOL), { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });
});

describe('requests the client refuses to build', () => {
  it('refuses a path id with characters outside letters, digits and hyphens, and a malformed region, without sending', async () => {
    for (const attempt of [
      client.groupReadiness(pool('../../admin')),
      client.groupReadiness({ ...pool(DEMO_POOL), region: 'evil.example.com/' }),
      client.groupReadiness(pool(DEMO_POOL, `${OTHER_PROJECT}?x=1`)),
    ]) {
      expect((await providerError(attempt)).code).toBe('Client.InvalidRequest');
    }
    expect(await calls(sims.huawei.url)).toEqual([]);
  });
});
