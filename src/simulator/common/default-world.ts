// The built-in world that `npm run sim` serves: enough for lbflow's demo and tests without a world file.
//
// Alibaba (region cn-hangzhou, VPC vpc-bp1simulator0000 192.168.0.0/16, zones h/i/j/k):
//   sgp-atstuj3rtoptyui0000  the demo group: quotas raised to 1000 per group and 300 per zone, so 1,000 ECS
//                            instances go in (5 calls of 200); inventory i-bp67acfmxazb4p0000…1199 with IPs
//                            192.168.{⌊i/250⌋}.{i%250+1}, zones in turn.
//   sgp-atstuj3rtoptyui0001  default quotas (300 per group, 100 per zone), Instance type.
//   sgp-atstuj3rtoptyui0002  Ip type, default quotas.
//   sgp-atstuj3rtoptyui0003  Ip type, quota hit: 300 of 300 servers already.
//   sgp-atstuj3rtoptyui0004  Instance type with connection draining (10 s).
// Huawei (project 04dd36f964000fe22f9ac00bc85b1a1d, region cn-north-4, subnet 61da8098-… 192.168.0.0/16):
//   pool 04a9bc65-b75b-478d-b4d6-e693bb61dd35  TCP, health monitor: members settle INITIAL → ONLINE; the demo
//                                              adds 300 members; ECS inventory 192.168.{⌊i/250⌋}.{i%250+1}
//                                              (every 50th server is down, so some members go OFFLINE).
//   pool 5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0001  HTTP, no health monitor: NO_MONITOR.
//   pool 5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0002  TCP, quota hit: members_per_pool 20, 20 members already.
//   pool 5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0003  TCP on a load balancer with ip_target_enable: IP-type members.
//   pool 5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0004  IP protocol (gateway load balancer): protocol_port 0.
import type { WorldInput } from './world.js';

export const DEFAULT_ALIBABA_REGION = 'cn-hangzhou';
export const DEFAULT_ALIBABA_CREDENTIAL = {
  accessKeyId: 'LTAI5tSimulatorDemoKey01',
  accessKeySecret: 'simulator-demo-secret-0001',
} as const;
export const DEFAULT_HUAWEI_PROJECT = '04dd36f964000fe22f9ac00bc85b1a1d';
export const DEFAULT_HUAWEI_CREDENTIAL = {
  accessKey: 'HWSIMULATORDEMOAK0001',
  secretKey: 'simulator-demo-sk-0001',
} as const;
export const DEFAULT_HUAWEI_TOKEN = 'MIIsimulator-demo-iam-token-0001';
/** The RAM role attached to the simulated ECS instance (what `ALIBABA_CLOUD_ECS_METADATA` names). */
export const DEFAULT_ALIBABA_ECS_ROLE = 'lbflow-worker';
/** A role the STS stand-in lets any key of the world assume, and an OIDC provider (ACK RRSA) trusted for it. */
export const DEFAULT_ALIBABA_ROLE_ARN = 'acs:ram::1234567890123456:role/lbflow-operator';
export const DEFAULT_ALIBABA_OIDC_PROVIDER_ARN = 'acs:ram::1234567890123456:oidc-provider/ack-rrsa-simulator';
/** What an RRSA token file holds (a JWT in real life; the stand-in compares it as it is). */
export const DEFAULT_ALIBABA_OIDC_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.simulator-rrsa-token.c2lnbmF0dXJl';
/** The agency attached to the simulated Huawei ECS instance (its metadata securitykey hands out its keys). */
export const DEFAULT_HUAWEI_AGENCY = 'lbflow-worker-agency';

/** The Huawei pool that is full: it holds as many members as its project's members_per_pool quota allows. */
export const DEFAULT_HUAWEI_FULL_POOL = '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0002';

const VPC = 'vpc-bp1simulator0000';
const ZONES = ['cn-hangzhou-h', 'cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k'];

const HW_VPC = 'a5d9b3f8-6f0e-4b5e-9f57-3c1d2b0e0001';
const HW_SUBNET = '61da8098-954b-4809-bc5a-b99ccef8a398';
const HW_SUBNET_B = '61da8098-954b-4809-bc5a-b99ccef80002';
const HW_LB = '2f1e4c6b-7d3a-4e2f-8b9c-0a1b2c3d0001';
const HW_LB_IP_TARGET = '2f1e4c6b-7d3a-4e2f-8b9c-0a1b2c3d0002';
const HW_LB_GATEWAY = '2f1e4c6b-7d3a-4e2f-8b9c-0a1b2c3d0003';

export const DEFAULT_WORLD: WorldInput = {
  alibaba: {
    credentials: [
      { ...DEFAULT_ALIBABA_CREDENTIAL },
      {
        accessKeyId: 'STS.NSimulatorDemoKey01',
        accessKeySecret: 'simulator-demo-sts-secret-0001',
        securityToken: 'CAISsimulator-demo-security-token-0001',
      },
      { accessKeyId: 'LTAI5tSimulatorDisabled1', accessKeySecret: 'simulator-disabled-secret', disabled: true },
    ],
    identity: {
      ecsRoles: [DEFAULT_ALIBABA_ECS_ROLE],
      roles: [
        {
          arn: DEFAULT_ALIBABA_ROLE_ARN,
          oidc: { providerArn: DEFAULT_ALIBABA_OIDC_PROVIDER_ARN, tokens: [DEFAULT_ALIBABA_OIDC_TOKEN] },
        },
      ],
      keyLifetimeMs: 3600 * 1000,
    },
    rateLimit: { requestsPerSecond: 200, burst: 400 },
    timings: { configuringMs: 1000, addingMs: 1000, removingMs: 1000 },
    quotas: { serversPerGroup: 300, serversPerGroupPerZone: 100 },
    regions: [
      {
        id: DEFAULT_ALIBABA_REGION,
        zones: ZONES,
        vpcs: [
          { id: VPC, cidr: '192.168.0.0/16' },
          { id: 'vpc-bp1othervpc0000', cidr: '172.16.0.0/16' },
        ],
        loadBalancers: [{ id: 'gwlb-bp1simulator0000', vpcId: VPC, ips: ['192.168.250.10', '192.168.250.11'] }],
        ecsRanges: [
          {
            idPrefix: 'i-bp67acfmxazb4p',
            count: 1200,
            digits: 4,
            vpcId: VPC,
            zones: ZONES,
            firstIp: '192.168.0.1',
            perBlock: 250,
          },
        ],
        ecs: [
          { id: 'i-bp1othervpc0001', vpcId: 'vpc-bp1othervpc0000', zoneId: 'cn-hangzhou-h', ips: ['172.16.0.11'] },
          {
            id: 'i-bp1classic00001',
            vpcId: VPC,
            zoneId: 'cn-hangzhou-h',
            ips: ['192.168.251.11'],
            networkType: 'classic',
          },
        ],
        enis: [
          { id: 'eni-bp1simulator0001', vpcId: VPC, zoneId: 'cn-hangzhou-h', ips: ['192.168.252.1'], status: 'InUse' },
          {
            id: 'eni-bp1simulator0002',
            vpcId: VPC,
            zoneId: 'cn-hangzhou-i',
            ips: ['192.168.252.2'],
            status: 'Available',
          },
          {
            id: 'eni-bp1attaching0001',
            vpcId: VPC,
            zoneId: 'cn-hangzhou-h',
            ips: ['192.168.252.3'],
            status: 'Attaching',
          },
          {
            id: 'eni-bp1gwlbowned0001',
            vpcId: VPC,
            zoneId: 'cn-hangzhou-h',
            ips: ['192.168.250.10'],
            status: 'InUse',
            usedByLoadBalancerId: 'gwlb-bp1simulator0000',
          },
        ],
        ecis: [
          { id: 'eci-bp1simulator0001', vpcId: VPC, zoneId: 'cn-hangzhou-j', ip: '192.168.253.1' },
          { id: 'eci-bp1simulator0002', vpcId: VPC, zoneId: 'cn-hangzhou-k', ip: '192.168.253.2' },
        ],
        serverGroups: [
          {
            id: 'sgp-atstuj3rtoptyui0000',
            name: 'lbflow-demo',
            vpcId: VPC,
            quotas: { serversPerGroup: 1000, serversPerGroupPerZone: 300 },
            relatedLoadBalancerIds: ['gwlb-bp1simulator0000'],
            tags: [{ key: 'app', value: 'lbflow-demo' }],
          },
          { id: 'sgp-atstuj3rtoptyui0001', name: 'default-quotas', vpcId: VPC },
          { id: 'sgp-atstuj3rtoptyui0002', name: 'ip-targets', type: 'Ip', vpcId: VPC },
          {
            id: 'sgp-atstuj3rtoptyui0003',
            name: 'quota-hit',
            type: 'Ip',
            vpcId: VPC,
            serverRanges: [{ serverType: 'Ip', count: 300, firstIp: '10.3.0.1', perBlock: 250 }],
          },
          {
            id: 'sgp-atstuj3rtoptyui0004',
            name: 'draining',
            vpcId: VPC,
            connectionDrain: { enabled: true, timeoutSeconds: 10 },
          },
        ],
      },
    ],
  },
  huawei: {
    credentials: [{ ...DEFAULT_HUAWEI_CREDENTIAL }],
    metadata: { agency: DEFAULT_HUAWEI_AGENCY, keyLifetimeMs: 24 * 3600 * 1000 },
    tokens: [{ name: 'demo-token', token: DEFAULT_HUAWEI_TOKEN, projectId: DEFAULT_HUAWEI_PROJECT }],
    rateLimit: { requestsPerSecond: 200, burst: 200 },
    timings: { initialMs: 1000 },
    quotas: { membersPerPool: 500, members: 10_000 },
    projects: [
      {
        id: DEFAULT_HUAWEI_PROJECT,
        region: 'cn-north-4',
        availabilityZones: ['cn-north-4a', 'cn-north-4b', 'cn-north-4c'],
        vpcs: [{ id: HW_VPC, cidr: '192.168.0.0/16' }],
        subnets: [
          { id: HW_SUBNET, vpcId: HW_VPC, cidr: '192.168.0.0/17' },
          { id: HW_SUBNET_B, vpcId: HW_VPC, cidr: '192.168.128.0/17' },
        ],
        loadBalancers: [
          {
            id: HW_LB,
            name: 'lbflow-demo',
            vpcId: HW_VPC,
            vipSubnetId: HW_SUBNET_B,
            vipAddress: '192.168.200.10',
            availabilityZones: ['cn-north-4a'],
          },
          {
            id: HW_LB_IP_TARGET,
            name: 'ip-targets',
            vpcId: HW_VPC,
            vipSubnetId: HW_SUBNET_B,
            vipAddress: '192.168.200.11',
            ipTargetEnable: true,
          },
          { id: HW_LB_GATEWAY, name: 'gateway', vpcId: HW_VPC, vipSubnetId: HW_SUBNET_B, vipAddress: '192.168.200.12' },
        ],
        pools: [
          {
            id: '04a9bc65-b75b-478d-b4d6-e693bb61dd35',
            name: 'lbflow-demo',
            loadBalancerId: HW_LB,
            protocol: 'TCP',
            healthMonitorId: 'c2b0f5a1-1d2e-4f3a-9b8c-7d6e5f4a0001',
          },
          { id: '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0001', name: 'no-monitor', loadBalancerId: HW_LB, protocol: 'HTTP' },
          {
            id: DEFAULT_HUAWEI_FULL_POOL,
            name: 'quota-hit',
            loadBalancerId: HW_LB,
            protocol: 'TCP',
            // Full: as many members as the project's members_per_pool quota allows (quotas are per project).
            memberRanges: [{ count: 500, firstIp: '192.168.100.1', protocolPort: 80, subnetId: HW_SUBNET }],
          },
          {
            id: '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0003',
            name: 'ip-targets',
            loadBalancerId: HW_LB_IP_TARGET,
            protocol: 'TCP',
            healthMonitorId: 'c2b0f5a1-1d2e-4f3a-9b8c-7d6e5f4a0003',
          },
          {
            id: '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0004',
            name: 'gateway',
            loadBalancerId: HW_LB_GATEWAY,
            protocol: 'IP',
            lbAlgorithm: '5_TUPLE_HASH',
          },
        ],
        serverRanges: [
          {
            idPrefix: 'ecs-simulator-',
            count: 1200,
            digits: 4,
            subnetId: HW_SUBNET,
            firstIp: '192.168.0.1',
            perBlock: 250,
            downEvery: 50,
          },
        ],
        servers: [{ id: 'ecs-simulator-vip-b', address: '192.168.130.5', subnetId: HW_SUBNET_B }],
        downAddresses: ['10.9.9.9'],
      },
    ],
  },
};

/**
 * Raises a project of the default world (or a copy of it) to `quota` members per pool and fills its full pool to
 * the new quota, so that pool stays full: quotas are per project, so raising one raises them for every pool.
 */
export function raiseMembersPerPool(
  project: { quotas?: object; pools?: ReadonlyArray<{ id?: unknown; memberRanges?: unknown }> },
  quota: number,
): void {
  project.quotas = { ...project.quotas, membersPerPool: quota };
  const ranges = project.pools?.find((p) => p.id === DEFAULT_HUAWEI_FULL_POOL)?.memberRanges as
    { count: number }[] | undefined;
  const range = ranges?.[0];
  if (!range) throw new Error(`the project has no full pool ${DEFAULT_HUAWEI_FULL_POOL} with a member range`);
  range.count = quota;
}
