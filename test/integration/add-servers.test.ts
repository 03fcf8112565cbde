// The integration tier: addServersToServerGroup on the Temporal dev server (real time, no skipping), a real
// worker with the real activities and provider clients, and both simulators over HTTP. What the simulators
// hold at the end and the calls they logged are the evidence; the workflow's own result is only checked
// against them. The two tests that mostly wait on Temporal retry timers (concurrency on one group, a killed
// worker) run side by side.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AddServersResult } from '../../src/domain/index.js';
import { coordinatorWorkflowId } from '../../src/registry/index.js';
import { startSimulators, type CallEntry } from '../../src/simulator/index.js';
import type { addServersToServerGroup } from '../../src/workflows/index.js';
import {
  ALIBABA_DEMO_GROUP,
  alibabaServers,
  bundleLbflowWorkflows,
  HUAWEI_NO_MONITOR_POOL,
  huaweiServers,
  startHarness,
  type Harness,
} from '../workflows/harness.js';
import { startHoldingProxy, startWorkerProcess, type WorkerProcess } from './child-worker.js';
import {
  alibabaGroupState,
  alibabaKey,
  alibabaRequest,
  callLog,
  type CallsAnswer,
  huaweiKey,
  huaweiPoolState,
  huaweiRequest,
  integrationWorld,
  seconds,
  sorted,
  startDevServer,
  tokensOf,
} from './support.js';

describe('addServersToServerGroup on the dev server with a real worker and the simulators over HTTP', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let dir: string;

  beforeAll(async () => {
    env = await startDevServer();
    bundle = await bundleLbflowWorkflows();
    dir = mkdtempSync(join(tmpdir(), 'lbflow-it-'));
  });
  afterAll(async () => {
    await env?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Simulators with fast settle times and a worker factory, closed when the test ends. */
  const harness = async (onTestFinished: (fn: () => Promise<void>) => void): Promise<Harness> => {
    const h = await startHarness(env, bundle, { followTemporalTime: false, world: integrationWorld() });
    onTestFinished(() => h.close());
    return h;
  };
  const run = (taskQueue: string, request: unknown, id = 'it') =>
    env.client.workflow
      .start<typeof addServersToServerGroup>('addServersToServerGroup', {
        taskQueue,
        workflowId: `lbflow-${id}-${crypto.randomUUID()}`,
        args: [request],
      })
      .then((handle) => handle.result());

  it('adds 1,000 Alibaba servers in exactly 5 calls and 1,000 Huawei members in 5, and the simulators hold exactly those', async ({
    onTestFinished,
  }) => {
    const h = await harness(onTestFinished);
    const sims = h.sims;
    const ali = alibabaServers(1000);
    const hw = huaweiServers(1000);
    const started = performance.now();
    const [aliResult, hwResult] = await h.withWorker((taskQueue) =>
      Promise.all([
        timed(run(taskQueue, alibabaRequest(ali), 'e2e-alibaba')),
        timed(run(taskQueue, huaweiRequest(hw), 'e2e-huawei')),
      ]),
    );
    console.log(
      `1,000 + 1,000 servers, both providers at once: Alibaba ${seconds(aliResult.ms)}, Huawei ${seconds(hwResult.ms)}, ` +
        `${seconds(performance.now() - started)} of wall time in all`,
    );

    const aliCalls = await callLog(sims.alibaba.url);
    const hwCalls = await callLog(sims.huawei.url);
    console.log(`Alibaba calls by action: ${JSON.stringify(mapValues(aliCalls.counts.byAction, (a) => a.calls))}`);
    console.log(`Huawei calls by action: ${JSON.stringify(mapValues(hwCalls.counts.byAction, (a) => a.calls))}`);
    expect(aliCalls.counts.byAction.AddServersToServerGroup?.calls).toBe(5);
    expect(aliCalls.counts.byAction.AddServersToServerGroup?.byOutcome).toEqual({ applied: 5 });
    expect(hwCalls.counts.byAction.BatchCreateMembers?.calls).toBe(5);
    expect(hwCalls.counts.byAction.BatchCreateMembers?.byOutcome).toEqual({ applied: 5 });

    const group = await alibabaGroupState(sims.alibaba.url, ALIBABA_DEMO_GROUP);
    expect(group.members).toHaveLength(1000);
    expect(sorted(group.members.map((m) => m.key))).toEqual(sorted(ali.map(alibabaKey)));
    expect(new Set(group.members.map((m) => m.status))).toEqual(new Set(['Available']));
    const pool = await huaweiPoolState(sims.huawei.url, HUAWEI_NO_MONITOR_POOL);
    expect(pool.members).toHaveLength(1000);
    expect(sorted(pool.members.map((m) => m.key))).toEqual(sorted(hw.map(huaweiKey)));
    expect(new Set(pool.members.map((m) => m.status))).toEqual(new Set(['NO_MONITOR']));

    expect(sorted(aliResult.value.added)).toEqual(sorted(ali.map(alibabaKey)));
    expect(sorted(hwResult.value.added)).toEqual(sorted(hw.map(huaweiKey)));
    expect(aliResult.value.servers.every((s) => s.status === 'Available')).toBe(true);
    expect(hwResult.value.servers.every((s) => s.status === 'NO_MONITOR')).toBe(true);
  });

  it('adds every server exactly once when changes are committed and their answers lost, amid 20% 5xx and resets', async ({
    onTestFinished,
  }) => {
    const h = await harness(onTestFinished);
    const sims = h.sims;
    // Every fresh add is applied and then its answer lost (a reset for Alibaba, a 500 for Huawei); on top, one
    // call in five of any action fails before it changes anything (503/500 or a reset).
    const noise = [
      { action: '*', effect: 'error' as const, probability: 0.1 },
      { action: '*', effect: 'reset' as const, probability: 0.1 },
    ];
    sims.alibaba.simulator.faults.replace({
      seed: 11,
      rules: [{ action: 'AddServersToServerGroup', effect: 'commitThenDrop', sequence: 'x', repeat: true }, ...noise],
    });
    sims.huawei.simulator.faults.replace({
      seed: 12,
      rules: [
        {
          action: 'BatchCreateMembers',
          effect: 'commitThenDrop',
          drop: 'error',
          status: 500,
          sequence: 'x',
          repeat: true,
        },
        ...noise,
      ],
    });
    const ali = alibabaServers(400);
    const hw = huaweiServers(400);
    const started = performance.now();
    const [aliResult, hwResult] = await h.withWorker((taskQueue) =>
      Promise.all([
        run(taskQueue, alibabaRequest(ali, { maxChunkSize: 100 }), 'faults-alibaba'),
        run(taskQueue, huaweiRequest(hw, { maxChunkSize: 100 }), 'faults-huawei'),
      ]),
    );
    const wall = performance.now() - started;

    // Alibaba: one ClientToken per chunk, each committed exactly once; the answers lost after a commit were replays.
    const aliCalls = await callLog(sims.alibaba.url);
    const aliAdds = (await callLog(sims.alibaba.url, 'AddServersToServerGroup')).entries;
    const tokens = tokensOf(aliCalls);
    expect(tokens).toHaveLength(4);
    expect(tokens.map((t) => t.committed)).toEqual([1, 1, 1, 1]);
    const droppedAfterCommit = aliAdds.filter((e) => e.committed && e.outcome === 'dropped').length;
    expect(droppedAfterCommit).toBe(4);
    expect(tokens.every((t) => t.replayed >= 1)).toBe(true);
    const group = await alibabaGroupState(sims.alibaba.url, ALIBABA_DEMO_GROUP);
    expect(group.members).toHaveLength(400);
    expect(sorted(group.members.map((m) => m.key))).toEqual(sorted(ali.map(alibabaKey)));
    expect(sorted(aliResult.added)).toEqual(sorted(ali.map(alibabaKey)));

    // Huawei: no token; a retried batch answers `existed` and creates nothing, so only 4 calls committed.
    const hwCalls = await callLog(sims.huawei.url);
    const hwAdds = (await callLog(sims.huawei.url, 'BatchCreateMembers')).entries;
    expect(hwAdds.filter((e) => e.committed)).toHaveLength(4);
    expect(hwAdds.filter((e) => e.committed && e.status === 500)).toHaveLength(4);
    const pool = await huaweiPoolState(sims.huawei.url, HUAWEI_NO_MONITOR_POOL);
    expect(pool.members).toHaveLength(400);
    expect(sorted(pool.members.map((m) => m.key))).toEqual(sorted(hw.map(huaweiKey)));
    expect(sorted(hwResult.added)).toEqual(sorted(hw.map(huaweiKey)));

    // Every call that failed (an error answer, or no answer) was retried once more: those are the extra calls.
    const failed = (calls: CallsAnswer) =>
      calls.entries.filter((e) => e.outcome === 'dropped' || e.status >= 400).length;
    const describeAdds = (adds: CallEntry[]) =>
      JSON.stringify(
        adds.reduce<Record<string, number>>((o, e) => ({ ...o, [e.outcome]: (o[e.outcome] ?? 0) + 1 }), {}),
      );
    console.log(
      `faults, 400 + 400 servers in chunks of 100 (${seconds(wall)} of wall time):\n` +
        `  Alibaba: ${aliCalls.counts.total} calls, ${failed(aliCalls)} of them failed and retried; ${aliAdds.length} adds (minimum 4): ${describeAdds(aliAdds)}\n` +
        `  Huawei: ${hwCalls.counts.total} calls, ${failed(hwCalls)} of them failed and retried; ${hwAdds.length} batch-adds (minimum 4): ${describeAdds(hwAdds)}`,
    );
    // The noise really fired (about 45 calls at 20%: the chance that none fails is below 1 in 10,000).
    const noiseFired = [sims.alibaba.simulator, sims.huawei.simulator]
      .flatMap((s) => s.faults.describe().rules)
      .filter((r) => r.effect === 'error' || r.effect === 'reset')
      .reduce((n, r) => n + r.fired, 0);
    expect(noiseFired).toBeGreaterThan(0);
  });

  it.concurrent(
    'completes 10 concurrent workflows adding 20 different servers each to one Alibaba group in at most 2 adds, none refused',
    async ({ onTestFinished, expect }) => {
      const h = await harness(onTestFinished);
      const sims = h.sims;
      const batches = Array.from({ length: 10 }, (_, w) => alibabaServers(20, w * 20));
      const started = performance.now();
      const outcomes = await h.withWorker((taskQueue) =>
        Promise.allSettled(batches.map((servers, w) => run(taskQueue, alibabaRequest(servers), `concurrent-${w}`))),
      );
      const wall = performance.now() - started;

      const failures = outcomes.flatMap((o, w) =>
        o.status === 'rejected' ? [`workflow ${w}: ${String((o.reason as Error)?.cause ?? o.reason)}`] : [],
      );
      expect(failures).toEqual([]);
      const results = outcomes.map((o) => (o as PromiseFulfilledResult<AddServersResult>).value);
      results.forEach((r, w) => expect(sorted(r.added)).toEqual(sorted(batches[w]!.map(alibabaKey))));

      const calls = await callLog(sims.alibaba.url, 'AddServersToServerGroup');
      const adds = calls.entries;
      const busy = adds.filter((e) => e.code === 'IncorrectStatus.ServerGroup').length;
      const applied = adds.filter((e) => e.outcome === 'applied').length;
      // The calls in bursts (less than 300 ms apart), each as applied/sent at its start (s after the first call).
      const t0 = Date.parse(adds[0]!.at);
      const bursts: { start: number; end: number; sent: number; applied: number }[] = [];
      for (const e of adds) {
        const at = Date.parse(e.at) - t0;
        let burst = bursts.at(-1);
        if (!burst || at - burst.end > 300) bursts.push((burst = { start: at, end: at, sent: 0, applied: 0 }));
        burst.end = at;
        burst.sent++;
        if (e.outcome === 'applied') burst.applied++;
      }
      console.log(
        `10 concurrent workflows on one group: ${adds.length} AddServersToServerGroup calls against a coalesced minimum of 1 (aim ≤ 2) ` +
          `(${busy} rejected with IncorrectStatus.ServerGroup, ${applied} applied, ${adds.length - busy - applied} other); ` +
          `${seconds(wall)} of wall time\n  bursts (applied/sent @ s): ${bursts.map((b) => `${b.applied}/${b.sent} @ ${(b.start / 1000).toFixed(1)}`).join(', ')}`,
      );
      // One coordinator writes the group: the requests coalesce (the first add may leave before the others arrive) and none is refused.
      expect(busy).toBe(0);
      expect(applied).toBeLessThanOrEqual(2);
      expect(adds.length).toBe(applied);
      const tokens = tokensOf(calls);
      expect(tokens).toHaveLength(applied);
      expect(tokens.every((t) => t.committed === 1)).toBe(true);

      const group = await alibabaGroupState(sims.alibaba.url, ALIBABA_DEMO_GROUP);
      expect(sorted(group.members.map((m) => m.key))).toEqual(sorted(batches.flat().map(alibabaKey)));
    },
    180_000,
  );

  // A pass-through proxy keeps the answer of the first AddServersToServerGroup from the worker: the provider has
  // applied the change (it is in the simulator's call log), the worker never learns it. The worker, in a child
  // process, is SIGKILLed then; the simulators run here and outlive it. A fresh worker process finishes the run.
  it.concurrent(
    'finishes a 600-server run with each server added exactly once after its worker is SIGKILLed between an add and its completion',
    async ({ onTestFinished, expect }) => {
      // Starting a worker process costs about 2 s of CPU on a 2-core machine: let the test beside this one make its
      // 10 simultaneous first adds on an idle machine, or its figures measure the load instead of the contention.
      await new Promise((r) => setTimeout(r, 5_000));
      const sims = await startSimulators({ port: 0, world: integrationWorld() });
      const proxy = await startHoldingProxy(sims.alibaba.url, 'AddServersToServerGroup');
      const workers: WorkerProcess[] = [];
      onTestFinished(async () => {
        for (const w of workers) await w.stop('SIGKILL');
        await proxy.close();
        await sims.close();
      });
      const bundlePath = join(dir, 'workflow-bundle.js');
      writeFileSync(bundlePath, bundle.code);
      const taskQueue = `crash-${crypto.randomUUID()}`;
      const worker = async () => {
        const started = performance.now();
        const w = await startWorkerProcess({
          temporalAddress: env.address,
          namespace: env.namespace ?? 'default',
          taskQueue,
          bundlePath,
          alibabaEndpoint: proxy.url,
          huaweiEndpoint: sims.huawei.url,
        });
        workers.push(w);
        console.log(`worker process ${w.pid} ready in ${Math.round(performance.now() - started)} ms`);
        return w;
      };
      const servers = alibabaServers(600);
      const first = await worker();

      const started = performance.now();
      const handle = await env.client.workflow.start<typeof addServersToServerGroup>('addServersToServerGroup', {
        taskQueue,
        workflowId: `lbflow-crash-${crypto.randomUUID()}`,
        args: [alibabaRequest(servers)],
      });
      const addCalls = () => sims.alibaba.simulator.calls.counts().byAction.AddServersToServerGroup?.calls ?? 0;
      for (let i = 0; addCalls() === 0 || proxy.held() === 0; i++) {
        if (i > 3000) throw new Error('no AddServersToServerGroup call within 30 s');
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(addCalls()).toBe(1);
      expect(await first.stop('SIGKILL')).toBe('SIGKILL');
      const killedAt = performance.now();
      // The first chunk is in the group although its worker never heard so.
      expect(sorted((await alibabaGroupState(sims.alibaba.url, ALIBABA_DEMO_GROUP)).members.map((m) => m.key))).toEqual(
        sorted(servers.slice(0, 200).map(alibabaKey)),
      );

      const second = await worker();
      const result = await handle.result();
      const done = performance.now();
      console.log(
        `600 servers with the worker SIGKILLed after the first add: ${seconds(done - started)} of wall time, ` +
          `${seconds(done - killedAt)} from the kill to completion (the lost attempt is retried once its 4 s heartbeat timeout passes)`,
      );

      // The call log: one ClientToken per chunk, each committed once; the first was sent again after the crash and replayed.
      const calls = await callLog(sims.alibaba.url, 'AddServersToServerGroup');
      const tokens = tokensOf(calls);
      console.log(
        `after the kill: ${calls.entries.length} AddServersToServerGroup calls (minimum 3); per ClientToken ${JSON.stringify(tokens.map(({ calls: n, committed, replayed }) => ({ calls: n, committed, replayed })))}`,
      );
      expect(tokens).toHaveLength(3);
      expect(tokens.map((t) => t.committed)).toEqual([1, 1, 1]);
      const firstToken = calls.entries[0]!.clientToken;
      expect(tokens.find((t) => t.token === firstToken)).toMatchObject({ calls: 2, committed: 1, replayed: 1 });

      // The coordinator's history: the add of chunk 0 completed on its second attempt (the first was lost with the worker).
      const coordinator = env.client.workflow.getHandle(
        coordinatorWorkflowId({ provider: 'alibaba-gwlb', region: 'cn-hangzhou', serverGroupId: ALIBABA_DEMO_GROUP }),
      );
      const events = (await coordinator.fetchHistory()).events ?? [];
      const addScheduled = events.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'addChunk',
      );
      const addStarted = events.find(
        (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(addScheduled?.eventId),
      );
      expect(addStarted?.activityTaskStartedEventAttributes?.attempt).toBe(2);

      // The group: exactly the 600 servers, each once, all Available; the result says the same.
      const group = await alibabaGroupState(sims.alibaba.url, ALIBABA_DEMO_GROUP);
      expect(group.members).toHaveLength(600);
      expect(sorted(group.members.map((m) => m.key))).toEqual(sorted(servers.map(alibabaKey)));
      expect(new Set(group.members.map((m) => m.status))).toEqual(new Set(['Available']));
      expect(sorted(result.added)).toEqual(sorted(servers.map(alibabaKey)));

      // The fresh worker drains and exits cleanly on SIGTERM.
      expect(await second.stop('SIGTERM')).toBe(0);
    },
    180_000,
  );
});

async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - started };
}

function mapValues<V, W>(record: Record<string, V>, fn: (v: V) => W): Record<string, W> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}
