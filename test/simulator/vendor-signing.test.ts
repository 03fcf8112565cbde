// Requests signed by the vendors' own SDK code are accepted; the same requests with a wrong secret are refused.
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_HUAWEI_CREDENTIAL,
  startSimulators,
  type RunningSimulators,
} from '../../src/simulator/index.js';
import { DEFAULT_GROUP, DEMO_POOL, PROJECT, elb, gwlbClient, hwMembers, poolPath, servers } from './helpers.js';

let sims: RunningSimulators;
beforeAll(async () => {
  // The Huawei SDK logs every error answer (request headers included) to stdout; the refusals here are expected.
  Logger4jInstance.level = 'off';
  sims = await startSimulators({ port: 0 });
});
afterAll(async () => {
  await sims.close();
});

const wrongSecret = { accessKeyId: DEFAULT_ALIBABA_CREDENTIAL.accessKeyId, accessKeySecret: 'not-the-secret' };
const sts = {
  accessKeyId: 'STS.NSimulatorDemoKey01',
  accessKeySecret: 'simulator-demo-sts-secret-0001',
  securityToken: 'CAISsimulator-demo-security-token-0001',
};

describe('Alibaba GWLB accepts what @alicloud/openapi-core signs', () => {
  it('accepts a V3 (ACS3-HMAC-SHA256) ListServerGroups and refuses it with a wrong secret', async () => {
    const ok = await gwlbClient(sims.alibaba.url)('ListServerGroups', { ServerGroupIds: [DEFAULT_GROUP] });
    expect(ok.status).toBe(200);
    expect((ok.body.ServerGroups as unknown[]).length).toBe(1);
    const refused = await gwlbClient(sims.alibaba.url, { credentials: wrongSecret })('ListServerGroups', {
      ServerGroupIds: [DEFAULT_GROUP],
    });
    expect([refused.status, refused.code]).toEqual([400, 'SignatureDoesNotMatch']);
  });

  it('accepts a V3 AddServersToServerGroup with a form body and refuses it with a wrong secret', async () => {
    const body = { ServerGroupId: DEFAULT_GROUP, Servers: servers([1100]), ClientToken: 'vendor-v3-add' };
    const refused = await gwlbClient(sims.alibaba.url, { credentials: wrongSecret })('AddServersToServerGroup', body);
    expect(refused.code).toBe('SignatureDoesNotMatch');
    const ok = await gwlbClient(sims.alibaba.url)('AddServersToServerGroup', body);
    expect(ok.status).toBe(200);
    expect(ok.body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('accepts a V2 (HMAC-SHA1) call with parameters in the query and the body, and refuses it with a wrong secret', async () => {
    const ok = await gwlbClient(sims.alibaba.url, { v2: true })('ListServerGroupServers', {
      ServerGroupId: DEFAULT_GROUP,
      MaxResults: 5,
    });
    expect(ok.status).toBe(200);
    const refused = await gwlbClient(sims.alibaba.url, { v2: true, credentials: wrongSecret })(
      'ListServerGroupServers',
      { ServerGroupId: DEFAULT_GROUP },
    );
    expect([refused.status, refused.code]).toEqual([400, 'SignatureDoesNotMatch']);
  });

  it('accepts a V3 GET List call with its parameters in the signed query', async () => {
    const ok = await gwlbClient(sims.alibaba.url, { method: 'GET' })('ListServerGroups', {
      ServerGroupIds: [DEFAULT_GROUP],
      MaxResults: 10,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.TotalCount).toBe(1);
  });

  it('accepts STS credentials with their security token, in V3 and in V2', async () => {
    expect((await gwlbClient(sims.alibaba.url, { credentials: sts })('ListServerGroups')).status).toBe(200);
    expect((await gwlbClient(sims.alibaba.url, { credentials: sts, v2: true })('ListServerGroups')).status).toBe(200);
    const wrongToken = await gwlbClient(sims.alibaba.url, {
      credentials: { ...sts, securityToken: 'CAISsomething-else' },
    })('ListServerGroups');
    expect([wrongToken.status, wrongToken.code]).toEqual([400, 'InvalidSecurityToken.MismatchWithAccessKey']);
  });
});

describe('Huawei ELB accepts what @huaweicloud/huaweicloud-sdk-core signs', () => {
  const hcClient = (sk: string): HcClient =>
    new ClientBuilder<HcClient>((c) => c)
      .withEndpoint(sims.huawei.url)
      .withCredential(
        new BasicCredentials().withAk(DEFAULT_HUAWEI_CREDENTIAL.accessKey).withSk(sk).withProjectId(PROJECT),
      )
      .build();

  it('accepts a batch-add sent by HcClient and refuses it with a wrong secret key', async () => {
    const send = (sk: string) =>
      hcClient(sk).sendRequest<never>({
        method: 'POST',
        url: '/v3/{project_id}/elb/pools/{pool_id}/members/batch-add',
        contentType: 'application/json',
        queryParams: {},
        pathParams: { pool_id: DEMO_POOL },
        headers: {},
        data: { members: hwMembers([1100]) },
      });
    const ok = (await send(DEFAULT_HUAWEI_CREDENTIAL.secretKey)) as unknown as {
      httpStatusCode: number;
      members: Array<{ ret_status: string }>;
    };
    expect(ok.httpStatusCode).toBe(201);
    expect(ok.members[0]?.ret_status).toBe('successful');
    const refused = await send('wrong-secret-key').catch((e: { httpStatusCode: number; errorCode: string }) => e);
    expect([refused.httpStatusCode, (refused as { errorCode: string }).errorCode]).toEqual([401, 'APIGW.0301']);
  });

  it('accepts a signed GET with repeated query keys (AKSKSigner) and refuses it with a wrong secret key', async () => {
    const query = { address: ['192.168.4.101', '192.168.4.102'], protocol_port: '80', limit: '10' };
    const ok = await elb(sims.huawei.url, { path: poolPath(DEMO_POOL, '/members'), query });
    expect(ok.status).toBe(200);
    const refused = await elb(sims.huawei.url, {
      path: poolPath(DEMO_POOL, '/members'),
      query,
      sk: 'wrong-secret-key',
    });
    expect([refused.status, refused.body.error_code]).toEqual([401, 'APIGW.0301']);
  });
});
