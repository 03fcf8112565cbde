// Drills 12 and 13: an operator acts on a run in flight. 12 terminates the group's coordinator mid-change
// (`temporal workflow terminate`); 13 resets a request (`temporal workflow reset`, to its first workflow task or
// to its last, in turn). Each trial (Alibaba and Huawei in turn) runs one request of `size` new servers, one chunk at
// a time, on two fresh workers; the action comes after a random number of its adds plus up to 400 ms, so it often
// lands with an add in flight. Half the trials complete; the other half ask for a rollback and are cancelled once the
// request was taken up again, so the rollback must remove what the adds before the action created too.
// The evidence is the simulator's group and call log against the request's report:
//   resumed: from the action until the request was taken up again (a new coordinator incarnation running, or the
//     reset run served by the coordinator), and until the next add;
//   ownership: every server an add before the action created is reported `added` (never `alreadyPresent`), and on
//     a rollback removed;
//   duplicates: a key or member id twice, a ClientToken committed twice, a server added by two committed calls;
//   lost: a requested server neither in the group (completed) nor reported.
import { getAddServersHandle, startAddServers } from '../src/client/index.js';
import type { GroupView } from '../src/domain/index.js';
import { coordinatorWorkflowId } from '../src/registry/index.js';
import type { WorldInput } from '../src/simulator/index.js';
import {
  callLog,
  prng,
  resetSimulator,
  retireCoordinators,
  seconds,
  simulators,
  sleep,
  startWorker,
  withTimeout,
  type DrillContext,
  type DrillReport,
  type WorkerProcess,
} from './support.js';
import {
  ADD_ACTION,
  alibabaServers,
  drillWorld,
  groupOf,
  HUAWEI_MONITORED_POOL,
  huaweiServers,
  ending,
  groupDuplicates,
  keyOf,
  membersOf,
  REMOVE_ACTION,
  request,
  type ProviderName,
} from './world.js';

export interface OperatorOptions {
  readonly action: 'terminate-coordinator' | 'reset-request';
  readonly trials: number;
  /** New servers per request (one chunk of 200 at a time). */
  readonly size: number;
  readonly seed?: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const range = (xs: number[]) => (xs.length ? `${seconds(Math.min(...xs))}–${seconds(Math.max(...xs))}` : 'none');

export async function operatorActs(ctx: DrillContext, o: OperatorOptions): Promise<DrillReport> {
  const random = prng(o.seed ?? 12);
  const sims = await simulators(slowerWorld());
  const failures: string[] = [];
  let passed = 0;
  let duplicates = 0;
  let lost = 0;
  const resumed: number[] = [];
  const nextAdd: number[] = [];
  let addedBefore = 0;
  let reportedPresent = 0;
  let rolledBack = 0;
  let midChange = 0;
  let doneBeforeCancel = 0;
  try {
    for (let trial = 0; trial < o.trials; trial++) {
      const p: ProviderName = trial % 2 === 0 ? 'alibaba-gwlb' : 'huawei-elb';
      const url = p === 'alibaba-gwlb' ? sims.alibaba.url : sims.huawei.url;
      // Complete, rollback, rollback, complete: each provider both ways within four trials.
      const rollback = trial % 4 === 1 || trial % 4 === 2;
      const resetTo = trial % 3 === 0 ? 'first' : 'last';
      await resetSimulator(url);
      // The Huawei pool with a health monitor: its members take initialMs to come ONLINE (NO_MONITOR is at once).
      const pool = p === 'huawei-elb' ? HUAWEI_MONITORED_POOL : undefined;
      const before = await membersOf(sims, p, pool);
      // Huawei: members backed by the drill range's ECS servers (indices below 2,100), all up.
      const servers = p === 'alibaba-gwlb' ? alibabaServers(o.size, 4000) : huaweiServers(o.size, 1000);
      const keys = servers.map((s) => keyOf(p, s));
      const taskQueue = `drill-operator-${trial}-${crypto.randomUUID()}`;
      const workers: WorkerProcess[] = await Promise.all(
        [0, 1].map(() => startWorker({ temporal: ctx.temporal, taskQueue, bundlePath: ctx.bundlePath, sims })),
      );
      const problems: string[] = [];
      try {
        let handle = await startAddServers(
          ctx.client,
          request(p, servers, { chunksAhead: 0, ...(rollback ? { onFailure: 'rollback' } : {}) }, pool) as never,
          { taskQueue, requestKey: `drill-operator-${trial}-${crypto.randomUUID()}` },
        );
        const adds = async () => (await callLog(url)).entries.filter((e) => e.action === ADD_ACTION[p] && e.committed);
        const after = 1 + Math.floor(random() * 2);
        for (const t = Date.now(); (await adds()).length < after; await sleep(20))
          if (Date.now() - t > 60_000) throw new Error(`fewer than ${after} adds within 60 s`);
        await sleep(Math.floor(random() * 400));
        const group = pool === undefined ? groupOf(p) : { ...groupOf(p), poolId: pool };
        const coordinator = ctx.client.workflow.getHandle(coordinatorWorkflowId(group));
        if ((await handle.workflow.describe()).status.name !== 'RUNNING')
          throw new Error('the request ended before the action: nothing to take up again');
        const described = await coordinator.describe();
        if ((described.raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'addChunk')) midChange++;
        const incarnation = described.raw.workflowExecutionInfo?.firstRunId;
        const addsAtAction = (await adds()).length;
        const acted = Date.now();
        if (o.action === 'terminate-coordinator') await coordinator.terminate('drill 12: an operator terminates it');
        else await resetRequest(ctx, handle.workflowId, resetTo);
        // Taken up again: a new incarnation running (12), or the reset run heard by the coordinator (13).
        for (;;) {
          if (Date.now() - acted > 120_000) throw new Error('not taken up again within 120 s');
          if (o.action === 'terminate-coordinator') {
            const now = await coordinator.describe().catch(() => undefined);
            const first = now?.raw.workflowExecutionInfo?.firstRunId;
            if (now?.status.name === 'RUNNING' && first !== incarnation) break;
          } else if (await servedRun(ctx, coordinator.workflowId, handle.workflowId)) break;
          await sleep(50);
        }
        resumed.push(Date.now() - acted);
        // A reset run is another run: follow the request's workflow id to it.
        if (o.action === 'reset-request') handle = await getAddServersHandle(ctx.client, handle.workflowId);
        // The next add after the action, if any was still to come: how long the group's writer was away.
        let settled = false;
        void (async () => {
          for (; !settled; await sleep(50))
            if ((await adds()).length > addsAtAction) return void nextAdd.push(Date.now() - acted);
        })();
        // What the group held of the request's servers when it was acted on: the adds before the action created them.
        const atAction = new Set((await membersOf(sims, p, pool)).map((m) => m.key).filter((k) => keys.includes(k)));
        addedBefore += atAction.size;
        if (rollback) {
          await sleep(300);
          await handle.cancel();
        }
        // Bounded, so a request that never ends fails its trial saying what it and its coordinator were doing.
        const end = await withTimeout(ending(handle), 90_000, 'the request ended').catch(async (error: unknown) => {
          const request = await handle.workflow.describe().catch(() => undefined);
          const view = await coordinator.query('group').catch((e: unknown) => String(e));
          throw new Error(
            `${String(error)} (request ${request?.runId} ${request?.status.name}, pending ${JSON.stringify(request?.raw.pendingActivities?.map((a) => a.activityType?.name))}; coordinator ${JSON.stringify(view).slice(0, 1500)})`,
          );
        });
        settled = true;
        const log = await callLog(url);
        const members = await membersOf(sims, p, pool);
        const inGroup = members.map((m) => m.key);
        const dup = groupDuplicates(p, members, log);
        const beforeKeys = before.map((m) => m.key).sort();
        const present = [...(end.result?.alreadyPresent ?? end.report?.alreadyPresent ?? [])];
        const stolen = present.filter((k) => atAction.has(k));
        reportedPresent += stolen.length;
        if (stolen.length)
          problems.push(`${stolen.length} servers its own adds created reported alreadyPresent (${stolen[0]})`);
        // A request asked to roll back may be done before its cancel reached it: it is then checked as completed.
        if (rollback && end.result) doneBeforeCancel++;
        if (!rollback || end.result) {
          if (!end.result) problems.push(`did not complete: ${end.error ?? 'cancelled'}`);
          const added = new Set(end.result?.added ?? []);
          const missing = keys.filter((k) => !added.has(k));
          if (missing.length) {
            problems.push(`${missing.length} servers not reported added (${missing[0]})`);
            lost += missing.length;
          }
          const expected = [...beforeKeys, ...keys].sort();
          const held = [...new Set(inGroup)].sort();
          if (held.join() !== expected.join()) {
            const gone = expected.filter((k) => !inGroup.includes(k)).length;
            problems.push(`the group holds ${held.length} members, expected ${expected.length} (${gone} missing)`);
            lost += gone;
          }
          const removes = log.counts.byAction[REMOVE_ACTION[p]]?.calls ?? 0;
          if (removes) problems.push(`${removes} remove calls`);
        } else {
          if (!end.report) problems.push(`not cancelled with a report: ${end.error ?? 'completed'}`);
          const back = new Set(end.report?.rolledBack ?? []);
          rolledBack += back.size;
          const kept = [...atAction].filter((k) => !back.has(k));
          if (kept.length) problems.push(`${kept.length} servers added before the action not rolled back (${kept[0]})`);
          const held = [...new Set(inGroup)].sort();
          if (held.join() !== beforeKeys.join())
            problems.push(
              `the group holds ${held.length} members after the rollback, expected the ${beforeKeys.length} before`,
            );
        }
        if (dup) problems.push(`${dup} duplicates`);
        duplicates += dup;
      } catch (error) {
        problems.push(String(error));
      } finally {
        await retireCoordinators(ctx.client, taskQueue);
        await Promise.all(workers.map((w) => w.stop('SIGTERM')));
      }
      if (problems.length === 0) passed++;
      else failures.push(`trial ${trial} (${p}): ${problems.join('; ')}`);
      ctx.log(
        `  ${o.action}, trial ${trial + 1}/${o.trials} (${p}${o.action === 'reset-request' ? `, to its ${resetTo} task` : ''}${rollback ? ', rollback' : ''}): ${problems.length ? `FAILED: ${problems.join('; ')}` : `taken up again in ${seconds(resumed.at(-1) ?? NaN)}`}`,
      );
    }
  } finally {
    await sims.close();
  }
  const what =
    o.action === 'terminate-coordinator'
      ? '12. terminated coordinator: `temporal workflow terminate` on the group coordinator mid-run'
      : '13. reset request: `temporal workflow reset` of a request mid-run (to its first and to its last workflow task)';
  return {
    drill: `${what}, half cancelled after with rollback`,
    trials: o.trials,
    passed,
    duplicates,
    lost,
    figures:
      `taken up again ${range(resumed)} after the action (median ${seconds(median(resumed))}), next add ${range(nextAdd)}; ` +
      `acted with an add in flight ${midChange}/${o.trials}; servers the adds before the action created ${addedBefore}, of them reported alreadyPresent ${reportedPresent}; rolled back ${rolledBack} (cancelled trials done before their cancel ${doneBeforeCancel})`,
    failures,
  };
}

/** The drills' world with members that take 1.5 s to settle: a 600-server request, one chunk at a time, lasts seconds. */
function slowerWorld(): WorldInput {
  const world = drillWorld() as unknown as {
    alibaba: { timings: Record<string, number> };
    huawei: { timings: Record<string, number> };
  };
  world.alibaba.timings = { ...world.alibaba.timings, addingMs: 1500 };
  world.huawei.timings = { ...world.huawei.timings, initialMs: 1500 };
  return world as unknown as WorldInput;
}

/** Resets a request to its first or last completed workflow task, as `temporal workflow reset --type` does. */
async function resetRequest(ctx: DrillContext, workflowId: string, to: 'first' | 'last'): Promise<void> {
  const handle = ctx.client.workflow.getHandle(workflowId);
  const { runId } = await handle.describe();
  const events = (await handle.fetchHistory()).events ?? [];
  const completed = events.filter((e) => e.workflowTaskCompletedEventAttributes);
  const point = to === 'first' ? completed[0] : completed.at(-1);
  if (!point?.eventId) throw new Error(`no completed workflow task to reset ${workflowId} to`);
  await ctx.client.workflowService.resetWorkflowExecution({
    namespace: ctx.client.options.namespace,
    workflowExecution: { workflowId, runId },
    reason: `drill 13: an operator resets the request (to its ${to} workflow task)`,
    workflowTaskFinishEventId: point.eventId,
    requestId: crypto.randomUUID(),
  });
}

/** Whether the coordinator serves the request's current run (its entry names that run), or the request ended. */
async function servedRun(ctx: DrillContext, coordinatorId: string, requestId: string): Promise<boolean> {
  const current = await ctx.client.workflow.getHandle(requestId).describe();
  if (current.status.name !== 'RUNNING') return true;
  const view = await ctx.client.workflow
    .getHandle(coordinatorId)
    .query<GroupView>('group')
    .catch(() => undefined);
  return view?.requests.some((r) => r.workflowId === requestId && r.runId === current.runId) === true;
}
