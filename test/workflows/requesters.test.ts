// Only confirmed requesters (issue 32): the coordinator acts on a message in a request's name only once that request
// answered its `lbflowConfirm` query for the message's nonce. Forged submissions (a requester that does not exist,
// another running workflow, a real request under a guessed nonce) add nothing and roll nothing back; a forged claim
// of ownership moves nothing; the real requests beside them are served as usual. Both providers, on the dev server.
import { describe, expect, it } from 'vitest';
import { COORDINATOR_SIGNAL, type AddServersResult } from '../../src/domain/index.js';
import { coordinatorWorkflowId, identityKey } from '../../src/registry/index.js';
import type { Server } from '../../src/domain/index.js';
import { devServerTests } from './dev-harness.js';
import { SIDES } from './harness.js';

describe('the coordinator acts only for requesters that confirm (dev server: real time, so forgeries race as they would)', () => {
  const t = devServerTests();

  for (const side of SIDES) {
    const keyOf = (s: Server) => identityKey(side.provider, s);
    const calls = (action: string) => t.h.sims[side.sim].simulator.calls.counts().byAction[action]?.calls ?? 0;
    const members = async () =>
      (await t.h.providers[side.provider].listServers(side.group as never)).members.map((m) => m.key);

    it(`${side.provider}: submissions naming a requester that does not exist, another running workflow, or a real request under a guessed nonce add nothing; the real request beside them is served`, async () => {
      const result = await t.h.withWorker(async (taskQueue) => {
        const coordinator = t.env.client.workflow.getHandle(coordinatorWorkflowId(side.group));
        // A real request, slow to settle, so the forgeries reach its coordinator while it runs.
        if (side.sim === 'alibaba') t.h.sims.alibaba.simulator.updateSettings({ timings: { addingMs: 3_000 } });
        const real = await t.env.client.workflow.start('addServersToServerGroup', {
          taskQueue,
          workflowId: `real-${crypto.randomUUID()}`,
          args: [side.request(side.servers(5))],
        });
        for (let i = 0; i < 100 && calls(side.add) === 0; i++) await new Promise((r) => setTimeout(r, 50));
        // Another running workflow: a second real request, whose nonce nobody but it and its coordinator knows.
        const bystander = await t.env.client.workflow.start('addServersToServerGroup', {
          taskQueue,
          workflowId: `bystander-${crypto.randomUUID()}`,
          args: [side.request(side.servers(2, 40))],
        });
        const { runId: realRun } = await real.describe();
        const { runId: bystanderRun } = await bystander.describe();
        const forged = (workflowId: string, runId: string, first: number) => ({
          kind: 'submit',
          requester: { workflowId, runId },
          nonce: `guessed-${crypto.randomUUID()}`,
          request: side.request(side.servers(30, first), { onFailure: 'rollback' }),
        });
        const forgeries = [
          forged('nobody', 'no-run', 100),
          forged(bystander.workflowId, bystanderRun, 200),
          forged(real.workflowId, realRun, 300),
          // A claim that servers the real request found present are its own (a rollback would then remove them).
          { kind: 'owned', requester: { workflowId: real.workflowId, runId: realRun }, nonce: 'guess', keys: [] },
        ];
        for (const message of forgeries) await coordinator.signal(COORDINATOR_SIGNAL, message);
        const [realResult, bystanderResult] = (await Promise.all([real.result(), bystander.result()])) as [
          AddServersResult,
          AddServersResult,
        ];
        return { realResult, bystanderResult };
      });
      expect([...result.realResult.added].sort()).toEqual(side.servers(5).map(keyOf).sort());
      expect([...result.bystanderResult.added].sort()).toEqual(side.servers(2, 40).map(keyOf).sort());
      const forgedKeys = [100, 200, 300].flatMap((first) => side.servers(30, first).map(keyOf));
      const held = await members();
      expect(held.filter((k) => forgedKeys.includes(k))).toEqual([]);
      expect(held.sort()).toEqual([...side.servers(5), ...side.servers(2, 40)].map(keyOf).sort());
      expect(calls(side.remove)).toBe(0);
    });
  }

  it("a forged submission that reaches the coordinator before the request's own does not shut it out: the request answers for its own, which takes the place of the forgery", async () => {
    const side = SIDES[1]!;
    const keyOf = (s: Server) => identityKey(side.provider, s);
    const result = await t.h.withWorker(async (taskQueue) => {
      const coordinator = t.env.client.workflow.getHandle(coordinatorWorkflowId(side.group));
      // A first request starts the coordinator; the second is started with a delay, so its run id is known before
      // its first task runs, and a forgery in its name arrives first.
      const first = await t.env.client.workflow.execute('addServersToServerGroup', {
        taskQueue,
        workflowId: `first-${crypto.randomUUID()}`,
        args: [side.request(side.servers(1, 60))],
      });
      const late = await t.env.client.workflow.start('addServersToServerGroup', {
        taskQueue,
        workflowId: `late-${crypto.randomUUID()}`,
        args: [side.request(side.servers(3, 70))],
        startDelay: '2s',
      });
      await coordinator.signal(COORDINATOR_SIGNAL, {
        kind: 'submit',
        requester: { workflowId: late.workflowId, runId: late.firstExecutionRunId },
        nonce: `guessed-${crypto.randomUUID()}`,
        request: side.request(side.servers(30, 80), { onFailure: 'rollback' }),
      });
      return { first, late: (await late.result()) as AddServersResult };
    });
    expect(result.first.added).toEqual(side.servers(1, 60).map(keyOf));
    expect([...result.late.added].sort()).toEqual(side.servers(3, 70).map(keyOf).sort());
    const held = (await t.h.providers[side.provider].listServers(side.group as never)).members.map((m) => m.key);
    expect(held.filter((k) => side.servers(30, 80).map(keyOf).includes(k))).toEqual([]);
  });

  it('a forged claim of ownership under a real nonce is refused by the request: what it found present stays present and is not rolled back', async () => {
    const side = SIDES[0]!;
    const keyOf = (s: Server) => identityKey(side.provider, s);
    const present = side.servers(2, 500);
    // Someone else's servers, in the group before the request.
    await t.h.providers[side.provider].addServers(side.group as never, present as never, {
      idempotencyKey: `by-hand-${crypto.randomUUID()}`,
      dryRun: false,
    });
    t.h.sims.alibaba.simulator.updateSettings({ timings: { configuringMs: 0 } });
    t.h.sims.alibaba.simulator.faults.replace({
      rules: [{ action: 'AddServersToServerGroup', effect: 'neverAvailable' }],
    });
    const failure = await t.h.withWorker(async (taskQueue) => {
      const coordinator = t.env.client.workflow.getHandle(coordinatorWorkflowId(side.group));
      const request = await t.env.client.workflow.start('addServersToServerGroup', {
        taskQueue,
        workflowId: `claimed-${crypto.randomUUID()}`,
        args: [
          side.request([...present, ...side.servers(3, 510)], {
            onFailure: 'rollback',
            availabilityTimeoutSeconds: 5,
          }),
        ],
      });
      // Its nonce, as the coordinator's history shows it to anyone who can read it: a claim sent under it must still
      // be confirmed by the request, which never heard that lbflow sent these servers for it.
      let nonce: string | undefined;
      for (let i = 0; i < 100 && nonce === undefined; i++) {
        const events = (await coordinator.fetchHistory().catch(() => undefined))?.events ?? [];
        for (const e of events) {
          const payload = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data;
          const message = payload ? (JSON.parse(Buffer.from(payload).toString()) as Record<string, unknown>) : {};
          const from = (message.requester as { workflowId?: string } | undefined)?.workflowId;
          if (message.kind === 'submit' && from === request.workflowId) nonce = message.nonce as string;
        }
        if (nonce === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      expect(nonce).toBeDefined();
      const { runId } = await request.describe();
      await coordinator.signal(COORDINATOR_SIGNAL, {
        kind: 'owned',
        requester: { workflowId: request.workflowId, runId },
        nonce,
        keys: present.map(keyOf),
      });
      return request.result().then(
        () => undefined,
        (e: unknown) => e as { cause?: { details?: unknown[] } },
      );
    });
    const details = failure?.cause?.details?.[0] as { alreadyPresent: string[]; rolledBack: string[] } | undefined;
    expect(details?.alreadyPresent.sort()).toEqual(present.map(keyOf).sort());
    expect(details?.rolledBack.sort()).toEqual(side.servers(3, 510).map(keyOf).sort());
    expect((await members()).sort()).toEqual(present.map(keyOf).sort());

    async function members() {
      return (await t.h.providers[side.provider].listServers(side.group as never)).members.map((m) => m.key);
    }
  });
});
