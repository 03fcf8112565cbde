// `npm run bench`: lbflow against the physical limit of the providers' timings and against the plain script a user
// would write (bench/baseline), on a Temporal dev server, with the worker in its own process (so its CPU time and
// peak RSS are its own) and the simulators in theirs (so neither lbflow's worker nor the baseline shares an event
// loop with the provider). Prints a table and writes bench/results/latest.json.
//   npm run bench [-- --quick] [-- --only 1,2,3,4] [-- --sizes 200,1000,10000] [-- --options '{…}'] [-- --trace] [-- --profile dir] [-- --providers huawei-elb]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { executableOption, provision } from '../scripts/temporal-servers.mjs';
import { COORDINATOR_SIGNAL, SEARCH_ATTRIBUTE_KEYS, type GroupRef, type Server } from '../src/domain/index.js';
import { coordinatorWorkflowId } from '../src/registry/index.js';
import { createProvider, type LoadBalancerProvider } from '../src/providers/index.js';
import { DEFAULT_ALIBABA_CREDENTIAL, DEFAULT_HUAWEI_CREDENTIAL } from '../src/simulator/index.js';
import { startAddServers, ValidationError } from '../src/client/index.js';
import { simulatorWorkerEnv } from '../src/cli/stack.js';
import type { addServersToServerGroup } from '../src/workflows/index.js';
import { addServersScript } from './baseline/script.js';
import {
  ALIBABA,
  alibabaGroup,
  alibabaRequest,
  alibabaServers,
  benchWorld,
  HUAWEI,
  huaweiPool,
  huaweiRequest,
  huaweiServers,
  limitMs,
  MODEL,
  PER_CALL,
  POLL_SECONDS,
  type BenchProvider,
} from './model.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    sizes: { type: 'string' },
    trace: { type: 'boolean', default: false },
    options: { type: 'string' },
    profile: { type: 'string' },
    providers: { type: 'string' },
  },
});
const QUICK = values.quick;
const ONLY = new Set((values.only ?? '1,2,3,4').split(',').map((s) => s.trim()));
/** `--providers huawei-elb`: the rows of some providers only (scenarios 1–3). */
const PROVIDERS = (['alibaba-gwlb', 'huawei-elb'] as const).filter(
  (p) => !values.providers || values.providers.split(',').includes(p),
);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SIZES = values.sizes ? values.sizes.split(',').map(Number) : QUICK ? [200, 1000] : [200, 1000, 10_000];
const GROUPS = QUICK ? 10 : 50;
const INVALID = QUICK ? 200 : 1000;
/**
 * lbflow's options: the model's poll interval, and adds as few chunks ahead of the server checks as keep them from
 * waiting on S: an Alibaba add comes every L + C, so the chunk two back has settled (S ≤ 2 (L + C)). A Huawei add
 * comes every L plus a round trip, about S / L chunks go by before one settles, and a check of 200 members in a
 * pool of thousands costs as much as the add itself: so all checks at the end, as the script does.
 */
const OPTIONS: Record<BenchProvider, Record<string, unknown>> = values.options
  ? { 'alibaba-gwlb': JSON.parse(values.options), 'huawei-elb': JSON.parse(values.options) }
  : {
      'alibaba-gwlb': { pollIntervalSeconds: POLL_SECONDS, chunksAhead: 1 },
      'huawei-elb': { pollIntervalSeconds: POLL_SECONDS, chunksAhead: 50 },
    };

interface Row {
  scenario: string;
  name: string;
  provider: BenchProvider;
  groups: number;
  serversPerGroup: number;
  requests: number;
  wallMs: number;
  limitMs: number | null;
  ratio: number | null;
  addCalls: number;
  minAddCalls: number;
  pollCalls: number;
  callsByAction: Record<string, number>;
  /** The most events of any workflow involved: the requests and their groups' coordinators. */
  historyEvents: number;
  historyEventsAim: number | null;
  /** Worker processes serving the task queue. */
  workers: number;
  /** Adds the provider refused (a 4xx/5xx answer): with one coordinator per group, lbflow itself causes none. */
  refusedAdds: number;
  workerCpuS: number;
  workerPeakRssMb: number;
  baselineWallMs?: number;
  baselineAddCalls?: number;
  baselinePollCalls?: number;
  vsBaseline?: number;
  rejectionMs?: { p50: number; p99: number; max: number };
  cpuMsPerRequest?: number;
  lbflowCpuMsPerRequest?: number;
  floor?: {
    wallMs: number;
    rejectionMs: { p50: number; p99: number; max: number };
    workerCpuS: number;
    cpuMsPerRequest: number;
    workerPeakRssMb: number;
  };
  idleRssMb?: { lbflow: number; floor: number };
  /** The same requests through the design's messages alone (bench/floor, runDesignFloor), holding the row's limit. */
  designFloor?: DesignFloor;
  /** wallMs ÷ designFloor.wallMs: what lbflow's own work adds to what its design costs here. */
  vsDesignFloor?: number;
  providerCalls?: number;
  workflowsStarted?: number;
  options: Record<string, unknown>;
}

// ------------------------------------------------------------------ processes

interface Sims {
  alibaba: string;
  huawei: string;
  child: ChildProcess;
}

async function firstLine(child: ChildProcess, what: string, match: (line: string) => boolean): Promise<string> {
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (match(line)) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code} before it was ready:\n${stderr}`)));
  });
}

async function startSims(worldFile: string): Promise<Sims> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/simulator/main.ts', '--port', '0', '--world', worldFile],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const line = await firstLine(child, 'simulators', (l) => l.startsWith('{'));
  const urls = JSON.parse(line) as { alibaba: { url: string }; huawei: { url: string } };
  return { alibaba: urls.alibaba.url, huawei: urls.huawei.url, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The production worker as `npm run build` leaves it: compiled JS and the prebuilt workflow bundle. */
const WORKER = { main: join(ROOT, 'dist/worker/main.js'), bundle: join(ROOT, 'dist/workflow-bundle.js') };

interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Resident memory once ready, before any workflow (VmRSS). */
  idleRssMb: number;
  cpuS(): number;
  peakRssMb(): number;
  /** Starts the peak (VmHWM) again from the current RSS (Linux `clear_refs` 5), so a row's peak is its own. */
  resetPeak(): void;
}

const TICKS_PER_SECOND = 100;

async function startWorker(env: Record<string, string>, main = WORKER.main): Promise<WorkerProcess> {
  const profile = values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [];
  const nodeOptions = process.env.BENCH_WORKER_NODE_OPTIONS
    ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS }
    : {};
  const child = spawn(process.execPath, [...profile, main], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production', ...nodeOptions, ...env },
  });
  await firstLine(child, 'worker', (l) => l.includes('"worker.ready"'));
  // Logs are not read after ready; keep the pipe flowing so the worker never blocks on a full one.
  child.stdout!.resume();
  const pid = child.pid!;
  const idleRssMb = Math.round(
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
  );
  return {
    child,
    pid,
    idleRssMb,
    cpuS() {
      // /proc/<pid>/stat: fields after the command name; utime and stime are the 14th and 15th of the whole line.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    },
    resetPeak() {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    },
    peakRssMb() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
  };
}

/**
 * A long-running worker has run workflows before the one measured: each row's fresh worker first rejects a few
 * invalid requests and adds 400 servers to a group of each provider that no row measures (`warmGroup`,
 * `warmPool`), so the row measures lbflow, not the JIT warming up on its first workflows. `full: false` (scenario
 * 4, which measures rejections only) skips the adds. The simulators are reset after it: no call of it is counted.
 */
async function warmUp(b: Bench, taskQueue: string, workers: number, full = true): Promise<void> {
  const bad = alibabaRequest(
    ALIBABA.scaleGroup,
    [{ serverId: 'not-an-instance', serverType: 'Ecs' }],
    OPTIONS['alibaba-gwlb'],
  );
  const start = (request: unknown, i: number) =>
    b.env.client.workflow.start<typeof addServersToServerGroup>('addServersToServerGroup', {
      taskQueue,
      workflowId: `bench-warm-up-${i}-${randomUUID()}`,
      args: [request as never],
    });
  const rejected = Array.from({ length: 2 * workers }, async (_, i) => {
    const handle = await start(bad, i);
    await handle.result().then(
      () => {
        throw new Error('a warm-up request that must be refused completed');
      },
      (e: unknown) => {
        if (!(e instanceof WorkflowFailedError)) throw e;
      },
    );
  });
  const added = full
    ? [
        alibabaRequest(ALIBABA.warmGroup, alibabaServers(400, 240), OPTIONS['alibaba-gwlb']),
        huaweiRequest(HUAWEI.warmPool, huaweiServers(400), OPTIONS['huawei-elb']),
      ].map(async (request, i) => (await start(request, 100 + i)).result())
    : [];
  await Promise.all([...rejected, ...added]);
  // The warm-up's coordinators end now instead of idling in the worker's cache through the row.
  if (full) {
    const groups: GroupRef[] = [
      { provider: 'alibaba-gwlb', region: ALIBABA.region, serverGroupId: ALIBABA.warmGroup },
      { provider: 'huawei-elb', region: HUAWEI.region, projectId: HUAWEI.project, poolId: HUAWEI.warmPool },
    ];
    await Promise.all(
      groups.map(async (group) => {
        const coordinator = b.env.client.workflow.getHandle(coordinatorWorkflowId(group));
        await coordinator.signal(COORDINATOR_SIGNAL, { kind: 'exit-when-idle' });
        await coordinator.result();
      }),
    );
  }
  await resetSims(b.sims);
}

// ------------------------------------------------------------------ simulators' admin API

async function admin<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/_sim/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  if (!res.ok) throw new Error(`${method} /_sim/${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function resetSims(sims: Sims): Promise<void> {
  await Promise.all([admin(sims.alibaba, 'POST', 'reset', {}), admin(sims.huawei, 'POST', 'reset', {})]);
}

async function callsByAction(base: string): Promise<Record<string, number>> {
  const answer = await admin<{ counts: { byAction: Record<string, { calls: number }> } }>(base, 'GET', 'calls?limit=1');
  return Object.fromEntries(Object.entries(answer.counts.byAction).map(([action, a]) => [action, a.calls]));
}

const ADD_ACTION: Record<BenchProvider, string> = {
  'alibaba-gwlb': 'AddServersToServerGroup',
  'huawei-elb': 'BatchCreateMembers',
};

// ------------------------------------------------------------------ runs

interface Bench {
  env: TestWorkflowEnvironment;
  /** Scratch directory of this run. */
  dir: string;
  sims: Sims;
  workerEnv: Record<string, string>;
  clients: Record<BenchProvider, LoadBalancerProvider>;
}

interface Job {
  provider: BenchProvider;
  group: GroupRef;
  request: Record<string, unknown>;
  servers: Server[];
}

function job(
  provider: BenchProvider,
  groupId: string,
  servers: Server[],
  options: Record<string, unknown> = OPTIONS[provider],
): Job {
  return provider === 'alibaba-gwlb'
    ? {
        provider,
        group: { provider, region: ALIBABA.region, serverGroupId: groupId },
        request: alibabaRequest(groupId, servers, options),
        servers,
      }
    : {
        provider,
        group: { provider, region: HUAWEI.region, projectId: HUAWEI.project, poolId: groupId },
        request: huaweiRequest(groupId, servers, options),
        servers,
      };
}

interface LbflowRun {
  wallMs: number;
  calls: Record<string, number>;
  refusedAdds: number;
  workers: number;
  historyEvents: number[];
  cpuS: number;
  peakRssMb: number;
}

/** Runs every job at once on `workers` fresh worker processes; wall time from the first start to the last result. */
async function runLbflow(b: Bench, jobs: Job[], workers = 1): Promise<LbflowRun> {
  await resetSims(b.sims);
  const taskQueue = `bench-${randomUUID()}`;
  const started0 = await Promise.all(
    Array.from({ length: workers }, () => startWorker({ ...b.workerEnv, LBFLOW_TASK_QUEUE: taskQueue })),
  );
  try {
    await warmUp(b, taskQueue, workers);
    for (const w of started0) w.resetPeak();
    const cpuBefore = started0.map((w) => w.cpuS());
    const started = performance.now();
    const handles = await Promise.all(
      jobs.map((j, i) =>
        b.env.client.workflow.start<typeof addServersToServerGroup>('addServersToServerGroup', {
          taskQueue,
          workflowId: `bench-${i}-${randomUUID()}`,
          args: [j.request],
        }),
      ),
    );
    await Promise.all(handles.map((h) => h.result()));
    const wallMs = performance.now() - started;
    const cpuS = started0.reduce((n, w, i) => n + w.cpuS() - cpuBefore[i]!, 0);
    const peakRssMb = Math.max(...started0.map((w) => w.peakRssMb()));
    const histories = await Promise.all(handles.map((h) => h.fetchHistory()));
    // The groups' coordinators made the provider calls: their histories count as much as the requests'.
    const coordinators = [...new Set(jobs.map((j) => coordinatorWorkflowId(j.group)))];
    const coordinatorHistories = await Promise.all(
      coordinators.map((id) => b.env.client.workflow.getHandle(id).fetchHistory()),
    );
    const historyEvents = [...histories, ...coordinatorHistories].map((h) => h.events?.length ?? 0);
    if (process.env.BENCH_DUMP) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        `${process.env.BENCH_DUMP}-${jobs[0]!.provider}-${workers}.json`,
        JSON.stringify({ coordinator: coordinatorHistories[0], requests: histories }, (_k, v) =>
          typeof v === 'bigint' ? v.toString() : v,
        ),
      );
    }
    if (values.trace) {
      trace(coordinatorHistories[0]!);
      await traceCalls(b.sims.alibaba);
      await traceCalls(b.sims.huawei);
    }
    const calls = { ...(await callsByAction(b.sims.alibaba)), ...(await callsByAction(b.sims.huawei)) };
    const provider = jobs[0]!.provider;
    const refusedAdds = (
      await admin<{ entries: { status: number }[] }>(
        provider === 'alibaba-gwlb' ? b.sims.alibaba : b.sims.huawei,
        'GET',
        `calls?limit=10000&action=${ADD_ACTION[provider]}`,
      )
    ).entries.filter((e) => e.status >= 400).length;
    return { wallMs, calls, refusedAdds, workers, historyEvents, cpuS, peakRssMb };
  } finally {
    await Promise.all(started0.map((w) => stop(w.child)));
  }
}

/** The baseline script on every job at once, in this process. */
async function runBaseline(b: Bench, jobs: Job[]): Promise<{ wallMs: number; addCalls: number; pollCalls: number }> {
  await resetSims(b.sims);
  const started = performance.now();
  const results = await Promise.all(
    jobs.map((j) =>
      addServersScript(b.clients[j.provider] as never, j.group, j.servers, {
        pollMs: POLL_SECONDS * 1000,
        waitFor: 'available',
        runId: randomUUID(),
      }),
    ),
  );
  const wallMs = performance.now() - started;
  return {
    wallMs,
    addCalls: results.reduce((n, r) => n + r.addCalls, 0),
    pollCalls: results.reduce((n, r) => n + r.pollCalls, 0),
  };
}

function rowOf(
  scenario: string,
  name: string,
  jobs: Job[],
  run: LbflowRun,
  limit: number | null,
  minAddCalls: number,
): Row {
  const provider = jobs[0]!.provider;
  const options = jobs[0]!.request.options as Record<string, unknown>;
  const addCalls = run.calls[ADD_ACTION[provider]] ?? 0;
  const total = Object.values(run.calls).reduce((n, c) => n + c, 0);
  const chunks = Math.max(...jobs.map((j) => Math.ceil(j.servers.length / PER_CALL)));
  return {
    scenario,
    name,
    provider,
    groups: new Set(jobs.map((j) => JSON.stringify(j.group))).size,
    serversPerGroup: Math.max(...jobs.map((j) => j.servers.length)),
    requests: jobs.length,
    wallMs: Math.round(run.wallMs),
    limitMs: limit,
    ratio: limit === null ? null : round(run.wallMs / limit, 2),
    addCalls,
    minAddCalls,
    pollCalls: total - addCalls,
    callsByAction: run.calls,
    historyEvents: Math.max(...run.historyEvents),
    historyEventsAim: 8 * chunks + 30,
    workers: run.workers,
    refusedAdds: run.refusedAdds,
    workerCpuS: round(run.cpuS, 2),
    workerPeakRssMb: Math.round(run.peakRssMb),
    options,
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const chunksOf = (n: number) => Math.ceil(n / PER_CALL);

// ------------------------------------------------------------------ scenarios

async function scenario1(b: Bench, rows: Row[]): Promise<void> {
  for (const provider of PROVIDERS) {
    for (const n of SIZES) {
      const servers = (provider === 'alibaba-gwlb' ? alibabaServers(n, 100) : huaweiServers(n)) as Server[];
      const jobs = [job(provider, provider === 'alibaba-gwlb' ? ALIBABA.scaleGroup : HUAWEI.scalePool, servers)];
      const run = await runLbflow(b, jobs);
      const base = await runBaseline(b, jobs);
      const row = rowOf(
        '1',
        `${provider} ${n.toLocaleString('en')} servers, one group`,
        jobs,
        run,
        limitMs(provider, chunksOf(n)),
        chunksOf(n),
      );
      withBaseline(row, base);
      await withDesignFloor(b, row, jobs, 1);
      print(row);
      rows.push(row);
    }
  }
  if (!QUICK && PROVIDERS.includes('alibaba-gwlb')) {
    // The default (each add waits for the previous chunk's servers): what the safety of stopping after one bad chunk costs.
    const n = 10_000;
    const options = { pollIntervalSeconds: POLL_SECONDS };
    const jobs = [job('alibaba-gwlb', ALIBABA.scaleGroup, alibabaServers(n, 100) as Server[], options)];
    const row = rowOf(
      '1',
      `alibaba-gwlb 10,000 servers, chunksAhead 0 (default)`,
      jobs,
      await runLbflow(b, jobs),
      limitMs('alibaba-gwlb', chunksOf(n)),
      chunksOf(n),
    );
    print(row);
    rows.push(row);
  }
}

async function scenario2(b: Bench, rows: Row[]): Promise<void> {
  for (const provider of PROVIDERS) {
    const jobs = Array.from({ length: GROUPS }, (_, g) =>
      provider === 'alibaba-gwlb'
        ? job(provider, alibabaGroup(g), alibabaServers(1000, g + 1) as Server[])
        : job(provider, huaweiPool(g), huaweiServers(1000) as Server[]),
    );
    const run = await runLbflow(b, jobs);
    const base = await runBaseline(b, jobs);
    const row = rowOf(
      '2',
      `${provider} ${GROUPS} groups × 1,000 servers at once`,
      jobs,
      run,
      limitMs(provider, chunksOf(1000)),
      GROUPS * chunksOf(1000),
    );
    withBaseline(row, base);
    await withDesignFloor(b, row, jobs, 1);
    print(row);
    rows.push(row);
  }
}

async function scenario3(b: Bench, rows: Row[]): Promise<void> {
  const requests = 20;
  const total = requests * 50;
  for (const provider of PROVIDERS) {
    for (const workers of [1, 3]) {
      const all = (provider === 'alibaba-gwlb' ? alibabaServers(total, 150) : huaweiServers(total)) as Server[];
      const group = provider === 'alibaba-gwlb' ? ALIBABA.busyGroup : HUAWEI.scalePool;
      const jobs = Array.from({ length: requests }, (_, r) => job(provider, group, all.slice(r * 50, (r + 1) * 50)));
      const run = await runLbflow(b, jobs, workers);
      // One coordinator coalesces them: the coalesced limit is ceil(1,000 / 200) adds, plus one (the first may leave before the rest arrive).
      const limit = limitMs(provider, chunksOf(total) + 1);
      const row = rowOf(
        '3',
        `${provider} ${requests} requests × 50 servers, one group, ${workers} worker${workers > 1 ? 's' : ''}`,
        jobs,
        run,
        limit,
        chunksOf(total),
      );
      await withDesignFloor(b, row, jobs, workers);
      print(row);
      rows.push(row);
    }
  }
}

interface DesignFloor {
  wallMs: number;
  workerCpuS: number;
  workerPeakRssMb: number;
}

/**
 * The design's floor for a row (bench/floor/workflows.mjs): each of the row's requests is started as a floor request
 * carrying the row's own request (as lbflow's start does), on `workers` floor workers, and hands its servers to its
 * group's floor coordinator, which holds `holdMs` (the row's limit) from the first and then tells each request of its
 * servers (as lbflow's outcome does). The wall time, worker CPU and peak RSS of the design's messages, with their data,
 * on this machine, with the providers' time and none of lbflow's work (no validation, ledger, activity or provider call).
 */
async function runDesignFloor(b: Bench, jobs: Job[], workers: number, holdMs: number): Promise<DesignFloor> {
  const taskQueue = `bench-floor-${randomUUID()}`;
  const bundle = await floorBundle(b.dir);
  const floorWorkers = await Promise.all(
    Array.from({ length: workers }, () =>
      startWorker(
        { ...b.workerEnv, LBFLOW_TASK_QUEUE: taskQueue, FLOOR_BUNDLE: bundle },
        join(ROOT, 'bench/floor/worker.mjs'),
      ),
    ),
  );
  try {
    const once = async (requests: Job[]) => {
      // One floor coordinator per group of the row, as lbflow has one per group.
      const coordinators = new Map<string, string>();
      for (const j of requests) {
        const key = JSON.stringify(j.group);
        if (!coordinators.has(key)) coordinators.set(key, `bench-floor-group-${randomUUID()}`);
      }
      const started = performance.now();
      const handles = await Promise.all(
        requests.map((j, i) =>
          b.env.client.workflow.start('floorRequest', {
            taskQueue,
            workflowId: `bench-floor-${i}-${randomUUID()}`,
            args: [
              {
                coordinatorId: coordinators.get(JSON.stringify(j.group))!,
                holdMs,
                settleMs: MODEL.settleMs,
                request: j.request,
              },
            ],
          }),
        ),
      );
      await Promise.all(handles.map((h) => h.result()));
      return performance.now() - started;
    };
    // Warmed up as lbflow's workers are (a few small requests of the same kind first), then measured.
    const first = jobs[0]!;
    await once(
      Array.from({ length: 3 }, () => ({
        ...first,
        request: { ...first.request, servers: first.servers.slice(0, 10) },
      })),
    );
    for (const w of floorWorkers) w.resetPeak();
    const cpuBefore = floorWorkers.map((w) => w.cpuS());
    const wallMs = await once(jobs);
    return {
      wallMs: Math.round(wallMs),
      workerCpuS: round(
        floorWorkers.reduce((n, w, i) => n + w.cpuS() - cpuBefore[i]!, 0),
        2,
      ),
      workerPeakRssMb: Math.round(Math.max(...floorWorkers.map((w) => w.peakRssMb()))),
    };
  } finally {
    await Promise.all(floorWorkers.map((w) => stop(w.child)));
  }
}

/** Sets a row's design floor (runDesignFloor) and lbflow's wall time over it. */
async function withDesignFloor(b: Bench, row: Row, jobs: Job[], workers: number): Promise<void> {
  row.designFloor = await runDesignFloor(b, jobs, workers, row.limitMs!);
  row.vsDesignFloor = round(row.wallMs / row.designFloor.wallMs, 2);
}

/** Starts `count` workflows of lbflow's type at once with `args` and waits for each to fail as ValidationError. */
async function rejectAll(b: Bench, taskQueue: string, worker: WorkerProcess, request: unknown, count: number) {
  const cpuBefore = worker.cpuS();
  const started = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const t = performance.now();
      const handle = await b.env.client.workflow.start<typeof addServersToServerGroup>('addServersToServerGroup', {
        taskQueue,
        workflowId: `bench-invalid-${i}-${randomUUID()}`,
        args: [request as never],
      });
      const outcome = await handle.result().then(
        () => 'completed',
        (e: unknown) =>
          e instanceof WorkflowFailedError ? ((e.cause as { type?: string } | undefined)?.type ?? 'failed') : 'error',
      );
      if (outcome !== 'ValidationError') throw new Error(`an invalid request ended as ${outcome}`);
      return { ms: performance.now() - t, handle };
    }),
  );
  const wallMs = performance.now() - started;
  const ms = latencies.map((l) => l.ms).sort((x, y) => x - y);
  const at = (p: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(ms.length * p))]!);
  return {
    wallMs,
    cpuS: worker.cpuS() - cpuBefore,
    handle: latencies[0]!.handle,
    rejectionMs: { p50: at(0.5), p99: at(0.99), max: Math.round(ms.at(-1)!) },
  };
}

/** The reference workflow (bench/floor/workflows.mjs) in a prebuilt bundle, as the production worker loads its own. */
let floorBundlePath: Promise<string> | undefined;
/** Built once per bench run: every row with a design floor and scenario 4 load the same bundle. */
function floorBundle(dir: string): Promise<string> {
  floorBundlePath ??= bundleWorkflowCode({
    workflowsPath: join(ROOT, 'bench/floor/workflows.mjs'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  }).then(({ code }) => {
    const path = join(dir, 'floor-bundle.js');
    writeFileSync(path, code);
    return path;
  });
  return floorBundlePath;
}

async function scenario4(b: Bench, rows: Row[]): Promise<void> {
  await resetSims(b.sims);
  const bad = alibabaRequest(
    ALIBABA.scaleGroup,
    [{ serverId: 'not-an-instance', serverType: 'Ecs' }, ...alibabaServers(9, 100)],
    OPTIONS['alibaba-gwlb'],
  );
  // The SDK's floor first: the same starts against a worker whose workflow refuses at once (no lbflow code).
  const floorQueue = `bench-floor-${randomUUID()}`;
  const floorWorker = await startWorker(
    { ...b.workerEnv, LBFLOW_TASK_QUEUE: floorQueue, FLOOR_BUNDLE: await floorBundle(b.dir) },
    join(ROOT, 'bench/floor/worker.mjs'),
  );
  let floor: Awaited<ReturnType<typeof rejectAll>>;
  let floorPeakRssMb: number;
  try {
    await rejectAll(b, floorQueue, floorWorker, bad, 2);
    floor = await rejectAll(b, floorQueue, floorWorker, bad, INVALID);
    floorPeakRssMb = Math.round(floorWorker.peakRssMb());
  } finally {
    await stop(floorWorker.child);
  }
  const taskQueue = `bench-${randomUUID()}`;
  const worker = await startWorker({ ...b.workerEnv, LBFLOW_TASK_QUEUE: taskQueue });
  try {
    await warmUp(b, taskQueue, 1, false);
    worker.resetPeak();
    const lb = await rejectAll(b, taskQueue, worker, bad, INVALID);
    const run: LbflowRun = {
      wallMs: lb.wallMs,
      calls: { ...(await callsByAction(b.sims.alibaba)), ...(await callsByAction(b.sims.huawei)) },
      refusedAdds: 0,
      workers: 1,
      historyEvents: [(await lb.handle.fetchHistory()).events?.length ?? 0],
      cpuS: lb.cpuS,
      peakRssMb: worker.peakRssMb(),
    };
    const jobs = [job('alibaba-gwlb', ALIBABA.scaleGroup, [])];
    const row = rowOf('4', `${INVALID.toLocaleString('en')} invalid requests`, jobs, run, null, 0);
    const perRequest = (cpuS: number) => round((cpuS * 1000) / INVALID, 2);
    Object.assign(row, {
      requests: INVALID,
      serversPerGroup: 10,
      historyEventsAim: null,
      rejectionMs: lb.rejectionMs,
      providerCalls: Object.values(run.calls).reduce((n, c) => n + c, 0),
      // Worker CPU per rejected request, lbflow's and the floor's; their difference is what lbflow's code costs.
      cpuMsPerRequest: perRequest(lb.cpuS),
      lbflowCpuMsPerRequest: round(perRequest(lb.cpuS) - perRequest(floor.cpuS), 2),
      floor: {
        wallMs: Math.round(floor.wallMs),
        rejectionMs: floor.rejectionMs,
        workerCpuS: round(floor.cpuS, 2),
        cpuMsPerRequest: perRequest(floor.cpuS),
        workerPeakRssMb: floorPeakRssMb,
      },
      idleRssMb: { lbflow: worker.idleRssMb, floor: floorWorker.idleRssMb },
    });
    print(row);
    rows.push(row);
  } finally {
    await stop(worker.child);
  }
}

/** The same invalid requests through lbflow's client library, which refuses them before any workflow starts. */
async function scenario4Client(b: Bench, rows: Row[]): Promise<void> {
  await resetSims(b.sims);
  const bad = alibabaRequest(
    ALIBABA.scaleGroup,
    [{ serverId: 'not-an-instance', serverType: 'Ecs' }, ...alibabaServers(9, 100)],
    OPTIONS['alibaba-gwlb'],
  );
  const started = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: INVALID }, async () => {
      const t = performance.now();
      const refused = await startAddServers(b.env.client, bad as never, { taskQueue: 'bench-nobody' }).then(
        () => false,
        (e: unknown) => e instanceof ValidationError,
      );
      if (!refused) throw new Error('the client library did not refuse an invalid request');
      return performance.now() - t;
    }),
  );
  const wallMs = performance.now() - started;
  const calls = { ...(await callsByAction(b.sims.alibaba)), ...(await callsByAction(b.sims.huawei)) };
  const run: LbflowRun = { wallMs, calls, refusedAdds: 0, workers: 0, historyEvents: [0], cpuS: 0, peakRssMb: 0 };
  const row = rowOf(
    '4',
    `${INVALID.toLocaleString('en')} invalid requests, client library (no worker)`,
    [job('alibaba-gwlb', ALIBABA.scaleGroup, [])],
    run,
    null,
    0,
  );
  const ms = [...latencies].sort((x, y) => x - y);
  const at = (p: number) => round(ms[Math.min(ms.length - 1, Math.floor(ms.length * p))]!, 2);
  const workflows = await b.env.client.workflow.count(`WorkflowId STARTS_WITH "lbflow/"`).then(
    (c) => c.count,
    () => -1,
  );
  Object.assign(row, {
    requests: INVALID,
    serversPerGroup: 10,
    historyEventsAim: null,
    rejectionMs: { p50: at(0.5), p99: at(0.99), max: round(ms.at(-1)!, 2) },
    providerCalls: Object.values(calls).reduce((n, c) => n + c, 0),
    workflowsStarted: workflows,
  });
  print(row);
  rows.push(row);
}

function withBaseline(row: Row, base: { wallMs: number; addCalls: number; pollCalls: number }): void {
  row.baselineWallMs = Math.round(base.wallMs);
  row.baselineAddCalls = base.addCalls;
  row.baselinePollCalls = base.pollCalls;
  row.vsBaseline = round(row.wallMs / base.wallMs, 2);
}

/** Where one run's time went, from its history: per activity type, time to start, time running, and the gap to the next command. */
function trace(history: Awaited<ReturnType<import('@temporalio/client').WorkflowHandle['fetchHistory']>>): void {
  const ms = (t: unknown) => {
    const ts = t as { seconds?: { toNumber?: () => number } | number; nanos?: number } | null | undefined;
    const seconds = typeof ts?.seconds === 'number' ? ts.seconds : (ts?.seconds?.toNumber?.() ?? 0);
    return seconds * 1000 + (ts?.nanos ?? 0) / 1e6;
  };
  const events = history.events ?? [];
  const t0 = ms(events[0]?.eventTime);
  const scheduled = new Map<string, { type: string; at: number }>();
  const stats: Record<string, { n: number; toStart: number; running: number; attempts: number }> = {};
  let lastClosed = t0;
  let gaps = 0;
  let gapN = 0;
  for (const e of events) {
    const at = ms(e.eventTime);
    if (e.activityTaskScheduledEventAttributes) {
      scheduled.set(String(e.eventId), { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at });
      gaps += at - lastClosed;
      gapN++;
    }
    const started = e.activityTaskStartedEventAttributes;
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed) {
      const s = scheduled.get(String(completed.scheduledEventId));
      const st = events.find((x) => String(x.eventId) === String(completed.startedEventId));
      if (s && st) {
        const entry = (stats[s.type] ??= { n: 0, toStart: 0, running: 0, attempts: 0 });
        entry.n++;
        entry.toStart += ms(st.eventTime) - s.at;
        entry.running += at - ms(st.eventTime);
        entry.attempts += st.activityTaskStartedEventAttributes?.attempt ?? 1;
      }
      lastClosed = at;
    }
    void started;
  }
  const total = ms(events.at(-1)?.eventTime) - t0;
  process.stdout.write(
    `   trace: ${events.length} events over ${total.toFixed(0)} ms; completion → next schedule ${(gaps / Math.max(1, gapN)).toFixed(1)} ms on average (${gapN})\n`,
  );
  for (const [type, s] of Object.entries(stats)) {
    process.stdout.write(
      `   trace: ${type} ×${s.n}: scheduled → last attempt started ${(s.toStart / s.n).toFixed(1)} ms, last attempt ran ${(s.running / s.n).toFixed(1)} ms, attempts ${(s.attempts / s.n).toFixed(1)}\n`,
    );
  }
}

/** Mean time the simulators spent on each action (their own durationMs, latency faults included). */
async function traceCalls(base: string): Promise<void> {
  const answer = await admin<{ entries: { action: string; durationMs: number }[] }>(base, 'GET', 'calls?limit=10000');
  const by: Record<string, number[]> = {};
  for (const e of answer.entries) (by[e.action] ??= []).push(e.durationMs);
  for (const [action, d] of Object.entries(by))
    process.stdout.write(
      `   trace: ${action} ×${d.length}: ${(d.reduce((a, b) => a + b, 0) / d.length).toFixed(1)} ms in the simulator on average\n`,
    );
}

// ------------------------------------------------------------------ output

const COLUMNS: [string, number, (r: Row) => string][] = [
  ['scenario', 52, (r) => `${r.scenario}  ${r.name}`],
  ['wall s', 8, (r) => (r.wallMs / 1000).toFixed(2)],
  ['limit s', 8, (r) => (r.limitMs === null ? '-' : (r.limitMs / 1000).toFixed(2))],
  ['ratio', 6, (r) => (r.ratio === null ? '-' : r.ratio.toFixed(2))],
  ['script s', 9, (r) => (r.baselineWallMs === undefined ? '-' : (r.baselineWallMs / 1000).toFixed(2))],
  ['lb/scr', 7, (r) => (r.vsBaseline === undefined ? '-' : r.vsBaseline.toFixed(2))],
  ['adds', 6, (r) => String(r.addCalls)],
  ['min', 5, (r) => String(r.minAddCalls)],
  ['refused', 8, (r) => String(r.refusedAdds)],
  ['workers', 8, (r) => String(r.workers)],
  ['polls', 7, (r) => String(r.pollCalls)],
  ['events', 7, (r) => String(r.historyEvents)],
  ['aim', 5, (r) => (r.historyEventsAim === null ? '-' : String(r.historyEventsAim))],
  ['cpu s', 7, (r) => r.workerCpuS.toFixed(1)],
  ['rss MB', 7, (r) => String(r.workerPeakRssMb)],
];

function header(): void {
  process.stdout.write(`${COLUMNS.map(([h, w], i) => (i === 0 ? h.padEnd(w) : h.padStart(w))).join(' ')}\n`);
}

function print(r: Row): void {
  process.stdout.write(`${COLUMNS.map(([, w, f], i) => (i === 0 ? f(r).padEnd(w) : f(r).padStart(w))).join(' ')}\n`);
  if (r.rejectionMs) {
    const started = r.workflowsStarted === undefined ? '' : `; workflows started ${r.workflowsStarted} (reference 0)`;
    process.stdout.write(
      `   rejection latency p50 ${r.rejectionMs.p50} ms, p99 ${r.rejectionMs.p99} ms, max ${r.rejectionMs.max} ms; provider calls ${r.providerCalls} (reference 0)${started}\n`,
    );
  }
  if (r.designFloor) {
    const f = r.designFloor;
    process.stdout.write(
      `   design floor (the same requests through the coordinator's messages alone, holding the limit; bench/floor): ${(f.wallMs / 1000).toFixed(2)} s = ${(f.wallMs / r.limitMs!).toFixed(2)} × limit, worker CPU ${f.workerCpuS} s, peak RSS ${f.workerPeakRssMb} MB; lbflow ÷ floor ${r.vsDesignFloor?.toFixed(2)}\n`,
    );
  }
  if (r.floor && r.idleRssMb) {
    const f = r.floor;
    process.stdout.write(
      `   SDK floor (a workflow that refuses at once, no lbflow code): ${(f.wallMs / 1000).toFixed(2)} s, rejection p50 ${f.rejectionMs.p50} ms, p99 ${f.rejectionMs.p99} ms; worker CPU ${f.cpuMsPerRequest} ms a request, peak RSS ${f.workerPeakRssMb} MB\n`,
    );
    process.stdout.write(
      `   worker CPU ${r.cpuMsPerRequest} ms a request, lbflow's share ${r.lbflowCpuMsPerRequest} ms (aim ≤ 2); idle worker RSS lbflow ${r.idleRssMb.lbflow} MB, floor ${r.idleRssMb.floor} MB\n`,
    );
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lbflow-bench-'));
  const worldFile = join(dir, 'world.json');
  writeFileSync(worldFile, JSON.stringify(benchWorld(GROUPS)));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  for (const file of Object.values(WORKER)) {
    if (!existsSync(file))
      throw new Error(`${file.slice(ROOT.length)} is missing: run \`npm run build\` first (\`npm run bench\` does)`);
  }

  const sims = await startSims(worldFile);
  let env: TestWorkflowEnvironment | undefined;
  const clients = {
    'alibaba-gwlb': createProvider({
      provider: 'alibaba-gwlb',
      credentials: { ...DEFAULT_ALIBABA_CREDENTIAL },
      endpoint: sims.alibaba,
    }),
    'huawei-elb': createProvider({
      provider: 'huawei-elb',
      credentials: { ...DEFAULT_HUAWEI_CREDENTIAL },
      endpoint: sims.huawei,
    }),
  } as Record<BenchProvider, LoadBalancerProvider>;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: executableOption(provision('cli', { log: () => {} })),
        searchAttributes: SEARCH_ATTRIBUTE_KEYS,
      },
    });
    const workerEnv = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      LBFLOW_WORKFLOW_BUNDLE: WORKER.bundle,
      // The model's provider has no flow control, so neither has the worker (its default is 50 operations a second).
      LBFLOW_PROVIDER_CALLS_PER_SECOND: '0',
      ...simulatorWorkerEnv(sims),
    };
    const b: Bench = { env, dir, sims, workerEnv, clients };

    process.stdout.write(
      `lbflow benchmark${QUICK ? ' (quick)' : ''}: Temporal dev server (in memory), production worker (dist/) in its own process, simulators in theirs; ${cpus().length} cores (shared)\n` +
        `model: add latency L ${MODEL.addLatencyMs} ms, group Configuring C ${MODEL.configuringMs} ms, server settle S ${MODEL.settleMs} ms, poll ${POLL_SECONDS * 1000} ms, flow control off\n` +
        `limit: Alibaba ceil(N/200) × (L + C) + S per group; Huawei ceil(N/200) × L + S; groups in parallel. script = bench/baseline\n` +
        `lbflow options: ${Object.entries(OPTIONS)
          .map(([p, o]) => `${p} ${JSON.stringify(o)}`)
          .join(', ')}\n` +
        `aims (10,000 in one group): ratio ≤ 1.15, lb/scr ≤ 1.15, adds = min, events ≤ 8 per chunk + 30 (aim column); scenario 2: worker rss ≤ 300 MB\n\n`,
    );
    header();
    const rows: Row[] = [];
    if (ONLY.has('1')) await scenario1(b, rows);
    if (ONLY.has('2')) await scenario2(b, rows);
    if (ONLY.has('3')) await scenario3(b, rows);
    if (ONLY.has('4')) {
      await scenario4(b, rows);
      await scenario4Client(b, rows);
    }

    const out = join(ROOT, 'bench/results');
    mkdirSync(out, { recursive: true });
    const file = join(out, QUICK ? 'quick.json' : 'latest.json');
    const meta = {
      measuredAt: new Date().toISOString(),
      quick: QUICK,
      cores: cpus().length,
      model: MODEL,
      pollSeconds: POLL_SECONDS,
      options: OPTIONS,
      worker: 'dist/worker/main.js',
      workerEnv: { LBFLOW_PROVIDER_CALLS_PER_SECOND: 0 },
    };
    writeFileSync(file, `${JSON.stringify({ meta, scenarios: rows }, null, 2)}\n`);
    process.stdout.write(`\nwrote ${file.slice(ROOT.length)}\n`);
  } finally {
    await Promise.all(Object.values(clients).map((c) => c.close()));
    await env?.teardown();
    await stop(sims.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
