// Drill 1: the worker is SIGKILLed at a random moment of a run and a fresh one started. Each trial runs one
// Alibaba and one Huawei run of `size` servers at once on the same worker, so one kill hits both.
import type { WorkflowHandle } from '@temporalio/client';
import type { AddServersResult } from '../src/domain/index.js';
import { prng, resetSimulator, seconds, simulators, sleep, startWorker, withTimeout, type DrillContext, type DrillReport } from './support.js';
import { alibabaServers, checkTrialRuns, drillWorld, huaweiServers, membersOf, PROVIDERS, request } from './world.js';

export interface WorkerKilledOptions {
  trials: number;
  size: number;
  seed?: number;
  /** The kill comes after a random number of provider calls in [1, killWithinCalls], plus up to 300 ms. */
  killWithinCalls?: number;
  timeoutMs?: number;
}


export async function workerKilled(ctx: DrillContext, o: WorkerKilledOptions): Promise<DrillReport> {
  const random = prng(o.seed ?? 1);
  const chunks = Math.ceil(o.size / 200);
  const within = o.killWithinCalls ?? Math.max(4, chunks * 4);
  const sims = await simulators(drillWorld());
  const failures: string[] = [];
  let passed = 0;
  let duplicates = 0;
  let lost = 0;
  const recoveries: number[] = [];
  const killPoints: number[] = [];
  let inFlightAtKill = 0;
  let replayedAdds = 0;
  let appliedAdds = 0;
  try {
    for (let trial = 0; trial < o.trials; trial++) {
      await Promise.all([resetSimulator(sims.alibaba.url), resetSimulator(sims.huawei.url)]);
      const before = { 'alibaba-gwlb': await membersOf(sims, 'alibaba-gwlb'), 'huawei-elb': await membersOf(sims, 'huawei-elb') };
      const servers = { 'alibaba-gwlb': alibabaServers(o.size), 'huawei-elb': huaweiServers(o.size) };
      const taskQueue = `drill-killed-${trial}-${crypto.randomUUID()}`;
      const first = await startWorker({ temporal: ctx.temporal, taskQueue, bundlePath: ctx.bundlePath, sims });
      let second: Awaited<ReturnType<typeof startWorker>> | undefined;
      const problems: string[] = [];
      try {
        const handles = await Promise.all(
          PROVIDERS.map((p) =>
            ctx.client.workflow.start('addServersToServerGroup', {
              taskQueue,
              workflowId: `drill-killed/${trial}/${p}/${crypto.randomUUID()}`,
              args: [request(p, servers[p])],
            }) as Promise<WorkflowHandle>,
          ),
        );
        const killAfter = 1 + Math.floor(random() * within);
        const calls = () => sims.alibaba.simulator.calls.counts().total + sims.huawei.simulator.calls.counts().total;
        for (const started = Date.now(); calls() < killAfter; ) {
          if (Date.now() - started > 60_000) throw new Error(`fewer than ${killAfter} provider calls within 60 s`);
          await sleep(5);
        }
        await sleep(Math.floor(random() * 300));
        const pending = (await Promise.all(handles.map((h) => h.describe()))).reduce((n, d) => n + (d.raw.pendingActivities?.length ?? 0), 0);
        const how = await first.stop('SIGKILL');
        if (how !== 'SIGKILL') problems.push(`the worker ended with ${String(how)}, not SIGKILL`);
        const killedAt = performance.now();
        killPoints.push(calls());
        if (pending > 0) inFlightAtKill++;
        second = await startWorker({ temporal: ctx.temporal, taskQueue, bundlePath: ctx.bundlePath, sims });
        const timeout = o.timeoutMs ?? 300_000;
        const results = await Promise.allSettled(
          handles.map((h) => withTimeout(h.result() as Promise<AddServersResult>, timeout, 'the result')),
        );
        recoveries.push(performance.now() - killedAt);
        for (const { provider: p, problems: found, check } of await checkTrialRuns(sims, results, { servers, before, chunks })) {
          duplicates += check.duplicates;
          lost += check.lost;
          problems.push(...found);
          const adds = check.calls.counts.byAction[p === 'alibaba-gwlb' ? 'AddServersToServerGroup' : 'BatchCreateMembers']?.byOutcome ?? {};
          appliedAdds += adds.applied ?? 0;
          replayedAdds += adds.replayed ?? 0;
        }
      } catch (error) {
        problems.push(String(error));
      } finally {
        await first.stop('SIGKILL');
        await second?.stop('SIGTERM');
      }
      if (problems.length === 0) passed++;
      else failures.push(`trial ${trial}: ${problems.join('; ')}`);
      ctx.log(`  worker killed, trial ${trial + 1}/${o.trials}: killed after call ${killPoints.at(-1)}, ${problems.length ? `FAILED: ${problems.join('; ')}` : `recovered in ${seconds(recoveries.at(-1) ?? 0)}`}`);
    }
  } finally {
    await sims.close();
  }
  const median = [...recoveries].sort((a, b) => a - b)[Math.floor(recoveries.length / 2)] ?? 0;
  return {
    drill: `1. worker SIGKILLed (${o.size.toLocaleString('en')} + ${o.size.toLocaleString('en')} servers per trial)`,
    trials: o.trials,
    passed,
    duplicates,
    lost,
    figures:
      `${o.trials * 2} runs, killed after provider call ${Math.min(...killPoints)}–${Math.max(...killPoints)} (${inFlightAtKill} kills with an activity in flight); ` +
      `adds applied ${appliedAdds} (= ${o.trials * 2 * chunks} chunks), replayed ${replayedAdds}; kill → done median ${seconds(median)}, max ${seconds(Math.max(0, ...recoveries))}`,
    failures,
  };
}
