// Continue-as-new on the dev server: the server is started with `limit.historyCount.suggestContinueAsNew=40`, so the
// group's coordinator, adding a 2,000-server request in chunks of 50 (40 chunks), must hand its ledger over to new
// runs many times and still add every server once, with one ClientToken per chunk across the whole chain; the
// request itself needs no new run.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COORDINATOR_SIGNAL, type GroupView } from '../../src/domain/index.js';
import { coordinatorWorkflowId } from '../../src/registry/index.js';
import type { addServersToServerGroup } from '../../src/workflows/index.js';
import { bundleLbflowWorkflows, startHarness, type Harness } from '../workflows/harness.js';
import {
  ALIBABA_BIG_GROUP,
  alibabaGroupState,
  alibabaIpServers,
  alibabaKey,
  alibabaRequest,
  callLog,
  integrationWorld,
  seconds,
  sorted,
  startDevServer,
  tokensOf,
} from './support.js';

const SUGGEST_AT = 40;

describe(`continue-as-new on a dev server that suggests it after ${SUGGEST_AT} events`, () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;

  beforeAll(async () => {
    env = await startDevServer(['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_AT}`]);
    // Settle times of zero: this test is about the chain of runs, and 40 chunks that each wait a 1 s poll would take a minute.
    h = await startHarness(env, await bundleLbflowWorkflows(), {
      followTemporalTime: false,
      world: integrationWorld({ alibaba: { configuringMs: 0, addingMs: 0 } }),
    });
  });
  afterAll(async () => {
    await h?.close();
    await env?.teardown();
  });

  it('adds 2,000 servers in 40 chunks while the coordinator continues as new, each chunk sent under its own ClientToken exactly once', async () => {
    const servers = alibabaIpServers(2000);
    const started = performance.now();
    const { handle, result, coordinatorId, view } = await h.withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof addServersToServerGroup>('addServersToServerGroup', {
        taskQueue,
        workflowId: `lbflow-can-${crypto.randomUUID()}`,
        args: [alibabaRequest(servers, { maxChunkSize: 50 }, ALIBABA_BIG_GROUP)],
      });
      const result = await handle.result();
      const coordinatorId = coordinatorWorkflowId({
        provider: 'alibaba-gwlb',
        region: 'cn-hangzhou',
        serverGroupId: ALIBABA_BIG_GROUP,
      });
      const view = await env.client.workflow.getHandle(coordinatorId).query<GroupView>('group');
      return { handle, result, coordinatorId, view };
    });
    const wall = performance.now() - started;

    // The coordinator's chain, from its first run to the last, read back from each run's history.
    const runs: { runId: string; events: number; ended: string; handedOverBytes: number }[] = [];
    const historyOf = async (runId: string) =>
      (await env.client.workflow.getHandle(coordinatorId, runId).fetchHistory()).events ?? [];
    for (let runId: string | undefined = view.incarnation; runId !== undefined;) {
      const events = await historyOf(runId);
      const last = events.at(-1);
      const next: string | undefined =
        last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      const handedOver = last?.workflowExecutionContinuedAsNewEventAttributes?.input?.payloads ?? [];
      runs.push({
        runId,
        events: events.length,
        ended: next ? 'continued-as-new' : String(last?.eventType),
        handedOverBytes: handedOver.reduce((n, p) => n + (p.data?.length ?? 0), 0),
      });
      runId = next;
    }
    const requestEvents = ((await handle.fetchHistory()).events ?? []).length;
    console.log(
      `2,000 servers in 40 chunks: the coordinator ran ${runs.length} runs of ${runs.map((r) => r.events).join(', ')} events ` +
        `(continue-as-new suggested at ${SUGGEST_AT}), the request one run of ${requestEvents} events; ${seconds(wall)} of wall time; ` +
        `each hand-over carries the ledger: ${(Math.max(...runs.map((r) => r.handedOverBytes)) / 1024).toFixed(0)} KiB at most (Temporal refuses payloads over 2 MiB)`,
    );
    expect(runs.length).toBeGreaterThan(2);
    expect(runs.slice(0, -1).every((r) => r.ended === 'continued-as-new')).toBe(true);

    // One token per chunk for the whole chain (the incarnation's first run id and a sequence carried over), each committed once.
    const calls = await callLog(h.sims.alibaba.url, 'AddServersToServerGroup');
    const tokens = tokensOf(calls);
    expect(tokens).toHaveLength(40);
    expect(new Set(tokens.map((t) => t.token)).size).toBe(40);
    expect(tokens.every((t) => t.token.startsWith(`lbflow-${view.incarnation}-a`))).toBe(true);
    expect(tokens.every((t) => t.committed === 1 && t.calls === 1)).toBe(true);
    expect(calls.entries).toHaveLength(40);

    const group = await alibabaGroupState(h.sims.alibaba.url, ALIBABA_BIG_GROUP);
    expect(group.members).toHaveLength(2000);
    expect(sorted(group.members.map((m) => m.key))).toEqual(sorted(servers.map(alibabaKey)));
    expect(sorted(result.added)).toEqual(sorted(servers.map(alibabaKey)));
    expect(result.timings.chunks).toBe(40);
    expect(result.servers.every((s) => s.status === 'Available')).toBe(true);
  });

  it('keeps an exit-when-idle heard before a continue-as-new: the last run exits once the group is idle', async () => {
    const servers = alibabaIpServers(1000, 3000);
    const closed = await h.withWorker(async (taskQueue) => {
      const coordinatorId = coordinatorWorkflowId({
        provider: 'alibaba-gwlb',
        region: 'cn-hangzhou',
        serverGroupId: ALIBABA_BIG_GROUP,
      });
      const handle = await env.client.workflow.start<typeof addServersToServerGroup>('addServersToServerGroup', {
        taskQueue,
        workflowId: `lbflow-can-exit-${crypto.randomUUID()}`,
        args: [alibabaRequest(servers, { maxChunkSize: 50 }, ALIBABA_BIG_GROUP)],
      });
      const coordinator = env.client.workflow.getHandle(coordinatorId);
      // As soon as the coordinator runs, and long before its 20 chunks are done, tell it to exit when idle.
      for (let i = 0; i < 200; i++) {
        if (
          await coordinator.signal(COORDINATOR_SIGNAL, { kind: 'exit-when-idle' }).then(
            () => true,
            () => false,
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 25));
      }
      const first = (await coordinator.describe()).runId;
      await handle.result();
      // Without being told again, the run the chain ended on closes by itself (it would otherwise wait 5 minutes idle).
      const waited = performance.now();
      let last = await coordinator.describe();
      while (last.status.name === 'RUNNING' && performance.now() - waited < 10_000) {
        await new Promise((r) => setTimeout(r, 100));
        last = await coordinator.describe();
      }
      return { first, last: last.runId, status: last.status.name, ms: performance.now() - waited };
    });
    console.log(
      `exit-when-idle carried across continue-as-new: the chain ended ${closed.status} ${seconds(closed.ms)} after the request, on a later run: ${closed.last !== closed.first}`,
    );
    expect(closed.last).not.toBe(closed.first);
    expect(closed.status).toBe('COMPLETED');
  });
});
