// The physical model the benchmark runs in: fixed provider timings, the limit they put on any client, and the
// simulated world (groups, pools and backends) every scenario starts from.
import { DEFAULT_ALIBABA_CREDENTIAL, DEFAULT_HUAWEI_CREDENTIAL } from '../src/simulator/index.js';

/** Provider timings (ms): add-call latency L, group Configuring time C after a change, server settle time S. */
export const MODEL = { addLatencyMs: 50, configuringMs: 500, settleMs: 1000 } as const;
/** The poll interval of lbflow's waits and of the baseline script's sleep-and-poll loop. */
export const POLL_SECONDS = 0.1;
export const PER_CALL = 200;

export type BenchProvider = 'alibaba-gwlb' | 'huawei-elb';

/**
 * The least wall time any client needs to add `perGroup` servers to each of its groups (groups in parallel) in
 * `calls` adds per group: an Alibaba group takes no change while Configuring, so each add costs L + C; a Huawei
 * pool takes the next batch as soon as the last is answered (L); then the last servers settle once (S).
 */
export function limitMs(provider: BenchProvider, calls: number): number {
  const perCall = provider === 'alibaba-gwlb' ? MODEL.addLatencyMs + MODEL.configuringMs : MODEL.addLatencyMs;
  return calls * perCall + MODEL.settleMs;
}

/** `warmGroup` / `warmPool`: where each row's worker warms up before its measured run (bench/run.ts `warmUp`). */
export const ALIBABA = {
  region: 'cn-hangzhou',
  vpc: 'vpc-bench0000',
  scaleGroup: 'sgp-benchscale0000',
  busyGroup: 'sgp-benchbusy0000',
  warmGroup: 'sgp-benchwarm0000',
} as const;
export const alibabaGroup = (g: number) => `sgp-benchgroup${String(g).padStart(4, '0')}`;

export const HUAWEI = {
  region: 'cn-north-4',
  project: 'b0e5c1a2d3f40000a1b2c3d4e5f60718',
  subnet: '7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d0001',
  scalePool: '7c1e2d3f-4a5b-4c6d-8e9f-1a1b2c3d0000',
  warmPool: '7c1e2d3f-4a5b-4c6d-8e9f-3a1b2c3d0000',
} as const;
export const huaweiPool = (g: number) => `7c1e2d3f-4a5b-4c6d-8e9f-2a1b${String(g).padStart(8, '0')}`;

/** Servers 0…count-1 of block `block`: Alibaba Ip targets 10.<block>.x.y (distinct per group), Huawei members of the ECS inventory. */
export function alibabaServers(count: number, block: number) {
  return Array.from({ length: count }, (_, i) => {
    const ip = `10.${block}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    return { serverId: ip, serverType: 'Ip', serverIp: ip, port: 6081 };
  });
}
export function huaweiServers(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    address: `10.200.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    protocolPort: 80,
    subnetCidrId: HUAWEI.subnet,
  }));
}

/**
 * The world: the providers' flow control and API rations are off (`apiLimits: {}`: the limit above is about settle
 * times, not rate caps; the simulators' documented rations are for the budget scenario), the
 * timings are the model's, every add answers L late, quotas are raised so 10,000 servers fit in one group (Alibaba
 * allows 1,000 at most even after a quota increase: 10,000 is a scale test of lbflow itself).
 */
export function benchWorld(groups: number) {
  const add = (action: string) => ({ action, effect: 'latency', latencyMs: MODEL.addLatencyMs });
  const aliGroup = (id: string, serversPerGroup: number) => ({
    id,
    type: 'Ip',
    vpcId: ALIBABA.vpc,
    quotas: { serversPerGroup, serversPerGroupPerZone: serversPerGroup },
  });
  const hwPool = (id: string, n: number) => ({
    id,
    name: `bench-${n}`,
    loadBalancerId: 'lb-bench',
    protocol: 'TCP',
    healthMonitorId: `hm-bench-${n}`,
  });
  return {
    alibaba: {
      credentials: [{ ...DEFAULT_ALIBABA_CREDENTIAL }],
      rateLimit: { requestsPerSecond: 0, burst: 1 },
      apiLimits: {},
      timings: { configuringMs: MODEL.configuringMs, addingMs: MODEL.settleMs, removingMs: MODEL.settleMs },
      quotas: { serversPerGroup: 1000, serversPerGroupPerZone: 1000 },
      faults: { rules: [add('AddServersToServerGroup')] },
      regions: [
        {
          id: ALIBABA.region,
          zones: ['cn-hangzhou-h'],
          vpcs: [{ id: ALIBABA.vpc, cidr: '10.0.0.0/8' }],
          serverGroups: [
            aliGroup(ALIBABA.scaleGroup, 10_000),
            aliGroup(ALIBABA.busyGroup, 1000),
            aliGroup(ALIBABA.warmGroup, 1000),
            ...Array.from({ length: groups }, (_, g) => aliGroup(alibabaGroup(g), 1000)),
          ],
        },
      ],
    },
    huawei: {
      credentials: [{ ...DEFAULT_HUAWEI_CREDENTIAL }],
      rateLimit: { requestsPerSecond: 0, burst: 1 },
      apiLimits: {},
      timings: { initialMs: MODEL.settleMs },
      quotas: { membersPerPool: 10_000, members: 1_000_000 },
      faults: { rules: [add('BatchCreateMembers')] },
      projects: [
        {
          id: HUAWEI.project,
          region: HUAWEI.region,
          availabilityZones: ['cn-north-4a'],
          vpcs: [{ id: 'vpc-bench', cidr: '10.0.0.0/8' }],
          subnets: [{ id: HUAWEI.subnet, vpcId: 'vpc-bench', cidr: '10.0.0.0/8' }],
          loadBalancers: [
            {
              id: 'lb-bench',
              name: 'bench',
              vpcId: 'vpc-bench',
              vipSubnetId: HUAWEI.subnet,
              vipAddress: '10.255.255.1',
              availabilityZones: ['cn-north-4a'],
            },
          ],
          pools: [
            hwPool(HUAWEI.scalePool, 0),
            hwPool(HUAWEI.warmPool, 9999),
            ...Array.from({ length: groups }, (_, g) => hwPool(huaweiPool(g), g + 1)),
          ],
          serverRanges: [
            {
              idPrefix: 'ecs-bench-',
              count: 10_000,
              digits: 5,
              subnetId: HUAWEI.subnet,
              firstIp: '10.200.0.1',
              perBlock: 250,
            },
          ],
        },
      ],
    },
  };
}

export function alibabaRequest(serverGroupId: string, servers: unknown[], options: Record<string, unknown>) {
  return { provider: 'alibaba-gwlb', region: ALIBABA.region, serverGroupId, servers, options };
}
export function huaweiRequest(poolId: string, servers: unknown[], options: Record<string, unknown>) {
  return { provider: 'huawei-elb', region: HUAWEI.region, projectId: HUAWEI.project, poolId, servers, options };
}
