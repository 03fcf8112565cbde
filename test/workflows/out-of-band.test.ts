// Someone else acting on the group while lbflow works on it, on both providers (issue 32): a server added by hand
// between lbflow's list and its add is reported present and the others are added; a server lbflow added that is
// removed by hand while its request waits ends the request at once, naming it.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AddServersResult, FailureDetails } from '../../src/domain/index.js';
import { identityKey, identityOf } from '../../src/registry/index.js';
import type { Server } from '../../src/domain/index.js';
import { startHarness, SIDES, timeSkippingPerTest, type Harness } from './harness.js';

describe('someone else changing the group while lbflow works on it', () => {
  const servers = timeSkippingPerTest();
  let h: Harness;
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  beforeEach(() => {
    ({ env, bundle } = servers);
  });
  afterEach(async () => {
    await h?.close();
  });

  const membersOf = async (side: (typeof SIDES)[number]) =>
    (await h.providers[side.provider].listServers(side.group as never)).members.map((m) => m.key).sort();

  /** Runs `request` on a fresh worker: its result or its failure, and its workflow time from start to close. */
  const runOf = async (request: unknown) =>
    h.withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start('addServersToServerGroup', {
        taskQueue,
        workflowId: `lbflow-test-${crypto.randomUUID()}`,
        args: [request],
      });
      const ended = await handle.result().then(
        (result: AddServersResult) => ({ result, failure: undefined }),
        (error: unknown) => ({ result: undefined, failure: error }),
      );
      const d = await handle.describe();
      return { ...ended, ms: d.closeTime!.getTime() - d.startTime.getTime() };
    });

  for (const side of SIDES) {
    const keyOf = (s: Server) => identityKey(side.provider, s);

    it(`${side.provider}: a server added by hand between lbflow's list and its add is reported present, and the other 19 are added`, async () => {
      const wanted = side.servers(20);
      const byHand = wanted[7]!;
      let handed = false;
      h = await startHarness(env, bundle, {
        followTemporalTime: true,
        beforeActivity: async (name) => {
          if (name !== 'addChunk' || handed) return;
          handed = true;
          await h.providers[side.provider].addServers(side.group as never, [byHand] as never, {
            idempotencyKey: `by-hand-${crypto.randomUUID()}`,
            dryRun: false,
          });
        },
      });
      const { result, failure } = await runOf(side.request(wanted));
      expect(failure).toBeUndefined();
      expect(handed).toBe(true);
      expect(result!.alreadyPresent).toEqual([keyOf(byHand)]);
      expect([...result!.added].sort()).toEqual(
        wanted
          .filter((s) => s !== byHand)
          .map(keyOf)
          .sort(),
      );
      expect(await membersOf(side)).toEqual(expect.arrayContaining(wanted.map(keyOf)));
      const log = h.sims[side.provider === 'alibaba-gwlb' ? 'alibaba' : 'huawei'].simulator.calls;
      // GWLB refused the first add with Conflict.Server (nothing applied), then took the other 19; ELB took all 20
      // at once and answered `existed` for the one added by hand.
      expect(log.counts().byAction[side.add]?.calls).toBe(side.provider === 'alibaba-gwlb' ? 3 : 2);
      if (side.provider === 'alibaba-gwlb')
        expect(log.entries().filter((e) => e.action === side.add && e.code === 'Conflict.Server')).toHaveLength(1);
    });

    it(`${side.provider}: a server lbflow added that is removed by hand while its request waits ends the request at once, naming it; its rollback leaves it alone`, async () => {
      const wanted = side.servers(10);
      const gone = wanted[3]!;
      let removed = false;
      h = await startHarness(env, bundle, {
        followTemporalTime: true,
        beforeActivity: async (name) => {
          if (name !== 'waitServersReady' || removed) return;
          // By hand, as an operator would: tried at each poll until the group takes it (GWLB is Configuring for a
          // moment after every change); a GWLB server is listed as Removing, then Draining, before it is gone.
          removed = await h.providers[side.provider]
            .removeServers(side.group as never, [identityOf(side.provider, gone)] as never, {
              idempotencyKey: `by-hand-${crypto.randomUUID()}`,
              dryRun: false,
            })
            .then(
              () => true,
              () => false,
            );
        },
      });
      // Members that never become ready: without noticing the removal, the request would wait its 600 s.
      h.sims.alibaba.simulator.faults.replace({
        rules: [{ action: 'AddServersToServerGroup', effect: 'neverAvailable' }],
      });
      h.sims.huawei.simulator.faults.replace({
        rules: [{ action: 'BatchCreateMembers', effect: 'neverAvailable' }],
      });
      const { failure, ms } = await runOf(
        side.request(wanted, { availabilityTimeoutSeconds: 600, onFailure: 'rollback' }),
      );
      expect(removed).toBe(true);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('AvailabilityTimeout');
      expect(cause.message).toContain(`1 server left the group without lbflow removing them: ${keyOf(gone)}`);
      const details = cause.details?.[0] as FailureDetails;
      // What its adds created stays reported as added; the rollback removed the other 9 and not the one already gone.
      expect([...details.added].sort()).toEqual(wanted.map(keyOf).sort());
      expect(details.stragglers).toContainEqual({ key: keyOf(gone), status: 'left-group' });
      expect([...(details.rolledBack ?? [])].sort()).toEqual(
        wanted
          .filter((s) => s !== gone)
          .map(keyOf)
          .sort(),
      );
      expect(cause.message).not.toContain('rollback stopped');
      // Noticed at the first read, in workflow time, far inside the 600 s it would otherwise have waited.
      expect(ms).toBeLessThan(60_000);
      expect(await membersOf(side)).toEqual(expect.not.arrayContaining([keyOf(gone)]));
      console.log(
        `${side.provider}: a server removed by hand while its request waited was noticed, and the request ended, after ${(ms / 1000).toFixed(1)} s of workflow time (its timeout 600 s)`,
      );
    });
  }
});
