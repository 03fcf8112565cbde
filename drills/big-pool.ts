// Drill 14: a big pool. One Huawei pool (no health monitor) already holding `preexisting` members takes `requests`
// requests of `size` new members each at once (quotas raised), so it ends at preexisting + requests × size members
// (full size: 10,000 + 30 × 3,000 = 100,000). Two workers. The evidence:
//   the requests: each completes, reporting every one of its members added, the pool holding each member once;
//   payloads: the largest payload in any history of the trial (a signal, an activity's input or result, a marker, a
//     continue-as-new input), with where it was; aim ≤ 1 MB;
//   runs: the coordinator's runs, and the largest by events and by bytes (Temporal's own count); aims ≤ 10,240
//     events and ≤ 10 MB, Temporal's warning limits.
import type { temporal } from '@temporalio/proto';
import { startAddServers } from '../src/client/index.js';
import type { AddServersResult } from '../src/domain/index.js';
import { coordinatorWorkflowId } from '../src/registry/index.js';
import type { WorldInput } from '../src/simulator/index.js';
import {
  retireCoordinators,
  seconds,
  simulators,
  startWorker,
  type DrillContext,
  type DrillReport,
  type WorkerProcess,
} from './support.js';
import { drillWorld, HUAWEI_POOL, HUAWEI_PROJECT, membersOf, request } from './world.js';

export interface BigPoolOptions {
  readonly preexisting: number;
  readonly requests: number;
  readonly size: number;
}

const SUBNET = '61da8098-954b-4809-bc5a-b99ccef8a398';
const MB = 1_000_000;

/** Request `r`'s members: `size` ECS addresses from 192.168.100.1 on port 8100 + r (30 ports × 3,000 addresses). */
function membersOfRequest(r: number, size: number) {
  return Array.from({ length: size }, (_, i) => ({
    address: `192.168.${100 + Math.floor(i / 250)}.${(i % 250) + 1}`,
    protocolPort: 8100 + r,
    subnetCidrId: SUBNET,
  }));
}

/**
 * The drills' world with the pool holding `preexisting` members (192.168.200.1…, port 8080), room for many more, and
 * `servers` ECS backends (all up) from 192.168.100.1 for the requests' members.
 */
function bigWorld(preexisting: number, servers: number): WorldInput {
  const world = drillWorld() as unknown as {
    huawei: {
      projects: { quotas?: object; pools: { id: string; memberRanges?: unknown[] }[]; serverRanges: unknown[] }[];
    };
  };
  const project = world.huawei.projects[0]!;
  project.serverRanges.push({
    idPrefix: 'ecs-big-',
    count: servers,
    digits: 5,
    subnetId: SUBNET,
    firstIp: '192.168.100.1',
    perBlock: 250,
  });
  project.quotas = { ...project.quotas, membersPerPool: 1_000_000, members: 10_000_000 };
  const pool = project.pools.find((p) => p.id === HUAWEI_POOL)!;
  pool.memberRanges = [
    { count: preexisting, firstIp: '192.168.200.1', perBlock: 250, protocolPort: 8080, subnetId: SUBNET },
  ];
  return world as unknown as WorldInput;
}

interface Largest {
  bytes: number;
  where: string;
}

/** Every payload of a history, with the event it is in. */
function payloadsOf(history: temporal.api.history.v1.IHistory, name: string): Largest[] {
  const out: Largest[] = [];
  const walk = (value: unknown, where: string) => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) walk(v, where);
      return;
    }
    const record = value as Record<string, unknown>;
    if (record.data instanceof Uint8Array && 'metadata' in record) {
      out.push({ bytes: record.data.length, where });
      return;
    }
    for (const [key, v] of Object.entries(record)) walk(v, key.endsWith('Attributes') ? `${where} ${key}` : where);
  };
  for (const e of history.events ?? []) walk(e, `${name}#${String(e.eventId)}`);
  return out;
}

/** A run's history one event a page: a page of several events of a big run passes gRPC's 4 MB message limit. */
async function historyOf(
  ctx: DrillContext,
  workflowId: string,
  runId: string,
): Promise<temporal.api.history.v1.IHistory> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await ctx.client.workflowService.getWorkflowExecutionHistory({
      namespace: ctx.client.options.namespace,
      execution: { workflowId, runId },
      maximumPageSize: 1,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return { events };
}

export async function bigPool(ctx: DrillContext, o: BigPoolOptions): Promise<DrillReport> {
  const sims = await simulators(bigWorld(o.preexisting, o.size));
  const failures: string[] = [];
  let duplicates = 0;
  let lost = 0;
  const problems: string[] = [];
  const taskQueue = `drill-big-${crypto.randomUUID()}`;
  const workers: WorkerProcess[] = await Promise.all(
    [0, 1].map(() => startWorker({ temporal: ctx.temporal, taskQueue, bundlePath: ctx.bundlePath, sims })),
  );
  let wall = 0;
  let largest: Largest = { bytes: 0, where: 'none' };
  let largestSignal: Largest = { bytes: 0, where: 'none' };
  let runs: { runId: string; events: number; bytes: number }[] = [];
  let completed = 0;
  let held = 0;
  try {
    const t0 = performance.now();
    const handles = await Promise.all(
      Array.from({ length: o.requests }, (_, r) =>
        startAddServers(ctx.client, request('huawei-elb', membersOfRequest(r, o.size)) as never, {
          taskQueue,
          requestKey: `drill-big-${r}-${crypto.randomUUID()}`,
        }),
      ),
    );
    const ended = await Promise.allSettled(handles.map((h) => h.result() as Promise<AddServersResult>));
    wall = performance.now() - t0;
    for (const [r, end] of ended.entries()) {
      if (end.status === 'rejected') {
        problems.push(`request ${r}: ${String((end.reason as Error)?.cause ?? end.reason).slice(0, 200)}`);
        lost += o.size;
        continue;
      }
      completed++;
      const added = new Set(end.value.added);
      const missing = membersOfRequest(r, o.size).filter((m) => !added.has(`${m.address}:${m.protocolPort}`));
      if (missing.length) {
        problems.push(`request ${r}: ${missing.length} members not reported added`);
        lost += missing.length;
      }
    }
    const members = await membersOf(sims, 'huawei-elb');
    const keys = members.map((m) => m.key);
    duplicates += keys.length - new Set(keys).size + (members.length - new Set(members.map((m) => m.id)).size);
    held = new Set(keys).size;
    const expected = o.preexisting + o.requests * o.size;
    if (held !== expected) problems.push(`the pool holds ${held} members, expected ${expected}`);

    // Every history of the trial: the coordinator's runs and the requests.
    const coordinatorId = coordinatorWorkflowId({
      provider: 'huawei-elb',
      region: 'cn-north-4',
      projectId: HUAWEI_PROJECT,
      poolId: HUAWEI_POOL,
    } as never);
    const all: Largest[] = [];
    for await (const w of ctx.client.workflow.list({ query: `WorkflowId = '${coordinatorId}'` })) {
      const handle = ctx.client.workflow.getHandle(w.workflowId, w.runId);
      const d = await handle.describe();
      runs.push({
        runId: w.runId,
        events: Number(d.raw.workflowExecutionInfo?.historyLength ?? 0),
        bytes: Number(d.raw.workflowExecutionInfo?.historySizeBytes ?? 0),
      });
      all.push(...payloadsOf(await historyOf(ctx, w.workflowId, w.runId), `coordinator run ${runs.length}`));
    }
    for (const [r, h] of handles.entries()) {
      const { runId } = await h.workflow.describe();
      all.push(...payloadsOf(await historyOf(ctx, h.workflowId, runId), `request ${r}`));
    }
    largest = all.reduce((a, b) => (b.bytes > a.bytes ? b : a), largest);
    largestSignal = all
      .filter((p) => p.where.includes('coordinator') && p.where.includes('workflowExecutionSignaled'))
      .reduce((a, b) => (b.bytes > a.bytes ? b : a), largestSignal);
    runs = runs.sort((a, b) => b.bytes - a.bytes);
    const biggest = runs[0];
    if (largest.bytes > MB) problems.push(`a payload of ${(largest.bytes / MB).toFixed(2)} MB (${largest.where})`);
    if (biggest && biggest.events > 10_240) problems.push(`a coordinator run of ${biggest.events} events`);
    if (biggest && biggest.bytes > 10 * MB) problems.push(`a coordinator run of ${(biggest.bytes / MB).toFixed(1)} MB`);
  } catch (error) {
    problems.push(String(error));
  } finally {
    await retireCoordinators(ctx.client, taskQueue);
    await Promise.all(workers.map((w) => w.stop('SIGTERM')));
    await sims.close();
  }
  if (problems.length) failures.push(problems.join('; '));
  const byEvents = [...runs].sort((a, b) => b.events - a.events)[0];
  ctx.log(`  big pool: ${problems.length ? `FAILED: ${problems.join('; ')}` : `ok in ${seconds(wall)}`}`);
  return {
    drill: `14. big pool: ${o.requests} requests × ${o.size.toLocaleString('en')} new members into one ELB pool holding ${o.preexisting.toLocaleString('en')}`,
    trials: 1,
    passed: problems.length === 0 ? 1 : 0,
    duplicates,
    lost,
    figures:
      `${completed}/${o.requests} completed in ${seconds(wall)}, the pool then holding ${held.toLocaleString('en')} members; ` +
      `largest payload ${(largest.bytes / MB).toFixed(3)} MB (${largest.where}; aim ≤ 1 MB), largest submission signal ${(largestSignal.bytes / MB).toFixed(3)} MB; ` +
      `coordinator runs ${runs.length}, the largest ${byEvents?.events ?? 0} events (aim ≤ 10,240) and ${((runs[0]?.bytes ?? 0) / MB).toFixed(2)} MB (aim ≤ 10 MB)`,
    failures,
  };
}
