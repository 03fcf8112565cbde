// The worker process as it runs in production: built by `npm run build` (compiled JS and the prebuilt workflow
// bundle, NODE_ENV=production), configured by its environment only, with Prometheus metrics and JSON logs. It is
// stopped with SIGTERM in the middle of a run: it exits cleanly, a second worker finishes the run, and every
// chunk's ClientToken committed exactly once.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { retireCoordinators } from '../../drills/support.js';
import { AuthenticationFailedError, QuotaExceededError, startAddServers } from '../../src/client/index.js';
import { type GroupView } from '../../src/domain/index.js';
import { coordinatorWorkflowId } from '../../src/registry/index.js';
import { freePort } from '../../src/cli/stack.js';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_ALIBABA_ECS_ROLE,
  DEFAULT_HUAWEI_CREDENTIAL,
  DEFAULT_HUAWEI_FULL_POOL,
  startSimulators,
  type RunningSimulators,
} from '../../src/simulator/index.js';
import { startWorkerProcess, type WorkerProcess } from '../integration/child-worker.js';
import {
  alibabaGroupState,
  alibabaKey,
  alibabaRequest,
  callLog,
  huaweiRequest,
  integrationWorld,
  startDevServer,
  tokensOf,
} from '../integration/support.js';
import { alibabaServers, huaweiServers } from '../workflows/harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Inside the project, so the compiled files resolve node_modules as dist/ does.
const BUILD = join(ROOT, '.temporal', `build-test-${process.pid}`);
const GROUP = 'sgp-atstuj3rtoptyui0000';
const HUAWEI_MONITORED_POOL = '04a9bc65-b75b-478d-b4d6-e693bb61dd35';

describe('the production worker process', () => {
  let env: TestWorkflowEnvironment;
  let sims: RunningSimulators;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    // What `npm run build` does, into a private folder.
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        join(ROOT, 'tsconfig.build.json'),
        '--outDir',
        BUILD,
        '--declaration',
        'false',
        '--sourceMap',
        'false',
      ],
      { cwd: ROOT, stdio: 'pipe' },
    );
    execFileSync(process.execPath, [join(BUILD, 'worker', 'build-bundle.js'), join(BUILD, 'workflow-bundle.js')], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    [env, sims] = await Promise.all([
      startDevServer(),
      startSimulators({ port: 0, world: integrationWorld({ alibaba: { configuringMs: 400, addingMs: 600 } }) }),
    ]);
  }, 180_000);

  // A group has one coordinator whatever the task queue: one a test's worker started must not serve the next test's.
  afterEach(async () => {
    await retireCoordinators(env.client);
  }, 30_000);

  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await sims?.close();
    await env?.teardown();
    rmSync(BUILD, { recursive: true, force: true });
  }, 60_000);

  const start = async (taskQueue: string, extra: Record<string, string | undefined> = {}, compiled = true) => {
    const w = await startWorkerProcess({
      temporalAddress: env.address,
      namespace: 'default',
      taskQueue,
      bundlePath: join(BUILD, 'workflow-bundle.js'),
      alibabaEndpoint: sims.alibaba.url,
      huaweiEndpoint: sims.huawei.url,
      ...(compiled ? { script: join(BUILD, 'worker', 'main.js') } : {}),
      env: { NODE_ENV: compiled ? 'production' : 'development', ...extra },
    });
    workers.push(w);
    return w;
  };

  it('builds: compiled entry points and a prebuilt workflow bundle', () => {
    for (const file of ['worker/main.js', 'cli/main.js', 'client/index.js', 'simulator/main.js', 'workflow-bundle.js'])
      expect(existsSync(join(BUILD, file)), file).toBe(true);
  });

  it('drains on SIGTERM mid-run, exits 0, and a second worker finishes the run with each chunk committed once', async () => {
    const taskQueue = `proc-${crypto.randomUUID()}`;
    const metricsPort = await freePort();
    const first = await start(taskQueue, {
      LBFLOW_METRICS_PORT: String(metricsPort),
      LBFLOW_SHUTDOWN_GRACE_SECONDS: '5',
    });
    const servers = alibabaServers(1000);
    const handle = await startAddServers(env.client, alibabaRequest(servers, {}, GROUP) as never, {
      taskQueue,
      requestKey: 'sigterm',
    });

    // Stop it once the first chunk is in the group.
    for (let i = 0; i < 200 && (await alibabaGroupState(sims.alibaba.url, GROUP)).members.length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`temporal_worker_task_slots_available\\{[^}]*task_queue="${taskQueue}"`));
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.output()).toContain('"event":"worker.stopping"');
    expect(first.output()).toContain('"event":"worker.stopped"');

    // The second one runs from source under tsx, logging everything (the log scan below reads it).
    await start(taskQueue, { LBFLOW_LOG_LEVEL: 'DEBUG' }, false);
    const result = await handle.result();
    expect(result.added).toHaveLength(1000);
    const group = await alibabaGroupState(sims.alibaba.url, GROUP);
    expect(group.members.map((m) => m.key).sort()).toEqual(servers.map(alibabaKey).sort());
    // The group's coordinator made the adds: its ClientTokens carry its incarnation.
    const coordinator = env.client.workflow.getHandle(
      coordinatorWorkflowId({ provider: 'alibaba-gwlb', region: 'cn-hangzhou', serverGroupId: GROUP }),
    );
    const { incarnation } = await coordinator.query<GroupView>('group');
    const tokens = tokensOf(await callLog(sims.alibaba.url)).filter((t) =>
      t.token.startsWith(`lbflow-${incarnation}-`),
    );
    expect(tokens).toHaveLength(5);
    for (const t of tokens) expect(t.committed, t.token).toBe(1);
  }, 120_000);

  it('takes LBFLOW_METRICS_PORT=0 as "a free port", prints it in worker.ready, and serves lbflow\'s own metrics there (issue 14)', async () => {
    const taskQueue = `proc-${crypto.randomUUID()}`;
    const w = await start(taskQueue, { LBFLOW_METRICS_PORT: '0' });
    const ready = w
      .output()
      .split('\n')
      .filter((line) => line.includes('"event":"worker.ready"'))
      .map((line) => JSON.parse(line) as { metrics: string })[0];
    expect(ready?.metrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(ready?.metrics).not.toContain(':0/');
    // A run whose first add is throttled once: lbflow's own metrics count it, next to the SDK's.
    sims.alibaba.simulator.faults.replace({
      rules: [{ action: 'AddServersToServerGroup', effect: 'throttle', sequence: 'x' }],
    });
    const group = 'sgp-atstuj3rtoptyui0001';
    try {
      const result = await (
        await startAddServers(env.client, alibabaRequest(alibabaServers(3, 900), {}, group) as never, { taskQueue })
      ).result();
      expect(result.added).toHaveLength(3);
    } finally {
      sims.alibaba.simulator.faults.replace({ rules: [] });
    }
    const metrics = await (await fetch(ready!.metrics)).text();
    expect(metrics).toMatch(new RegExp(`temporal_worker_task_slots_available\\{[^}]*task_queue="${taskQueue}"`));
    // One sample: the value of the line whose name and labels match (labels in any order), or undefined.
    const sample = (name: string, labels: Record<string, string>): number | undefined => {
      for (const line of metrics.split('\n')) {
        const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
        if (!m || m[1] !== name) continue;
        const has = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
        if (Object.entries({ taskQueue, ...labels }).every(([k, v]) => has[k] === v)) return Number(m[3]);
      }
      return undefined;
    };
    const ali = { provider: 'alibaba-gwlb' };
    expect(
      sample('lbflow_provider_calls', {
        ...ali,
        action: 'AddServersToServerGroup',
        outcome: 'error',
        code: 'Throttling.User',
      }),
    ).toBe(1);
    expect(
      sample('lbflow_provider_calls', { ...ali, action: 'AddServersToServerGroup', outcome: 'ok', code: '' }),
    ).toBe(1);
    expect(
      sample('lbflow_provider_calls', { ...ali, action: 'ListServerGroupServers', outcome: 'ok', code: '' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample('lbflow_provider_call_latency_count', { ...ali, action: 'AddServersToServerGroup' })).toBe(2);
    expect(
      sample('lbflow_requests', {
        ...ali,
        outcome: 'completed',
        failure_type: '',
        workflowType: 'addServersToServerGroup',
      }),
    ).toBe(1);
    expect(sample('lbflow_servers_added', { ...ali })).toBe(3);
    expect(sample('lbflow_polls', { ...ali, result: 'ready', activityType: 'addChunk' })).toBeGreaterThanOrEqual(1);
    expect(sample('lbflow_change_servers_sum', { ...ali, workflowType: 'serverGroupCoordinator' })).toBe(3);
    expect(sample('lbflow_change_servers_count', { ...ali, workflowType: 'serverGroupCoordinator' })).toBe(1);
    expect(sample('lbflow_group_queue_depth', { ...ali, server_group: group })).toBe(0);
    expect(await w.stop('SIGTERM')).toBe(0);
  }, 60_000);

  it('fails a run for a provider it has no credentials for as AuthenticationFailed, naming the variables, with no call', async () => {
    const taskQueue = `proc-${crypto.randomUUID()}`;
    await start(taskQueue, { HUAWEICLOUD_SDK_AK: undefined, HUAWEICLOUD_SDK_SK: undefined });
    const before = (await callLog(sims.huawei.url)).counts.total;
    const handle = await startAddServers(env.client, huaweiRequest(huaweiServers(2)) as never, { taskQueue });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationFailedError);
    expect((error as Error).message).toContain(
      'set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or LBFLOW_HUAWEI_AUTH_TOKEN',
    );
    expect((await callLog(sims.huawei.url)).counts.total).toBe(before);
  }, 60_000);

  it('with keys from the metadata stand-ins that expire every 1–3 s, adds 1,000 servers on each provider: 0 AuthenticationFailed, the keys rotated, no secret in logs or histories (issue 16)', async () => {
    const taskQueue = `proc-${crypto.randomUUID()}`;
    // Both runs take several key lifetimes: monitored members settle in 1.5 s, groups change in 1 s.
    const world = integrationWorld({ alibaba: { configuringMs: 400, addingMs: 600 }, huawei: { initialMs: 1500 } }) as {
      alibaba: { identity?: object };
      huawei: { metadata?: object };
    };
    world.alibaba.identity = { ecsRoles: [DEFAULT_ALIBABA_ECS_ROLE], keyLifetimeMs: 3000 };
    world.huawei.metadata = { agency: 'lbflow-agency', keyLifetimeMs: 1000 };
    sims.alibaba.simulator.reset(world);
    sims.huawei.simulator.reset(world);
    try {
      const w = await start(taskQueue, {
        LBFLOW_LOG_LEVEL: 'DEBUG',
        ALIBABA_CLOUD_ACCESS_KEY_ID: undefined,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined,
        ALIBABA_CLOUD_ECS_METADATA: DEFAULT_ALIBABA_ECS_ROLE,
        ALIBABA_CLOUD_IMDSV1_DISABLED: 'true',
        LBFLOW_ALIBABA_CREDENTIALS_ENDPOINT: sims.alibaba.url,
        HUAWEICLOUD_SDK_AK: undefined,
        HUAWEICLOUD_SDK_SK: undefined,
        LBFLOW_HUAWEI_ECS_METADATA: 'true',
        LBFLOW_HUAWEI_METADATA_ENDPOINT: sims.huawei.url,
      });
      const starting = JSON.parse(
        w
          .output()
          .split('\n')
          .find((l) => l.includes('"event":"worker.starting"'))!,
      ) as { keysFrom: Record<string, string>; providers: Record<string, { keysFrom: string }> };
      expect(starting.providers['alibaba-gwlb']!.keysFrom).toBe('ecs_ram_role');
      expect(starting.keysFrom).toEqual({ 'alibaba-gwlb': 'ecs_ram_role', 'huawei-elb': 'ecs_metadata' });
      const started = Date.now();
      const [ali, hw] = await Promise.all([
        startAddServers(env.client, alibabaRequest(alibabaServers(1000), {}, GROUP) as never, {
          taskQueue,
          requestKey: 'rotating-alibaba',
        }),
        // The pool with a health monitor: its members stay INITIAL for 1.5 s, so the run outlives several keys.
        startAddServers(env.client, huaweiRequest(huaweiServers(1000), {}, HUAWEI_MONITORED_POOL) as never, {
          taskQueue,
          requestKey: 'rotating-huawei',
        }),
      ]);
      const [aliResult, hwResult] = await Promise.all([ali.result(), hw.result()]);
      const elapsed = Date.now() - started;
      expect(aliResult.added).toHaveLength(1000);
      expect(hwResult.added).toHaveLength(1000);
      for (const [base, action, refused] of [
        [sims.alibaba.url, 'AddServersToServerGroup', /^(InvalidSecurityToken|InvalidAccessKeyId|Signature)/],
        [sims.huawei.url, 'BatchCreateMembers', /^APIGW\.030[0-9]$/],
      ] as const) {
        const entries = (await callLog(base)).entries;
        const auth = entries.filter((e) => e.code !== undefined && refused.test(e.code));
        // A key can expire between signing and arrival; the client then signs once more with new keys. None fails a run.
        const adds = entries.filter((e) => e.action === action && e.status < 300);
        const keyIds = new Set(
          entries.filter((e) => e.status < 300 && e.accessKeyId !== undefined).map((e) => e.accessKeyId),
        );
        console.log(
          `${action}: ${adds.length} adds in ${(elapsed / 1000).toFixed(1)} s, signed with ${keyIds.size} distinct temporary keys; ${auth.length} calls refused as expired and signed again`,
        );
        expect(keyIds.size, action).toBeGreaterThanOrEqual(2);
      }
      const secrets = [...sims.alibaba.simulator.temporarySecrets(), ...sims.huawei.simulator.temporarySecrets()];
      expect(secrets.length).toBeGreaterThan(8);
      const histories = await Promise.all([ali, hw].map(async (h) => JSON.stringify(await h.workflow.fetchHistory())));
      for (const text of [w.output(), ...histories])
        for (const secret of secrets) expect(text.includes(secret)).toBe(false);
      expect(await w.stop('SIGTERM')).toBe(0);
    } finally {
      sims.alibaba.simulator.reset();
      sims.huawei.simulator.reset();
    }
  }, 120_000);

  it('fails a full Huawei pool as QuotaExceeded with the quota read from ListQuotaDetails by the worker (issue 14)', async () => {
    const taskQueue = `proc-${crypto.randomUUID()}`;
    await start(taskQueue);
    const error = await (
      await startAddServers(env.client, huaweiRequest(huaweiServers(2), {}, DEFAULT_HUAWEI_FULL_POOL) as never, {
        taskQueue,
      })
    )
      .result()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExceededError);
    // The integration world raises members_per_pool to 1,000 and fills the full pool to it.
    expect((error as QuotaExceededError).details?.quota).toEqual({
      requested: 2,
      change: 2,
      limit: 1000,
      groupHolds: 1000,
      fits: 0,
    });
    expect((await callLog(sims.huawei.url, 'ListQuotaDetails')).entries.at(-1)).toMatchObject({ status: 200 });
  }, 60_000);

  it('never writes a credential to its logs, even at DEBUG', () => {
    const secrets = [DEFAULT_ALIBABA_CREDENTIAL.accessKeySecret, DEFAULT_HUAWEI_CREDENTIAL.secretKey];
    expect(workers.length).toBeGreaterThan(0);
    for (const w of workers) for (const secret of secrets) expect(w.output()).not.toContain(secret);
  });

  /** Runs the built worker with `env` (and the prebuilt bundle), expecting it to exit at once: its status and output. */
  const runUnusable = (env: Record<string, string>): { status: number; stdout: string; stderr: string } => {
    try {
      execFileSync(process.execPath, [join(BUILD, 'worker', 'main.js')], {
        env: {
          PATH: process.env.PATH,
          TEMPORAL_CONFIG_FILE: '/nonexistent.toml',
          NODE_ENV: 'production',
          LBFLOW_WORKFLOW_BUNDLE: join(BUILD, 'workflow-bundle.js'),
          ...env,
        },
        stdio: 'pipe',
      });
    } catch (error) {
      const e = error as { status: number; stdout: Buffer; stderr: Buffer };
      return { status: e.status, stdout: String(e.stdout), stderr: String(e.stderr) };
    }
    return { status: 0, stdout: '', stderr: '' };
  };

  it('exits 78 when no credential source gives keys, naming each source it tried (issue 16)', () => {
    const { status, stderr } = runUnusable({
      ALIBABA_CLOUD_ECS_METADATA: 'not-attached-to-this-instance',
      ALIBABA_CLOUD_IMDSV1_DISABLED: 'true',
      // Nothing listens there (this test process is blocked in execFileSync, so an in-process stand-in could not answer).
      LBFLOW_ALIBABA_CREDENTIALS_ENDPOINT: 'http://127.0.0.1:9',
      LBFLOW_HUAWEI_ECS_METADATA: 'true',
      LBFLOW_HUAWEI_METADATA_ENDPOINT: 'http://127.0.0.1:9',
    });
    expect(status).toBe(78);
    const line = JSON.parse(stderr) as { event: string; issues: { variable: string; message: string }[] };
    expect(line.event).toBe('worker.config-invalid');
    expect(line.issues.map((i) => i.variable)).toEqual(['ALIBABA_CLOUD_ECS_METADATA', 'LBFLOW_HUAWEI_ECS_METADATA']);
    expect(line.issues[0]!.message).toMatch(
      /^alibaba-gwlb: no usable credentials: tried ecs_ram_role \(.*127\.0\.0\.1:9/,
    );
    expect(line.issues[1]!.message).toMatch(/^huawei-elb: no usable credentials: tried ecs_metadata \(/);
  });

  it('exits 78 with every configuration problem when its environment is unusable', () => {
    const { status, stderr } = runUnusable({ TEMPORAL_ADDRESS: 'no-port', ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tX' });
    expect(status).toBe(78);
    const line = JSON.parse(stderr) as { event: string; issues: { variable: string }[] };
    expect(line.event).toBe('worker.config-invalid');
    expect(line.issues.map((i) => i.variable).sort()).toEqual(['ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'TEMPORAL_ADDRESS']);
  });

  it('exits 78 on an endpoint with a password or a secret in the wrong variable, and prints neither (issue 13 rows 1, 2)', () => {
    const secret = 'alibaba-secret-for-the-process-test';
    const password = 'PASSWORD-in-the-endpoint';
    const { status, stdout, stderr } = runUnusable({
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tProcessTest',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret,
      LBFLOW_LOG_LEVEL: secret,
      LBFLOW_ALIBABA_ENDPOINT: `https://user:${password}@127.0.0.1:7480`,
    });
    expect(status).toBe(78);
    const line = JSON.parse(stderr) as { issues: { variable: string }[] };
    expect(line.issues.map((i) => i.variable).sort()).toEqual(['LBFLOW_ALIBABA_ENDPOINT', 'LBFLOW_LOG_LEVEL']);
    for (const output of [stdout, stderr]) {
      expect(output).not.toContain(secret);
      expect(output).not.toContain(password);
    }
  });
  it('exits 78 on an unusable bundle, an endpoint that is not a URL and a task queue nobody polls, naming each (issue 13 rows 5, 6)', () => {
    const { status, stderr } = runUnusable({
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tProcessTest',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'alibaba-secret-for-the-process-test',
      LBFLOW_WORKFLOW_BUNDLE: BUILD,
      LBFLOW_ALIBABA_ENDPOINT: 'http://[::1',
      LBFLOW_TASK_QUEUE: 'lbflow\n',
    });
    expect(status).toBe(78);
    const line = JSON.parse(stderr) as { event: string; issues: { variable: string; message: string }[] };
    expect(line.event).toBe('worker.config-invalid');
    expect(line.issues.map((i) => i.variable).sort()).toEqual([
      'LBFLOW_ALIBABA_ENDPOINT',
      'LBFLOW_TASK_QUEUE',
      'LBFLOW_WORKFLOW_BUNDLE',
    ]);
    expect(line.issues.find((i) => i.variable === 'LBFLOW_WORKFLOW_BUNDLE')?.message).toContain('is not a file');
  });
});
