// A coordinator stranded on a task queue no worker serves (issue 32): a group has one coordinator whatever the task
// queue, so one left running on a deployment that is gone would hold every other deployment's requests. A request's
// watch sees a workflow task of it waiting with no worker polling its queue, ends it (naming the queue), and hands its
// servers over again: the group is taken up on the request's own queue. On the dev server, with real workers.
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { AddServersResult, GroupRef, Server } from '../../src/domain/index.js';
import { coordinatorWorkflowId, identityKey } from '../../src/registry/index.js';
import { ALIBABA_BIG_GROUP, alibabaIpServers, alibabaRequest } from '../integration/support.js';
import { devServerTests } from './dev-harness.js';
import { SIDES } from './harness.js';

const STRANDED_AFTER_MS = 4_000;

describe('a coordinator stranded on a task queue no worker serves (dev server)', () => {
  const t = devServerTests({ strandedAfterMs: STRANDED_AFTER_MS });

  it('is ended by a request of another deployment, which takes the group up on its own queue and adds its servers', async () => {
    const side = SIDES[0]!;
    const keyOf = (s: Server) => identityKey(side.provider, s);
    const coordinatorId = coordinatorWorkflowId(side.group);
    // Deployment A: a request starts the group's coordinator on A's queue; then A's worker goes away for good.
    const queueA = `gone-${crypto.randomUUID()}`;
    const workerA = await Worker.create({
      connection: t.env.nativeConnection,
      taskQueue: queueA,
      workflowBundle: t.bundle,
      activities: t.h.activities,
    });
    await workerA.runUntil(
      t.env.client.workflow.execute('addServersToServerGroup', {
        taskQueue: queueA,
        workflowId: `a-${crypto.randomUUID()}`,
        args: [side.request(side.servers(3), { waitFor: 'registered' })],
      }),
    );
    const stranded = await t.env.client.workflow.getHandle(coordinatorId).describe();
    expect([stranded.status.name, stranded.taskQueue]).toEqual(['RUNNING', queueA]);
    // Deployment B's request: the coordinator it hands its servers to is the one on A's queue, which no one serves.
    const servers = side.servers(5, 20);
    const started = Date.now();
    const result = await t.h.withWorker(
      async (queueB) =>
        (await t.env.client.workflow.execute('addServersToServerGroup', {
          taskQueue: queueB,
          workflowId: `b-${crypto.randomUUID()}`,
          args: [side.request(servers, { waitFor: 'registered' })],
        })) as AddServersResult,
    );
    const took = Date.now() - started;
    expect([...result.added].sort()).toEqual(servers.map(keyOf).sort());
    const ended = await t.env.client.workflow.getHandle(coordinatorId, stranded.runId).describe();
    expect(ended.status.name).toBe('TERMINATED');
    const history = await t.env.client.workflow.getHandle(coordinatorId, stranded.runId).fetchHistory();
    const reason = history.events?.at(-1)?.workflowExecutionTerminatedEventAttributes?.reason ?? '';
    expect(reason).toContain(`task queue ${queueA}`);
    // Not before its task had waited STRANDED_AFTER_MS with no worker polling.
    expect(took).toBeGreaterThanOrEqual(STRANDED_AFTER_MS);
    console.log(`a request of another deployment took the stranded group up and completed in ${took} ms`);
  });

  it('leaves a coordinator whose queue is served alone, however long its requests take', async () => {
    // Slow adds into the big group: the coordinator is busy for longer than STRANDED_AFTER_MS, its worker there.
    t.h.sims.alibaba.simulator.updateSettings({ timings: { addingMs: 1_500 } });
    const group = { ...SIDES[0]!.group, serverGroupId: ALIBABA_BIG_GROUP } as GroupRef;
    const started = Date.now();
    const result = await t.h.withWorker(async (taskQueue) => {
      const requests = [0, 100].map((first) =>
        t.env.client.workflow.execute('addServersToServerGroup', {
          taskQueue,
          workflowId: `served-${first}-${crypto.randomUUID()}`,
          args: [alibabaRequest(alibabaIpServers(6, first), { maxChunkSize: 2 }, ALIBABA_BIG_GROUP)],
        }),
      );
      return (await Promise.all(requests)) as AddServersResult[];
    });
    expect(Date.now() - started).toBeGreaterThan(STRANDED_AFTER_MS);
    expect(result.map((r) => r.added.length)).toEqual([6, 6]);
    const runs: string[] = [];
    for await (const w of t.env.client.workflow.list({ query: `WorkflowId = '${coordinatorWorkflowId(group)}'` }))
      runs.push(w.status.name);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs).not.toContain('TERMINATED');
  });
});
