// Credentials that are not fixed keys, over real HTTP against the simulators' stand-ins: Alibaba's chain (the
// vendor's own providers for the ECS RAM role, STS AssumeRole, OIDC/RRSA, the CLI profile and the credentials file)
// and Huawei's (the credentials file, the ECS metadata securitykey), each signing real GWLB/ELB calls. Keys that
// expire every few seconds rotate without a failed call; keys expired early are fetched again and the call signed
// once more.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alibabaCredentialChain, type AlibabaChainSettings } from '../../src/providers/alibaba/credentials.js';
import { huaweiCredentialChain } from '../../src/providers/huawei/credentials.js';
import { CREDENTIALS_UNAVAILABLE, NoUsableCredentials } from '../../src/providers/credentials.js';
import { createProvider, isProviderError, type LoadBalancerProvider } from '../../src/providers/index.js';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_ALIBABA_ECS_ROLE,
  DEFAULT_ALIBABA_OIDC_PROVIDER_ARN,
  DEFAULT_ALIBABA_OIDC_TOKEN,
  DEFAULT_ALIBABA_ROLE_ARN,
  DEFAULT_HUAWEI_CREDENTIAL,
  DEFAULT_HUAWEI_PROJECT,
  DEFAULT_WORLD,
  startSimulators,
  type RunningSimulators,
  type WorldInput,
} from '../../src/simulator/index.js';

const GROUP = { provider: 'alibaba-gwlb', region: 'cn-hangzhou', serverGroupId: 'sgp-atstuj3rtoptyui0000' } as const;
const POOL = {
  provider: 'huawei-elb',
  region: 'cn-north-4',
  projectId: DEFAULT_HUAWEI_PROJECT,
  poolId: '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0001',
} as const;

let sims: RunningSimulators;
let dir: string;
const clients: LoadBalancerProvider[] = [];

function world(lifetimeMs: { alibaba?: number; huawei?: number }): WorldInput {
  const w = structuredClone(DEFAULT_WORLD);
  if (lifetimeMs.alibaba !== undefined)
    w.alibaba!.identity = { ...w.alibaba!.identity, keyLifetimeMs: lifetimeMs.alibaba };
  if (lifetimeMs.huawei !== undefined) w.huawei!.metadata = { ...w.huawei!.metadata, keyLifetimeMs: lifetimeMs.huawei };
  return w;
}

async function calls(
  base: string,
  action: string,
): Promise<Array<{ action: string; status: number; code?: string; accessKeyId?: string }>> {
  const res = await fetch(`${base}/_sim/calls?action=${action}`);
  return (
    (await res.json()) as { entries: Array<{ action: string; status: number; code?: string; accessKeyId?: string }> }
  ).entries;
}

/** A call every 250 ms for 8 s: every one answered 200, signed with at least 4 different keys over the run. */
async function expectRotation(call: () => Promise<unknown>, base: string, action: string): Promise<void> {
  const until = Date.now() + 8000;
  let made = 0;
  while (Date.now() < until) {
    await call();
    made++;
    await new Promise((r) => setTimeout(r, 250));
  }
  const log = await calls(base, action);
  expect(log).toHaveLength(made);
  expect(log.filter((c) => c.status !== 200)).toEqual([]);
  expect(new Set(log.map((c) => c.accessKeyId)).size).toBeGreaterThanOrEqual(4);
}

const alibaba = (settings: Omit<AlibabaChainSettings, 'redirect'>) => {
  const chain = alibabaCredentialChain({ ...settings, redirect: sims.alibaba.url });
  const client = createProvider({ provider: 'alibaba-gwlb', credentials: chain, endpoint: sims.alibaba.url });
  clients.push(client);
  return { chain, client };
};

beforeAll(async () => {
  sims = await startSimulators({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'lbflow-credentials-'));
});
afterAll(async () => {
  await sims.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  sims.alibaba.simulator.reset();
  sims.huawei.simulator.reset();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('Alibaba: the vendor credential providers, pointed at the simulator stand-ins', () => {
  it('ECS RAM role: the metadata service gives STS keys that sign GWLB calls', async () => {
    const { chain, client } = alibaba({ ecsRamRole: { roleName: DEFAULT_ALIBABA_ECS_ROLE, disableImdsV1: true } });
    const listed = await client.listServers(GROUP);
    expect(listed.requestIds).toHaveLength(1);
    expect(chain.picked).toBe('ecs_ram_role');
    const [call] = await calls(sims.alibaba.url, 'ListServerGroupServers');
    expect(call!.status).toBe(200);
    expect(call!.accessKeyId).toMatch(/^STS\./);
    // IMDSv2: a token first, then the role's keys with it.
    expect((await calls(sims.alibaba.url, 'EcsMetadata')).map((c) => c.status)).toEqual([200, 200]);
  });

  it('ECS RAM role: a role the instance does not have fails naming the source', async () => {
    const { chain } = alibaba({ ecsRamRole: { roleName: 'not-attached', disableImdsV1: true } });
    const error = await chain.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoUsableCredentials);
    expect((error as Error).message).toMatch(/^no usable credentials: tried ecs_ram_role \(/);
  });

  it('RAM role assumed with fixed keys (terraform assume_role): AssumeRole is signed with them', async () => {
    const { chain, client } = alibaba({
      ramRoleArn: {
        keys: { ...DEFAULT_ALIBABA_CREDENTIAL },
        roleArn: DEFAULT_ALIBABA_ROLE_ARN,
        sessionName: 'lbflow-test',
      },
    });
    await client.listServers(GROUP);
    expect(chain.picked).toMatch(/^ram_role_arn/);
    const [assume] = await calls(sims.alibaba.url, 'AssumeRole');
    expect(assume).toMatchObject({ status: 200, accessKeyId: DEFAULT_ALIBABA_CREDENTIAL.accessKeyId });
    const [list] = await calls(sims.alibaba.url, 'ListServerGroupServers');
    expect(list!.accessKeyId).toMatch(/^STS\./);
  });

  it('RAM role assumed with a wrong secret: STS refuses the signature and the source says so', async () => {
    const { chain } = alibaba({
      ramRoleArn: {
        keys: { accessKeyId: DEFAULT_ALIBABA_CREDENTIAL.accessKeyId, accessKeySecret: 'not-the-secret' },
        roleArn: DEFAULT_ALIBABA_ROLE_ARN,
        sessionName: 'x',
      },
    });
    await expect(chain.get()).rejects.toThrow(/ram_role_arn .*(secret is invalid|SignatureDoesNotMatch)/);
    expect((await calls(sims.alibaba.url, 'AssumeRole'))[0]).toMatchObject({
      status: 400,
      code: 'SignatureDoesNotMatch',
    });
  });

  it('OIDC (ACK RRSA): the token file is exchanged with AssumeRoleWithOIDC', async () => {
    const tokenFile = join(dir, 'rrsa-token');
    writeFileSync(tokenFile, DEFAULT_ALIBABA_OIDC_TOKEN);
    const { chain, client } = alibaba({
      oidc: {
        roleArn: DEFAULT_ALIBABA_ROLE_ARN,
        providerArn: DEFAULT_ALIBABA_OIDC_PROVIDER_ARN,
        tokenFile,
        sessionName: 'lbflow-rrsa',
      },
    });
    await client.listServers(GROUP);
    expect(chain.picked).toBe('oidc_role_arn');
    expect((await calls(sims.alibaba.url, 'AssumeRoleWithOIDC'))[0]!.status).toBe(200);
    writeFileSync(tokenFile, 'not-a-token-of-this-provider');
    const other = alibaba({
      oidc: {
        roleArn: DEFAULT_ALIBABA_ROLE_ARN,
        providerArn: DEFAULT_ALIBABA_OIDC_PROVIDER_ARN,
        tokenFile,
        sessionName: 'lbflow-rrsa',
      },
    });
    await expect(other.chain.get()).rejects.toThrow(/AuthenticationFail\.OIDCToken\.Invalid/);
  });

  it('the CLI profile (~/.aliyun/config.json) and the credentials file, with process-wide HOME as the vendor reads it', async () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.aliyun'), { recursive: true });
    writeFileSync(
      join(home, '.aliyun', 'config.json'),
      JSON.stringify({
        current: 'ops',
        profiles: [
          {
            name: 'ops',
            mode: 'RamRoleArn',
            access_key_id: DEFAULT_ALIBABA_CREDENTIAL.accessKeyId,
            access_key_secret: DEFAULT_ALIBABA_CREDENTIAL.accessKeySecret,
            ram_role_arn: DEFAULT_ALIBABA_ROLE_ARN,
            ram_session_name: 'cli',
          },
        ],
      }),
    );
    const file = join(dir, 'alibabacloud-credentials');
    writeFileSync(
      file,
      `[default]\ntype = access_key\naccess_key_id = ${DEFAULT_ALIBABA_CREDENTIAL.accessKeyId}\naccess_key_secret = ${DEFAULT_ALIBABA_CREDENTIAL.accessKeySecret}\n`,
    );
    const saved = {
      HOME: process.env.HOME,
      ALIBABA_CLOUD_CREDENTIALS_FILE: process.env.ALIBABA_CLOUD_CREDENTIALS_FILE,
    };
    process.env.HOME = home;
    process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = file;
    try {
      const cli = alibaba({ cliProfile: {} });
      await cli.client.listServers(GROUP);
      expect(cli.chain.picked).toMatch(/^cli_profile/);
      expect((await calls(sims.alibaba.url, 'AssumeRole')).length).toBe(1);
      const fromFile = alibaba({ credentialsFile: {} });
      await fromFile.client.listServers(GROUP);
      expect(fromFile.chain.picked).toMatch(/^credentials_file/);
      expect((await calls(sims.alibaba.url, 'ListServerGroupServers')).at(-1)!.accessKeyId).toBe(
        DEFAULT_ALIBABA_CREDENTIAL.accessKeyId,
      );
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('a credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI) that answers STS keys', async () => {
    const sts = (DEFAULT_WORLD.alibaba!.credentials ?? []).find((c) => c.securityToken !== undefined)!;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          Code: 'Success',
          AccessKeyId: sts.accessKeyId,
          AccessKeySecret: sts.accessKeySecret,
          SecurityToken: sts.securityToken,
          Expiration: '2099-01-01T00:00:00Z',
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/credentials`;
      // The stand-in redirect moves the vendor's metadata and STS addresses only: a URI the user gives stays.
      const { chain, client } = alibaba({ credentialsUri: uri });
      await client.listServers(GROUP);
      expect(chain.picked).toMatch(/^credentials_uri/);
      expect((await calls(sims.alibaba.url, 'ListServerGroupServers'))[0]).toMatchObject({
        status: 200,
        accessKeyId: sts.accessKeyId,
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('tries the sources in order and keeps the first that gives keys', async () => {
    const { chain } = alibaba({
      ecsRamRole: { roleName: 'not-attached', disableImdsV1: true },
      credentialsUri: `${sims.alibaba.url}/nowhere`,
    });
    await expect(chain.get()).rejects.toThrow(/tried ecs_ram_role \(.*\); credentials_uri \(/);
    const good = alibaba({
      ramRoleArn: {
        keys: { ...DEFAULT_ALIBABA_CREDENTIAL },
        roleArn: 'acs:ram::1234567890123456:role/missing',
        sessionName: 's',
      },
      ecsRamRole: { roleName: DEFAULT_ALIBABA_ECS_ROLE, disableImdsV1: true },
    });
    await good.client.listServers(GROUP);
    expect(good.chain.picked).toBe('ecs_ram_role');
  });

  it('keys that expire every 2 s rotate under 8 s of calls with no failed call, many key ids in the log', async () => {
    sims.alibaba.simulator.reset(world({ alibaba: 2000 }));
    const { client } = alibaba({ ecsRamRole: { roleName: DEFAULT_ALIBABA_ECS_ROLE, disableImdsV1: true } });
    await expectRotation(() => client.listServers(GROUP), sims.alibaba.url, 'ListServerGroupServers');
  });

  it('keys expired early: the refused call is signed again once with new keys and succeeds', async () => {
    // AssumeRole's session is kept until 15 minutes before it ends (the ECS provider fetches again within the hour).
    const { client } = alibaba({
      ramRoleArn: { keys: { ...DEFAULT_ALIBABA_CREDENTIAL }, roleArn: DEFAULT_ALIBABA_ROLE_ARN, sessionName: 'early' },
    });
    await client.listServers(GROUP);
    expect(sims.alibaba.simulator.expireTemporaryKeys()).toBe(1);
    await client.listServers(GROUP);
    const log = await calls(sims.alibaba.url, 'ListServerGroupServers');
    expect(log.map((c) => c.code ?? c.status)).toEqual([200, 'InvalidSecurityToken.Expired', 200]);
    expect(log[2]!.accessKeyId).not.toBe(log[1]!.accessKeyId);
  });

  it('fixed STS keys that expire are not fetched again: AuthenticationFailed after one call', async () => {
    const w = world({});
    w.alibaba!.credentials!.push({
      accessKeyId: 'STS.ExpiredFixed0001',
      accessKeySecret: 'expired-fixed-secret',
      securityToken: 'CAISexpired-fixed-token',
      expiresAt: '2020-01-01T00:00:00Z',
    });
    sims.alibaba.simulator.reset(w);
    const client = createProvider({
      provider: 'alibaba-gwlb',
      credentials: {
        accessKeyId: 'STS.ExpiredFixed0001',
        accessKeySecret: 'expired-fixed-secret',
        securityToken: 'CAISexpired-fixed-token',
      },
      endpoint: sims.alibaba.url,
    });
    clients.push(client);
    const error = await client.listServers(GROUP).catch((e: unknown) => e);
    expect(isProviderError(error) && error.failureType).toBe('AuthenticationFailed');
    expect(await calls(sims.alibaba.url, 'ListServerGroupServers')).toHaveLength(1);
  });
});

describe('Huawei: the credentials file and the ECS metadata securitykey', () => {
  const huawei = (settings: Parameters<typeof huaweiCredentialChain>[0]) => {
    const chain = huaweiCredentialChain(settings);
    const client = createProvider({ provider: 'huawei-elb', credentials: chain, endpoint: sims.huawei.url });
    clients.push(client);
    return { chain, client };
  };

  it('ECS metadata: temporary AK/SK and security token of the agency sign ELB calls', async () => {
    const { chain, client } = huawei({ metadata: { endpoint: sims.huawei.url } });
    await client.listServers(POOL);
    expect(chain.picked).toBe('ecs_metadata');
    const [call] = await calls(sims.huawei.url, 'ListMembers');
    expect(call).toMatchObject({ status: 200 });
    expect(call!.accessKeyId).toMatch(/^HWTMP/);
    expect((await calls(sims.huawei.url, 'EcsSecurityKey')).map((c) => c.status)).toEqual([200, 200]);
  });

  it('ECS metadata without an agency says to attach one', async () => {
    const w = world({});
    delete w.huawei!.metadata!.agency;
    sims.huawei.simulator.reset(w);
    const { chain } = huawei({ metadata: { endpoint: sims.huawei.url } });
    await expect(chain.get()).rejects.toThrow(/tried ecs_metadata \(the instance has no agency/);
  });

  it('the credentials file ([basic] ak, sk) and a file that lacks them', async () => {
    const file = join(dir, 'huaweicloud-credentials');
    writeFileSync(
      file,
      `[basic]\nak = ${DEFAULT_HUAWEI_CREDENTIAL.accessKey}\nsk = ${DEFAULT_HUAWEI_CREDENTIAL.secretKey}\nproject_id = ${DEFAULT_HUAWEI_PROJECT}\n`,
    );
    const { chain, client } = huawei({ credentialsFile: { path: file } });
    await client.listServers(POOL);
    expect(chain.picked).toBe('credentials_file');
    const empty = join(dir, 'huaweicloud-empty');
    writeFileSync(empty, '[global]\nak = x\n');
    await expect(
      huawei({ credentialsFile: { path: empty }, metadata: { endpoint: `${sims.huawei.url}/down` } }).chain.get(),
    ).rejects.toThrow(/tried credentials_file \(credentials file '.*' has no \[basic\] section\); ecs_metadata \(/);
  });

  it('keys that expire every 2 s rotate under 8 s of calls with no failed call', async () => {
    sims.huawei.simulator.reset(world({ huawei: 2000 }));
    const { client } = huawei({ metadata: { endpoint: sims.huawei.url } });
    await expectRotation(() => client.listServers(POOL), sims.huawei.url, 'ListMembers');
  });

  it('keys expired early: APIGW.0307, new keys, the call signed once more', async () => {
    const { client } = huawei({ metadata: { endpoint: sims.huawei.url } });
    await client.listServers(POOL);
    expect(sims.huawei.simulator.expireTemporaryKeys()).toBe(1);
    await client.listServers(POOL);
    const log = await calls(sims.huawei.url, 'ListMembers');
    expect(log.map((c) => c.code ?? c.status)).toEqual([200, 'APIGW.0307', 200]);
    expect(log[2]!.accessKeyId).not.toBe(log[1]!.accessKeyId);
  });

  it('a metadata service that does not answer: the call fails retryable, naming the source, nothing sent to ELB', async () => {
    const { client } = huawei({ metadata: { endpoint: 'http://127.0.0.1:9' } });
    const error = await client.listServers(POOL).catch((e: unknown) => e);
    expect(
      isProviderError(error) && { code: error.code, disposition: error.disposition, failureType: error.failureType },
    ).toEqual({ code: CREDENTIALS_UNAVAILABLE, disposition: 'retryable', failureType: 'ProviderUnavailable' });
    expect((error as Error).message).toContain('the ecs_metadata credentials could not be fetched');
    expect(await calls(sims.huawei.url, 'ListMembers')).toHaveLength(0);
  });
});
