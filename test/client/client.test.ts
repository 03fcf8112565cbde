// The client library on the dev server with the real lbflow worker (built by src/worker from its configuration)
// and the simulators over HTTP: checks before start, one run per request, one error class per failure type, and
// lbflow as a child of another team's workflow.
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  addServers,
  AddServersCancelledError,
  AvailabilityTimeoutError,
  dryRunAddServers,
  MAX_REQUEST_BYTES,
  QuotaExceededError,
  SEARCH_ATTRIBUTES,
  startAddServers,
  ValidationError,
} from '../../src/client/index.js';
import { coordinatorWorkflowId } from '../../src/registry/index.js';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_HUAWEI_CREDENTIAL,
  startSimulators,
  type RunningSimulators,
} from '../../src/simulator/index.js';
import { loadWorkerConfig } from '../../src/worker/config.js';
import { createLbflowWorker, type LbflowWorker } from '../../src/worker/worker.js';
import {
  alibabaGroupState,
  alibabaRequest,
  callLog,
  huaweiRequest,
  integrationWorld,
  startDevServer,
} from '../integration/support.js';
import { alibabaServers, HUAWEI_DEMO_POOL, huaweiServerDown } from '../workflows/harness.js';

const TASK_QUEUE = `client-${process.pid}`;
const DEFAULT_GROUP = 'sgp-atstuj3rtoptyui0001';

describe('client library', () => {
  let env: TestWorkflowEnvironment;
  let sims: RunningSimulators;
  let lbflow: LbflowWorker;
  let parents: Worker;
  let running: Promise<unknown>;

  beforeAll(async () => {
    [env, sims] = await Promise.all([startDevServer(), startSimulators({ port: 0, world: integrationWorld() })]);
    const config = loadWorkerConfig({
      TEMPORAL_CONFIG_FILE: '/nonexistent.toml',
      TEMPORAL_ADDRESS: env.address,
      LBFLOW_TASK_QUEUE: TASK_QUEUE,
      LBFLOW_ALIBABA_ENDPOINT: sims.alibaba.url,
      LBFLOW_HUAWEI_ENDPOINT: sims.huawei.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ALIBABA_CREDENTIAL.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ALIBABA_CREDENTIAL.accessKeySecret,
      HUAWEICLOUD_SDK_AK: DEFAULT_HUAWEI_CREDENTIAL.accessKey,
      HUAWEICLOUD_SDK_SK: DEFAULT_HUAWEI_CREDENTIAL.secretKey,
      LBFLOW_PROVIDER_CALLS_PER_SECOND: '0',
    });
    lbflow = await createLbflowWorker(config, env.nativeConnection);
    parents = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: `${TASK_QUEUE}-parents`,
      workflowsPath: fileURLToPath(new URL('../fixtures/parent-workflow.ts', import.meta.url)),
    });
    running = Promise.all([lbflow.run(), parents.run()]);
  }, 180_000);

  afterAll(async () => {
    lbflow?.worker.shutdown();
    parents?.shutdown();
    await running;
    await sims?.close();
    await env?.teardown();
  }, 60_000);

  it('refuses an invalid request before any workflow starts, listing every issue', async () => {
    const start = vi.spyOn(env.client.workflow, 'start');
    const bad = alibabaRequest([
      { serverId: 'i-bp67acfmxazb4p0001', serverType: 'ecs' },
      { serverId: 'i-bp67acfmxazb4p0002', serverType: 'Ecs', port: 80 },
    ]);
    const error = await startAddServers(env.client, bad as never, { taskQueue: TASK_QUEUE }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['servers[0].serverType', 'servers[1].port']);
    expect(start).not.toHaveBeenCalled();
    start.mockRestore();
  });

  it('refuses a request that is not an object with a ValidationError, even unvalidated, and names the class plainly', async () => {
    const start = vi.spyOn(env.client.workflow, 'start');
    for (const request of [null, [], 'a request', 42]) {
      const error = await startAddServers(env.client, request as never, {
        taskQueue: TASK_QUEUE,
        validate: false,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        {
          path: '',
          message: expect.stringMatching(/^The request must be a JSON object; got (null|an array|string|number)\.$/),
        },
      ]);
      expect((error as ValidationError).message).toContain('The request must be a JSON object');
    }
    expect(start).not.toHaveBeenCalled();
    start.mockRestore();
    const error = new ValidationError({ message: 'm' });
    expect([error.name, ValidationError.name, new QuotaExceededError({ message: 'm' }).name]).toEqual([
      'ValidationError',
      'ValidationError',
      'QuotaExceededError',
    ]);
  });

  it('refuses a request too large for a workflow input, saying to split it', async () => {
    const start = vi.spyOn(env.client.workflow, 'start');
    const servers = Array.from({ length: 10_000 }, (_, i) => ({
      address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      protocolPort: 80,
      name: 'n'.repeat(150),
    }));
    const error = await startAddServers(env.client, huaweiRequest(servers) as never, { taskQueue: TASK_QUEUE }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(
      new RegExp(`at most ${(MAX_REQUEST_BYTES / 1e6).toFixed(1)} MB .*split the servers into several requests`),
    );
    expect(start).not.toHaveBeenCalled();
    start.mockRestore();
  });

  it('attaches a repeated start of the same request to the running run: one workflow id, one add per chunk', async () => {
    const servers = alibabaServers(200, 200);
    const request = alibabaRequest(servers, { maxChunkSize: 100 }, DEFAULT_GROUP);
    const addsBefore = (await callLog(sims.alibaba.url)).counts.byAction.AddServersToServerGroup?.calls ?? 0;
    const [a, b] = await Promise.all([
      startAddServers(env.client, request as never, { taskQueue: TASK_QUEUE }),
      startAddServers(env.client, structuredClone(request) as never, { taskQueue: TASK_QUEUE }),
    ]);
    expect(b.workflowId).toBe(a.workflowId);
    expect(a.workflowId).toMatch(new RegExp(`^lbflow/alibaba-gwlb/cn-hangzhou/${DEFAULT_GROUP}/r-[0-9a-f]{20}$`));
    const [ra, rb] = await Promise.all([a.result(), b.result()]);
    expect(ra.added).toHaveLength(200);
    expect(rb).toEqual(ra);
    expect(((await callLog(sims.alibaba.url)).counts.byAction.AddServersToServerGroup?.calls ?? 0) - addsBefore).toBe(
      2,
    );
  }, 60_000);

  it('refuses a different request under a request key that is already running', async () => {
    const first = await startAddServers(
      env.client,
      alibabaRequest(alibabaServers(2, 700), {}, DEFAULT_GROUP) as never,
      { taskQueue: TASK_QUEUE, requestKey: 'same-key' },
    );
    const error = await startAddServers(
      env.client,
      alibabaRequest(alibabaServers(2, 710), {}, DEFAULT_GROUP) as never,
      { taskQueue: TASK_QUEUE, requestKey: 'same-key' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(`Workflow ${first.workflowId} is already running a different request`);
    await first.result();
  }, 60_000);

  it('refuses a task queue no worker could poll and a request key unfit for a workflow id, naming the option (issue 13 rows 5, 6)', async () => {
    const start = vi.spyOn(env.client.workflow, 'start');
    const request = alibabaRequest(alibabaServers(1, 720), {}, DEFAULT_GROUP);
    const cases: [Record<string, string>, string][] = [
      [{ taskQueue: `${TASK_QUEUE}\n` }, 'taskQueue'],
      [{ taskQueue: '' }, 'taskQueue'],
      [{ taskQueue: '/_sys/lbflow' }, 'taskQueue'],
      [{ requestKey: '../../x' }, 'requestKey'],
      [{ requestKey: 'deploy\n42' }, 'requestKey'],
    ];
    for (const [options, path] of cases) {
      const error = await startAddServers(env.client, request as never, { taskQueue: TASK_QUEUE, ...options }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual([path]);
    }
    expect(start).not.toHaveBeenCalled();
    start.mockRestore();
  });

  it('counts the task queue in what makes two starts the same request (issue 13 row 5)', async () => {
    const request = alibabaRequest(alibabaServers(2, 730), {}, DEFAULT_GROUP);
    const nobody = `${TASK_QUEUE}-polled-by-nobody`;
    const stray = await startAddServers(env.client, request as never, { taskQueue: nobody });
    // The same servers on the queue the workers poll are another request: they do not attach to the stray run.
    const served = await startAddServers(env.client, structuredClone(request) as never, { taskQueue: TASK_QUEUE });
    expect(served.workflowId).not.toBe(stray.workflowId);
    expect((await served.result()).added).toHaveLength(2);
    // Under one request key, the running run on the other queue is named, not joined.
    const keyed = await startAddServers(env.client, request as never, { taskQueue: nobody, requestKey: 'queue-key' });
    const error = await startAddServers(env.client, request as never, {
      taskQueue: TASK_QUEUE,
      requestKey: 'queue-key',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(`(on task queue ${JSON.stringify(nobody)})`);
    await Promise.all([
      stray.workflow.terminate('test: nobody polls this queue'),
      keyed.workflow.terminate('test: nobody polls this queue'),
    ]);
  }, 60_000);

  it('leaves LbPhase "failed" on a run that failed validation, like every other terminal run (issue 14)', async () => {
    const handle = await startAddServers(env.client, alibabaRequest([{ serverId: 'x', serverType: 'Ecs' }]) as never, {
      taskQueue: TASK_QUEUE,
      validate: false,
    });
    await expect(handle.result()).rejects.toBeInstanceOf(ValidationError);
    const described = await handle.workflow.describe();
    expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.phase)).toBe('failed');
  }, 60_000);

  it('names every run and activity in the Web UI: static summaries, activity summaries, live details (issue 14)', async () => {
    const servers = alibabaServers(5, 740);
    const handle = await startAddServers(
      env.client,
      alibabaRequest(servers, { maxChunkSize: 2 }, DEFAULT_GROUP) as never,
      { taskQueue: TASK_QUEUE },
    );
    await handle.result();
    const described = await handle.workflow.describe();
    expect(await described.staticSummary()).toBe(`add 5 servers to alibaba-gwlb cn-hangzhou ${DEFAULT_GROUP}`);
    // Current details: the user-metadata query the Web UI reads.
    const metadata = await handle.workflow.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain(`add 5 servers to alibaba-gwlb cn-hangzhou ${DEFAULT_GROUP}`);
    expect(metadata.currentDetails).toContain('| **phase** | completed |');
    expect(metadata.currentDetails).toContain('| **chunks** | 3 of 3 |');
    expect(metadata.currentDetails).toContain('| **servers** | 5 requested, 5 added, 0 already present |');
    // The coordinator: its own summary, and one per activity naming the chunk.
    const coordinator = env.client.workflow.getHandle(
      coordinatorWorkflowId({ provider: 'alibaba-gwlb', region: 'cn-hangzhou', serverGroupId: DEFAULT_GROUP }),
    );
    expect(await (await coordinator.describe()).staticSummary()).toBe(
      `coordinator of alibaba-gwlb cn-hangzhou ${DEFAULT_GROUP}: every change to this group goes through it`,
    );
    const history = await coordinator.fetchHistory();
    const summaries = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) =>
        e.userMetadata?.summary ? (defaultPayloadConverter.fromPayload(e.userMetadata.summary) as string) : undefined,
      );
    expect(summaries.every((s) => typeof s === 'string' && s.length > 0)).toBe(true);
    const name = handle.workflowId.split('/').at(-1);
    for (const chunk of ['1/3', '2/3', '3/3'])
      expect(summaries).toContain(
        `chunk ${chunk} of ${name} · ${chunk === '3/3' ? '1 server' : '2 servers'} · alibaba-gwlb cn-hangzhou ${DEFAULT_GROUP}`,
      );
  }, 60_000);

  it('throws one class per failure type, read from the failure type, with the details of what is in the group', async () => {
    const quota = await addServers(
      env.client,
      alibabaRequest([{ serverId: '10.3.9.1', serverType: 'Ip' }], {}, 'sgp-atstuj3rtoptyui0003') as never,
      { taskQueue: TASK_QUEUE },
    ).catch((e: unknown) => e);
    expect(quota).toBeInstanceOf(QuotaExceededError);
    expect((quota as QuotaExceededError).details?.code).toMatch(/^QuotaExceeded/);
    expect((quota as QuotaExceededError).category).toBe('provider');
    // What an operator needs (issue 14): the group holds 300 of its 300, the request asked for 1, none fits.
    expect((quota as QuotaExceededError).details?.quota).toEqual({
      requested: 1,
      change: 1,
      limit: 300,
      groupHolds: 300,
      fits: 0,
    });

    const invalid = await addServers(env.client, alibabaRequest([{ serverId: 'x', serverType: 'Ecs' }]) as never, {
      taskQueue: TASK_QUEUE,
      validate: false,
    }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).issues[0]?.path).toBe('servers[0].serverId');

    const down = 49;
    expect(huaweiServerDown(down)).toBe(true);
    const stuck = { address: '192.168.0.50', protocolPort: 8080, subnetCidrId: '61da8098-954b-4809-bc5a-b99ccef8a398' };
    const timeout = await addServers(
      env.client,
      huaweiRequest([stuck], { availabilityTimeoutSeconds: 2 }, HUAWEI_DEMO_POOL) as never,
      { taskQueue: TASK_QUEUE },
    ).catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(AvailabilityTimeoutError);
    expect((timeout as AvailabilityTimeoutError).details?.stragglers).toEqual([
      { key: '192.168.0.50:8080', status: 'OFFLINE' },
    ]);
    expect((timeout as AvailabilityTimeoutError).added).toEqual(['192.168.0.50:8080']);
  }, 60_000);

  it('reports a cancelled run as AddServersCancelledError', async () => {
    const stuck = {
      address: '192.168.0.100',
      protocolPort: 8080,
      subnetCidrId: '61da8098-954b-4809-bc5a-b99ccef8a398',
    };
    const handle = await startAddServers(
      env.client,
      huaweiRequest([stuck], { availabilityTimeoutSeconds: 300 }, HUAWEI_DEMO_POOL) as never,
      { taskQueue: TASK_QUEUE },
    );
    await vi.waitFor(async () => expect((await handle.progress()).phase).toBe('waiting'), {
      timeout: 10_000,
      interval: 200,
    });
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(AddServersCancelledError);
  }, 60_000);

  it('dry-runs a request: the provider checks it and the group does not change', async () => {
    const before = await alibabaGroupState(sims.alibaba.url, DEFAULT_GROUP);
    const result = await dryRunAddServers(
      env.client,
      alibabaRequest(alibabaServers(3, 900), {}, DEFAULT_GROUP) as never,
      { taskQueue: TASK_QUEUE },
    );
    expect(result.dryRun).toBe(true);
    expect(result.servers.map((s) => s.status)).toEqual(['dry-run', 'dry-run', 'dry-run']);
    expect(await alibabaGroupState(sims.alibaba.url, DEFAULT_GROUP)).toEqual(before);
  }, 60_000);

  it("runs as a child of another team's workflow, which reads the result or the failure type", async () => {
    const parent = (id: string, request: unknown) =>
      env.client.workflow.execute('deployWithLbflow', {
        taskQueue: `${TASK_QUEUE}-parents`,
        workflowId: `${id}-${process.pid}`,
        args: [request, TASK_QUEUE],
      });
    expect(await parent('deploy-ok', alibabaRequest(alibabaServers(3, 950), {}, DEFAULT_GROUP))).toEqual({ added: 3 });
    expect(
      await parent(
        'deploy-quota',
        alibabaRequest([{ serverId: '10.3.9.2', serverType: 'Ip' }], {}, 'sgp-atstuj3rtoptyui0003'),
      ),
    ).toEqual({ failed: 'QuotaExceeded', added: 0 });
  }, 60_000);
});
