// The GWLB client over real HTTP against the in-process simulator: every operation, every error code the simulator
// produces (by its own conditions where it has them, by the fault API otherwise), transport faults, aborts.
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlibabaServer } from '../../src/providers/alibaba/definition/index.js';
import type { LoadBalancerProvider } from '../../src/providers/index.js';
import type { RunningSimulators } from '../../src/simulator/index.js';
import {
  BIG_GROUP,
  CREATING_GROUP,
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_GROUP,
  DEMO_GROUP,
  DISABLED_KEY,
  EXPIRED_STS,
  FULL_GROUP,
  IP_GROUP,
  STS,
  addFault,
  admin,
  alibabaClient,
  bigAddress,
  calls,
  classified,
  ecs,
  expectRequestId,
  group,
  ipServer,
  providerError,
  range,
  startTestSimulators,
} from './helpers.js';

let sims: RunningSimulators;
let client: LoadBalancerProvider<'alibaba-gwlb'>;
const extra: Array<LoadBalancerProvider<'alibaba-gwlb'>> = [];
/** A client with its own settings, closed after the test. */
const make = (config: Parameters<typeof alibabaClient>[1]) => {
  const c = alibabaClient(sims, config);
  extra.push(c);
  return c;
};

beforeAll(async () => {
  sims = await startTestSimulators();
  client = alibabaClient(sims);
});
afterAll(async () => {
  await client.close();
  await sims.close();
});
beforeEach(() => {
  sims.alibaba.simulator.reset();
  sims.clock.setManual();
});
afterEach(async () => {
  await Promise.all(extra.splice(0).map((c) => c.close()));
});

const settle = () => sims.clock.advance(60_000);
let tokenSeq = 0;
const token = () => `lbflow-test-${++tokenSeq}`;
const add = (groupId: string, servers: AlibabaServer[], c = client) =>
  c.addServers(group(groupId), servers, { idempotencyKey: token() });

describe('group readiness (ListServerGroups)', () => {
  it('reports an Available group as ready, with its request id', async () => {
    const r = await client.groupReadiness(group(DEFAULT_GROUP));
    expect(r).toMatchObject({ ready: true, status: 'Available' });
    expect(r.requestIds).toHaveLength(1);
  });

  it('reports a group Configuring after a change as not ready, and ready again once it settles', async () => {
    await add(DEFAULT_GROUP, [ecs(1)]);
    expect(await client.groupReadiness(group(DEFAULT_GROUP))).toMatchObject({ ready: false, status: 'Configuring' });
    settle();
    expect(await client.groupReadiness(group(DEFAULT_GROUP))).toMatchObject({ ready: true, status: 'Available' });
  });

  it('reports a Creating group as not ready', async () => {
    expect(await client.groupReadiness(group(CREATING_GROUP))).toMatchObject({ ready: false, status: 'Creating' });
  });

  it('turns a group the list does not return into ResourceNotFound.ServerGroup (ServerGroupNotFound, permanent)', async () => {
    const e = await providerError(client.groupReadiness(group('sgp-doesnotexist')));
    expect(classified(e)).toEqual({
      code: 'ResourceNotFound.ServerGroup',
      httpStatus: 200,
      disposition: 'permanent',
      failureType: 'ServerGroupNotFound',
    });
    expectRequestId(e);
  });
});

describe('adding and removing servers', () => {
  it('adds servers asynchronously: accepted, then Adding, then Available', async () => {
    const result = await add(DEFAULT_GROUP, [ecs(1), ecs(2)]);
    expect(result).toMatchObject({
      provider: 'alibaba-gwlb',
      dryRun: false,
      servers: [{ key: `Ecs:${ecs(1).serverId}:6081`, outcome: 'accepted' }, { outcome: 'accepted' }],
    });
    expect(result.requestIds[0]).toMatch(/^[0-9A-F-]{36}$/);
    expect((await client.listServers(group(DEFAULT_GROUP))).members.map((m) => m.status)).toEqual(['Adding', 'Adding']);
    settle();
    const listed = await client.listServers(group(DEFAULT_GROUP));
    expect(listed.members).toEqual([
      {
        key: `Ecs:${ecs(1).serverId}:6081`,
        status: 'Available',
        serverId: ecs(1).serverId,
        serverType: 'Ecs',
        port: 6081,
        serverIp: '192.168.0.2',
      },
      {
        key: `Ecs:${ecs(2).serverId}:6081`,
        status: 'Available',
        serverId: ecs(2).serverId,
        serverType: 'Ecs',
        port: 6081,
        serverIp: '192.168.0.3',
      },
    ]);
  });

  it('sends the idempotency key as ClientToken: a retry with the same key is answered from the first call and changes nothing', async () => {
    const options = { idempotencyKey: 'chunk-0-of-run-abc' };
    const first = await client.addServers(group(DEFAULT_GROUP), [ecs(3)], options);
    const again = await client.addServers(group(DEFAULT_GROUP), [ecs(3)], options);
    expect(again.requestIds).toEqual(first.requestIds);
    const counts = (await admin(sims.alibaba.url, 'GET', '/_sim/calls')).counts.byClientToken['chunk-0-of-run-abc'];
    expect(counts).toMatchObject({ calls: 2, committed: 1, replayed: 1 });
  });

  it('passes a dry run as a success with dryRun: true, changing nothing and sending no ClientToken', async () => {
    const result = await client.addServers(group(DEFAULT_GROUP), [ecs(4)], { idempotencyKey: 'dry-key', dryRun: true });
    expect(result).toMatchObject({
      dryRun: true,
      servers: [{ key: `Ecs:${ecs(4).serverId}:6081`, outcome: 'dry-run' }],
    });
    expect(result.requestIds).toHaveLength(1);
    expect((await client.listServers(group(DEFAULT_GROUP))).members).toEqual([]);
    const [entry] = await calls(sims.alibaba.url, 'AddServersToServerGroup');
    expect(entry).toMatchObject({ code: 'DryRunOperation', outcome: 'dryRun' });
    expect(entry?.clientToken).toBeUndefined();
  });

  it('fails a dry run that the provider rejects with the rejection, not a success', async () => {
    await add(DEFAULT_GROUP, [ecs(5)]);
    settle();
    const e = await providerError(
      client.addServers(group(DEFAULT_GROUP), [ecs(5)], { idempotencyKey: 'k', dryRun: true }),
    );
    expect(e.code).toBe('Conflict.Server');
  });

  it('removes servers: accepted, Removing, then gone', async () => {
    await add(DEFAULT_GROUP, [ecs(6), ecs(7)]);
    settle();
    const result = await client.removeServers(group(DEFAULT_GROUP), [ecs(6)], { idempotencyKey: token() });
    expect(result.servers).toEqual([{ key: `Ecs:${ecs(6).serverId}:6081`, outcome: 'accepted' }]);
    expect((await client.listServers(group(DEFAULT_GROUP))).members.map((m) => `${m.serverId}:${m.status}`)).toEqual([
      `${ecs(6).serverId}:Removing`,
      `${ecs(7).serverId}:Available`,
    ]);
    settle();
    expect((await client.listServers(group(DEFAULT_GROUP))).members.map((m) => m.serverId)).toEqual([ecs(7).serverId]);
  });

  it('passes a dry-run removal without removing anything', async () => {
    await add(DEFAULT_GROUP, [ecs(8)]);
    settle();
    const result = await client.removeServers(group(DEFAULT_GROUP), [ecs(8)], { idempotencyKey: 'k', dryRun: true });
    expect(result.dryRun).toBe(true);
    expect((await client.listServers(group(DEFAULT_GROUP))).members.map((m) => m.status)).toEqual(['Available']);
  });

  it('refuses to send 0 or 201 servers, or a ClientToken that is not 1–64 printable ASCII characters', async () => {
    const servers = range(0, 201).map(ecs);
    for (const attempt of [
      client.addServers(group(DEMO_GROUP), [], { idempotencyKey: 'k' }),
      client.addServers(group(DEMO_GROUP), servers, { idempotencyKey: 'k' }),
      client.addServers(group(DEMO_GROUP), [ecs(1)], { idempotencyKey: 'x'.repeat(65) }),
      client.removeServers(group(DEMO_GROUP), [ecs(1)], { idempotencyKey: 'clé' }),
    ]) {
      expect(classified(await providerError(attempt))).toEqual({
        code: 'Client.InvalidRequest',
        httpStatus: 0,
        disposition: 'permanent',
        failureType: 'ProviderRejected',
      });
    }
    expect(await calls(sims.alibaba.url)).toEqual([]);
  });

  it('adds 200 servers in one call', async () => {
    const result = await add(DEMO_GROUP, range(0, 200).map(ecs));
    expect(result.servers).toHaveLength(200);
    settle();
    expect((await client.listServers(group(DEMO_GROUP))).members).toHaveLength(200);
  });
});

describe('listing servers (ListServerGroupServers)', () => {
  it('reads a 2,500-server group completely: three pages of MaxResults 1000 chained by NextToken', async () => {
    const listed = await client.listServers(group(BIG_GROUP));
    expect(listed.members).toHaveLength(2500);
    expect(new Set(listed.members.map((m) => m.key)).size).toBe(2500);
    expect(listed.members[2499]).toMatchObject({ serverId: bigAddress(2499), serverType: 'Ip', status: 'Available' });
    expect(listed.requestIds).toHaveLength(3);
    expect(await calls(sims.alibaba.url, 'ListServerGroupServers')).toHaveLength(3);
  });

  it('reads the same 2,500 servers with a smaller page size, in 25 pages', async () => {
    const small = make({ pageSize: 100 });
    const listed = await small.listServers(group(BIG_GROUP));
    expect(listed.members.map((m) => m.serverId)).toEqual(range(0, 2500).map(bigAddress));
    expect(listed.requestIds).toHaveLength(25);
  });

  it('sends a server filter as ServerIds in batches of at most 200 and returns only the servers asked for', async () => {
    const wanted = range(0, 450).map((i) => ipServer(bigAddress(i * 5)));
    const listed = await client.listServers(group(BIG_GROUP), { servers: [...wanted, ipServer('10.99.0.1')] });
    expect(listed.members.map((m) => m.serverId)).toEqual(wanted.map((s) => s.serverId));
    expect(listed.requestIds).toHaveLength(3);
  });

  it('matches a filter by identity key: the same id with another type or port is not returned', async () => {
    const listed = await client.listServers(group(BIG_GROUP), {
      servers: [{ serverId: bigAddress(0), serverType: 'Ecs', port: 6081 }],
    });
    expect(listed.members).toEqual([]);
  });
});

describe('credentials', () => {
  it('signs with STS credentials (x-acs-security-token)', async () => {
    const sts = make({ credentials: STS });
    expect((await sts.groupReadiness(group(DEFAULT_GROUP))).ready).toBe(true);
  });

  it('never shows the secret or the token through util.inspect, JSON or an error', async () => {
    const sts = make({ credentials: STS });
    const e = await providerError(
      make({ credentials: { ...STS, securityToken: 'CAISwrong' } }).groupReadiness(group(DEFAULT_GROUP)),
    );
    for (const text of [
      inspect(sts, { depth: 10, showHidden: true }),
      JSON.stringify(sts),
      String(e),
      JSON.stringify(e),
      inspect(e, { depth: 10 }),
    ]) {
      expect(text).not.toContain(STS.accessKeySecret);
      expect(text).not.toContain(STS.securityToken);
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
const authFailure = (code: string, httpStatus = 400) => ({
  code,
  httpStatus,
  disposition: 'auth',
  failureType: 'AuthenticationFailed',
});
const fault = async (action: string, rule: Record<string, unknown>) =>
  addFault(sims.alibaba.url, { action, effect: 'error', times: 1, ...rule });

const errorCases: ErrorCase[] = [
  {
    name: 'Conflict.Server: adding a server the group already has',
    run: async () => {
      await add(DEFAULT_GROUP, [ecs(10)]);
      settle();
      return add(DEFAULT_GROUP, [ecs(10)]);
    },
    expected: permanent('Conflict.Server', 'BackendConflict'),
  },
  {
    name: 'Mismatch.ServerType: an Ip server in an Instance group',
    run: () => add(DEFAULT_GROUP, [ipServer('10.0.0.1')]),
    expected: permanent('Mismatch.ServerType', 'ProviderRejected'),
  },
  {
    name: "ResourceInUse.IP: the GWLB instance's own address",
    run: () => add(IP_GROUP, [ipServer('192.168.250.10')]),
    expected: permanent('ResourceInUse.IP', 'BackendConflict'),
  },
  {
    name: 'IllegalParam.ServerIp: a ServerIp that is not IPv4',
    run: () => add(DEFAULT_GROUP, [{ ...ecs(11), serverIp: 'not-an-ip' }]),
    expected: permanent('IllegalParam.ServerIp', 'ProviderRejected'),
  },
  {
    name: 'IllegalParam.EcsNetworkType: a classic-network ECS',
    run: () => add(DEFAULT_GROUP, [{ serverId: 'i-bp1classic00001', serverType: 'Ecs', port: 6081 }]),
    expected: permanent('IllegalParam.EcsNetworkType', 'ProviderRejected'),
  },
  {
    name: 'DuplicatedParam.Server: one server twice in a call',
    run: () => add(DEFAULT_GROUP, [ecs(12), ecs(12)]),
    expected: permanent('DuplicatedParam.Server', 'ProviderRejected'),
  },
  {
    name: 'ResourceInUse.Eni: an ENI owned by a GWLB instance',
    run: () => add(DEFAULT_GROUP, [{ serverId: 'eni-bp1gwlbowned0001', serverType: 'Eni', port: 6081 }]),
    expected: permanent('ResourceInUse.Eni', 'BackendConflict'),
  },
  {
    name: 'IncorrectStatus.Eni: an ENI still attaching',
    run: () => add(DEFAULT_GROUP, [{ serverId: 'eni-bp1attaching0001', serverType: 'Eni', port: 6081 }]),
    expected: permanent('IncorrectStatus.Eni', 'ProviderRejected'),
  },
  {
    name: 'IllegalParam.IP: a public address in an Ip group',
    run: () => add(IP_GROUP, [ipServer('8.8.8.8')]),
    expected: permanent('IllegalParam.IP', 'ProviderRejected'),
  },
  {
    name: "Mismatch.IP: a ServerIp that is not the instance's",
    run: () => add(DEFAULT_GROUP, [{ ...ecs(13), serverIp: '192.168.99.99' }]),
    expected: permanent('Mismatch.IP', 'ProviderRejected'),
  },
  {
    name: 'Mismatch.VpcId: an ECS in another VPC',
    run: () => add(DEFAULT_GROUP, [{ serverId: 'i-bp1othervpc0001', serverType: 'Ecs', port: 6081 }]),
    expected: permanent('Mismatch.VpcId', 'ProviderRejected'),
  },
  {
    name: 'QuotaExceeded.ServerGroupServersNum: a group at 300 of 300',
    run: () => add(FULL_GROUP, [ipServer('10.4.0.1')]),
    expected: permanent('QuotaExceeded.ServerGroupServersNum', 'QuotaExceeded'),
  },
  {
    name: 'QuotaExceeded.ServerGroupAzServersNum: 101 servers in one zone',
    run: () =>
      add(
        DEFAULT_GROUP,
        range(0, 101).map((i) => ecs(i * 4)),
      ),
    expected: permanent('QuotaExceeded.ServerGroupAzServersNum', 'QuotaExceeded'),
  },
  {
    name: 'IncorrectStatus.ServerGroup: a change while the group is Configuring',
    run: async () => {
      await add(DEFAULT_GROUP, [ecs(14)]);
      return add(DEFAULT_GROUP, [ecs(15)]);
    },
    expected: {
      code: 'IncorrectStatus.ServerGroup',
      httpStatus: 400,
      disposition: 'wait-for-group',
      failureType: 'ProviderUnavailable',
    },
  },
  {
    name: 'ResourceNotFound.Eni',
    run: () => add(DEFAULT_GROUP, [{ serverId: 'eni-missing', serverType: 'Eni', port: 6081 }]),
    expected: permanent('ResourceNotFound.Eni', 'BackendNotFound', 404),
  },
  {
    name: 'ResourceNotFound.Eci',
    run: () => add(DEFAULT_GROUP, [{ serverId: 'eci-missing', serverType: 'Eci', port: 6081 }]),
    expected: permanent('ResourceNotFound.Eci', 'BackendNotFound', 404),
  },
  {
    name: 'ResourceNotFound.Ecs',
    run: () => add(DEFAULT_GROUP, [{ serverId: 'i-missing', serverType: 'Ecs', port: 6081 }]),
    expected: permanent('ResourceNotFound.Ecs', 'BackendNotFound', 404),
  },
  {
    name: 'ResourceNotFound.ServerGroup: adding to an unknown group',
    run: () => add('sgp-missing', [ecs(1)]),
    expected: permanent('ResourceNotFound.ServerGroup', 'ServerGroupNotFound', 404),
  },
  {
    name: 'ResourceNotFound.ServerGroup: listing an unknown group',
    run: () => client.listServers(group('sgp-missing')),
    expected: permanent('ResourceNotFound.ServerGroup', 'ServerGroupNotFound', 404),
  },
  {
    name: 'ResourceNotFound.BackendServer: removing a server that is not a member',
    run: () => client.removeServers(group(DEFAULT_GROUP), [ecs(16)], { idempotencyKey: token() }),
    expected: permanent('ResourceNotFound.BackendServer', 'BackendNotFound', 404),
  },
  {
    name: 'IdempotenceSignatureMismatch: one ClientToken for two different calls',
    run: async () => {
      await client.addServers(group(DEFAULT_GROUP), [ecs(17)], { idempotencyKey: 'reused' });
      settle();
      return client.addServers(group(DEFAULT_GROUP), [ecs(18)], { idempotencyKey: 'reused' });
    },
    expected: permanent('IdempotenceSignatureMismatch', 'ProviderRejected'),
  },
  {
    name: 'MissingServerGroupId: an empty group id',
    run: () => add('', [ecs(1)]),
    expected: permanent('MissingServerGroupId', 'ProviderRejected'),
  },
  {
    name: 'InvalidParameter: a Port other than 6081',
    run: () => add(DEFAULT_GROUP, [{ ...ecs(19), port: 6082 as 6081 }]),
    expected: permanent('InvalidParameter', 'ProviderRejected'),
  },
  {
    name: 'InvalidAccessKeyId.NotFound: an unknown AccessKeyId',
    run: () =>
      make({ credentials: { accessKeyId: 'LTAInobody', accessKeySecret: 's' } }).groupReadiness(group(DEFAULT_GROUP)),
    expected: authFailure('InvalidAccessKeyId.NotFound', 404),
  },
  {
    name: 'InvalidAccessKeyId.Inactive: a disabled key',
    run: () => make({ credentials: DISABLED_KEY }).groupReadiness(group(DEFAULT_GROUP)),
    expected: authFailure('InvalidAccessKeyId.Inactive'),
  },
  {
    name: 'InvalidSecurityToken.MismatchWithAccessKey: a wrong STS token',
    run: () => make({ credentials: { ...STS, securityToken: 'CAISwrong' } }).groupReadiness(group(DEFAULT_GROUP)),
    expected: authFailure('InvalidSecurityToken.MismatchWithAccessKey'),
  },
  {
    name: 'InvalidSecurityToken.Expired: an expired STS credential',
    run: () => make({ credentials: EXPIRED_STS }).groupReadiness(group(DEFAULT_GROUP)),
    expected: authFailure('InvalidSecurityToken.Expired'),
  },
  {
    name: 'SignatureDoesNotMatch: a wrong secret',
    run: () =>
      make({ credentials: { ...DEFAULT_ALIBABA_CREDENTIAL, accessKeySecret: 'wrong' } }).groupReadiness(
        group(DEFAULT_GROUP),
      ),
    expected: authFailure('SignatureDoesNotMatch'),
  },
  {
    name: 'InvalidTimeStamp.Format: a date the format cannot express (year 10000)',
    run: () => make({ clock: () => new Date(Date.UTC(10000, 0, 1)) }).groupReadiness(group(DEFAULT_GROUP)),
    expected: authFailure('InvalidTimeStamp.Format'),
  },
  {
    name: 'InvalidTimeStamp.Expired: a clock 20 minutes slow (sign again)',
    run: () => make({ clock: () => new Date(Date.now() - 20 * 60_000) }).groupReadiness(group(DEFAULT_GROUP)),
    expected: {
      code: 'InvalidTimeStamp.Expired',
      httpStatus: 400,
      disposition: 'resign',
      failureType: 'AuthenticationFailed',
    },
  },
  {
    name: 'SignatureNonceUsed: a nonce sent twice (sign again)',
    run: async () => {
      const c = make({ nonce: () => 'always-the-same-nonce' });
      await c.groupReadiness(group(DEFAULT_GROUP));
      return c.groupReadiness(group(DEFAULT_GROUP));
    },
    expected: {
      code: 'SignatureNonceUsed',
      httpStatus: 400,
      disposition: 'resign',
      failureType: 'AuthenticationFailed',
    },
  },
  {
    name: "Throttling.User: the key's flow control",
    run: async () => {
      await admin(sims.alibaba.url, 'PATCH', '/_sim/settings', { rateLimit: { requestsPerSecond: 0.001, burst: 1 } });
      await client.groupReadiness(group(DEFAULT_GROUP));
      return client.groupReadiness(group(DEFAULT_GROUP));
    },
    expected: {
      code: 'Throttling.User',
      httpStatus: 400,
      disposition: 'throttled',
      failureType: 'ProviderUnavailable',
    },
  },
  {
    name: 'SystemBusy (injected 400)',
    run: async () => {
      await fault('AddServersToServerGroup', { status: 400 });
      return add(DEFAULT_GROUP, [ecs(20)]);
    },
    expected: { code: 'SystemBusy', httpStatus: 400, disposition: 'retryable', failureType: 'ProviderUnavailable' },
  },
  {
    name: 'InternalError (injected 500)',
    run: async () => {
      await fault('ListServerGroupServers', { status: 500 });
      return client.listServers(group(DEFAULT_GROUP));
    },
    expected: { code: 'InternalError', httpStatus: 500, disposition: 'retryable', failureType: 'ProviderUnavailable' },
  },
  {
    name: 'ServiceUnavailable (injected 503)',
    run: async () => {
      await fault('ListServerGroups', {});
      return client.groupReadiness(group(DEFAULT_GROUP));
    },
    expected: {
      code: 'ServiceUnavailable',
      httpStatus: 503,
      disposition: 'retryable',
      failureType: 'ProviderUnavailable',
    },
  },
  {
    name: 'Throttling.User (injected throttle)',
    run: async () => {
      await addFault(sims.alibaba.url, { action: 'AddServersToServerGroup', effect: 'throttle', times: 1 });
      return add(DEFAULT_GROUP, [ecs(21)]);
    },
    expected: {
      code: 'Throttling.User',
      httpStatus: 400,
      disposition: 'throttled',
      failureType: 'ProviderUnavailable',
    },
  },
  ...(
    [
      ['InvalidApi.NotFound', 404, 'permanent', 'ProviderRejected'],
      ['InvalidParameter.Format', 400, 'permanent', 'ProviderRejected'],
      ['InvalidSignatureMethod', 400, 'auth', 'AuthenticationFailed'],
      ['UnsupportedHTTPMethod', 400, 'permanent', 'ProviderRejected'],
      ['RequestEntityTooLarge', 413, 'permanent', 'ProviderRejected'],
      ['MissingServers', 400, 'permanent', 'ProviderRejected'],
      ['DryRunOperation', 400, 'dry-run-passed', 'ProviderRejected'],
    ] as const
  ).map(([code, httpStatus, disposition, failureType]): ErrorCase => ({
    name: `${code} (injected: the client never provokes it)`,
    run: async () => {
      await fault('AddServersToServerGroup', { status: httpStatus, code, message: `injected ${code}` });
      return add(DEFAULT_GROUP, [ecs(22)]);
    },
    expected: { code, httpStatus, disposition, failureType },
  })),
];

describe('every GWLB error code maps to its classification and catalogue type', () => {
  it.each(errorCases)('$name', async ({ run, expected }) => {
    const e = await providerError(run());
    expect(classified(e)).toEqual(expected);
    expect(e.name).toBe('ProviderError');
    expect(e.provider).toBe('alibaba-gwlb');
    expectRequestId(e);
    expect(e.message).toContain(expected.code);
  });
});

// ------------------------------------------------------------------ transport

describe('transport faults and aborts', () => {
  it('turns a connection reset into a retryable Transport.ConnectionReset with no HTTP status', async () => {
    await addFault(sims.alibaba.url, { action: 'ListServerGroupServers', effect: 'reset', times: 1 });
    const e = await providerError(client.listServers(group(DEFAULT_GROUP)));
    expect(classified(e)).toEqual({
      code: 'Transport.ConnectionReset',
      httpStatus: 0,
      disposition: 'retryable',
      failureType: 'ProviderUnavailable',
    });
    expect((await client.listServers(group(DEFAULT_GROUP))).members).toEqual([]);
  });

  it('keeps an add idempotent when the answer is lost after the commit: the retry with the same key changes nothing more', async () => {
    await addFault(sims.alibaba.url, {
      action: 'AddServersToServerGroup',
      effect: 'commitThenDrop',
      drop: 'reset',
      times: 1,
    });
    const options = { idempotencyKey: 'lost-answer' };
    expect((await providerError(client.addServers(group(DEFAULT_GROUP), [ecs(30)], options))).code).toBe(
      'Transport.ConnectionReset',
    );
    const retried = await client.addServers(group(DEFAULT_GROUP), [ecs(30)], options);
    expect(retried.servers[0]?.outcome).toBe('accepted');
    expect((await client.listServers(group(DEFAULT_GROUP))).members.map((m) => m.serverId)).toEqual([ecs(30).serverId]);
    expect((await admin(sims.alibaba.url, 'GET', '/_sim/calls')).counts.byClientToken['lost-answer']).toMatchObject({
      committed: 1,
      replayed: 1,
    });
  });

  it('turns a refused connection into a retryable Transport.ConnectionRefused', async () => {
    const closed = await startTestSimulators();
    const url = closed.alibaba.url;
    await closed.close();
    const e = await providerError(make({ endpoint: url }).groupReadiness(group(DEFAULT_GROUP)));
    expect(classified(e)).toEqual({
      code: 'Transport.ConnectionRefused',
      httpStatus: 0,
      disposition: 'retryable',
      failureType: 'ProviderUnavailable',
    });
  });

  it('turns a response slower than the headers timeout into a retryable Transport.Timeout', async () => {
    await addFault(sims.alibaba.url, { action: 'ListServerGroups', effect: 'latency', latencyMs: 2500, times: 1 });
    const e = await providerError(make({ timeouts: { headersMs: 100 } }).groupReadiness(group(DEFAULT_GROUP)));
    expect(classified(e)).toEqual({
      code: 'Transport.Timeout',
      httpStatus: 0,
      disposition: 'retryable',
      failureType: 'ProviderUnavailable',
    });
  });

  it("rethrows the caller's abort as it is, not as a ProviderError", async () => {
    await addFault(sims.alibaba.url, { action: 'ListServerGroups', effect: 'latency', latencyMs: 2500, times: 1 });
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    const pending = client.groupReadiness(group(DEFAULT_GROUP), { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      client.addServers(group(DEFAULT_GROUP), [ecs(31)], { idempotencyKey: 'k', signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(await calls(sims.alibaba.url)).toEqual([]);
  });

  it('uses a new nonce and date for every attempt (the simulator refuses a reused nonce)', async () => {
    const nonces: string[] = [];
    const c = make({
      nonce: () => {
        const n = `nonce-${nonces.length}-${Math.random()}`;
        nonces.push(n);
        return n;
      },
    });
    await c.groupReadiness(group(DEFAULT_GROUP));
    await c.groupReadiness(group(DEFAULT_GROUP));
    expect(new Set(nonces).size).toBe(2);
  });

  it('fails every call after close()', async () => {
    const c = alibabaClient(sims);
    await c.close();
    expect((await providerError(c.groupReadiness(group(DEFAULT_GROUP)))).code).toBe('Transport.Error');
  });
});
