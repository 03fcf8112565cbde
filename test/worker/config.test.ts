// The worker's configuration: one schema over the environment, every problem named by its variable.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_TYPE } from '../../src/domain/names.js';
import {
  checkCredentialSources,
  describeConfig,
  loadWorkerConfig,
  WorkerConfigError,
  type Env,
} from '../../src/worker/config.js';

const ALIBABA = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tTestKey0001',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'alibaba-test-secret-value-1',
};
const HUAWEI = { HUAWEICLOUD_SDK_AK: 'HWTESTAK0001', HUAWEICLOUD_SDK_SK: 'huawei-test-secret-key-0001' };
// No Temporal profile file from the developer's home leaks into these tests.
const BASE: Env = { TEMPORAL_CONFIG_FILE: '/nonexistent/lbflow-test.toml' };

/** Enough of a bundle for the configuration's check (a file that compiles and names lbflow's workflow). */
const LOOKS_LIKE_A_BUNDLE = `var __TEMPORAL__; /* ${WORKFLOW_TYPE} */`;

function issuesOf(env: Env, cwd?: string): { variable: string; message: string }[] {
  try {
    loadWorkerConfig({ ...BASE, ...env }, cwd);
  } catch (error) {
    if (error instanceof WorkerConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('worker configuration from the environment', () => {
  it('fills every default from Temporal and lbflow conventions when only credentials are set', () => {
    const config = loadWorkerConfig({ ...BASE, ...ALIBABA });
    expect(config.temporal.address).toBe('localhost:7233');
    expect(config.temporal.namespace).toBe('default');
    expect(config.taskQueue).toBe('lbflow');
    expect(config.workflowBundle).toBeUndefined();
    expect(config.metrics).toBeUndefined();
    expect(config.logLevel).toBe('INFO');
    expect(config.limits).toEqual({
      maxConcurrentActivities: 200,
      maxConcurrentWorkflowTasks: 40,
      providerCallsPerSecond: 50,
      providerConcurrency: 16,
      taskQueueActivitiesPerSecond: 0,
    });
    expect(Object.keys(config.providers)).toEqual(['alibaba-gwlb']);
    expect(config.versioning).toEqual({ deploymentName: 'lbflow', buildId: undefined, promote: 'if-none' });
  });

  it('versions the worker as a Worker Deployment: its name from the task queue unless set, a build id, when to promote', () => {
    expect(loadWorkerConfig({ ...BASE, ...ALIBABA, LBFLOW_TASK_QUEUE: 'lbflow-canary.eu/1' }).versioning).toEqual({
      deploymentName: 'lbflow-canary-eu-1',
      buildId: undefined,
      promote: 'if-none',
    });
    expect(
      loadWorkerConfig({
        ...BASE,
        ...ALIBABA,
        LBFLOW_DEPLOYMENT_NAME: 'lbflow-prod',
        LBFLOW_BUILD_ID: '0.2.0-rc1',
        LBFLOW_PROMOTE: 'NEVER',
      }).versioning,
    ).toEqual({ deploymentName: 'lbflow-prod', buildId: '0.2.0-rc1', promote: 'never' });
    expect(loadWorkerConfig({ ...BASE, ...ALIBABA, LBFLOW_WORKER_VERSIONING: 'off' }).versioning).toBeUndefined();
    expect(describeConfig(loadWorkerConfig({ ...BASE, ...ALIBABA })).versioning).toEqual({
      deploymentName: 'lbflow',
      buildId: 'from the workflow bundle',
      promote: 'if-none',
    });
  });

  it('refuses a deployment name or build id Temporal would not take as it is, an unknown promotion, and version settings with versioning off', () => {
    const bad = issuesOf({
      ...ALIBABA,
      LBFLOW_DEPLOYMENT_NAME: 'lbflow.prod',
      LBFLOW_BUILD_ID: '-1',
      LBFLOW_PROMOTE: 'sometimes',
      LBFLOW_WORKER_VERSIONING: 'maybe',
    });
    expect(bad.map((i) => i.variable).sort()).toEqual([
      'LBFLOW_BUILD_ID',
      'LBFLOW_DEPLOYMENT_NAME',
      'LBFLOW_PROMOTE',
      'LBFLOW_WORKER_VERSIONING',
    ]);
    expect(bad.find((i) => i.variable === 'LBFLOW_DEPLOYMENT_NAME')?.message).toContain('no dot');
    expect(bad.find((i) => i.variable === 'LBFLOW_PROMOTE')?.message).toContain('if-none, always, never');
    const off = issuesOf({
      ...ALIBABA,
      LBFLOW_WORKER_VERSIONING: 'off',
      LBFLOW_BUILD_ID: 'b1',
      LBFLOW_PROMOTE: 'always',
    });
    expect(off.map((i) => i.variable)).toEqual(['LBFLOW_BUILD_ID', 'LBFLOW_PROMOTE']);
    expect(off[0]?.message).toContain('LBFLOW_WORKER_VERSIONING=off');
  });

  it("reads Temporal's own variables and the vendors' credential names", () => {
    const config = loadWorkerConfig({
      ...BASE,
      ...ALIBABA,
      ...HUAWEI,
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'lb',
      LBFLOW_TASK_QUEUE: 'lbflow-eu',
      LBFLOW_METRICS_PORT: '9464',
      LBFLOW_METRICS_HOST: '0.0.0.0',
      LBFLOW_LOG_LEVEL: 'warn',
      LBFLOW_HUAWEI_ENDPOINT: 'http://127.0.0.1:7481/',
      HUAWEICLOUD_SDK_PROJECT_ID: '04dd36f964000fe22f9ac00bc85b1a1d',
    });
    expect(config.temporal.connection.address).toBe('temporal:7233');
    expect(config.temporal.namespace).toBe('lb');
    expect(config.taskQueue).toBe('lbflow-eu');
    expect(config.metrics).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(config.logLevel).toBe('WARN');
    expect(config.providers['huawei-elb']?.endpoint).toBe('http://127.0.0.1:7481');
    expect(config.providers['huawei-elb']?.projectId).toBe('04dd36f964000fe22f9ac00bc85b1a1d');
  });

  it('accepts a Huawei IAM token instead of AK/SK', () => {
    const config = loadWorkerConfig({ ...BASE, LBFLOW_HUAWEI_AUTH_TOKEN: 'MIItest-iam-token-0001' });
    expect(config.providers['huawei-elb']?.credentials).toHaveProperty('authToken', 'MIItest-iam-token-0001');
  });

  it('lists every bad or missing variable at once, each with its rule', () => {
    const issues = issuesOf({
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tTestKey0001',
      TEMPORAL_ADDRESS: 'temporal',
      LBFLOW_METRICS_PORT: '99999',
      LBFLOW_LOG_LEVEL: 'loud',
      LBFLOW_PROVIDER_CONCURRENCY: 'many',
      LBFLOW_ALIBABA_ENDPOINT: 'gwlb.example.com/path',
    });
    expect(issues.map((i) => i.variable).sort()).toEqual([
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      'LBFLOW_ALIBABA_ENDPOINT',
      'LBFLOW_LOG_LEVEL',
      'LBFLOW_METRICS_PORT',
      'LBFLOW_PROVIDER_CONCURRENCY',
      'TEMPORAL_ADDRESS',
    ]);
    expect(issues.find((i) => i.variable === 'LBFLOW_METRICS_PORT')?.message).toBe(
      'must be a port number from 0 to 65535 (0: a free port, printed in worker.ready; unset: no metrics endpoint); got "99999"',
    );
    expect(issues.find((i) => i.variable === 'ALIBABA_CLOUD_ACCESS_KEY_SECRET')?.message).toBe(
      'is required when ALIBABA_CLOUD_ACCESS_KEY_ID is set',
    );
    expect(issues.find((i) => i.variable === 'TEMPORAL_ADDRESS')?.message).toContain('must be host:port');
  });

  it('refuses to start without any provider credentials, naming what to set', () => {
    const [issue] = issuesOf({});
    expect(issue?.message).toContain(
      'no provider credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    );
  });

  it('refuses both Huawei AK/SK and an IAM token, and a security token without its key pair', () => {
    expect(issuesOf({ ...HUAWEI, LBFLOW_HUAWEI_AUTH_TOKEN: 'MIItoken' }).map((i) => i.variable)).toEqual([
      'LBFLOW_HUAWEI_AUTH_TOKEN',
    ]);
    expect(issuesOf({ ...HUAWEI, ALIBABA_CLOUD_SECURITY_TOKEN: 'CAIStoken' }).map((i) => i.variable)).toEqual([
      'ALIBABA_CLOUD_SECURITY_TOKEN',
    ]);
  });

  it('loads the prebuilt bundle in production and says how to build it when it is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lbflow-config-'));
    try {
      const [missing] = issuesOf({ ...ALIBABA, NODE_ENV: 'production', LBFLOW_WORKFLOW_BUNDLE: 'bundle.js' }).concat();
      expect(missing?.variable).toBe('LBFLOW_WORKFLOW_BUNDLE');
      expect(missing?.message).toContain('run `npm run build`');
      writeFileSync(join(dir, 'bundle.js'), LOOKS_LIKE_A_BUNDLE);
      expect(
        loadWorkerConfig({ ...BASE, ...ALIBABA, NODE_ENV: 'production', LBFLOW_WORKFLOW_BUNDLE: 'bundle.js' }, dir)
          .workflowBundle,
      ).toBe(join(dir, 'bundle.js'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a bundle that is a directory, not JavaScript, or not lbflow's, naming the variable (issue 13 row 6)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lbflow-config-'));
    try {
      writeFileSync(join(dir, 'garbage.js'), 'hello(');
      writeFileSync(join(dir, 'other.js'), 'var __TEMPORAL__; exports.someoneElsesWorkflow = () => 1;');
      const cases: [string, RegExp][] = [
        ['.', /is not a file/],
        ['garbage.js', /is not JavaScript/],
        ['other.js', /is not lbflow's workflow bundle/],
      ];
      for (const [bundle, message] of cases) {
        const issues = issuesOf({ ...ALIBABA, LBFLOW_WORKFLOW_BUNDLE: bundle }, dir);
        expect(issues.map((i) => i.variable)).toEqual(['LBFLOW_WORKFLOW_BUNDLE']);
        expect(issues[0]?.message).toMatch(message);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an endpoint that is not a URL and a task queue no worker could poll (issue 13 rows 5, 6)', () => {
    const endpoint = issuesOf({ ...ALIBABA, LBFLOW_ALIBABA_ENDPOINT: 'http://[::1' });
    expect(endpoint.map((i) => i.variable)).toEqual(['LBFLOW_ALIBABA_ENDPOINT']);
    expect(endpoint[0]?.message).toContain('must be an origin');
    for (const queue of ['lbflow\n', ' lbflow', 'lb flow', '/_sys/lbflow', 'x'.repeat(201)]) {
      const issues = issuesOf({ ...ALIBABA, LBFLOW_TASK_QUEUE: queue });
      expect(issues.map((i) => i.variable)).toEqual(['LBFLOW_TASK_QUEUE']);
    }
    expect(loadWorkerConfig({ ...BASE, ...ALIBABA, LBFLOW_TASK_QUEUE: 'lbflow-canary.eu/1' }).taskQueue).toBe(
      'lbflow-canary.eu/1',
    );
  });

  it('refuses an endpoint with a user name or password, naming the variable and never showing the password (issue 13 row 1)', () => {
    for (const variable of ['LBFLOW_ALIBABA_ENDPOINT', 'LBFLOW_HUAWEI_ENDPOINT']) {
      const issues = issuesOf({
        ...ALIBABA,
        ...HUAWEI,
        HUAWEICLOUD_SDK_PROJECT_ID: '04dd36f964000fe22f9ac00bc85b1a1d',
        [variable]: 'https://u:SECRET-PASSWORD-1@127.0.0.1:7480',
      });
      expect(issues.map((i) => i.variable)).toEqual([variable]);
      expect(issues[0]!.message).toMatch(/must not carry a user name or password/);
      expect(JSON.stringify(issues)).not.toMatch(/SECRET-PASSWORD-1|u:/);
    }
  });

  it('masks every configured secret in configuration errors, when one is pasted into another variable (issue 13 row 2)', () => {
    const issues = issuesOf({
      ...ALIBABA,
      ...HUAWEI,
      LBFLOW_LOG_LEVEL: ALIBABA.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
      HUAWEICLOUD_SDK_PROJECT_ID: HUAWEI.HUAWEICLOUD_SDK_SK,
      TEMPORAL_ADDRESS: `${HUAWEI.HUAWEICLOUD_SDK_SK}:7233:x`,
    });
    expect(issues.map((i) => i.variable).sort()).toEqual([
      'HUAWEICLOUD_SDK_PROJECT_ID',
      'LBFLOW_LOG_LEVEL',
      'TEMPORAL_ADDRESS',
    ]);
    const shown = JSON.stringify(issues);
    expect(shown).not.toContain(ALIBABA.ALIBABA_CLOUD_ACCESS_KEY_SECRET);
    expect(shown).not.toContain(HUAWEI.HUAWEICLOUD_SDK_SK);
    expect(issues.find((i) => i.variable === 'LBFLOW_LOG_LEVEL')!.message).toContain('[redacted]');
  });

  it('never shows a secret when the configuration is described, logged or serialised', () => {
    const config = loadWorkerConfig({
      ...BASE,
      ...ALIBABA,
      ...HUAWEI,
      HUAWEICLOUD_SDK_SECURITY_TOKEN: 'huawei-session-token-0001',
      TEMPORAL_API_KEY: 'temporal-api-key-value-0001',
      TEMPORAL_ADDRESS: 'example.tmprl.cloud:7233',
    });
    const shown = [
      JSON.stringify(describeConfig(config)),
      JSON.stringify(config.providers),
      String(config.providers['alibaba-gwlb']?.credentials),
    ].join('\n');
    for (const secret of [
      'alibaba-test-secret-value-1',
      'huawei-test-secret-key-0001',
      'huawei-session-token-0001',
      'temporal-api-key-value-0001',
    ])
      expect(shown).not.toContain(secret);
    // …while the signer can still read them.
    expect((config.providers['alibaba-gwlb']?.credentials as { accessKeySecret?: string }).accessKeySecret).toBe(
      'alibaba-test-secret-value-1',
    );
  });
});

describe('credential sources (issue 16)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbflow-sources-'));
  const source = (env: Env) => {
    const config = loadWorkerConfig({ ...BASE, ...env });
    return {
      alibaba: config.providers['alibaba-gwlb']?.source,
      huawei: config.providers['huawei-elb']?.source,
      config,
    };
  };

  it('names the source of fixed keys, and the sources a chain tries in the vendor order', () => {
    expect(source({ ...ALIBABA, ...HUAWEI })).toMatchObject({ alibaba: 'environment', huawei: 'environment' });
    expect(source({ ...ALIBABA, ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1234567890123456:role/ops' }).alibaba).toBe(
      'ram_role_arn',
    );
    const token = join(dir, 'rrsa');
    writeFileSync(token, 'x');
    const all = source({
      ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1234567890123456:role/ops',
      ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'acs:ram::1234567890123456:oidc-provider/ack',
      ALIBABA_CLOUD_OIDC_TOKEN_FILE: token,
      ALIBABA_CLOUD_ECS_METADATA: 'worker-role',
      ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:9/credentials',
      LBFLOW_HUAWEI_ECS_METADATA: 'true',
    });
    expect(all.alibaba).toBe('oidc_role_arn → ecs_ram_role → credentials_uri');
    expect(all.huawei).toBe('ecs_metadata');
    // Fixed keys come first in the vendor's chain: with them, the other sources are never reached.
    expect(source({ ...ALIBABA, ALIBABA_CLOUD_ECS_METADATA: 'worker-role' }).alibaba).toBe('environment');
    expect(
      source({ ...ALIBABA, ALIBABA_CLOUD_ECS_METADATA: 'worker-role', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' })
        .alibaba,
    ).toBe('environment');
  });

  it("finds the vendors' files in HOME, and the Huawei project in the credentials file", () => {
    const home = join(dir, 'home');
    for (const [folder, file, text] of [
      ['.aliyun', 'config.json', '{"current":"default","profiles":[]}'],
      ['.alibabacloud', 'credentials', '[default]\ntype = access_key\n'],
      ['.huaweicloud', 'credentials', '[basic]\nak = A\nsk = B\nproject_id = 04dd36f964000fe22f9ac00bc85b1a1d\n'],
    ] as const) {
      rmSync(join(home, folder), { recursive: true, force: true });
      writeFileSync(join(mkdirp(join(home, folder)), file), text);
    }
    const found = source({ HOME: home });
    expect(found.alibaba).toBe('cli_profile → credentials_file');
    expect(found.huawei).toBe('credentials_file');
    expect(found.config.providers['huawei-elb']?.projectId).toBe('04dd36f964000fe22f9ac00bc85b1a1d');
    expect(source({ HOME: home, ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true' }).alibaba).toBe('credentials_file');
    // No HOME, no files: nothing is served from them.
    expect(issuesOf({}).map((i) => i.variable)).toEqual(['ALIBABA_CLOUD_ACCESS_KEY_ID']);
  });

  it('refuses half-configured sources, naming the variable and what is missing', () => {
    const issues = issuesOf({
      ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'acs:ram::1:oidc-provider/x',
      LBFLOW_HUAWEI_METADATA_ENDPOINT: 'http://127.0.0.1:9',
    });
    expect(issues.map((i) => i.variable).sort()).toEqual([
      'ALIBABA_CLOUD_OIDC_TOKEN_FILE',
      'ALIBABA_CLOUD_ROLE_ARN',
      'LBFLOW_HUAWEI_METADATA_ENDPOINT',
    ]);
    expect(issuesOf({ ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1234567890123456:role/ops' })[0]!.message).toContain(
      'needs keys to assume the role with',
    );
    expect(issuesOf({ ALIBABA_CLOUD_ROLE_ARN: 'role/ops' })[0]).toMatchObject({
      variable: 'ALIBABA_CLOUD_ROLE_ARN',
      message: expect.stringContaining('must be a RAM role ARN'),
    });
    expect(issuesOf({ ALIBABA_CLOUD_CREDENTIALS_FILE: join(dir, 'missing') })[0]).toMatchObject({
      variable: 'ALIBABA_CLOUD_CREDENTIALS_FILE',
      message: expect.stringContaining('does not exist'),
    });
    expect(issuesOf({ HUAWEICLOUD_SDK_CREDENTIALS_FILE: join(dir, 'missing') })[0]!.variable).toBe(
      'HUAWEICLOUD_SDK_CREDENTIALS_FILE',
    );
    expect(issuesOf({ LBFLOW_HUAWEI_ECS_METADATA: 'yes' })[0]).toMatchObject({
      variable: 'LBFLOW_HUAWEI_ECS_METADATA',
      message: expect.stringContaining('must be true or false'),
    });
  });

  it('at start, a chain with no usable source fails naming each source it tried and the variable that named it', async () => {
    const config = loadWorkerConfig({
      ...BASE,
      ALIBABA_CLOUD_ECS_METADATA: 'worker-role',
      LBFLOW_ALIBABA_CREDENTIALS_ENDPOINT: 'http://127.0.0.1:9',
      LBFLOW_HUAWEI_ECS_METADATA: 'true',
      LBFLOW_HUAWEI_METADATA_ENDPOINT: 'http://127.0.0.1:9',
    });
    const error = await checkCredentialSources(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerConfigError);
    const issues = (error as WorkerConfigError).issues;
    expect(issues.map((i) => i.variable)).toEqual(['ALIBABA_CLOUD_ECS_METADATA', 'LBFLOW_HUAWEI_ECS_METADATA']);
    expect(issues[0]!.message).toMatch(/^alibaba-gwlb: no usable credentials: tried ecs_ram_role \(/);
    expect(issues[1]!.message).toMatch(/^huawei-elb: no usable credentials: tried ecs_metadata \(/);
    // Fixed keys need no asking.
    expect(await checkCredentialSources(loadWorkerConfig({ ...BASE, ...ALIBABA }))).toEqual({
      'alibaba-gwlb': 'environment',
    });
  });

  it('describes the sources, never a value', () => {
    const { config } = source({
      ...ALIBABA,
      ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1234567890123456:role/ops',
      LBFLOW_HUAWEI_ECS_METADATA: 'true',
    });
    const described = describeConfig(config) as { providers: Record<string, { keysFrom: string }> };
    expect(described.providers['alibaba-gwlb']!.keysFrom).toBe('ram_role_arn');
    expect(described.providers['huawei-elb']!.keysFrom).toBe('ecs_metadata');
    expect(JSON.stringify(described)).not.toContain(ALIBABA.ALIBABA_CLOUD_ACCESS_KEY_SECRET);
  });
});

function mkdirp(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}
