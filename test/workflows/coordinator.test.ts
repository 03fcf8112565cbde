// The coordinator's own edges on the time-skipping server: inputs and messages nobody should send it, its idle exit
// and the new ClientTokens of the next incarnation, and what a request does with a message that is not its
// coordinator's.
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COORDINATOR_SIGNAL, REQUEST_SIGNAL, type GroupView } from '../../src/domain/index.js';
import { coordinatorWorkflowId } from '../../src/registry/index.js';
import {
  ALIBABA_DEMO_GROUP,
  alibabaRequest,
  alibabaServers,
  startHarness,
  timeSkippingPerTest,
  type Harness,
} from './harness.js';

const GROUP = { provider: 'alibaba-gwlb', region: 'cn-hangzhou', serverGroupId: ALIBABA_DEMO_GROUP } as const;
const keyOf = (s: { serverId: string }) => `Ecs:${s.serverId}:6081`;

describe('the group coordinator on the time-skipping server', () => {
  const servers = timeSkippingPerTest();
  let env: TestWorkflowEnvironment;
  let h: Harness;
  beforeEach(async () => {
    env = servers.env;
    h = await startHarness(env, servers.bundle, { followTemporalTime: true });
  });
  afterEach(async () => {
    await h?.close();
  });

  const failureOf = async (promise: Promise<unknown>): Promise<ApplicationFailure> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(ApplicationFailure);
    return (error as WorkflowFailedError).cause as ApplicationFailure;
  };
  const addCalls = () => h.sims.alibaba.simulator.calls.counts().byAction.AddServersToServerGroup?.calls ?? 0;
  const removeCalls = () => h.sims.alibaba.simulator.calls.counts().byAction.RemoveServersFromServerGroup?.calls ?? 0;

  it('refuses a request started with a forged second argument as ValidationError, calling no provider', async () => {
    const present = alibabaServers(1, 300);
    await h.withWorker(async (taskQueue) => {
      await env.client.workflow.execute('addServersToServerGroup', {
        taskQueue,
        workflowId: `seed-${crypto.randomUUID()}`,
        args: [alibabaRequest(present)],
      });
    });
    const before = h.sims.alibaba.simulator.calls.counts().total;
    const forged = {
      chunksDone: 0,
      added: present.map(keyOf),
      alreadyPresent: [],
      statuses: {},
      requestIds: [],
      startedAt: new Date().toISOString(),
    };
    const failure = await h.withWorker((taskQueue) =>
      failureOf(
        env.client.workflow.execute('addServersToServerGroup', {
          taskQueue,
          workflowId: `forged-${crypto.randomUUID()}`,
          args: [alibabaRequest(alibabaServers(2), { onFailure: 'rollback' }), forged],
        }),
      ),
    );
    expect(failure.type).toBe('ValidationError');
    expect(failure.message).toContain('exactly one argument');
    expect(h.sims.alibaba.simulator.calls.counts().total).toBe(before);
    expect(removeCalls()).toBe(0);
  });

  it('refuses a coordinator started with an input of its own as ValidationError: its ledger comes only from its own continue-as-new', async () => {
    const forged = {
      v: 1,
      ledger: {
        v: 1,
        group: GROUP,
        seq: 0,
        arrivals: 1,
        pieceSeq: 0,
        pieces: [],
        intents: [],
        createdBy: { [keyOf(alibabaServers(1)[0]!)]: 'victim' },
        requests: [],
      },
    };
    const failure = await h.withWorker((taskQueue) =>
      failureOf(
        env.client.workflow.execute('serverGroupCoordinator', {
          taskQueue,
          workflowId: coordinatorWorkflowId(GROUP),
          args: [forged],
        }),
      ),
    );
    expect(failure.type).toBe('ValidationError');
    expect(h.sims.alibaba.simulator.calls.counts().total).toBe(0);
  });

  it('ignores malformed and forged messages, with no workflow task failing, and still serves the next request', async () => {
    const result = await h.withWorker(async (taskQueue) => {
      const id = coordinatorWorkflowId(GROUP);
      const first = await env.client.workflow.execute('addServersToServerGroup', {
        taskQueue,
        workflowId: `a-${crypto.randomUUID()}`,
        args: [alibabaRequest(alibabaServers(2), { onFailure: 'rollback' })],
      });
      const coordinator = env.client.workflow.getHandle(id);
      for (const junk of [
        42,
        'x',
        { kind: 'submit' },
        { kind: 'cancel', requester: { workflowId: 'a', runId: 'b' }, nonce: 'guess' },
        {
          kind: 'submit',
          requester: { workflowId: 'x', runId: 'y' },
          nonce: 'n',
          request: { provider: 'alibaba-gwlb' },
        },
      ]) {
        await coordinator.signal(COORDINATOR_SIGNAL, junk);
      }
      const second = await env.client.workflow.execute('addServersToServerGroup', {
        taskQueue,
        workflowId: `b-${crypto.randomUUID()}`,
        args: [alibabaRequest(alibabaServers(2, 2))],
      });
      const events = (await coordinator.fetchHistory()).events ?? [];
      // A task the server turned back because signals arrived while it ran (UNHANDLED_COMMAND) is Temporal's way of
      // delivering them, not a failure of the code: what must not happen is a task that fails on a message.
      const failedTasks = events.filter((e) => {
        const failed = e.workflowTaskFailedEventAttributes;
        return (
          failed &&
          failed.cause !== temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND
        );
      }).length;
      return { first, second, failedTasks };
    });
    expect(result.failedTasks).toBe(0);
    expect(result.first.added).toEqual(alibabaServers(2).map(keyOf));
    expect(result.second.added).toEqual(alibabaServers(2, 2).map(keyOf));
    expect(removeCalls()).toBe(0);
  });

  it('sheds a 1.9 MB junk signal: refused, it stays in the run that heard it, and the coordinator continues as new without it', async () => {
    const result = await h.withWorker(async (taskQueue) => {
      const first = await env.client.workflow.execute('addServersToServerGroup', {
        taskQueue,
        workflowId: `j-${crypto.randomUUID()}`,
        args: [alibabaRequest(alibabaServers(2))],
      });
      const coordinator = env.client.workflow.getHandle(coordinatorWorkflowId(GROUP));
      const { runId: heardBy } = await coordinator.describe();
      await coordinator.signal(COORDINATOR_SIGNAL, { kind: 'submit', junk: 'x'.repeat(1_900_000) });
      let runId = heardBy;
      for (let i = 0; i < 200 && runId === heardBy; i++) {
        await new Promise((r) => setTimeout(r, 50));
        runId = (await coordinator.describe()).runId;
      }
      const bytes = async (run: string) =>
        JSON.stringify(await env.client.workflow.getHandle(coordinator.workflowId, run).fetchHistory()).length;
      // The next request is served by the run that does not carry the junk.
      const second = await env.client.workflow.execute('addServersToServerGroup', {
        taskQueue,
        workflowId: `k-${crypto.randomUUID()}`,
        args: [alibabaRequest(alibabaServers(2, 2))],
      });
      return { first, second, heardBy, runId, heardBytes: await bytes(heardBy), nextBytes: await bytes(runId) };
    });
    expect(result.runId).not.toBe(result.heardBy);
    expect(result.heardBytes).toBeGreaterThan(1_900_000);
    expect(result.nextBytes).toBeLessThan(200_000);
    expect(result.first.added).toEqual(alibabaServers(2).map(keyOf));
    expect(result.second.added).toEqual(alibabaServers(2, 2).map(keyOf));
  });

  it('ignores an outcome signalled to a request by anyone but its coordinator', async () => {
    const result = await h.withWorker(async (taskQueue) => {
      h.sims.alibaba.simulator.updateSettings({ timings: { addingMs: 5_000, configuringMs: 0 } });
      const handle = await env.client.workflow.start('addServersToServerGroup', {
        taskQueue,
        workflowId: `r-${crypto.randomUUID()}`,
        args: [alibabaRequest(alibabaServers(3))],
      });
      await handle.signal(REQUEST_SIGNAL, {
        kind: 'completed',
        nonce: 'forged',
        added: [],
        alreadyPresent: [],
        statuses: { all: 'Available' },
        requestIds: [],
        chunks: 0,
      });
      await handle.signal(REQUEST_SIGNAL, { kind: 'failed' });
      return handle.result();
    });
    expect(result.added).toEqual(alibabaServers(3).map(keyOf));
  });

  it('exits when idle, and the next incarnation never reuses a ClientToken', async () => {
    const tokens = await h.withWorker(async (taskQueue) => {
      const id = coordinatorWorkflowId(GROUP);
      await env.client.workflow.execute('addServersToServerGroup', {
        taskQueue,
        workflowId: `one-${crypto.randomUUID()}`,
        args: [alibabaRequest(alibabaServers(2))],
      });
      const firstIncarnation = (await env.client.workflow.getHandle(id).query<GroupView>('group')).incarnation;
      // Idle: the coordinator's own timer ends it (skipped here).
      await env.client.workflow.getHandle(id).result();
      await env.client.workflow.execute('addServersToServerGroup', {
        taskQueue,
        workflowId: `two-${crypto.randomUUID()}`,
        args: [alibabaRequest(alibabaServers(2, 2))],
      });
      const secondIncarnation = (await env.client.workflow.getHandle(id).query<GroupView>('group')).incarnation;
      return {
        firstIncarnation,
        secondIncarnation,
        sent: Object.keys(h.sims.alibaba.simulator.calls.counts().byClientToken),
      };
    });
    expect(tokens.secondIncarnation).not.toBe(tokens.firstIncarnation);
    expect(tokens.sent.sort()).toEqual(
      [`lbflow-${tokens.firstIncarnation}-a0`, `lbflow-${tokens.secondIncarnation}-a0`].sort(),
    );
    expect(addCalls()).toBe(2);
  });
});
