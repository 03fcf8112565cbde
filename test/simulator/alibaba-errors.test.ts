// One test per GWLB error code: the condition of the simulated world that produces it, its HTTP status and
// the body {RequestId, HostId, Code, Message, Recommend}.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_WORLD,
  startAlibabaSimulator,
  type AlibabaSimulator,
  type RunningSimulator,
} from '../../src/simulator/index.js';
import {
  DEFAULT_GROUP,
  FULL_GROUP,
  IP_GROUP,
  admin,
  ecsId,
  gwlbClient,
  range,
  rawV2,
  rawV3,
  servers,
  type AliAnswer,
} from './helpers.js';

let sim: RunningSimulator<AlibabaSimulator>;
let call: ReturnType<typeof gwlbClient>;

beforeAll(async () => {
  sim = await startAlibabaSimulator({ port: 0 });
  call = gwlbClient(sim.url);
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.simulator.reset();
  sim.simulator.clock.setManual();
});

function expectError(answer: { status: number; body: Record<string, unknown> }, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body.Code }).toEqual({ status, code });
  expect(Object.keys(answer.body).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
  expect(answer.body.RequestId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  expect(answer.body.HostId).toBe(sim.url.replace('http://', ''));
  expect(String(answer.body.Recommend)).toContain(code);
}

const add = (
  groupId: string,
  list: Array<Record<string, unknown>>,
  extra: Record<string, unknown> = {},
): Promise<AliAnswer> => call('AddServersToServerGroup', { ServerGroupId: groupId, Servers: list, ...extra });
const settle = () => sim.simulator.clock.advance(60_000);

describe("AddServersToServerGroup's documented codes", () => {
  it('Conflict.Server (400): the server is already in the group', async () => {
    expect((await add(DEFAULT_GROUP, servers([1110]))).status).toBe(200);
    settle();
    expectError(await add(DEFAULT_GROUP, servers([1110])), 400, 'Conflict.Server');
  });

  it('Mismatch.ServerType (400): an Ip server for an Instance-type group', async () => {
    expectError(
      await add(DEFAULT_GROUP, [{ ServerId: '10.0.0.5', ServerType: 'Ip', Port: 6081 }]),
      400,
      'Mismatch.ServerType',
    );
  });

  it("ResourceInUse.IP (400): an Ip server with the address of the GWLB instance's own ENI", async () => {
    expectError(
      await add(IP_GROUP, [{ ServerId: '192.168.250.10', ServerType: 'Ip', Port: 6081 }]),
      400,
      'ResourceInUse.IP',
    );
  });

  it('ResourceInUse.IP (400): a second backend with the IP of a member (an ENI carrying an ECS address)', async () => {
    const world = structuredClone(DEFAULT_WORLD);
    world.alibaba!.regions[0]!.enis!.push({
      id: 'eni-bp1sharedip0001',
      vpcId: 'vpc-bp1simulator0000',
      zoneId: 'cn-hangzhou-h',
      ips: ['192.168.4.111'],
    });
    sim.simulator.reset(world);
    expect((await add(DEFAULT_GROUP, servers([1110]))).status).toBe(200);
    settle();
    expectError(
      await add(DEFAULT_GROUP, [{ ServerId: 'eni-bp1sharedip0001', ServerType: 'Eni', Port: 6081 }]),
      400,
      'ResourceInUse.IP',
    );
  });

  it('IllegalParam.ServerIp (400): ServerIp is not an IPv4 address', async () => {
    expectError(await add(DEFAULT_GROUP, servers([1110], { ServerIp: '192.168.4.999' })), 400, 'IllegalParam.ServerIp');
  });

  it('IllegalParam.EcsNetworkType (400): the ECS instance is on the classic network', async () => {
    expectError(
      await add(DEFAULT_GROUP, [{ ServerId: 'i-bp1classic00001', ServerType: 'Ecs', Port: 6081 }]),
      400,
      'IllegalParam.EcsNetworkType',
    );
  });

  it('DuplicatedParam.Server (400): the same server twice in one call', async () => {
    expectError(await add(DEFAULT_GROUP, servers([1110, 1111, 1110])), 400, 'DuplicatedParam.Server');
  });

  it('ResourceInUse.Eni (400): the ENI belongs to a GWLB instance', async () => {
    expectError(
      await add(DEFAULT_GROUP, [{ ServerId: 'eni-bp1gwlbowned0001', ServerType: 'Eni', Port: 6081 }]),
      400,
      'ResourceInUse.Eni',
    );
  });

  it('IncorrectStatus.Eni (400): the ENI is still attaching', async () => {
    expectError(
      await add(DEFAULT_GROUP, [{ ServerId: 'eni-bp1attaching0001', ServerType: 'Eni', Port: 6081 }]),
      400,
      'IncorrectStatus.Eni',
    );
  });

  it('IllegalParam.IP (400): an Ip server with a public address', async () => {
    expectError(await add(IP_GROUP, [{ ServerId: '8.8.8.8', ServerType: 'Ip', Port: 6081 }]), 400, 'IllegalParam.IP');
  });

  it('Mismatch.IP (400): an Ip server whose ServerIp differs from its ServerId', async () => {
    expectError(
      await add(IP_GROUP, [{ ServerId: '10.0.0.5', ServerType: 'Ip', ServerIp: '10.0.0.6', Port: 6081 }]),
      400,
      'Mismatch.IP',
    );
  });

  it('Mismatch.IP (400): an ECS instance with a ServerIp that is not one of its addresses', async () => {
    expectError(await add(DEFAULT_GROUP, servers([1110], { ServerIp: '192.168.4.200' })), 400, 'Mismatch.IP');
  });

  it('Mismatch.VpcId (400): the ECS instance is in another VPC than the group', async () => {
    expectError(
      await add(DEFAULT_GROUP, [{ ServerId: 'i-bp1othervpc0001', ServerType: 'Ecs', Port: 6081 }]),
      400,
      'Mismatch.VpcId',
    );
  });

  it('QuotaExceeded.ServerGroupServersNum (400): the group already holds its 300 servers', async () => {
    const answer = await add(FULL_GROUP, [{ ServerId: '10.200.0.1', ServerType: 'Ip', Port: 6081 }]);
    expectError(answer, 400, 'QuotaExceeded.ServerGroupServersNum');
    expect(answer.body.Message).toBe(
      `The quota of gwlb_quota_servergroup_servers_num is exceeded for resource ${FULL_GROUP}, usage 301/300.`,
    );
  });

  it('QuotaExceeded.ServerGroupAzServersNum (400): 101 servers of one zone in a group with the default 100 per zone', async () => {
    const sameZone = range(0, 101).map((i) => i * 4); // instances take zones in turn: every 4th is in cn-hangzhou-h
    expectError(await add(DEFAULT_GROUP, servers(sameZone)), 400, 'QuotaExceeded.ServerGroupAzServersNum');
    expect((await add(DEFAULT_GROUP, servers(sameZone.slice(0, 100)))).status).toBe(200);
  });

  it('IncorrectStatus.ServerGroup (400): a change while the group is Configuring', async () => {
    expect((await add(DEFAULT_GROUP, servers([1110]))).status).toBe(200);
    expectError(await add(DEFAULT_GROUP, servers([1111])), 400, 'IncorrectStatus.ServerGroup');
    expectError(
      await call('RemoveServersFromServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers([1110]) }),
      400,
      'IncorrectStatus.ServerGroup',
    );
  });

  it('ResourceNotFound.Eni (404): an ENI the inventory does not have', async () => {
    expectError(
      await add(DEFAULT_GROUP, [{ ServerId: 'eni-bp1nosuchthing01', ServerType: 'Eni', Port: 6081 }]),
      404,
      'ResourceNotFound.Eni',
    );
  });

  it('ResourceNotFound.Eci (404): an ECI the inventory does not have', async () => {
    expectError(
      await add(DEFAULT_GROUP, [{ ServerId: 'eci-bp1nosuchthing01', ServerType: 'Eci', Port: 6081 }]),
      404,
      'ResourceNotFound.Eci',
    );
  });

  it('ResourceNotFound.ServerGroup (404): a group the region does not have, for a change or a list of its servers', async () => {
    expectError(await add('sgp-doesnotexist0000', servers([1110])), 404, 'ResourceNotFound.ServerGroup');
    expectError(
      await call('ListServerGroupServers', { ServerGroupId: 'sgp-doesnotexist0000' }),
      404,
      'ResourceNotFound.ServerGroup',
    );
    expectError(
      await add(DEFAULT_GROUP, servers([1110]), { RegionId: 'cn-beijing' }),
      404,
      'ResourceNotFound.ServerGroup',
    );
  });

  it('ResourceNotFound.Ecs (404): an ECS instance the inventory does not have', async () => {
    expectError(
      await add(DEFAULT_GROUP, [{ ServerId: 'i-bp1nosuchinstance', ServerType: 'Ecs', Port: 6081 }]),
      404,
      'ResourceNotFound.Ecs',
    );
  });
});

describe('Remove, dry run, idempotency and flow control', () => {
  it('ResourceNotFound.BackendServer (404): removing a server that is not in the group', async () => {
    expectError(
      await call('RemoveServersFromServerGroup', { ServerGroupId: DEFAULT_GROUP, Servers: servers([1110]) }),
      404,
      'ResourceNotFound.BackendServer',
    );
  });

  it('DryRunOperation (400): a dry run that passes every check, and nothing changes', async () => {
    expectError(await add(DEFAULT_GROUP, servers([1110]), { DryRun: true }), 400, 'DryRunOperation');
    const listed = await call('ListServerGroupServers', { ServerGroupId: DEFAULT_GROUP });
    expect(listed.body.TotalCount).toBe(0);
    // A dry run still reports the first real problem.
    expectError(await add(DEFAULT_GROUP, servers([1110, 1110]), { DryRun: true }), 400, 'DuplicatedParam.Server');
  });

  it('IdempotenceSignatureMismatch (400): the same ClientToken with other parameters', async () => {
    expect((await add(DEFAULT_GROUP, servers([1110]), { ClientToken: 'token-mismatch' })).status).toBe(200);
    settle();
    expectError(
      await add(DEFAULT_GROUP, servers([1111]), { ClientToken: 'token-mismatch' }),
      400,
      'IdempotenceSignatureMismatch',
    );
  });

  it("Throttling.User (400): more calls of one API than its documented ration per account and region (GWLB's quota page: AddServersToServerGroup 200 per 60 s)", async () => {
    expect(sim.simulator.settings().apiLimits.AddServersToServerGroup).toEqual({ calls: 200, perSeconds: 60 });
    // Whatever each answers (the group is Configuring after the first), every call spends the ration.
    const answers = await Promise.all(range(0, 200).map((n) => add(DEFAULT_GROUP, servers([1110 + (n % 50)]))));
    expect(answers.filter((a) => a.body.Code === 'Throttling.User')).toHaveLength(0);
    expectError(await add(DEFAULT_GROUP, servers([1110])), 400, 'Throttling.User');
    // Another API has its own ration, and so has the same API in another region of the account.
    expect((await call('ListServerGroups')).status).toBe(200);
    expect((await add(DEFAULT_GROUP, servers([1110]), { RegionId: 'cn-beijing' })).body.Code).not.toBe(
      'Throttling.User',
    );
  });

  it('Throttling.User (400): a ration is counted per account (ParentUid), not per key, and frees up as its window slides', async () => {
    const other = { accessKeyId: 'LTAI5tOtherKeySameAcct', accessKeySecret: 'other-secret-of-the-same-account' };
    sim.simulator.reset({
      ...DEFAULT_WORLD,
      alibaba: { ...DEFAULT_WORLD.alibaba, credentials: [...DEFAULT_WORLD.alibaba!.credentials!, other] },
    });
    await admin(sim.url, 'PATCH', '/_sim/settings', { apiLimits: { ListServerGroups: { calls: 2, perSeconds: 1 } } });
    const otherCall = gwlbClient(sim.url, { credentials: other });
    expect((await call('ListServerGroups')).status).toBe(200);
    expect((await otherCall('ListServerGroups')).status).toBe(200);
    expectError(await otherCall('ListServerGroups'), 400, 'Throttling.User');
    expectError(await call('ListServerGroups'), 400, 'Throttling.User');
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await call('ListServerGroups')).status).toBe(200);
    // A world can ration differently, or not at all.
    await admin(sim.url, 'PATCH', '/_sim/settings', { apiLimits: {} });
    const many = await Promise.all(range(0, 20).map(() => call('ListServerGroups')));
    expect(many.every((a) => a.status === 200)).toBe(true);
  });

  it('Throttling.User (400): more calls than the per-AccessKey rate allows', async () => {
    await admin(sim.url, 'PATCH', '/_sim/settings', { rateLimit: { requestsPerSecond: 0.001, burst: 2 } });
    expect((await call('ListServerGroups')).status).toBe(200);
    expect((await call('ListServerGroups')).status).toBe(200);
    expectError(await call('ListServerGroups'), 400, 'Throttling.User');
  });
});

describe('gateway (common) codes', () => {
  it('Missing{Parameter} (400): MissingServerGroupId, MissingServers, MissingServers.N.ServerType', async () => {
    expectError(await call('AddServersToServerGroup', { Servers: servers([1110]) }), 400, 'MissingServerGroupId');
    expectError(await call('AddServersToServerGroup', { ServerGroupId: DEFAULT_GROUP }), 400, 'MissingServers');
    expectError(await add(DEFAULT_GROUP, [{ ServerId: ecsId(1110), Port: 6081 }]), 400, 'MissingServers.1.ServerType');
  });

  it('InvalidParameter (400): out-of-range MaxResults, Port other than 6081, unknown ServerType, more than 200 servers', async () => {
    expectError(await call('ListServerGroupServers', { MaxResults: 1001 }), 400, 'InvalidParameter');
    expectError(await call('ListServerGroups', { MaxResults: 0 }), 400, 'InvalidParameter');
    expectError(await add(DEFAULT_GROUP, servers([1110], { Port: 80 })), 400, 'InvalidParameter');
    expectError(await add(DEFAULT_GROUP, servers([1110], { ServerType: 'Vm' })), 400, 'InvalidParameter');
    expectError(await add(DEFAULT_GROUP, servers(range(0, 201))), 400, 'InvalidParameter');
    expectError(
      await call('ListServerGroups', { ServerGroupIds: range(0, 21).map((i) => `sgp-${i}`) }),
      400,
      'InvalidParameter',
    );
    expectError(await call('ListServerGroupServers', { NextToken: 'not-a-token' }), 400, 'InvalidParameter');
  });

  it('InvalidApi.NotFound (404): an action GWLB does not have, or another version', async () => {
    expectError(await call('DescribeNothing'), 404, 'InvalidApi.NotFound');
    const otherVersion = await rawV3(sim.url, 'ListServerGroups', '', { headers: { 'x-acs-version': '2022-04-30' } });
    expectError(otherVersion, 404, 'InvalidApi.NotFound');
  });

  it('InvalidAccessKeyId.NotFound (404): a key the world does not have', async () => {
    const answer = await gwlbClient(sim.url, { credentials: { accessKeyId: 'LTAI5tNoSuchKey', accessKeySecret: 'x' } })(
      'ListServerGroups',
    );
    expectError(answer, 404, 'InvalidAccessKeyId.NotFound');
  });

  it('InvalidAccessKeyId.Inactive (400): a disabled key', async () => {
    const answer = await gwlbClient(sim.url, {
      credentials: { accessKeyId: 'LTAI5tSimulatorDisabled1', accessKeySecret: 'simulator-disabled-secret' },
    })('ListServerGroups');
    expectError(answer, 400, 'InvalidAccessKeyId.Inactive');
  });

  it('InvalidTimeStamp.Expired (400): a date more than 15 minutes off, in V3 and V2', async () => {
    const old = new Date(Date.now() - 16 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expectError(await rawV3(sim.url, 'ListServerGroups', '', { date: old }), 400, 'InvalidTimeStamp.Expired');
    const ahead = new Date(Date.now() + 16 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expectError(await rawV2(sim.url, 'ListServerGroups', {}, { timestamp: ahead }), 400, 'InvalidTimeStamp.Expired');
  });

  it('InvalidTimeStamp.Format (400): a date that is not yyyy-MM-ddTHH:mm:ssZ', async () => {
    expectError(
      await rawV3(sim.url, 'ListServerGroups', '', { date: 'Mon, 02 Jan 2006 15:04:05 GMT' }),
      400,
      'InvalidTimeStamp.Format',
    );
  });

  it('SignatureNonceUsed (400): a nonce used again, even on a correctly signed request', async () => {
    expect((await rawV3(sim.url, 'ListServerGroups', '', { nonce: 'nonce-once' })).status).toBe(200);
    expectError(await rawV3(sim.url, 'ListServerGroups', '', { nonce: 'nonce-once' }), 400, 'SignatureNonceUsed');
    expect((await rawV2(sim.url, 'ListServerGroups', {}, { nonce: 'v2-nonce-once' })).status).toBe(200);
    expectError(await rawV2(sim.url, 'ListServerGroups', {}, { nonce: 'v2-nonce-once' }), 400, 'SignatureNonceUsed');
  });

  it('SignatureDoesNotMatch (400): the body changed after signing, or a signed parameter changed', async () => {
    const form = `ServerGroupId=${DEFAULT_GROUP}&Servers.1.ServerId=${ecsId(1110)}&Servers.1.ServerType=Ecs`;
    const tampered = await rawV3(sim.url, 'AddServersToServerGroup', form, {
      tamper: (r) => {
        r.body = r.body.replace('1110', '1111');
        r.headers['x-acs-content-sha256'] = 'ignored-by-this-check'.padEnd(64, '0');
      },
    });
    expectError(tampered, 400, 'SignatureDoesNotMatch');
    const bodyOnly = await rawV3(sim.url, 'AddServersToServerGroup', form, {
      tamper: (r) => void (r.body = r.body.replace('1110', '1111')),
    });
    expectError(bodyOnly, 400, 'SignatureDoesNotMatch');
    const v2 = await rawV2(
      sim.url,
      'ListServerGroups',
      { MaxResults: '5' },
      { tamper: (q) => void (q.Format = 'xml') },
    );
    expectError(v2, 400, 'SignatureDoesNotMatch');
  });

  it('InvalidSignatureMethod (400): V2 with a method other than HMAC-SHA1', async () => {
    expectError(
      await rawV2(sim.url, 'ListServerGroups', {}, { signatureMethod: 'HMAC-SHA256' }),
      400,
      'InvalidSignatureMethod',
    );
  });

  it('UnsupportedHTTPMethod (400): a change sent as GET', async () => {
    expectError(
      await rawV3(sim.url, 'AddServersToServerGroup', '', { method: 'GET', query: { ServerGroupId: DEFAULT_GROUP } }),
      400,
      'UnsupportedHTTPMethod',
    );
  });

  it('InvalidSecurityToken.Expired (400): STS credentials past their expiry', async () => {
    const world = structuredClone(DEFAULT_WORLD);
    world.alibaba!.credentials!.push({
      accessKeyId: 'STS.NExpired0001',
      accessKeySecret: 's',
      securityToken: 't',
      expiresAt: '2020-01-01T00:00:00Z',
    });
    sim.simulator.reset(world);
    const answer = await gwlbClient(sim.url, {
      credentials: { accessKeyId: 'STS.NExpired0001', accessKeySecret: 's', securityToken: 't' },
    })('ListServerGroups');
    expectError(answer, 400, 'InvalidSecurityToken.Expired');
  });

  it('InvalidSecurityToken.MismatchWithAccessKey (400): STS credentials without their token', async () => {
    const answer = await gwlbClient(sim.url, {
      credentials: { accessKeyId: 'STS.NSimulatorDemoKey01', accessKeySecret: 'simulator-demo-sts-secret-0001' },
    })('ListServerGroups');
    expectError(answer, 400, 'InvalidSecurityToken.MismatchWithAccessKey');
  });

  it('InvalidParameter.Format (400): a body that is not form-encoded', async () => {
    const answer = await rawV3(sim.url, 'ListServerGroups', '{"MaxResults":5}', {
      headers: { 'content-type': 'application/json' },
    });
    expectError(answer, 400, 'InvalidParameter.Format');
  });

  it('RequestEntityTooLarge (413): a body over 12 MB', async () => {
    const big = `ServerGroupId=${'x'.repeat(12 * 1024 * 1024)}`;
    const answer = await rawV3(sim.url, 'ListServerGroups', big);
    expectError(answer, 413, 'RequestEntityTooLarge');
  });

  it('MissingAccessKeyId (400): a request with neither an Authorization header nor a V2 signature', async () => {
    const answer = await rawV2(sim.url, 'ListServerGroups', {}, { tamper: (q) => void delete q.AccessKeyId });
    expectError(answer, 400, 'MissingAccessKeyId');
  });

  it('credentials never reach the answer: the secret is absent from every error message', async () => {
    const answer = await gwlbClient(sim.url, {
      credentials: { accessKeyId: DEFAULT_ALIBABA_CREDENTIAL.accessKeyId, accessKeySecret: 'wrong' },
    })('ListServerGroups');
    expect(JSON.stringify(answer.body)).not.toContain(DEFAULT_ALIBABA_CREDENTIAL.accessKeySecret);
  });
});
