// The drills' world: the default simulated world with fast settle times, one Ip-type GWLB group and one ELB pool
// big enough for 2,000-server runs, each already holding members lbflow must leave alone; requests for them; and
// the one check of a finished run against what the simulators hold and the calls they logged.
import { AddServersCancelledError, type AddServersHandle } from '../src/client/index.js';
import type { AddServersResult, GroupRef, RunReport } from '../src/domain/index.js';
import { DEFAULT_WORLD, raiseMembersPerPool, type RunningSimulators, type WorldInput } from '../src/simulator/index.js';
import { alibabaGroups, callLog, huaweiPools, sorted, type CallsAnswer, type Member } from './support.js';

export const ALIBABA_GROUP = 'sgp-lbflowdrills0000';
/** The default world's pool without a health monitor (members settle to NO_MONITOR). */
export const HUAWEI_POOL = '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0001';
/** The default world's pool with a health monitor: down backends end OFFLINE (drill 4's stuck servers). */
export const HUAWEI_MONITORED_POOL = '04a9bc65-b75b-478d-b4d6-e693bb61dd35';
export const HUAWEI_PROJECT = '04dd36f964000fe22f9ac00bc85b1a1d';
const HUAWEI_SUBNET = '61da8098-954b-4809-bc5a-b99ccef8a398';
/** Members each group/pool holds before any drill (10.30.0.1–5 Ip; 192.168.120.1–5:8080). */
export const PREEXISTING = 5;

const FAST = { alibaba: { configuringMs: 200, addingMs: 300, removingMs: 300 }, huawei: { initialMs: 300 } };

interface WorldShape {
  alibaba: {
    timings: Record<string, number>;
    regions: { vpcs: { id: string }[]; serverGroups: Record<string, unknown>[] }[];
  };
  huawei: {
    timings: Record<string, number>;
    projects: { pools: Record<string, unknown>[]; serverRanges: Record<string, unknown>[] }[];
  };
}

export function drillWorld(): WorldInput {
  const world = structuredClone(DEFAULT_WORLD) as unknown as WorldShape;
  world.alibaba.timings = { ...FAST.alibaba };
  world.huawei.timings = { ...FAST.huawei };
  const region = world.alibaba.regions[0]!;
  region.serverGroups.push({
    id: ALIBABA_GROUP,
    name: 'drills',
    type: 'Ip',
    vpcId: region.vpcs[0]!.id,
    quotas: { serversPerGroup: 10_000, serversPerGroupPerZone: 10_000 },
    serverRanges: [{ serverType: 'Ip', count: PREEXISTING, firstIp: '10.30.0.1' }],
  });
  const project = world.huawei.projects[0]!;
  // 2,100 more ECS backends, all up, for 2,000-member runs (the default range stops at 1,200).
  project.serverRanges.push({
    idPrefix: 'ecs-drill-',
    count: 2100,
    digits: 4,
    subnetId: HUAWEI_SUBNET,
    firstIp: '192.168.10.1',
    perBlock: 250,
  });
  raiseMembersPerPool(project, 3000);
  for (const pool of project.pools) {
    if (pool.id === HUAWEI_POOL || pool.id === HUAWEI_MONITORED_POOL) {
      pool.memberRanges = [
        { count: PREEXISTING, firstIp: '192.168.120.1', protocolPort: 8080, subnetId: HUAWEI_SUBNET },
      ];
    }
  }
  return world as unknown as WorldInput;
}

export type ProviderName = 'alibaba-gwlb' | 'huawei-elb';

/** Ip servers 10.20.x.y for ALIBABA_GROUP. */
export function alibabaServers(count: number, first = 0) {
  return Array.from({ length: count }, (_, n) => {
    const i = first + n;
    const ip = `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    return { serverId: ip, serverType: 'Ip', serverIp: ip, port: 6081 };
  });
}

/** Members backed by the drill range's ECS servers (all up), port 8080. */
export function huaweiServers(count: number, first = 0) {
  return Array.from({ length: count }, (_, n) => {
    const i = first + n;
    return {
      address: `192.168.${10 + Math.floor(i / 250)}.${(i % 250) + 1}`,
      protocolPort: 8080,
      subnetCidrId: HUAWEI_SUBNET,
    };
  });
}

/** The pre-existing members as request entries (to ask for servers that are already there). */
export const preexisting = {
  alibaba: () =>
    Array.from({ length: PREEXISTING }, (_, i) => ({
      serverId: `10.30.0.${i + 1}`,
      serverType: 'Ip',
      serverIp: `10.30.0.${i + 1}`,
      port: 6081,
    })),
  huawei: () =>
    Array.from({ length: PREEXISTING }, (_, i) => ({
      address: `192.168.120.${i + 1}`,
      protocolPort: 8080,
      subnetCidrId: HUAWEI_SUBNET,
    })),
};

export const keyOf = (provider: ProviderName, s: Record<string, unknown>) =>
  provider === 'alibaba-gwlb'
    ? `${String(s.serverType)}:${String(s.serverId)}:${String(s.port ?? 6081)}`
    : `${String(s.address)}:${String(s.protocolPort)}`;

export function request(
  provider: ProviderName,
  servers: unknown[],
  options: Record<string, unknown> = {},
  target?: string,
) {
  return provider === 'alibaba-gwlb'
    ? {
        provider,
        region: 'cn-hangzhou',
        serverGroupId: target ?? ALIBABA_GROUP,
        servers,
        options: { pollIntervalSeconds: 1, ...options },
      }
    : {
        provider,
        region: 'cn-north-4',
        projectId: HUAWEI_PROJECT,
        poolId: target ?? HUAWEI_POOL,
        servers,
        options: { pollIntervalSeconds: 1, ...options },
      };
}

/** The drills' group (or pool) of a provider, as the coordinator's id names it. */
export function groupOf(provider: ProviderName): GroupRef {
  return provider === 'alibaba-gwlb'
    ? { provider, region: 'cn-hangzhou', serverGroupId: ALIBABA_GROUP }
    : { provider, region: 'cn-north-4', projectId: HUAWEI_PROJECT, poolId: HUAWEI_POOL };
}

export const simUrl = (sims: RunningSimulators, provider: ProviderName) =>
  provider === 'alibaba-gwlb' ? sims.alibaba.url : sims.huawei.url;
export const ADD_ACTION: Record<ProviderName, string> = {
  'alibaba-gwlb': 'AddServersToServerGroup',
  'huawei-elb': 'BatchCreateMembers',
};
export const REMOVE_ACTION: Record<ProviderName, string> = {
  'alibaba-gwlb': 'RemoveServersFromServerGroup',
  'huawei-elb': 'BatchDeleteMembers',
};

export async function membersOf(sims: RunningSimulators, provider: ProviderName, target?: string): Promise<Member[]> {
  const all = provider === 'alibaba-gwlb' ? await alibabaGroups(sims.alibaba.url) : await huaweiPools(sims.huawei.url);
  const id = target ?? (provider === 'alibaba-gwlb' ? ALIBABA_GROUP : HUAWEI_POOL);
  const members = all.get(id);
  if (!members) throw new Error(`no ${id} in the ${provider} simulator`);
  return members;
}

export interface RunCheck {
  duplicates: number;
  lost: number;
  problems: string[];
  calls: CallsAnswer;
}

/**
 * What a group holds at the end against what it should: `before` plus `requested`, each key (and Huawei member id)
 * once, every requested one ready, the members that were there before with their former status.
 */
async function groupAgainst(
  sims: RunningSimulators,
  provider: ProviderName,
  before: Member[],
  requested: ReadonlySet<string>,
) {
  const problems: string[] = [];
  const members = await membersOf(sims, provider);
  const keys = members.map((m) => m.key);
  const unique = new Set(keys);
  let duplicates = keys.length - unique.size;
  if (provider === 'huawei-elb') duplicates += members.length - new Set(members.map((m) => m.id)).size;
  const expected = new Set([...before.map((m) => m.key), ...requested]);
  const lostKeys = [...expected].filter((k) => !unique.has(k));
  const extra = [...unique].filter((k) => !expected.has(k));
  if (extra.length) problems.push(`${extra.length} unexpected members (${extra.slice(0, 3).join(', ')})`);
  const ready = provider === 'alibaba-gwlb' ? ['Available'] : ['NO_MONITOR', 'ONLINE'];
  const notReady = members.filter((m) => requested.has(m.key) && !ready.includes(m.status));
  if (notReady.length)
    problems.push(`${notReady.length} added members not ready (${notReady[0]!.key} ${notReady[0]!.status})`);
  const beforeByKey = new Map(before.map((m) => [m.key, m.status]));
  const touched = members.filter((m) => beforeByKey.has(m.key) && beforeByKey.get(m.key) !== m.status);
  if (touched.length) problems.push(`${touched.length} pre-existing members changed status`);
  const calls = await callLog(simUrl(sims, provider));
  const add = ADD_ACTION[provider];
  // Calls that changed the world, whether or not their answer arrived (commit-then-drop logs `dropped`, committed).
  const applied = calls.entries.filter((e) => e.action === add && e.committed).length;
  const tokens =
    provider === 'alibaba-gwlb' ? Object.values(calls.counts.byClientToken).filter((t) => t.action === add) : [];
  duplicates += tokens.reduce((n, t) => n + Math.max(0, t.committed - 1), 0);
  const removes = calls.counts.byAction[REMOVE_ACTION[provider]]?.calls ?? 0;
  if (removes) problems.push(`${removes} remove calls`);
  return { problems, duplicates, lostKeys, calls, applied, tokens };
}

/**
 * Checks a completed run that added `requested` (new servers, in `chunks` chunks) to a group that held `before`:
 * the group holds exactly before ∪ requested, each key once, every added server ready; each chunk was applied by
 * exactly one provider call (Alibaba: one ClientToken per chunk, committed once; Huawei, which has no token: one
 * batch-add per chunk changed the pool, every retry answered `existed`); the result's `added` is the requested set.
 */
export async function checkCompletedRun(
  sims: RunningSimulators,
  provider: ProviderName,
  o: { requested: string[]; before: Member[]; chunks: number; result: AddServersResult | undefined },
): Promise<RunCheck> {
  const requested = new Set(o.requested);
  const { problems, lostKeys, calls, applied, tokens, ...found } = await groupAgainst(
    sims,
    provider,
    o.before,
    requested,
  );
  let duplicates = found.duplicates;
  const add = ADD_ACTION[provider];
  if (provider === 'alibaba-gwlb') {
    const committedTokens = tokens.filter((t) => t.committed >= 1).length;
    if (committedTokens !== o.chunks) problems.push(`${committedTokens} ClientTokens committed, expected ${o.chunks}`);
  } else if (applied > o.chunks) {
    // A second batch-add that changed the pool for a chunk already created: members created by two calls.
    duplicates += applied - o.chunks;
  }
  if (applied !== o.chunks) problems.push(`${applied} ${add} calls committed a change, expected ${o.chunks}`);

  let lost = lostKeys.length;
  if (!o.result) problems.push('no result');
  else {
    const added = new Set(o.result.added);
    const missing = o.requested.filter((k) => !added.has(k));
    lost = Math.max(lost, missing.length);
    if (missing.length) problems.push(`${missing.length} requested servers missing from result.added`);
    if (o.result.added.length !== added.size) duplicates += o.result.added.length - added.size;
    if (sorted(added).join() !== sorted(requested).join()) problems.push('result.added differs from the requested set');
  }
  if (lostKeys.length)
    problems.push(`${lostKeys.length} servers missing from the group (${lostKeys.slice(0, 3).join(', ')})`);
  if (duplicates) problems.push(`${duplicates} duplicates`);
  return { duplicates, lost, problems, calls };
}

/** The two providers every two-run trial runs, in the order of its handles. */
export const PROVIDERS: ProviderName[] = ['alibaba-gwlb', 'huawei-elb'];

/**
 * Checks a trial's two runs (one per provider, in PROVIDERS order): each settled result against its group, with
 * every problem prefixed by its provider (a failed run's cause included).
 */
export async function checkTrialRuns(
  sims: RunningSimulators,
  results: PromiseSettledResult<AddServersResult>[],
  o: {
    servers: Record<ProviderName, Record<string, unknown>[]>;
    before: Record<ProviderName, Member[]>;
    chunks: number;
  },
): Promise<{ provider: ProviderName; problems: string[]; check: RunCheck }[]> {
  const out = [];
  for (const [i, p] of PROVIDERS.entries()) {
    const outcome = results[i]!;
    const problems: string[] = [];
    if (outcome.status === 'rejected')
      problems.push(`${p}: ${String((outcome.reason as Error)?.cause ?? outcome.reason)}`);
    const check = await checkCompletedRun(sims, p, {
      requested: o.servers[p].map((s) => keyOf(p, s)),
      before: o.before[p],
      chunks: o.chunks,
      result: outcome.status === 'fulfilled' ? outcome.value : undefined,
    });
    problems.push(...check.problems.map((x) => `${p}: ${x}`));
    out.push({ provider: p, problems, check });
  }
  return out;
}

/** One request of a shared-group trial: the keys it asked for and how it ended. */
export interface GroupRun {
  readonly keys: string[];
  readonly outcome: PromiseSettledResult<AddServersResult>;
}

/**
 * Checks requests that shared one group and all completed: the group holds exactly `before` plus every requested
 * key, each once, every requested one ready, pre-existing members untouched, nothing removed; each request reports
 * each of its keys exactly once (added or already present), and no key is reported added by two requests; on
 * Alibaba no ClientToken was committed twice. The figure it answers: the add calls that changed the group.
 */
export async function checkGroupRuns(
  sims: RunningSimulators,
  provider: ProviderName,
  o: { runs: GroupRun[]; before: Member[] },
): Promise<RunCheck & { applied: number }> {
  const requested = new Set(o.runs.flatMap((r) => r.keys));
  const { problems, lostKeys, calls, applied, ...found } = await groupAgainst(sims, provider, o.before, requested);
  let duplicates = found.duplicates;

  let lost = lostKeys.length;
  const addedBy = new Map<string, number>();
  for (const [n, run] of o.runs.entries()) {
    if (run.outcome.status === 'rejected') {
      problems.push(`request ${n}: ${String((run.outcome.reason as Error)?.cause ?? run.outcome.reason)}`);
      lost = Math.max(lost, run.keys.length);
      continue;
    }
    const { added, alreadyPresent } = run.outcome.value;
    for (const k of added) addedBy.set(k, (addedBy.get(k) ?? 0) + 1);
    const reported = [...added, ...alreadyPresent];
    const said = new Set(reported);
    if (said.size !== reported.length) duplicates += reported.length - said.size;
    const missing = run.keys.filter((k) => !said.has(k));
    if (missing.length) {
      problems.push(`request ${n}: ${missing.length} of its servers in neither added nor alreadyPresent`);
      lost = Math.max(lost, missing.length);
    }
  }
  const twice = [...addedBy.values()].filter((c) => c > 1).length;
  if (twice) problems.push(`${twice} servers reported added by two requests`);
  duplicates += twice;
  if (lostKeys.length)
    problems.push(`${lostKeys.length} servers missing from the group (${lostKeys.slice(0, 3).join(', ')})`);
  if (duplicates) problems.push(`${duplicates} duplicates`);
  return { duplicates, lost, problems, calls, applied };
}

/** How a request ended: its result, a cancelled run's report, or the error it failed with. */
export interface Ended {
  result?: AddServersResult;
  report?: Partial<RunReport>;
  error?: string;
}

export async function ending(handle: AddServersHandle): Promise<Ended> {
  try {
    return { result: await handle.result() };
  } catch (error) {
    if (error instanceof AddServersCancelledError) return { report: error.details ?? {} };
    return { error: String((error as Error)?.cause ?? error) };
  }
}

/**
 * What a group holds twice, and what was added twice: a key (or Huawei member id) listed twice, and (Alibaba) a
 * ClientToken committed more than once.
 */
export function groupDuplicates(provider: ProviderName, members: readonly Member[], log: CallsAnswer): number {
  const keys = members.map((m) => m.key);
  let dup = keys.length - new Set(keys).size;
  if (provider === 'huawei-elb') dup += members.length - new Set(members.map((m) => m.id)).size;
  if (provider === 'alibaba-gwlb')
    dup += Object.values(log.counts.byClientToken)
      .filter((t) => t.action === ADD_ACTION[provider])
      .reduce((n, t) => n + Math.max(0, t.committed - 1), 0);
  return dup;
}
