// Drill 8: a new lbflow version deployed with runs in flight, then rolled back (docs/upgrading.md). Each trial, on its
// own task queue (so its own Worker Deployment), on one Alibaba group and one Huawei pool at once:
//   1. two workers of version 1 (the tree as it is) take requests A (600 servers, one chunk at a time) and B;
//   2. once each group has an add in flight, a worker of version 2 starts and makes itself current: version 2 is
//      built from the tree with a command-sequence change in both workflows (one more activity before each add in the
//      coordinator, one more timer first thing in the request), so a version-1 history replayed by version-2 code
//      would fail its workflow task for non-determinism; C arrives during the drain (50 of A's servers and 200 new);
//   3. once no run is left on version 1, its workers stop; D starts on version 2, and once an add of it is in
//      flight a worker of version 1 starts again and makes itself current (the rollback); E arrives (50 of D's, 100
//      new); once no run is left on version 2, its worker stops;
//   4. once every request has ended, version 2 is made current again: the idle coordinators leave version 1.
// The evidence: every request completes and reports each of its servers once; each group holds exactly what was asked
// (checkGroupRuns: nothing lost, nothing added twice, no ClientToken committed twice); not one workflow task failed
// in any run of the task queue (requests and every coordinator run); and how long each version took to drain.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Client } from '@temporalio/client';
import { describeDeployment, startAddServers } from '../src/client/index.js';
import { defaultDeploymentName, type AddServersResult } from '../src/domain/index.js';
import { buildIdOf } from '../src/worker/deployment.js';
import { crossingsOf, unreadable, type Crossing } from './crossings.js';
import { bundleCopy, oldestRelease, previousRelease, releaseBundle } from './releases.js';
import {
  PROJECT_ROOT,
  prng,
  resetSimulator,
  seconds,
  simulators,
  sleep,
  retireCoordinators,
  startWorker,
  withTimeout,
  type DrillContext,
  type DrillReport,
  type WorkerProcess,
} from './support.js';
import {
  ADD_ACTION,
  alibabaServers,
  checkGroupRuns,
  drillWorld,
  huaweiServers,
  keyOf,
  membersOf,
  PROVIDERS,
  request,
  type ProviderName,
} from './world.js';

export interface UpgradeOptions {
  trials: number;
  seed?: number;
  /** How long a version may take to drain before the trial counts its runs as stuck. */
  drainTimeoutMs?: number;
  /**
   * false: the control, the same deploy with LBFLOW_WORKER_VERSIONING=off (as lbflow 0.1 ran): version 2's worker
   * replays version 1's runs, which the drill must see fail. Default true.
   */
  versioning?: boolean;
  /**
   * 'oldest-release': version 1 is the oldest kept release (0.1.0, unversioned workers), built from its commit in
   * this clone's history, and version 2 the tree as it is: the first upgrade an operator of 0.1.0 makes, and its
   * rollback to unversioned workers. 'previous-release': version 1 is the release before the tree's version (its
   * workers versioned as it ran them): the upgrade to this tree, and its rollback. Default 'tree': both versions from
   * the tree (version 2 with VARIANT_EDITS).
   */
  from?: 'tree' | 'oldest-release' | 'previous-release';
}

/** One version of the drill: a workflow bundle, run by versioned workers (its build id) or unversioned ones. */
interface Version {
  readonly label: string;
  readonly bundlePath: string;
  /** undefined: unversioned workers (LBFLOW_WORKER_VERSIONING=off, as every 0.1.0 worker ran). */
  readonly buildId: string | undefined;
}

/** What the drill needs of a Temporal server: its frontend (a dev server, or the cluster tier's) and a client. */
export type UpgradeContext = Pick<DrillContext, 'client' | 'bundlePath' | 'log'> & {
  readonly temporal: { readonly address: string; readonly namespace: string };
};

/** Where the second version changes the command sequence: each anchor must still be in the tree. */
const VARIANT_EDITS: { file: string; anchor: string; insert: (anchor: string) => string; head?: string }[] = [
  {
    // One more activity before each add: the change the upgrade issue saw wedge every task of a coordinator.
    file: 'workflows/coordinator/effects.ts',
    anchor: 'const result = await pollingAs(change.pollMs, window, summary).addChunk(',
    insert: (anchor) =>
      `await pollingAs(TIMINGS.retryFloorMs, TIMINGS.addRetryWindowMs, 'version 2: the group takes a change').waitGroupReady(target.group);\n    ${anchor}`,
  },
  {
    // One more command first thing in the request.
    file: 'workflows/add-servers.ts',
    anchor:
      'export async function addServersToServerGroup(request: unknown, ...extra: unknown[]): Promise<AddServersResult> {',
    insert: (anchor) => `${anchor}\n  await versionTwoSleep(1);`,
    head: "import { sleep as versionTwoSleep } from '@temporalio/workflow';\n",
  },
];

/**
 * Version 2: the tree's workflow source with VARIANT_EDITS, bundled as `npm run build` bundles it. Returns the
 * bundle's path; its build id differs from version 1's because its code does.
 */
export async function buildVersionTwo(dir: string): Promise<string> {
  const src = join(dir, 'version-2', 'src');
  cpSync(join(PROJECT_ROOT, 'src'), src, { recursive: true });
  for (const edit of VARIANT_EDITS) {
    const path = join(src, edit.file);
    const code = readFileSync(path, 'utf8');
    if (!code.includes(edit.anchor))
      throw new Error(
        `the upgrade drill's version 2 no longer applies: src/${edit.file} lacks ${JSON.stringify(edit.anchor)} (update VARIANT_EDITS in drills/upgrade.ts)`,
      );
    writeFileSync(path, `${edit.head ?? ''}${code.replace(edit.anchor, edit.insert(edit.anchor))}`);
  }
  return bundleCopy(src, join(dir, 'version-2-bundle.js'));
}

interface Started {
  readonly name: string;
  readonly provider: ProviderName;
  readonly keys: string[];
  readonly result: Promise<AddServersResult>;
  /** Its `progress` query, as `lbflow status` asks it. */
  readonly progress: () => Promise<unknown>;
}

/** Where a trial runs: its task queue and the Worker Deployment of that queue. */
interface Place {
  readonly client: Client;
  readonly taskQueue: string;
  readonly deployment: string;
}

/**
 * Runs still open on a version: the request and coordinator runs pinned to it, as `lbflow versions` counts them; on
 * unversioned workers, the queue's open runs no version has taken yet.
 */
async function openOn(at: Place, v: Version): Promise<number> {
  if (v.buildId === undefined)
    return (
      await at.client.workflow.count(
        `TaskQueue = '${at.taskQueue}' AND ExecutionStatus = 'Running' AND TemporalWorkerDeploymentVersion IS NULL`,
      )
    ).count;
  const version = (await describeDeployment(at.client, at.deployment)).versions.find((x) => x.buildId === v.buildId);
  return version ? version.open.requests + version.open.coordinators : 0;
}

/** Whether the deployment sends new runs to `v` (for unversioned workers: no version is current), as `lbflow versions` says. */
async function isCurrent(at: Place, v: Version): Promise<boolean> {
  return (await describeDeployment(at.client, at.deployment)).current === v.buildId;
}

/** Waits until no run is open on the version; the time it took, or undefined when it did not drain in time. */
async function drained(at: Place, v: Version, timeoutMs: number): Promise<number | undefined> {
  const t = performance.now();
  while (performance.now() - t < timeoutMs) {
    if ((await openOn(at, v)) === 0) return performance.now() - t;
    await sleep(200);
  }
  return undefined;
}

/** WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND, and _NON_DETERMINISTIC_ERROR. */
const UNHANDLED_COMMAND = 1;
const NON_DETERMINISTIC = 24;

/**
 * Every run of the task queue: the workflow tasks that failed, the non-determinism ones among them, and what crossed
 * between runs (messages, carried states) that some kept release could not read. A task the server handed back
 * because a signal arrived while the run completed or continued as new (UnhandledCommand) is counted apart: it is how
 * Temporal delivers that signal (the run goes on with it in its next task), not a failure of the code.
 */
async function scanRuns(
  client: Client,
  taskQueue: string,
): Promise<{
  failed: number;
  nondeterminism: number;
  handedBack: number;
  crossings: number;
  unreadable: string[];
  why: string[];
}> {
  let failed = 0;
  let handedBack = 0;
  const why: string[] = [];
  let nondeterminism = 0;
  const crossings: Crossing[] = [];
  for await (const run of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    crossings.push(...crossingsOf(history, `${run.workflowId} ${run.runId}`));
    for (const e of history.events ?? []) {
      const f = e.workflowTaskFailedEventAttributes;
      if (!f) continue;
      if (f.cause === UNHANDLED_COMMAND) {
        handedBack++;
        continue;
      }
      failed++;
      why.push(`${run.type} ${run.workflowId}: cause ${String(f.cause)}, ${(f.failure?.message ?? '').slice(0, 200)}`);
      // The message names TMPRL1100.
      if (f.cause === NON_DETERMINISTIC || /TMPRL1100|[Nn]ondetermin/.test(f.failure?.message ?? '')) nondeterminism++;
    }
  }
  const refused = unreadable(crossings).map(
    (u) => `release ${u.release} cannot read ${u.crossing.kind} at ${u.crossing.where}: ${u.why}`,
  );
  return { failed, nondeterminism, handedBack, crossings: crossings.length, unreadable: refused, why };
}

/** Coordinator runs of the task queue on a build id (a coordinator moves to a new version by continuing as new). */
async function coordinatorRuns(at: Place, buildId: string) {
  const { count } = await at.client.workflow.count(
    `WorkflowType = 'serverGroupCoordinator' AND TaskQueue = '${at.taskQueue}' AND TemporalWorkerDeploymentVersion = '${at.deployment}:${buildId}'`,
  );
  return count;
}

export interface UpgradeReport extends DrillReport {
  /** Workflow tasks that failed in any run of the drill's task queues, and those for non-determinism. */
  readonly failedTasks: number;
  readonly nondeterminism: number;
  readonly stuck: number;
}

export async function upgrade(ctx: UpgradeContext, o: UpgradeOptions): Promise<UpgradeReport> {
  const random = prng(o.seed ?? 8);
  const drainTimeoutMs = o.drainTimeoutMs ?? 120_000;
  const versioning = o.versioning ?? true;
  const dir = mkdtempSync(join(tmpdir(), 'lbflow-upgrade-'));
  // Settle times long enough that each request spans several seconds: runs are in flight at every switch.
  const world = drillWorld() as unknown as { alibaba: { timings: object }; huawei: { timings: object } };
  world.alibaba.timings = { configuringMs: 600, addingMs: 900, removingMs: 300 };
  world.huawei.timings = { initialMs: 900 };
  const sims = await simulators(world as never);
  const failures: string[] = [];
  let passed = 0;
  let duplicates = 0;
  let lost = 0;
  let failedTaskCount = 0;
  let handedBack = 0;
  let nondeterministic = 0;
  let stuck = 0;
  const drains: { forward: number[]; back: number[] } = { forward: [], back: [] };
  const coordinatorMoves: number[] = [];
  const inFlightAtSwitch: number[] = [];
  const idleLeaves: number[] = [];
  let statusAnswered = 0;
  let crossed = 0;
  let unread = 0;
  const inFlightAtRollback: number[] = [];
  try {
    const release =
      o.from === 'oldest-release' ? oldestRelease() : o.from === 'previous-release' ? previousRelease() : undefined;
    const treeBundle = ctx.bundlePath;
    const built = release ? await releaseBundle(dir, release) : undefined;
    const v2Bundle = release ? treeBundle : await buildVersionTwo(dir);
    const v1Bundle = built?.bundlePath ?? treeBundle;
    const idOf = (path: string) => buildIdOf(readFileSync(path, 'utf8'));
    const v1: Version = {
      label: release ? `release ${release.release}` : 'version 1',
      bundlePath: v1Bundle,
      buildId: versioning && (release?.versioned ?? true) ? idOf(v1Bundle) : undefined,
    };
    const v2: Version = { label: 'version 2', bundlePath: v2Bundle, buildId: versioning ? idOf(v2Bundle) : undefined };
    if (idOf(v1Bundle) === idOf(v2Bundle))
      throw new Error('version 2 has the code of version 1: its edits changed nothing');
    for (let trial = 0; trial < o.trials; trial++) {
      const taskQueue = `drill-upgrade-${trial}-${crypto.randomUUID()}`;
      const at: Place = { client: ctx.client, taskQueue, deployment: defaultDeploymentName(taskQueue) };
      const problems: string[] = [];
      const workers: WorkerProcess[] = [];
      /** A worker of `v`; a versioned one makes its version current if `promote` says so. */
      const worker = async (v: Version, promote: 'if-none' | 'never') => {
        const w = await startWorker({
          temporal: ctx.temporal,
          taskQueue,
          bundlePath: v.bundlePath,
          sims,
          env: v.buildId !== undefined ? { LBFLOW_PROMOTE: promote } : { LBFLOW_WORKER_VERSIONING: 'off' },
        });
        workers.push(w);
        return w;
      };
      /**
       * `v` takes the new runs, as an operator makes it (`temporal worker deployment set-current-version`): its workers
       * are already up and polling, so the switch lands at this moment; unversioned workers take them once no version
       * is current.
       */
      const promote = async (v: Version) => {
        if (!versioning) return;
        await at.client.workflowService.setWorkerDeploymentCurrentVersion({
          namespace: at.client.options.namespace,
          deploymentName: at.deployment,
          buildId: v.buildId ?? '',
          identity: 'lbflow upgrade drill',
        });
        if (!(await isCurrent(at, v))) problems.push(`${v.label} did not become current`);
      };
      const started: Started[] = [];
      const t0 = performance.now();
      try {
        for (const p of PROVIDERS) await resetSimulator(p === 'alibaba-gwlb' ? sims.alibaba.url : sims.huawei.url);
        const before = Object.fromEntries(
          await Promise.all(PROVIDERS.map(async (p) => [p, await membersOf(sims, p)] as const)),
        ) as Record<ProviderName, Awaited<ReturnType<typeof membersOf>>>;
        const servers: Record<ProviderName, Record<string, unknown>[]> = {
          'alibaba-gwlb': alibabaServers(1200),
          'huawei-elb': huaweiServers(1200),
        };
        const start = async (name: string, p: ProviderName, list: Record<string, unknown>[], options = {}) => {
          const handle = await startAddServers(ctx.client, request(p, list, options) as never, {
            taskQueue,
            requestKey: `drill-upgrade-${trial}-${name}-${crypto.randomUUID()}`,
          });
          const result = handle.result();
          result.catch(() => {}); // read at the end
          started.push({
            name: `${name} (${p})`,
            provider: p,
            keys: list.map((s) => keyOf(p, s)),
            result,
            progress: () => handle.progress(),
          });
        };
        const adds = (p: ProviderName) =>
          (p === 'alibaba-gwlb' ? sims.alibaba : sims.huawei).simulator.calls.counts().byAction[ADD_ACTION[p]]?.calls ??
          0;
        /** Until each group has had `n` more adds, then a random moment within the next one. */
        const addsInFlight = async (n: number) => {
          const from = Object.fromEntries(PROVIDERS.map((p) => [p, adds(p)]));
          for (const t = Date.now(); PROVIDERS.some((p) => adds(p) < from[p]! + n) && Date.now() - t < 60_000;)
            await sleep(20);
          await sleep(Math.floor(random() * 400));
        };
        /** Waits for `v` to drain after a switch, then stops its workers; the time goes to `into`. */
        const drain = async (v: Version, into: number[], what: string) => {
          const took = await drained(at, v, drainTimeoutMs);
          if (took === undefined) {
            stuck += await openOn(at, v);
            problems.push(`${v.label} did not drain within ${seconds(drainTimeoutMs)} ${what}`);
          } else into.push(took);
        };

        // 1. Version 1 (its first worker makes it current), with requests in flight on both groups; version 2's worker
        // deployed next to it, taking nothing yet (unversioned workers cannot wait: the control's come at the switch).
        let v1Workers = [await worker(v1, 'if-none'), await worker(v1, 'if-none')];
        let v2Workers = versioning ? [await worker(v2, 'never')] : [];
        for (const p of PROVIDERS) {
          await start('a', p, servers[p].slice(0, 600), { chunksAhead: 0 });
          await start('b', p, servers[p].slice(600, 800));
        }

        // 2. Once an add is in flight, version 2 takes the new runs: made current, or, without versioning, a rolling
        // deploy (version 1's workers replaced by version 2's). C arrives during the drain.
        await addsInFlight(1);
        const atSwitch = await openOn(at, v1);
        if (atSwitch === 0) problems.push(`no run was open on ${v1.label} when version 2 took over`);
        inFlightAtSwitch.push(atSwitch);
        if (versioning) await promote(v2);
        else {
          v2Workers = [await worker(v2, 'never')];
          await Promise.all(v1Workers.map((w) => w.stop('SIGTERM')));
        }
        // `lbflow status` of the requests still running on version 1 answers during the drain.
        if (versioning)
          for (const s of started.filter((x) => x.name.startsWith('a ')))
            await s.progress().then(
              () => statusAnswered++,
              (error: unknown) => problems.push(`the progress of ${s.name} on ${v1.label} failed: ${String(error)}`),
            );
        for (const p of PROVIDERS)
          await start('c', p, [...servers[p].slice(0, 50), ...servers[p].slice(800, 1000)], { chunksAhead: 0 });
        await drain(v1, drains.forward, 'after version 2 took over');
        await Promise.all(v1Workers.map((w) => w.stop('SIGTERM')));

        // 3. Rolled back while version 2 has runs in flight: version 1's workers back, and made current once an add is
        // in flight (without versioning, version 2's workers replaced by version 1's).
        if (versioning) v1Workers = [await worker(v1, 'never')];
        for (const p of PROVIDERS) await start('d', p, servers[p].slice(1000, 1100), { chunksAhead: 0 });
        await addsInFlight(1);
        const atRollback = await openOn(at, v2);
        if (atRollback === 0) problems.push('no run was open on version 2 at the rollback');
        inFlightAtRollback.push(atRollback);
        if (versioning) await promote(v1);
        else {
          v1Workers = [await worker(v1, 'never')];
          await Promise.all(v2Workers.map((w) => w.stop('SIGTERM')));
        }
        for (const p of PROVIDERS)
          await start('e', p, [...servers[p].slice(1000, 1050), ...servers[p].slice(1100, 1200)]);
        await drain(v2, drains.back, 'after the rollback');
        await Promise.all(v2Workers.map((w) => w.stop('SIGTERM')));

        // Every request ends; the groups hold exactly what was asked, each server once.
        const outcomes = await Promise.allSettled(
          started.map((s) => withTimeout(s.result, drainTimeoutMs, `request ${s.name}`)),
        );
        for (const p of PROVIDERS) {
          const runs = started
            .map((s, i) => ({ s, outcome: outcomes[i]! }))
            .filter(({ s }) => s.provider === p)
            .map(({ s, outcome }) => ({ keys: s.keys, outcome }));
          const check = await checkGroupRuns(sims, p, { runs, before: before[p] });
          problems.push(...check.problems.map((x) => `${p}: ${x}`));
          duplicates += check.duplicates;
          lost += check.lost;
        }
        stuck += outcomes.filter((r) => r.status === 'rejected' && /nothing within/.test(String(r.reason))).length;

        // 4. Idle coordinators leave a version soon after another becomes current (they look every 10 s): version 2
        // made current once more, with nothing in flight, and the time until version 1 has no coordinator open.
        if (v1.buildId !== undefined) {
          await worker(v2, 'never');
          await promote(v2);
          const idle = await drained(at, v1, drainTimeoutMs);
          if (idle === undefined) problems.push('an idle coordinator stayed on version 1');
          else idleLeaves.push(idle);
        }
        const tasks = await scanRuns(ctx.client, taskQueue);
        failedTaskCount += tasks.failed;
        handedBack += tasks.handedBack;
        nondeterministic += tasks.nondeterminism;
        if (tasks.failed > 0)
          problems.push(
            `${tasks.failed} workflow tasks failed (${tasks.nondeterminism} for non-determinism): ${tasks.why.slice(0, 3).join('; ')}`,
          );
        crossed += tasks.crossings;
        unread += tasks.unreadable.length;
        problems.push(...tasks.unreadable.slice(0, 3));
        if (v2.buildId !== undefined) coordinatorMoves.push(await coordinatorRuns(at, v2.buildId));
      } catch (error) {
        problems.push(String(error));
      } finally {
        await retireCoordinators(ctx.client, taskQueue);
        await Promise.all(workers.map((w) => w.stop('SIGTERM')));
        // A failed trial leaves runs open: end them, so that nothing of this trial waits on the next one.
        for await (const run of ctx.client.workflow.list({
          query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
        }))
          await ctx.client.workflow
            .getHandle(run.workflowId, run.runId)
            .terminate('upgrade drill: trial over')
            .catch(() => {});
      }
      if (problems.length === 0) passed++;
      else failures.push(`trial ${trial}: ${problems.join('; ')}`);
      ctx.log(
        `  upgrade, trial ${trial + 1}/${o.trials}: ${problems.length ? `FAILED: ${problems.join('; ')}` : `ok in ${seconds(performance.now() - t0)}`} (drained v1 in ${seconds(drains.forward.at(-1) ?? NaN)}, v2 in ${seconds(drains.back.at(-1) ?? NaN)})`,
      );
    }
  } finally {
    await sims.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const range = (xs: number[], show: (x: number) => string = seconds) =>
    xs.length ? `${show(Math.min(...xs))}–${show(Math.max(...xs))}` : '–';
  return {
    drill:
      o.from === 'oldest-release'
        ? `9. upgrade from release ${oldestRelease().release} (unversioned workers) to this tree with runs in flight on both providers, then rolled back`
        : o.from === 'previous-release'
          ? `10. upgrade from release ${previousRelease().release}, the version before this tree, to this tree with runs in flight on both providers, then rolled back`
          : '8. upgrade: version 2 deployed with runs in flight on both providers, then rolled back',
    trials: o.trials,
    passed,
    duplicates,
    lost,
    figures:
      `${versioning ? '' : 'CONTROL, unversioned workers: '}workflow tasks failed ${failedTaskCount} (non-determinism ${nondeterministic}), runs stuck ${stuck}; ` +
      `tasks handed back for a signal that arrived while a run continued as new (UnhandledCommand) ${handedBack}; ` +
      `runs open on version 1 when version 2 became current ${range(inFlightAtSwitch, String)}, on version 2 at the rollback ${range(inFlightAtRollback, String)}; ` +
      `version 1 drained in ${range(drains.forward)} after version 2 became current, version 2 in ${range(drains.back)} after the rollback; ` +
      `progress queries of old-version requests during the drain answered ${statusAnswered}; ` +
      `coordinator runs on version 2 per trial ${range(coordinatorMoves, String)}; idle coordinators left the old version in ${range(idleLeaves)}; ` +
      `messages and carried states between runs ${crossed}, of which a kept release could not read ${unread}`,
    failures,
    failedTasks: failedTaskCount,
    nondeterminism: nondeterministic,
    stuck,
  };
}
