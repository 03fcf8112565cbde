// Shared pieces of the integration tier: the Temporal dev server, a world with fast settle times, requests,
// identity keys, and the simulators' own account of the world (admin API over HTTP) and of the calls they took.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/domain/names.js';
import { DEFAULT_WORLD, raiseMembersPerPool, type CallEntry, type WorldInput } from '../../src/simulator/index.js';
import { devServerExecutable } from '../setup/servers.js';

/** Settle times short enough for a 2-core machine, long enough that every wait polls at least once. */
export const FAST_TIMINGS = {
  alibaba: { configuringMs: 200, addingMs: 300, removingMs: 300 },
  huawei: { initialMs: 300 },
} as const;

/** An Ip-type Alibaba group with its quotas raised to 10,000 (the default world's inventory stops at 1,200 ECS). */
export const ALIBABA_BIG_GROUP = 'sgp-lbflowintegration0';

/**
 * The provisioned dev server with lbflow's search attributes; `extraArgs` go to `temporal server start-dev`.
 * Outside vitest (scripts), pass `executable` from scripts/temporal-servers.mjs.
 */
export async function startDevServer(
  extraArgs: string[] = [],
  executable = devServerExecutable(),
): Promise<TestWorkflowEnvironment> {
  const started = performance.now();
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable, searchAttributes: SEARCH_ATTRIBUTE_KEYS, extraArgs },
  });
  console.log(`dev server ready in ${Math.round(performance.now() - started)} ms`);
  return env;
}

interface WorldShape {
  alibaba: {
    timings: Record<string, number>;
    regions: { vpcs: { id: string }[]; serverGroups: Record<string, unknown>[] }[];
  };
  huawei: {
    timings: Record<string, number>;
    projects: NonNullable<NonNullable<WorldInput['huawei']>['projects']>;
  };
}

/**
 * The default world with fast settle times (or `timings`), the Huawei project's members_per_pool quota raised to
 * 1,000 (the quota-hit pool filled to it), and one extra Ip-type Alibaba group with room for 10,000 servers.
 */
export function integrationWorld(
  timings: { alibaba?: Record<string, number>; huawei?: Record<string, number> } = {},
): WorldInput {
  const world = structuredClone(DEFAULT_WORLD) as unknown as WorldShape;
  world.alibaba.timings = { ...FAST_TIMINGS.alibaba, ...timings.alibaba };
  world.huawei.timings = { ...FAST_TIMINGS.huawei, ...timings.huawei };
  const region = world.alibaba.regions[0]!;
  region.serverGroups.push({
    id: ALIBABA_BIG_GROUP,
    name: 'integration-big',
    type: 'Ip',
    vpcId: region.vpcs[0]!.id,
    quotas: { serversPerGroup: 10_000, serversPerGroupPerZone: 10_000 },
  });
  raiseMembersPerPool(world.huawei.projects[0]!, 1000);
  return world as unknown as WorldInput;
}

export { alibabaRequest, huaweiRequest } from '../workflows/harness.js';

/** Ip-type servers 10.20.x.y for ALIBABA_BIG_GROUP. */
export function alibabaIpServers(count: number, first = 0) {
  return Array.from({ length: count }, (_, n) => {
    const i = first + n;
    const ip = `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    return { serverId: ip, serverType: 'Ip', serverIp: ip, port: 6081 };
  });
}

/** The domain's identity keys, spelled out independently here: `Type:id:port` and `address:port`. */
export const alibabaKey = (s: { serverType: string; serverId: string; port?: number }) =>
  `${s.serverType}:${s.serverId}:${s.port ?? 6081}`;
export const huaweiKey = (s: { address: string; protocolPort: number }) => `${s.address}:${s.protocolPort}`;

async function adminGet<T>(baseUrl: string, path: string): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface AlibabaState {
  serverGroups: {
    id: string;
    status: string;
    servers: { serverId: string; serverType: string; port: number; status: string }[];
  }[];
}
interface HuaweiState {
  projects: {
    id: string;
    pools: { id: string; members: { address: string; protocol_port: number; operating_status: string }[] }[];
  }[];
}

/** One Alibaba group as the simulator holds it (`GET /_sim/state`): every member's key and status, in the simulator's order. */
export async function alibabaGroupState(baseUrl: string, groupId: string) {
  const state = await adminGet<AlibabaState>(baseUrl, '/_sim/state');
  const group = state.serverGroups.find((g) => g.id === groupId);
  if (!group) throw new Error(`no group ${groupId} in the simulator`);
  return { status: group.status, members: group.servers.map((s) => ({ key: alibabaKey(s), status: s.status })) };
}

/** One Huawei pool as the simulator holds it (`GET /_sim/state`). */
export async function huaweiPoolState(baseUrl: string, poolId: string) {
  const state = await adminGet<HuaweiState>(baseUrl, '/_sim/state');
  const pool = state.projects.flatMap((p) => p.pools).find((p) => p.id === poolId);
  if (!pool) throw new Error(`no pool ${poolId} in the simulator`);
  return { members: pool.members.map((m) => ({ key: `${m.address}:${m.protocol_port}`, status: m.operating_status })) };
}

export interface CallsAnswer {
  counts: {
    total: number;
    byAction: Record<string, { calls: number; byStatus: Record<string, number>; byOutcome: Record<string, number> }>;
    byClientToken: Record<
      string,
      { action: string; calls: number; committed: number; replayed: number; rejected: number }
    >;
  };
  entries: CallEntry[];
}

/** The call log over the admin API (`GET /_sim/calls`): counts, and the newest entries of `action`. */
export function callLog(baseUrl: string, action?: string): Promise<CallsAnswer> {
  return adminGet<CallsAnswer>(
    baseUrl,
    `/_sim/calls?limit=10000${action ? `&action=${encodeURIComponent(action)}` : ''}`,
  );
}

/** ClientTokens of one action, with how many calls committed a change under each. */
export function tokensOf(calls: CallsAnswer, action = 'AddServersToServerGroup') {
  return Object.entries(calls.counts.byClientToken)
    .filter(([, t]) => t.action === action)
    .map(([token, t]) => ({ token, ...t }));
}

export const sorted = (keys: Iterable<string>) => [...keys].sort();
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
