// Shared setup for the provider tests: the in-process simulators on a world with a few extra groups and
// credentials, clients pointed at them, and the admin API (faults, settings, call log).
import { request } from 'undici';
import { expect } from 'vitest';
import type { AlibabaServer } from '../../src/providers/alibaba/definition/index.js';
import type { HuaweiServer } from '../../src/providers/huawei/definition/index.js';
import {
  createProvider,
  isProviderError,
  type AlibabaGwlbConfig,
  type HuaweiElbConfig,
  type ProviderError,
} from '../../src/providers/index.js';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_HUAWEI_CREDENTIAL,
  DEFAULT_HUAWEI_PROJECT,
  DEFAULT_HUAWEI_TOKEN,
  DEFAULT_WORLD,
  startSimulators,
  type RunningSimulators,
  type WorldInput,
} from '../../src/simulator/index.js';

export { DEFAULT_ALIBABA_CREDENTIAL, DEFAULT_HUAWEI_CREDENTIAL, DEFAULT_HUAWEI_PROJECT, DEFAULT_HUAWEI_TOKEN };

// ------------------------------------------------------------------ the world

export const REGION = 'cn-hangzhou';
export const DEMO_GROUP = 'sgp-atstuj3rtoptyui0000';
export const DEFAULT_GROUP = 'sgp-atstuj3rtoptyui0001';
export const IP_GROUP = 'sgp-atstuj3rtoptyui0002';
export const FULL_GROUP = 'sgp-atstuj3rtoptyui0003';
/** Ip type, 2,500 servers already (quota raised to 3,000). */
export const BIG_GROUP = 'sgp-lbflowbig2500';
/** Still Creating (for an hour of simulated time). */
export const CREATING_GROUP = 'sgp-lbflowcreating';
export const STS = {
  accessKeyId: 'STS.NSimulatorDemoKey01',
  accessKeySecret: 'simulator-demo-sts-secret-0001',
  securityToken: 'CAISsimulator-demo-security-token-0001',
};
export const EXPIRED_STS = {
  accessKeyId: 'STS.NExpiredKey0001',
  accessKeySecret: 'expired-sts-secret',
  securityToken: 'CAISexpired-token',
};
export const DISABLED_KEY = { accessKeyId: 'LTAI5tSimulatorDisabled1', accessKeySecret: 'simulator-disabled-secret' };

export const HW_REGION = 'cn-north-4';
export const PROJECT = DEFAULT_HUAWEI_PROJECT;
export const DEMO_POOL = '04a9bc65-b75b-478d-b4d6-e693bb61dd35';
export const FULL_POOL = '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0002';
export const IP_TARGET_POOL = '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0003';
export const GATEWAY_POOL = '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0004';
/** IP-type members, 2,500 already (members_per_pool raised to 3,000). */
export const BIG_POOL = '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e2500';
/** member_deletion_protection_enable. */
export const PROTECTED_POOL = '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0bad';
export const SUBNET = '61da8098-954b-4809-bc5a-b99ccef8a398';
export const SUBNET_B = '61da8098-954b-4809-bc5a-b99ccef80002';
export const LB = '2f1e4c6b-7d3a-4e2f-8b9c-0a1b2c3d0001';
export const OTHER_PROJECT = 'a'.repeat(32);
export const HW_TEMPORARY = {
  accessKey: 'HWTEMPORARYAK0001',
  secretKey: 'temporary-sk-0001',
  securityToken: 'hw-temporary-security-token',
};
export const HW_OTHER_PROJECT_KEY = { accessKey: 'HWOTHERPROJECTAK01', secretKey: 'other-project-sk' };
export const HW_EXPIRED_TOKEN = 'MIIexpired-iam-token';
export const HW_OTHER_PROJECT_TOKEN = 'MIIother-project-token';

const ali = DEFAULT_WORLD.alibaba as NonNullable<WorldInput['alibaba']>;
const aliRegion = (ali.regions ?? [])[0] as NonNullable<NonNullable<WorldInput['alibaba']>['regions']>[number];
const hw = DEFAULT_WORLD.huawei as NonNullable<WorldInput['huawei']>;
const hwProject = (hw.projects ?? [])[0] as NonNullable<NonNullable<WorldInput['huawei']>['projects']>[number];

export const TEST_WORLD: WorldInput = {
  alibaba: {
    ...ali,
    credentials: [...(ali.credentials ?? []), { ...EXPIRED_STS, expiresAt: '2020-01-01T00:00:00Z' }],
    regions: [
      {
        ...aliRegion,
        serverGroups: [
          ...(aliRegion.serverGroups ?? []),
          {
            id: BIG_GROUP,
            name: 'big',
            type: 'Ip',
            vpcId: 'vpc-bp1simulator0000',
            quotas: { serversPerGroup: 3000 },
            serverRanges: [{ serverType: 'Ip', count: 2500, firstIp: '10.20.0.1', perBlock: 250 }],
          },
          { id: CREATING_GROUP, name: 'creating', vpcId: 'vpc-bp1simulator0000', creatingMs: 3_600_000 },
        ],
      },
    ],
  },
  huawei: {
    ...hw,
    credentials: [...(hw.credentials ?? []), HW_TEMPORARY, { ...HW_OTHER_PROJECT_KEY, projectIds: [OTHER_PROJECT] }],
    tokens: [
      ...(hw.tokens ?? []),
      { name: 'expired', token: HW_EXPIRED_TOKEN, projectId: PROJECT, expiresAt: '2020-01-01T00:00:00Z' },
      { name: 'other-project', token: HW_OTHER_PROJECT_TOKEN, projectId: OTHER_PROJECT },
    ],
    projects: [
      {
        ...hwProject,
        pools: [
          ...(hwProject.pools ?? []),
          {
            id: BIG_POOL,
            name: 'big',
            loadBalancerId: '2f1e4c6b-7d3a-4e2f-8b9c-0a1b2c3d0002',
            protocol: 'TCP',
            memberRanges: [{ count: 2500, firstIp: '10.20.0.1', perBlock: 250, protocolPort: 80 }],
          },
          {
            id: PROTECTED_POOL,
            name: 'protected',
            loadBalancerId: LB,
            protocol: 'TCP',
            memberDeletionProtection: true,
            members: [{ address: '192.168.1.1', protocolPort: 80, subnetId: SUBNET }],
          },
        ],
      },
    ],
  },
};

export const startTestSimulators = (): Promise<RunningSimulators> => startSimulators({ port: 0, world: TEST_WORLD });

// ------------------------------------------------------------------ servers

/** ECS instance i of the default inventory (zones rotate h, i, j, k). */
export const ecs = (i: number): AlibabaServer => ({
  serverId: `i-bp67acfmxazb4p${String(i).padStart(4, '0')}`,
  serverType: 'Ecs',
  port: 6081,
});
export const ecsIp = (i: number): string => `192.168.${Math.floor(i / 250)}.${(i % 250) + 1}`;
export const ipServer = (ip: string): AlibabaServer => ({ serverId: ip, serverType: 'Ip', port: 6081 });
/** An instance-type member on the ECS inventory's address i. */
export const member = (i: number, port = 80): HuaweiServer => ({
  address: ecsIp(i),
  protocolPort: port,
  subnetCidrId: SUBNET,
  weight: 1,
});
export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
/** The address of seeded member i of a range starting at 10.20.0.1, 250 per block. */
export const bigAddress = (i: number): string => `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}`;

// ------------------------------------------------------------------ clients

export function alibabaClient(sims: RunningSimulators, config: Partial<AlibabaGwlbConfig> = {}) {
  return createProvider({
    provider: 'alibaba-gwlb',
    credentials: DEFAULT_ALIBABA_CREDENTIAL,
    endpoint: sims.alibaba.url,
    ...config,
  });
}

export function huaweiClient(sims: RunningSimulators, config: Partial<HuaweiElbConfig> = {}) {
  return createProvider({
    provider: 'huawei-elb',
    credentials: DEFAULT_HUAWEI_CREDENTIAL,
    endpoint: sims.huawei.url,
    ...config,
  });
}

export const group = (serverGroupId: string, region = REGION) => ({
  provider: 'alibaba-gwlb' as const,
  region,
  serverGroupId,
});
export const pool = (poolId: string, projectId = PROJECT) => ({
  provider: 'huawei-elb' as const,
  region: HW_REGION,
  projectId,
  poolId,
});

// ------------------------------------------------------------------ admin API

export async function admin(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await request(`${base}${path}`, {
    method: method as 'GET',
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`admin ${method} ${path}: ${res.statusCode} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export const addFault = (base: string, rule: Record<string, unknown>) => admin(base, 'POST', '/_sim/faults', rule);
export const calls = async (
  base: string,
  action?: string,
): Promise<
  Array<{ action: string; status: number; code?: string; outcome: string; requestId: string; clientToken?: string }>
> => (await admin(base, 'GET', `/_sim/calls${action ? `?action=${action}` : ''}`)).entries;

// ------------------------------------------------------------------ assertions

/** Awaits a rejection that must be a ProviderError and returns it. */
export async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isProviderError(error))
    throw new Error(`expected a ProviderError, got ${error === undefined ? 'success' : String(error)}`);
  return error;
}

/** The fields a classification test compares. */
export function classified(e: ProviderError) {
  return { code: e.code, httpStatus: e.httpStatus, disposition: e.disposition, failureType: e.failureType };
}

export function expectRequestId(e: ProviderError): void {
  expect(e.requestId).toMatch(/^[0-9A-Fa-f-]{16,}$/);
}
