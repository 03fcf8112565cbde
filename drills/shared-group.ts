// Drill 7: one group shared by overlapping requests on three workers, one of them cancelled mid-chunk with
// rollback. Each trial (Alibaba and Huawei in turn) runs on one group, on three fresh worker processes:
//   A: 600 new servers, onFailure rollback, one chunk at a time (chunksAhead 0); cancelled after a random number
//      of adds (Huawei: the first) plus up to 400 ms, so the cancel often lands while a chunk of A's is in flight;
//   B: 50 of A's first chunk and 50 new ones, keep, started a random moment after A;
//   C: 100 of A's later servers and 2 of the group's pre-existing members, keep, started at a random moment;
//   D: 200 servers of its own, onFailure rollback, never cancelled.
// The evidence is the simulator's group at the end against every request's report:
//   foreign removed: a pre-existing member, or a server B, C or D reported in the group, missing at the end;
//   unreported: a member at the end that no report accounts for (A's added and not rolled back, B/C/D's added or
//     already present), or one A reports rolled back that is still there;
//   duplicates: a key or member id twice, a ClientToken committed twice, a server reported added by two requests;
//   lost: a server B, C or D asked for that its report or the group lacks.
import { startAddServers } from '../src/client/index.js';
import {
  callLog,
  prng,
  resetSimulator,
  seconds,
  simulators,
  sleep,
  retireCoordinators,
  startWorker,
  type DrillContext,
  type DrillReport,
  type WorkerProcess,
} from './support.js';
import {
  ADD_ACTION,
  alibabaServers,
  drillWorld,
  huaweiServers,
  ending,
  groupDuplicates,
  keyOf,
  membersOf,
  preexisting,
  REMOVE_ACTION,
  request,
  type ProviderName,
} from './world.js';

export interface SharedGroupOptions {
  trials: number;
  seed?: number;
  /**
   * Two deployments (drill 11): A and D run on task queue `…-a` (two workers), B and C on `…-b` (one worker), swapped
   * every other pair of trials. The group still has one writer: the evidence is the same, plus the coordinators.
   */
  deployments?: 1 | 2;
  /** A's cancel comes after a random number of its group's adds in [1, cancelWithinAdds] (Huawei: after the first), plus up to 400 ms. */
  cancelWithinAdds?: number;
}

export async function sharedGroup(ctx: DrillContext, o: SharedGroupOptions): Promise<DrillReport> {
  const random = prng(o.seed ?? 7);
  const sims = await simulators(drillWorld());
  const failures: string[] = [];
  let passed = 0;
  let duplicates = 0;
  let lost = 0;
  let foreignRemoved = 0;
  let unreported = 0;
  let cancelledInFlight = 0;
  let aCompletedFirst = 0;
  let keptForOthers = 0;
  let rolledBack = 0;
  let readded = 0;
  const addsPerTrial: number[] = [];
  const walls: number[] = [];
  const two = o.deployments === 2;
  /** Coordinator runs per queue (drill 11), and the most coordinator ids one trial's group saw. */
  const servedOn = new Map<'a' | 'b', number>();
  let coordinatorIds = 0;
  try {
    for (let trial = 0; trial < o.trials; trial++) {
      const p: ProviderName = trial % 2 === 0 ? 'alibaba-gwlb' : 'huawei-elb';
      const sim = p === 'alibaba-gwlb' ? sims.alibaba : sims.huawei;
      await resetSimulator(sim.url);
      const before = await membersOf(sims, p);
      const servers = p === 'alibaba-gwlb' ? alibabaServers(900) : huaweiServers(900);
      const present = p === 'alibaba-gwlb' ? preexisting.alibaba() : preexisting.huawei();
      const sets = {
        a: servers.slice(0, 600),
        b: [...servers.slice(0, 50), ...servers.slice(600, 650)],
        c: [...servers.slice(400, 500), ...present.slice(0, 2)],
        d: servers.slice(650, 850),
      };
      const base = `drill-shared-${trial}-${crypto.randomUUID()}`;
      // One deployment: every request and worker on one queue. Two: A and D on one, B and C on the other.
      const queues = two ? [`${base}-a`, `${base}-b`] : [base];
      const queueOf = (name: keyof typeof sets) =>
        !two ? base : (name === 'a' || name === 'd') === trial % 4 < 2 ? queues[0]! : queues[1]!;
      const workers: WorkerProcess[] = await Promise.all(
        [0, 0, two ? 1 : 0].map((q) =>
          startWorker({ temporal: ctx.temporal, taskQueue: queues[q]!, bundlePath: ctx.bundlePath, sims }),
        ),
      );
      const problems: string[] = [];
      const t0 = performance.now();
      const startedAt = new Date();
      try {
        const start = (name: keyof typeof sets, options: Record<string, unknown>) =>
          startAddServers(ctx.client, request(p, sets[name], options) as never, {
            taskQueue: queueOf(name),
            requestKey: `drill-shared-${trial}-${name}-${crypto.randomUUID()}`,
          });
        const addCalls = () => sim.simulator.calls.counts().byAction[ADD_ACTION[p]]?.calls ?? 0;
        const a = await start('a', { onFailure: 'rollback', chunksAhead: 0 });
        const d = await start('d', { onFailure: 'rollback' });
        const later = (name: 'b' | 'c', options: Record<string, unknown>) =>
          sleep(Math.floor(random() * 1500)).then(() => start(name, options));
        const [b, c] = await Promise.all([later('b', {}), later('c', {})]);
        // Cancel A after some adds, at a random moment within a chunk.
        // A Huawei pool takes A's next chunk as soon as its previous servers are up: only its first add leaves time.
        const cancelAfter = 1 + Math.floor(random() * (p === 'huawei-elb' ? 1 : (o.cancelWithinAdds ?? 3)));
        for (const t = Date.now(); addCalls() < cancelAfter && Date.now() - t < 60_000;) await sleep(5);
        await sleep(Math.floor(random() * 400));
        const inFlight =
          ((await a.workflow.describe()).raw.pendingActivities?.length ?? 0) > 0 || (await groupInFlight(ctx, queues));
        await a.cancel();
        const aEnd = await ending(a);
        const removesAtAClose = (await callLog(sim.url)).counts.byAction[REMOVE_ACTION[p]]?.calls ?? 0;
        const others = { b: await ending(b), c: await ending(c), d: await ending(d) };
        walls.push(performance.now() - t0);
        if (inFlight && aEnd.report) cancelledInFlight++;

        const log = await callLog(sim.url);
        const removesAfter = (log.counts.byAction[REMOVE_ACTION[p]]?.calls ?? 0) - removesAtAClose;
        if (removesAfter > 0) problems.push(`${removesAfter} remove calls after A had closed`);
        addsPerTrial.push(log.counts.byAction[ADD_ACTION[p]]?.calls ?? 0);

        const members = await membersOf(sims, p);
        const keys = members.map((m) => m.key);
        const inGroup = new Set(keys);
        let dup = groupDuplicates(p, members, log);

        const preKeys = new Set(before.map((m) => m.key));
        const accounted = new Set<string>();
        const addedBy = new Map<string, number>();
        const said = (
          name: string,
          keysOf: string[],
          r: { added: readonly string[]; alreadyPresent: readonly string[] },
        ) => {
          for (const k of r.added) addedBy.set(k, (addedBy.get(k) ?? 0) + 1);
          const reported = new Set([...r.added, ...r.alreadyPresent]);
          const missing = keysOf.filter((k) => !reported.has(k));
          if (missing.length) {
            problems.push(`${name}: ${missing.length} of its servers in neither added nor alreadyPresent`);
            lost += missing.length;
          }
          const gone = [...reported].filter((k) => !inGroup.has(k));
          if (gone.length) {
            problems.push(
              `${name}: ${gone.length} servers it reported in the group are gone (${gone.slice(0, 3).join(', ')})`,
            );
            foreignRemoved += gone.length;
          }
          for (const k of reported) accounted.add(k);
        };
        for (const [name, end] of Object.entries(others)) {
          const keysOf = sets[name as 'b' | 'c' | 'd'].map((s) => keyOf(p, s));
          if (!end.result) {
            problems.push(`${name} did not complete: ${end.error ?? 'cancelled'}`);
            lost += keysOf.length;
            continue;
          }
          said(name, keysOf, end.result);
        }
        const othersAdded = new Set(Object.values(others).flatMap((end) => end.result?.added ?? []));
        // A: cancelled with its report, or done before the cancel reached it.
        if (aEnd.result) {
          aCompletedFirst++;
          said(
            'A',
            sets.a.map((s) => keyOf(p, s)),
            aEnd.result,
          );
        } else if (aEnd.report) {
          const report = aEnd.report;
          const added = report.added ?? [];
          const back = new Set(report.rolledBack ?? []);
          const kept = new Set(report.keptForOthers ?? []);
          rolledBack += back.size;
          keptForOthers += kept.size;
          // What A rolled back is no longer A's add; a request that asked for it while the removal was under way
          // adds it again afterwards and reports it added (that request accounts for it then).
          for (const k of added) if (!back.has(k)) addedBy.set(k, (addedBy.get(k) ?? 0) + 1);
          for (const k of added) if (!back.has(k)) accounted.add(k);
          for (const k of report.alreadyPresent ?? []) accounted.add(k);
          readded += [...back].filter((k) => inGroup.has(k) && othersAdded.has(k)).length;
          const stillThere = [...back].filter((k) => inGroup.has(k) && !othersAdded.has(k));
          if (stillThere.length) {
            problems.push(`A: ${stillThere.length} servers reported rolled back are still in the group`);
            unreported += stillThere.length;
          }
          const unsplit = added.filter((k) => !back.has(k) && !kept.has(k));
          if (unsplit.length)
            problems.push(`A: ${unsplit.length} added servers neither rolled back nor kept for others`);
        } else problems.push(`A ended neither cancelled with a report nor completed: ${aEnd.error}`);
        const twice = [...addedBy.values()].filter((n) => n > 1).length;
        if (twice) problems.push(`${twice} servers reported added by two requests`);
        dup += twice;
        const goneBefore = [...preKeys].filter((k) => !inGroup.has(k));
        if (goneBefore.length) {
          problems.push(`${goneBefore.length} pre-existing members removed`);
          foreignRemoved += goneBefore.length;
        }
        const strays = keys.filter((k) => !preKeys.has(k) && !accounted.has(k));
        if (strays.length) {
          problems.push(`${strays.length} members no report accounts for (${strays.slice(0, 3).join(', ')})`);
          unreported += strays.length;
        }
        if (dup) problems.push(`${dup} duplicates`);
        duplicates += dup;
        if (two) {
          // Every request of both deployments went to the group's one coordinator: one workflow id, on one queue at a time.
          const runs = await coordinatorRuns(ctx, queues, startedAt);
          const ids = new Set(runs.map((r) => r.workflowId));
          if (ids.size !== 1) problems.push(`${ids.size} coordinators wrote the group (${[...ids].join(', ')})`);
          for (const r of runs)
            servedOn.set(
              r.taskQueue === queues[0] ? 'a' : 'b',
              (servedOn.get(r.taskQueue === queues[0] ? 'a' : 'b') ?? 0) + 1,
            );
          coordinatorIds = Math.max(coordinatorIds, ids.size);
        }
      } catch (error) {
        problems.push(String(error));
      } finally {
        for (const q of queues) await retireCoordinators(ctx.client, q);
        await Promise.all(workers.map((w) => w.stop('SIGTERM')));
      }
      if (problems.length === 0) passed++;
      else failures.push(`trial ${trial} (${p}): ${problems.join('; ')}`);
      ctx.log(
        `  shared group, trial ${trial + 1}/${o.trials} (${p}): ${problems.length ? `FAILED: ${problems.join('; ')}` : `ok in ${seconds(walls.at(-1) ?? 0)}`}`,
      );
    }
  } finally {
    await sims.close();
  }
  const deployments = two
    ? `coordinator ids per group ${coordinatorIds} (runs on queue a ${servedOn.get('a') ?? 0}, on queue b ${servedOn.get('b') ?? 0}); `
    : '';
  return {
    drill: two
      ? '11. two deployments: the same 4 requests on one group from two task queues (2 + 1 workers), one cancelled mid-run with rollback'
      : '7. shared group: 4 overlapping requests on 3 workers, one cancelled mid-run with rollback',
    trials: o.trials,
    passed,
    duplicates,
    lost,
    figures:
      deployments +
      `foreign servers removed ${foreignRemoved}, servers left unreported ${unreported}; ` +
      `A cancelled with a change in flight ${cancelledInFlight}/${o.trials}, done before its cancel ${aCompletedFirst}; A's rollbacks removed ${rolledBack} and kept ${keptForOthers} for B and C (${readded} removed while B or C asked for them, and added again for them after); ` +
      `adds per trial ${Math.min(...addsPerTrial)}–${Math.max(...addsPerTrial)}; trial wall ${seconds(Math.min(...walls))}–${seconds(Math.max(...walls))}`,
    failures,
  };
}

/** The coordinator runs started on `queues` since `since`: their workflow ids and queues. */
async function coordinatorRuns(
  ctx: DrillContext,
  queues: readonly string[],
  since: Date,
): Promise<{ workflowId: string; taskQueue: string }[]> {
  const runs: { workflowId: string; taskQueue: string }[] = [];
  const on = queues.map((q) => `'${q}'`).join(', ');
  for await (const c of ctx.client.workflow.list({
    query: `WorkflowType = 'serverGroupCoordinator' AND TaskQueue IN (${on}) AND StartTime >= '${since.toISOString()}'`,
  }))
    runs.push({ workflowId: c.workflowId, taskQueue: c.taskQueue });
  return runs;
}

/** Whether the group's coordinator has an add or remove in flight (an activity pending on it). */
async function groupInFlight(ctx: DrillContext, queues: readonly string[]): Promise<boolean> {
  for await (const c of ctx.client.workflow.list({
    query: `WorkflowType = 'serverGroupCoordinator' AND TaskQueue IN (${queues.map((q) => `'${q}'`).join(', ')})`,
  })) {
    const d = await ctx.client.workflow.getHandle(c.workflowId).describe();
    if (
      (d.raw.pendingActivities ?? []).some(
        (a) => a.activityType?.name === 'addChunk' || a.activityType?.name === 'removeChunk',
      )
    )
      return true;
  }
  return false;
}
