import { fileURLToPath } from 'node:url';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTE_KEYS, SEARCH_ATTRIBUTES } from '../../src/domain/names.js';
import { alibabaRequest } from '../fixtures/requests.js';
import { devServerExecutable } from '../setup/servers.js';
import type { planAfterTimer } from '../fixtures/workflows.js';

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

describe('dev server (provisioned Temporal CLI)', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    const started = performance.now();
    env = await TestWorkflowEnvironment.createLocal({
      server: { executable: devServerExecutable(), searchAttributes: SEARCH_ATTRIBUTE_KEYS },
    });
    console.log(`dev server ready in ${Math.round(performance.now() - started)} ms (SDK readiness window ≈ 5000 ms)`);
    workflowBundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../fixtures/workflows.ts', import.meta.url)),
      logger: silent,
    });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow to completion on a real worker and records its timer and search attributes in history', async () => {
    const taskQueue = `dev-${crypto.randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle });
    const handle = await env.client.workflow.start<typeof planAfterTimer>('planAfterTimer', {
      taskQueue,
      workflowId: `plan-${crypto.randomUUID()}`,
      args: [alibabaRequest(201), '1 second'],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.provider, value: 'alibaba-gwlb' },
        { key: SEARCH_ATTRIBUTES.serverGroupId, value: 'sgp-atstuj3rtoptyui0000' },
      ],
    });
    const result = await worker.runUntil(handle.result());
    expect(result.chunkSizes).toEqual([200, 1]);

    // The JSON export (as `temporal workflow show --output json` writes it) names each event type.
    const exported = JSON.parse(historyToJSON(await handle.fetchHistory())) as { events: { eventType: string }[] };
    const names = exported.events.map((e) => e.eventType);
    expect(names[0]).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(names).toContain('EVENT_TYPE_TIMER_FIRED');
    expect(names).toContain('EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES');
    expect(names.at(-1)).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');

    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.phase)).toBe('done');
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.provider)).toBe('alibaba-gwlb');
  });

  it('replays a history exported as JSON (the protobufjs dedupe keeps historyFromJSON working)', async () => {
    const taskQueue = `dev-${crypto.randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle });
    const handle = await env.client.workflow.start<typeof planAfterTimer>('planAfterTimer', {
      taskQueue,
      workflowId: `plan-${crypto.randomUUID()}`,
      args: [alibabaRequest(3), '10 milliseconds'],
    });
    await worker.runUntil(handle.result());
    const json = JSON.parse(historyToJSON(await handle.fetchHistory()));
    await expect(
      Worker.runReplayHistory({ workflowBundle, replayName: 'json-export' }, historyFromJSON(json)),
    ).resolves.toBeUndefined();
  });
});
