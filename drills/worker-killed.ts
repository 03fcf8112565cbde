// Drill 1: one of three worker processes is SIGKILLed at a random moment and a fresh one started. Each trial runs,
// on one Alibaba group and one Huawei pool at once, several requests that share the group (so one coordinator per
// group coalesces them), all on the same three workers: the kill may take the coordinator's worker, a request's, or
// one that holds an activity in flight.
import type { WorkflowHandle } from '@temporalio/client';
import { type AddServersResult } from '../src/domain/index.js';
import { coordinatorWorkflowId } from '../src/registry/index.js';
import {
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
  groupOf,
  huaweiServers,
  keyOf,
  membersOf,
  PROVIDERS,
  request,
  type ProviderName,
} from './world.js';

export interface WorkerKilledOptions {
  trials: number;
  /** Servers per group per trial, split evenly over `requests` requests. */
  size: number;
  /** Requests per group per trial (default 4). */
  requests?: number;
  /** Worker processes (default 3); one of them is killed. */
  workers?: number;
  seed?: number;
  /** The kill comes after a random number of provider calls in [1, killWithinCalls], plus up to 300 ms. */
  killWithinCalls?: number;
  timeoutMs?: number;
}

export async function workerKilled(ctx: DrillContext, o: WorkerKilledOptions): Promise<DrillReport> {
  const random = prng(o.seed ?? 1);
  const perGroup = o.requests ?? 4;
  const workerCount = o.workers ?? 3;
  const chunks = Math.ceil(o.size / 200);
  const within = o.killWithinCalls ?? Math.max(4, chunks * 4);
  const sims = await simulators(drillWorld());
  const failures: string[] = [];
  let passed = 0;
  let duplicates = 0;
  let lost = 0;
  const recoveries: number[] = [];
  const resumes: number[] = [];
  const killPoints: number[] = [];
  let inFlightAtKill = 0;
  let coordinatorWorkerKilled = 0;
  const applied: Record<ProviderName, number[]> = { 'alibaba-gwlb': [], 'huawei-elb': [] };
  const timedOut = { workflowTasks: 0, activities: 0 };
  const coordinatorIds = () => PROVIDERS.map((p) => coordinatorWorkflowId(groupOf(p)));
  const adds = () =>
    PROVIDERS.reduce(
      (n, p) =>
        n +
        ((p === 'alibaba-gwlb' ? sims.alibaba : sims.huawei).simulator.calls.counts().byAction[ADD_ACTION[p]]?.calls ??
          0),
      0,
    );
  try {
    for (let trial = 0; trial < o.trials; trial++) {
      await Promise.all([resetSimulator(sims.alibaba.url), resetSimulator(sims.huawei.url)]);
      const before = {
        'alibaba-gwlb': await membersOf(sims, 'alibaba-gwlb'),
        'huawei-elb': await membersOf(sims, 'huawei-elb'),
      };
      const servers = { 'alibaba-gwlb': alibabaServers(o.size), 'huawei-elb': huaweiServers(o.size) };
      const each = Math.ceil(o.size / perGroup);
      const slices = (p: ProviderName) =>
        Array.from({ length: perGroup }, (_, r) => servers[p].slice(r * each, (r + 1) * each)).filter(
          (s) => s.length > 0,
        );
      const taskQueue = `drill-killed-${trial}-${crypto.randomUUID()}`;
      const workers: WorkerProcess[] = await Promise.all(
        Array.from({ length: workerCount }, () =>
          startWorker({ temporal: ctx.temporal, taskQueue, bundlePath: ctx.bundlePath, sims }),
        ),
      );
      let replacement: WorkerProcess | undefined;
      const problems: string[] = [];
      try {
        const started = await Promise.all(
          PROVIDERS.flatMap((p) =>
            slices(p).map(async (slice, r) => ({
              provider: p,
              keys: slice.map((s) => keyOf(p, s)),
              handle: (await ctx.client.workflow.start('addServersToServerGroup', {
                taskQueue,
                workflowId: `drill-killed/${trial}/${p}/${r}/${crypto.randomUUID()}`,
                args: [request(p, slice)],
              })) as WorkflowHandle,
            })),
          ),
        );
        const killAfter = 1 + Math.floor(random() * within);
        const calls = () => sims.alibaba.simulator.calls.counts().total + sims.huawei.simulator.calls.counts().total;
        for (const t = Date.now(); calls() < killAfter;) {
          if (Date.now() - t > 60_000) throw new Error(`fewer than ${killAfter} provider calls within 60 s`);
          await sleep(5);
        }
        await sleep(Math.floor(random() * 300));
        const victim = workers[Math.floor(random() * workers.length)]!;
        // The coordinators' activities in flight, and whether the victim runs one (a worker's default identity is pid@host).
        let pending = 0;
        let onVictim = false;
        for (const id of coordinatorIds()) {
          const d = await ctx.client.workflow
            .getHandle(id)
            .describe()
            .catch(() => undefined);
          const activities = d?.raw.pendingActivities ?? [];
          pending += activities.length;
          if (activities.some((a) => (a.lastWorkerIdentity ?? '').startsWith(`${victim.pid}@`))) onVictim = true;
        }
        const addsAtKill = adds();
        const how = await victim.stop('SIGKILL');
        if (how !== 'SIGKILL') problems.push(`the worker ended with ${String(how)}, not SIGKILL`);
        const killedAt = performance.now();
        killPoints.push(calls());
        if (pending > 0) inFlightAtKill++;
        if (onVictim) coordinatorWorkerKilled++;
        replacement = await startWorker({ temporal: ctx.temporal, taskQueue, bundlePath: ctx.bundlePath, sims });
        const timeout = o.timeoutMs ?? 300_000;
        let settled = false;
        const results = Promise.allSettled(
          started.map((s) => withTimeout(s.handle.result() as Promise<AddServersResult>, timeout, 'the result')),
        ).finally(() => {
          settled = true;
        });
        // The first add after the kill, if any was still to come: how long the group's writer was away.
        void (async () => {
          while (!settled) {
            if (adds() > addsAtKill) {
              resumes.push(performance.now() - killedAt);
              return;
            }
            await sleep(10);
          }
        })();
        const outcomes = await results;
        recoveries.push(performance.now() - killedAt);
        // What the kill cost in Temporal's terms: tasks that timed out on the dead worker before another took them.
        for (const id of [...coordinatorIds(), ...started.map((s) => s.handle.workflowId)]) {
          for (const e of (await ctx.client.workflow.getHandle(id).fetchHistory()).events ?? []) {
            if (e.workflowTaskTimedOutEventAttributes) timedOut.workflowTasks++;
            if (e.activityTaskTimedOutEventAttributes) timedOut.activities++;
          }
        }
        for (const p of PROVIDERS) {
          const runs = started
            .map((s, i) => ({ s, outcome: outcomes[i]! }))
            .filter(({ s }) => s.provider === p)
            .map(({ s, outcome }) => ({ keys: s.keys, outcome }));
          const check = await checkGroupRuns(sims, p, { runs, before: before[p] });
          duplicates += check.duplicates;
          lost += check.lost;
          applied[p].push(check.applied);
          problems.push(...check.problems.map((x) => `${p}: ${x}`));
        }
      } catch (error) {
        problems.push(String(error));
      } finally {
        await retireCoordinators(ctx.client, taskQueue);
        await Promise.all(workers.map((w) => w.stop('SIGKILL')));
        await replacement?.stop('SIGTERM');
      }
      if (problems.length === 0) passed++;
      else failures.push(`trial ${trial}: ${problems.join('; ')}`);
      ctx.log(
        `  worker killed, trial ${trial + 1}/${o.trials}: killed after call ${killPoints.at(-1)}, ${problems.length ? `FAILED: ${problems.join('; ')}` : `recovered in ${seconds(recoveries.at(-1) ?? 0)}`}`,
      );
    }
  } finally {
    await sims.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const range = (xs: number[]) => (xs.length ? `${Math.min(...xs)}–${Math.max(...xs)}` : 'none');
  return {
    drill: `1. one of ${workerCount} workers SIGKILLed (${perGroup} requests sharing each group, ${o.size.toLocaleString('en')} + ${o.size.toLocaleString('en')} servers per trial)`,
    trials: o.trials,
    passed,
    duplicates,
    lost,
    figures:
      `${o.trials * 2 * perGroup} runs, killed after provider call ${range(killPoints)} (${inFlightAtKill} kills with an activity in flight, ${coordinatorWorkerKilled} of the worker running a coordinator's activity); ` +
      `adds applied per group ${range(applied['alibaba-gwlb'])} Alibaba, ${range(applied['huawei-elb'])} Huawei (coalesced minimum ${chunks}); ` +
      `tasks timed out on the killed worker: ${timedOut.workflowTasks} workflow tasks, ${timedOut.activities} activities; kill → next add median ${seconds(median(resumes))}, max ${seconds(Math.max(0, ...resumes))} (${resumes.length} kills with adds left); kill → all done median ${seconds(median(recoveries))}, max ${seconds(Math.max(0, ...recoveries))}`,
    failures,
  };
}
