import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alibabaRequest } from '../fixtures/requests.js';
import { registerSearchAttributes, testServerExecutable } from '../setup/servers.js';
import type { planAfterTimer } from '../fixtures/workflows.js';

const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;

describe('time-skipping test server (provisioned binary)', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    const started = performance.now();
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServerExecutable() } });
    await registerSearchAttributes(env);
    console.log(
      `time-skipping server ready in ${Math.round(performance.now() - started)} ms (SDK readiness window ≈ 5000 ms)`,
    );
    workflowBundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../fixtures/workflows.ts', import.meta.url)),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  async function run<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `ts-${crypto.randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle });
    return worker.runUntil(fn(taskQueue));
  }

  it('skips a 30-day durable timer and plans 450 servers into chunks of 200', async () => {
    const started = performance.now();
    const result = await run((taskQueue) =>
      env.client.workflow.execute<typeof planAfterTimer>('planAfterTimer', {
        taskQueue,
        workflowId: `plan-${crypto.randomUUID()}`,
        args: [alibabaRequest(450), '30 days'],
      }),
    );
    console.log(`30-day timer completed in ${Math.round(performance.now() - started)} ms of wall time`);
    expect(result.chunkSizes).toEqual([200, 200, 50]);
    expect(result.firedAt - result.startedAt).toBeGreaterThanOrEqual(THIRTY_DAYS_MS);
  });

  it('fails an invalid request as a typed, non-retryable ValidationError listing every issue', async () => {
    const request = alibabaRequest(2);
    request.servers[0]!.port = 80;
    request.servers[1]!.serverType = 'Ecss';
    const error = await run((taskQueue) =>
      env.client.workflow
        .execute<typeof planAfterTimer>('planAfterTimer', {
          taskQueue,
          workflowId: `plan-${crypto.randomUUID()}`,
          args: [request, '1 hour'],
        })
        .then(
          () => undefined,
          (err: unknown) => err,
        ),
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    const failure = cause as ApplicationFailure;
    expect(failure.type).toBe('ValidationError');
    expect(failure.nonRetryable).toBe(true);
    const issues = failure.details?.[0] as { path: string }[];
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['servers[0].port', 'servers[1].serverType']));
  });
});
