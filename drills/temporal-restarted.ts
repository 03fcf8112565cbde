// Drill 2: the Temporal dev server (with a database file) is stopped mid-run and started again on the same port
// and file; the worker process and the client keep running through it. Each trial runs one Alibaba and one Huawei
// run of `size` servers at once.
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { AddServersResult } from '../src/domain/index.js';
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
import { alibabaServers, checkTrialRuns, drillWorld, huaweiServers, membersOf, PROVIDERS, request } from './world.js';

export interface TemporalRestartedOptions {
  trials: number;
  size: number;
  seed?: number;
  timeoutMs?: number;
}

/** The result, asking again when the answer was lost to the server being away (not when the run itself failed). */
async function resultThroughOutages(handle: WorkflowHandle, deadline: number): Promise<AddServersResult> {
  for (;;) {
    try {
      return (await handle.result()) as AddServersResult;
    } catch (error) {
      if (error instanceof WorkflowFailedError || Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

export async function temporalRestarted(ctx: DrillContext, o: TemporalRestartedOptions): Promise<DrillReport> {
  const random = prng(o.seed ?? 2);
  const chunks = Math.ceil(o.size / 200);
  const sims = await simulators(drillWorld());
  const taskQueue = `drill-restart-${crypto.randomUUID()}`;
  const failures: string[] = [];
  let passed = 0;
  let duplicates = 0;
  let lost = 0;
  let workerRestarts = 0;
  const downtimes: number[] = [];
  const afterRestart: number[] = [];
  let worker: WorkerProcess = await startWorker({
    temporal: ctx.temporal,
    taskQueue,
    bundlePath: ctx.bundlePath,
    sims,
  });
  const firstPid = worker.pid;
  try {
    for (let trial = 0; trial < o.trials; trial++) {
      const problems: string[] = [];
      try {
        await Promise.all([resetSimulator(sims.alibaba.url), resetSimulator(sims.huawei.url)]);
        const before = {
          'alibaba-gwlb': await membersOf(sims, 'alibaba-gwlb'),
          'huawei-elb': await membersOf(sims, 'huawei-elb'),
        };
        const servers = { 'alibaba-gwlb': alibabaServers(o.size), 'huawei-elb': huaweiServers(o.size) };
        const handles = await Promise.all(
          PROVIDERS.map(
            (p) =>
              ctx.client.workflow.start('addServersToServerGroup', {
                taskQueue,
                workflowId: `drill-restart/${trial}/${p}/${crypto.randomUUID()}`,
                args: [request(p, servers[p])],
              }) as Promise<WorkflowHandle>,
          ),
        );
        const stopAfter = 2 + Math.floor(random() * chunks * 3);
        const calls = () => sims.alibaba.simulator.calls.counts().total + sims.huawei.simulator.calls.counts().total;
        for (const started = Date.now(); calls() < stopAfter;) {
          if (Date.now() - started > 60_000) throw new Error(`fewer than ${stopAfter} provider calls within 60 s`);
          await sleep(5);
        }
        const downFor = 2000 + Math.floor(random() * 3000);
        const stoppedAt = performance.now();
        await ctx.temporal.down('SIGTERM');
        await sleep(downFor);
        await ctx.temporal.up();
        const upAt = performance.now();
        downtimes.push(upAt - stoppedAt);
        if (!worker.alive()) {
          workerRestarts++;
          problems.push('the worker process exited while the server was away');
          worker = await startWorker({ temporal: ctx.temporal, taskQueue, bundlePath: ctx.bundlePath, sims });
        }
        const timeout = o.timeoutMs ?? 300_000;
        const results = await Promise.allSettled(
          handles.map((h) => withTimeout(resultThroughOutages(h, Date.now() + timeout), timeout, 'the result')),
        );
        afterRestart.push(performance.now() - upAt);
        for (const { problems: found, check } of await checkTrialRuns(sims, results, { servers, before, chunks })) {
          duplicates += check.duplicates;
          lost += check.lost;
          problems.push(...found);
        }
      } catch (error) {
        problems.push(String(error));
      }
      if (problems.length === 0) passed++;
      else failures.push(`trial ${trial}: ${problems.join('; ')}`);
      ctx.log(
        `  Temporal restarted, trial ${trial + 1}/${o.trials}: down ${seconds(downtimes.at(-1) ?? 0)}, ${problems.length ? `FAILED: ${problems.join('; ')}` : `done ${seconds(afterRestart.at(-1) ?? 0)} after the restart`}`,
      );
    }
  } finally {
    await retireCoordinators(ctx.client, taskQueue);
    await worker.stop('SIGTERM');
    await sims.close();
  }
  return {
    drill: `2. Temporal dev server stopped and restarted (${o.size.toLocaleString('en')} + ${o.size.toLocaleString('en')} servers per trial)`,
    trials: o.trials,
    passed,
    duplicates,
    lost,
    figures:
      `${o.trials * 2} runs; server away ${seconds(Math.min(...downtimes))}–${seconds(Math.max(...downtimes))} (stop, --db-filename kept, start on the same port); ` +
      `runs done ${seconds(Math.min(...afterRestart))}–${seconds(Math.max(...afterRestart))} after the restart; ` +
      `worker process ${workerRestarts === 0 && worker.pid === firstPid ? 'kept running throughout (same pid)' : `restarted ${workerRestarts} times`}`,
    failures,
  };
}
