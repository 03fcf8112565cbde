// What a request shows when it ends, in each way it can end: its `progress` (what `lbflow status` reads), the Web
// UI's current details and the LbPhase search attribute agree with the report the caller gets, and the chunks it
// planned do not shrink at the end.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  countsText,
  REPORT_MEMO,
  SEARCH_ATTRIBUTES,
  type FailureDetails,
  type Progress,
} from '../../src/domain/index.js';
import { progressQuery, type addServersToServerGroup } from '../../src/workflows/index.js';
import { alibabaRequest, alibabaServers, startHarness, timeSkippingPerTest, type Harness } from './harness.js';

interface Ended {
  readonly progress: Progress;
  readonly details: string;
  readonly phase: string | undefined;
  readonly failure: ApplicationFailure | undefined;
  readonly memo: Record<string, unknown> | undefined;
}

describe('a request’s progress in every ending (time-skipping server, simulators over HTTP)', () => {
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

  const start = (request: unknown, taskQueue: string): Promise<WorkflowHandle<typeof addServersToServerGroup>> =>
    env.client.workflow.start<typeof addServersToServerGroup>('addServersToServerGroup', {
      taskQueue,
      workflowId: `lbflow-test-${crypto.randomUUID()}`,
      args: [request],
    });

  /** Runs the request (cancelling it once it waits, with `cancel`) and reads what it shows after it ended. */
  const endOf = (request: unknown, cancel = false): Promise<Ended> =>
    h.withWorker(async (taskQueue) => {
      const handle = await start(request, taskQueue);
      if (cancel) {
        // Queries do not skip time, so the run sits in its first wait until it is cancelled.
        for (let i = 0; i < 100 && (await handle.query(progressQuery)).phase !== 'waiting'; i++)
          await new Promise((r) => setTimeout(r, 50));
        await handle.cancel();
      }
      const error = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      if (error !== undefined) expect(error).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError | undefined)?.cause;
      const description = await handle.describe();
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      return {
        progress: await handle.query(progressQuery),
        details: metadata.currentDetails ?? '',
        phase: description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.phase),
        failure: cause instanceof ApplicationFailure ? cause : undefined,
        memo: description.memo?.[REPORT_MEMO] as Record<string, unknown> | undefined,
      };
    });

  /** The details table says what the progress says. */
  const expectDetailsOf = (ended: Ended) => {
    const { progress, details } = ended;
    expect(details).toContain(`| **phase** | ${progress.phase} |`);
    expect(details).toContain(`| **chunks** | ${progress.chunksDone} of ${progress.chunksTotal} |`);
    expect(details).toContain(
      `| **servers** | ${progress.requested} requested, ${progress.added} added, ${progress.alreadyPresent} already present |`,
    );
    expect(details).toContain(`| **by state** | ${countsText(progress.states) || '–'} |`);
  };

  it('completed: every server counted as the result says, all chunks done', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const ended = await endOf(alibabaRequest(alibabaServers(250)));
    expect(ended.failure).toBeUndefined();
    expect(ended.progress).toMatchObject({ phase: 'completed', chunksDone: 2, chunksTotal: 2, added: 250 });
    expect(ended.progress.states).toEqual({ ready: 250 });
    expect(ended.phase).toBe('completed');
    expectDetailsOf(ended);
  });

  it('failed, keeping what it added: the chunk sent and the chunks it planned, its servers as last seen', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    h.sims.alibaba.simulator.faults.replace({
      rules: [{ action: 'AddServersToServerGroup', effect: 'neverAvailable', sequence: 'x' }],
    });
    const ended = await endOf(alibabaRequest(alibabaServers(6), { maxChunkSize: 2, availabilityTimeoutSeconds: 60 }));
    expect(ended.failure?.type).toBe('AvailabilityTimeout');
    const report = ended.failure?.details?.[0] as FailureDetails;
    expect(report.added).toHaveLength(2);
    expect(ended.progress).toMatchObject({ phase: 'failed', chunksDone: 1, chunksTotal: 3, added: 2, requested: 6 });
    // The two added never became ready (settling); the four never sent are pending.
    expect(ended.progress.states).toEqual({ settling: 2, pending: 4 });
    expect(ended.phase).toBe('failed');
    expectDetailsOf(ended);
    expect(ended.details).toContain('| **failed** | AvailabilityTimeout |');
  });

  it('failed and rolled back: the servers it removed count as removed, none as ready or added to the group', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    h.sims.alibaba.simulator.faults.replace({
      rules: [{ action: 'AddServersToServerGroup', effect: 'neverAvailable', sequence: '.x' }],
    });
    // Chunk 2 never becomes ready: chunk 3 goes (one chunk ahead), chunk 4 waits for chunk 2 until the deadline.
    const request = alibabaRequest(alibabaServers(8), {
      maxChunkSize: 2,
      onFailure: 'rollback',
      availabilityTimeoutSeconds: 60,
      chunksAhead: 1,
    });
    const ended = await endOf(request);
    expect(ended.failure?.type).toBe('AvailabilityTimeout');
    const report = ended.failure?.details?.[0] as FailureDetails;
    expect(report.added).toHaveLength(6);
    expect(report.rolledBack).toHaveLength(6);
    expect(ended.progress).toMatchObject({ phase: 'failed', chunksDone: 3, chunksTotal: 4, added: 6 });
    expect(ended.progress.states).toEqual({ removed: 6, pending: 2 });
    expect(ended.phase).toBe('failed');
    expectDetailsOf(ended);
  });

  it('cancelled with rollback: every server it rolled back counts as removed, and the plan does not shrink', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    h.sims.alibaba.simulator.faults.replace({
      rules: [{ action: 'AddServersToServerGroup', effect: 'neverAvailable' }],
    });
    const ended = await endOf(alibabaRequest(alibabaServers(4), { maxChunkSize: 2, onFailure: 'rollback' }), true);
    expect(ended.failure).toBeUndefined();
    expect(ended.memo).toMatchObject({ type: 'Cancelled' });
    const rolledBack = (ended.memo?.rolledBack ?? []) as string[];
    expect(rolledBack).toHaveLength(2);
    expect(ended.progress).toMatchObject({ phase: 'failed', chunksDone: 1, chunksTotal: 2, added: 2 });
    expect(ended.progress.states).toEqual({ removed: rolledBack.length, pending: 2 });
    expect(ended.phase).toBe('failed');
    expectDetailsOf(ended);
    expect(ended.details).toContain('| **failed** | Cancelled |');
  });
});
