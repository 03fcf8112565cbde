// Drill 3: one provider call in five fails (5xx, throttling, connection reset, and on adds commit-then-drop: the
// change applied, the answer lost). Every run must complete with nothing added twice; the extra calls the faults
// cost are measured against a fault-free run of the same size.
import type { WorkflowHandle } from '@temporalio/client';
import type { AddServersResult } from '../src/domain/index.js';
import {
  callLog,
  resetSimulator,
  seconds,
  setFaults,
  simulators,
  retireCoordinators,
  startWorker,
  withTimeout,
  type CallsAnswer,
  type DrillContext,
  type DrillReport,
} from './support.js';
import {
  ADD_ACTION,
  alibabaServers,
  checkTrialRuns,
  drillWorld,
  huaweiServers,
  membersOf,
  PROVIDERS,
  request,
  simUrl,
  type ProviderName,
} from './world.js';

export interface ProviderFaultsOptions {
  trials: number;
  size: number;
  seed?: number;
  /** Share of calls that fail (default 0.2). */
  failureRate?: number;
  timeoutMs?: number;
}

/** Fault rules: error, throttle and reset on every action, each with the probability that makes `rate` in all; commit-then-drop on adds. */
function faultRules(provider: ProviderName, rate: number): Record<string, unknown>[] {
  const p = 1 - (1 - rate) ** (1 / 3);
  const drop = provider === 'alibaba-gwlb' ? { drop: 'reset' } : { drop: 'error', status: 500 };
  return [
    { action: '*', effect: 'error', probability: p },
    { action: '*', effect: 'throttle', probability: p },
    { action: '*', effect: 'reset', probability: p },
    { action: ADD_ACTION[provider], effect: 'commitThenDrop', probability: p, ...drop },
  ];
}

const failedCalls = (calls: CallsAnswer) =>
  calls.entries.filter((e) => e.faults.length > 0 && (e.outcome === 'dropped' || e.status >= 400)).length;

export async function providerFaults(ctx: DrillContext, o: ProviderFaultsOptions): Promise<DrillReport> {
  const rate = o.failureRate ?? 0.2;
  const chunks = Math.ceil(o.size / 200);
  const sims = await simulators(drillWorld());
  const taskQueue = `drill-faults-${crypto.randomUUID()}`;
  const worker = await startWorker({ temporal: ctx.temporal, taskQueue, bundlePath: ctx.bundlePath, sims });
  const failures: string[] = [];
  let passed = 0;
  let duplicates = 0;
  let lost = 0;
  const baseline: Record<ProviderName, number> = { 'alibaba-gwlb': 0, 'huawei-elb': 0 };
  const totals = { calls: 0, failed: 0, extra: 0, replayedAdds: 0, committedThenDropped: 0 };
  const durations: number[] = [];

  /** One Alibaba and one Huawei run at once; returns each run's problems and call log. */
  const round = async (label: string, faults: boolean, seed: number) => {
    await Promise.all(PROVIDERS.map((p) => resetSimulator(simUrl(sims, p))));
    if (faults)
      await Promise.all(PROVIDERS.map((p) => setFaults(simUrl(sims, p), { seed, rules: faultRules(p, rate) })));
    const before = {
      'alibaba-gwlb': await membersOf(sims, 'alibaba-gwlb'),
      'huawei-elb': await membersOf(sims, 'huawei-elb'),
    };
    const servers = { 'alibaba-gwlb': alibabaServers(o.size), 'huawei-elb': huaweiServers(o.size) };
    const started = performance.now();
    const handles = await Promise.all(
      PROVIDERS.map(
        (p) =>
          ctx.client.workflow.start('addServersToServerGroup', {
            taskQueue,
            workflowId: `drill-faults/${label}/${p}/${crypto.randomUUID()}`,
            args: [request(p, servers[p])],
          }) as Promise<WorkflowHandle>,
      ),
    );
    const timeout = o.timeoutMs ?? 300_000;
    const results = await Promise.allSettled(
      handles.map((h) => withTimeout(h.result() as Promise<AddServersResult>, timeout, 'the result')),
    );
    durations.push(performance.now() - started);
    const out = [];
    for (const run of await checkTrialRuns(sims, results, { servers, before, chunks }))
      out.push({ ...run, calls: await callLog(simUrl(sims, run.provider)) });
    return out;
  };

  try {
    for (const run of await round('baseline', false, 0)) {
      if (run.problems.length) throw new Error(`the fault-free baseline failed: ${run.problems.join('; ')}`);
      baseline[run.provider] = run.calls.counts.total;
    }
    for (let trial = 0; trial < o.trials; trial++) {
      const problems: string[] = [];
      try {
        for (const run of await round(`${trial}`, true, (o.seed ?? 3) * 1000 + trial)) {
          problems.push(...run.problems);
          duplicates += run.check.duplicates;
          lost += run.check.lost;
          totals.calls += run.calls.counts.total;
          totals.failed += failedCalls(run.calls);
          totals.extra += run.calls.counts.total - baseline[run.provider];
          const add = ADD_ACTION[run.provider];
          totals.replayedAdds += run.calls.counts.byAction[add]?.byOutcome.replayed ?? 0;
          totals.committedThenDropped += run.calls.entries.filter(
            (e) => e.action === add && e.committed && e.faults.length > 0,
          ).length;
        }
      } catch (error) {
        problems.push(String(error));
      }
      if (problems.length === 0) passed++;
      else failures.push(`trial ${trial}: ${problems.join('; ')}`);
      ctx.log(
        `  provider faults, trial ${trial + 1}/${o.trials}: ${problems.length ? `FAILED: ${problems.join('; ')}` : `done in ${seconds(durations.at(-1) ?? 0)}`}`,
      );
    }
  } finally {
    await retireCoordinators(ctx.client, taskQueue);
    await worker.stop('SIGTERM');
    await sims.close();
  }
  const runs = o.trials * 2;
  return {
    drill: `3. provider faults, ${Math.round(rate * 100)}% of calls (${o.size.toLocaleString('en')} + ${o.size.toLocaleString('en')} servers per trial)`,
    trials: o.trials,
    passed,
    duplicates,
    lost,
    figures:
      `${runs} runs, ${totals.calls} calls of which ${totals.failed} failed (${((totals.failed / Math.max(1, totals.calls)) * 100).toFixed(1)}%); ` +
      `${totals.committedThenDropped} adds applied then answer lost, ${totals.replayedAdds} adds replayed; ` +
      `extra calls vs fault-free (Alibaba ${baseline['alibaba-gwlb']}, Huawei ${baseline['huawei-elb']} calls per run): ${totals.extra} in all, ${(totals.extra / Math.max(1, runs)).toFixed(1)} per run; ` +
      `trial wall time ${seconds(Math.min(...durations.slice(1)))}–${seconds(Math.max(...durations.slice(1)))} (fault-free ${seconds(durations[0] ?? 0)})`,
    failures,
  };
}
