// The addServersToServerGroup workflow on Temporal's time-skipping server, with the real activities and
// provider clients talking HTTP to the simulators (whose clock follows the skipped time).
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AddServersResult, FailureDetails } from '../../src/domain/index.js';
import type { addServersToServerGroup } from '../../src/workflows/index.js';
import { registerSearchAttributes, testServerExecutable } from '../setup/servers.js';
import {
  ALIBABA_DEMO_GROUP,
  alibabaServers,
  bundleLbflowWorkflows,
  HUAWEI_NO_MONITOR_POOL,
  HUAWEI_PROJECT,
  huaweiServers,
  startHarness,
  type Harness,
} from './harness.js';

const alibaba = (servers: unknown[], options: Record<string, unknown> = {}, serverGroupId = ALIBABA_DEMO_GROUP) => ({
  provider: 'alibaba-gwlb',
  region: 'cn-hangzhou',
  serverGroupId,
  servers,
  options: { pollIntervalSeconds: 1, ...options },
});
const huawei = (servers: unknown[], options: Record<string, unknown> = {}, poolId = HUAWEI_NO_MONITOR_POOL) => ({
  provider: 'huawei-elb',
  region: 'cn-north-4',
  projectId: HUAWEI_PROJECT,
  poolId,
  servers,
  options: { pollIntervalSeconds: 1, ...options },
});

describe('addServersToServerGroup (time-skipping server, simulators over HTTP)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let h: Harness;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServerExecutable() } });
    await registerSearchAttributes(env);
    bundle = await bundleLbflowWorkflows();
  });
  afterAll(async () => {
    await env?.teardown();
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
  const run = (request: unknown) => h.withWorker(async (taskQueue) => (await start(request, taskQueue)).result());
  const failureOf = async (request: unknown): Promise<ApplicationFailure> => {
    const error = await run(request).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return cause as ApplicationFailure;
  };
  const detailsOf = (f: ApplicationFailure) => f.details?.[0] as FailureDetails;
  const addCalls = (action = 'AddServersToServerGroup') => h.sims.alibaba.simulator.calls.counts().byAction[action]?.calls ?? 0;

  it('adds 450 Alibaba servers in 3 calls of ≤ 200 and waits until every one is Available', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const result: AddServersResult = await run(alibaba(alibabaServers(450)));
    expect(result.added).toHaveLength(450);
    expect(result.alreadyPresent).toEqual([]);
    expect(result.servers.every((s) => s.status === 'Available')).toBe(true);
    expect(addCalls()).toBe(3);
    expect(result.timings.chunks).toBe(3);
  });

  it('adds 300 Huawei members in 2 calls and waits until they are NO_MONITOR', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const result = await run(huawei(huaweiServers(300)));
    expect(result.added).toHaveLength(300);
    expect(new Set(result.servers.map((s) => s.status))).toEqual(new Set(['NO_MONITOR']));
    expect(h.sims.huawei.simulator.calls.counts().byAction.BatchCreateMembers?.calls).toBe(2);
  });

  it('sets aside servers already in the group and never sends them again', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    await run(alibaba(alibabaServers(150)));
    const before = addCalls();
    const result = await run(alibaba(alibabaServers(250)));
    expect(result.alreadyPresent).toHaveLength(150);
    expect(result.added).toHaveLength(100);
    expect(addCalls() - before).toBe(1);
  });

  it('fails an invalid request as ValidationError listing every issue, having called no provider', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const servers = alibabaServers(3);
    servers[0]!.port = 80;
    servers[2]!.serverType = 'Ecss';
    const failure = await failureOf(alibaba(servers, { maxChunkSize: 500 }));
    expect(failure.type).toBe('ValidationError');
    expect(detailsOf(failure).issues?.map((i) => i.path)).toEqual(['servers[0].port', 'servers[2].serverType', 'options.maxChunkSize']);
    expect(h.sims.alibaba.simulator.calls.counts().total).toBe(0);
  });

  it('times out after 30 minutes of workflow time as AvailabilityTimeout naming exactly the stragglers', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    h.sims.huawei.simulator.faults.replace({ rules: [{ action: 'BatchCreateMembers', effect: 'neverAvailable', sequence: '.x' }] });
    const started = performance.now();
    const failure = await failureOf(huawei(huaweiServers(6), { maxChunkSize: 3, availabilityTimeoutSeconds: 1800, pollIntervalSeconds: 30 }, '04a9bc65-b75b-478d-b4d6-e693bb61dd35'));
    console.log(`AvailabilityTimeout after 1800 s of workflow time took ${Math.round(performance.now() - started)} ms of wall time`);
    expect(failure.type).toBe('AvailabilityTimeout');
    const details = detailsOf(failure);
    expect(details.stragglers?.map((s) => s.key)).toEqual(['192.168.0.4:8080', '192.168.0.5:8080', '192.168.0.6:8080']);
    expect(details.added).toHaveLength(6);
  });
});
