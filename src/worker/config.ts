// The worker's one configuration: read once from the environment, validated by one zod schema, every bad or
// missing variable reported at once by name. Nothing else in the worker reads process.env.
import { readFileSync, statSync } from 'node:fs';
import { Script } from 'node:vm';
import { resolve } from 'node:path';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';
import { PROVIDERS, TASK_QUEUE, taskQueueIssue, WORKFLOW_TYPE, type Provider } from '../domain/index.js';
import { guardSecrets, maskUserinfo, secretMasker, type AlibabaCredentials, type HuaweiCredentials } from '../providers/index.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Where the prebuilt workflow bundle is written by `npm run build` and read in production. */
export const DEFAULT_WORKFLOW_BUNDLE = 'dist/workflow-bundle.js';

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ProviderSettings<C> {
  readonly credentials: C;
  /** Replaces the public regional endpoint (a simulator, a private endpoint). */
  readonly endpoint: string | undefined;
}

export interface WorkerConfig {
  readonly temporal: {
    /** Connection options from Temporal's own variables and profile file (address, TLS, API key, gRPC metadata). */
    readonly connection: NativeConnectionOptions;
    readonly address: string;
    readonly namespace: string;
    readonly tls: boolean;
  };
  readonly taskQueue: string;
  /** A prebuilt bundle (production), or undefined: bundle the workflow source at start (development). */
  readonly workflowBundle: string | undefined;
  readonly metrics: { readonly host: string; readonly port: number } | undefined;
  readonly logLevel: LogLevel;
  readonly limits: {
    readonly maxConcurrentActivities: number;
    readonly maxConcurrentWorkflowTasks: number;
    /** Provider operations per second, per provider, in this worker (0: unlimited). */
    readonly providerCallsPerSecond: number;
    /** Provider operations in flight at once, per provider (also the HTTP connections per endpoint). */
    readonly providerConcurrency: number;
    /** Activities per second across every worker of the task queue, enforced by the server (0: unlimited). */
    readonly taskQueueActivitiesPerSecond: number;
  };
  /** How long in-flight activities get to finish after SIGINT/SIGTERM before they are cancelled and handed back. */
  readonly shutdownGraceSeconds: number;
  readonly providers: {
    readonly 'alibaba-gwlb'?: ProviderSettings<AlibabaCredentials>;
    readonly 'huawei-elb'?: ProviderSettings<HuaweiCredentials> & { readonly projectId: string | undefined };
  };
}

/** Every problem with the environment at once, each naming its variable and rule. */
/** Variables whose values are secrets: masked wherever a configuration error would show them. */
const SECRET_VARIABLES = ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN', 'LBFLOW_HUAWEI_AUTH_TOKEN', 'TEMPORAL_API_KEY'] as const;

export class WorkerConfigError extends Error {
  override readonly name = 'WorkerConfigError';
  constructor(readonly issues: readonly { variable: string; message: string }[]) {
    super(`The worker's environment is not usable:\n${issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n')}`);
  }
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

function integer(name: string, min: number, max: number, fallback: number) {
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d+$/, { error: `must be a whole number from ${min} to ${max}` })
      .transform(Number)
      .refine((n) => n >= min && n <= max, { error: `must be a whole number from ${min} to ${max}` })
      .optional()
      .transform((n) => n ?? fallback),
  ).describe(name);
}

const optionalText = z.preprocess(blankToUndefined, z.string().optional());

const endpoint = z.preprocess(
  blankToUndefined,
  z
    .string()
    .refine((v) => !/^[a-z]+:\/\/[^/?#]*@/i.test(v), { error: 'must not carry a user name or password (credentials have their own variables)', abort: true })
    .refine((v) => /^https?:\/\/[^/\s?#@]+\/?$/.test(v) && URL.canParse(v), { error: 'must be an origin such as https://gwlb.cn-hangzhou.aliyuncs.com or http://127.0.0.1:7480 (scheme, host, optional port, no path)' })
    .transform((v) => v.replace(/\/$/, ''))
    .optional(),
);

const EnvSchema = z.object({
  LBFLOW_TASK_QUEUE: z.preprocess(
    blankToUndefined,
    z
      .string()
      .superRefine((v, ctx) => {
        const issue = taskQueueIssue(v);
        if (issue !== undefined) ctx.addIssue({ code: 'custom', message: issue });
      })
      .optional(),
  ),
  LBFLOW_WORKFLOW_BUNDLE: optionalText,
  NODE_ENV: optionalText,
  LBFLOW_METRICS_PORT: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d+$/, { error: 'must be a port number from 0 to 65535 (0: a free port, printed in worker.ready; unset: no metrics endpoint)' })
      .transform(Number)
      .refine((n) => n >= 0 && n <= 65535, { error: 'must be a port number from 0 to 65535 (0: a free port, printed in worker.ready; unset: no metrics endpoint)' })
      .optional(),
  ),
  LBFLOW_METRICS_HOST: z.preprocess(blankToUndefined, z.string().regex(/^[\w.:-]+$/, { error: 'must be a host name or IP address to bind, e.g. 127.0.0.1 or 0.0.0.0' }).optional()),
  LBFLOW_LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' ? blankToUndefined(v.toUpperCase()) : v),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  ),
  LBFLOW_MAX_CONCURRENT_ACTIVITIES: integer('LBFLOW_MAX_CONCURRENT_ACTIVITIES', 1, 10_000, 200),
  LBFLOW_MAX_CONCURRENT_WORKFLOW_TASKS: integer('LBFLOW_MAX_CONCURRENT_WORKFLOW_TASKS', 2, 10_000, 40),
  LBFLOW_PROVIDER_CALLS_PER_SECOND: integer('LBFLOW_PROVIDER_CALLS_PER_SECOND', 0, 100_000, 50),
  LBFLOW_PROVIDER_CONCURRENCY: integer('LBFLOW_PROVIDER_CONCURRENCY', 1, 1_000, 16),
  LBFLOW_TASK_QUEUE_ACTIVITIES_PER_SECOND: integer('LBFLOW_TASK_QUEUE_ACTIVITIES_PER_SECOND', 0, 100_000, 0),
  LBFLOW_SHUTDOWN_GRACE_SECONDS: integer('LBFLOW_SHUTDOWN_GRACE_SECONDS', 0, 3_600, 30),
  ALIBABA_CLOUD_ACCESS_KEY_ID: optionalText,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: optionalText,
  ALIBABA_CLOUD_SECURITY_TOKEN: optionalText,
  LBFLOW_ALIBABA_ENDPOINT: endpoint,
  HUAWEICLOUD_SDK_AK: optionalText,
  HUAWEICLOUD_SDK_SK: optionalText,
  HUAWEICLOUD_SDK_SECURITY_TOKEN: optionalText,
  HUAWEICLOUD_SDK_PROJECT_ID: z.preprocess(blankToUndefined, z.string().regex(/^[a-z0-9]{32}$/, { error: 'must be a 32-character lower-case project id' }).optional()),
  LBFLOW_HUAWEI_AUTH_TOKEN: optionalText,
  LBFLOW_HUAWEI_ENDPOINT: endpoint,
});

type Issue = { variable: string; message: string };

/** Provider settings from the vendors' own variable names; absent providers are simply not served by this worker. */
function providerSettings(e: z.infer<typeof EnvSchema>, issues: Issue[]): WorkerConfig['providers'] {
  const providers: { -readonly [P in Provider]?: WorkerConfig['providers'][P] } = {};
  const alibabaId = e.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const alibabaSecret = e.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (alibabaId !== undefined || alibabaSecret !== undefined) {
    if (alibabaId === undefined) issues.push({ variable: 'ALIBABA_CLOUD_ACCESS_KEY_ID', message: 'is required when ALIBABA_CLOUD_ACCESS_KEY_SECRET is set' });
    if (alibabaSecret === undefined) issues.push({ variable: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', message: 'is required when ALIBABA_CLOUD_ACCESS_KEY_ID is set' });
    if (alibabaId !== undefined && alibabaSecret !== undefined) {
      const credentials: AlibabaCredentials = { accessKeyId: alibabaId, accessKeySecret: alibabaSecret, ...(e.ALIBABA_CLOUD_SECURITY_TOKEN ? { securityToken: e.ALIBABA_CLOUD_SECURITY_TOKEN } : {}) };
      providers['alibaba-gwlb'] = { credentials: guardSecrets('AlibabaCredentials', credentials, ['accessKeySecret', 'securityToken']), endpoint: e.LBFLOW_ALIBABA_ENDPOINT };
    }
  } else if (e.ALIBABA_CLOUD_SECURITY_TOKEN !== undefined) {
    issues.push({ variable: 'ALIBABA_CLOUD_SECURITY_TOKEN', message: 'is set without ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (an STS token comes with its temporary key pair)' });
  }

  const ak = e.HUAWEICLOUD_SDK_AK;
  const sk = e.HUAWEICLOUD_SDK_SK;
  const token = e.LBFLOW_HUAWEI_AUTH_TOKEN;
  if (ak !== undefined || sk !== undefined) {
    if (token !== undefined) issues.push({ variable: 'LBFLOW_HUAWEI_AUTH_TOKEN', message: 'set either HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK or LBFLOW_HUAWEI_AUTH_TOKEN, not both' });
    if (ak === undefined) issues.push({ variable: 'HUAWEICLOUD_SDK_AK', message: 'is required when HUAWEICLOUD_SDK_SK is set' });
    if (sk === undefined) issues.push({ variable: 'HUAWEICLOUD_SDK_SK', message: 'is required when HUAWEICLOUD_SDK_AK is set' });
    if (ak !== undefined && sk !== undefined && token === undefined) {
      const credentials = { accessKey: ak, secretKey: sk, ...(e.HUAWEICLOUD_SDK_SECURITY_TOKEN ? { securityToken: e.HUAWEICLOUD_SDK_SECURITY_TOKEN } : {}) };
      providers['huawei-elb'] = {
        credentials: guardSecrets('HuaweiCredentials', credentials, ['secretKey', 'securityToken']) as HuaweiCredentials,
        endpoint: e.LBFLOW_HUAWEI_ENDPOINT,
        projectId: e.HUAWEICLOUD_SDK_PROJECT_ID,
      };
    }
  } else if (token !== undefined) {
    providers['huawei-elb'] = {
      credentials: guardSecrets('HuaweiCredentials', { authToken: token }, ['authToken']),
      endpoint: e.LBFLOW_HUAWEI_ENDPOINT,
      projectId: e.HUAWEICLOUD_SDK_PROJECT_ID,
    };
  } else if (e.HUAWEICLOUD_SDK_SECURITY_TOKEN !== undefined) {
    issues.push({ variable: 'HUAWEICLOUD_SDK_SECURITY_TOKEN', message: 'is set without HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (a security token comes with its temporary AK/SK)' });
  }

  if (Object.keys(providers).length === 0 && !issues.some((i) => /^(ALIBABA|HUAWEI|LBFLOW_HUAWEI)/.test(i.variable))) {
    issues.push({
      variable: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
      message:
        'no provider credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (Alibaba GWLB), and/or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK or LBFLOW_HUAWEI_AUTH_TOKEN (Huawei ELB)',
    });
  }
  return providers;
}

/** Temporal's own variables (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE …). */
function temporalSettings(env: Env, issues: Issue[]): WorkerConfig['temporal'] | undefined {
  const vars = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  try {
    const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars: vars });
    const address = connectionOptions.address ?? 'localhost:7233';
    if (!/^[^\s:]+:\d{1,5}$/.test(address) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(address)) {
      issues.push({ variable: 'TEMPORAL_ADDRESS', message: `must be host:port, e.g. 127.0.0.1:7233 or temporal:7233; got ${JSON.stringify(address)}` });
      return undefined;
    }
    return { connection: { ...connectionOptions, address }, address, namespace: namespace ?? 'default', tls: Boolean(connectionOptions.tls) };
  } catch (error) {
    issues.push({ variable: 'TEMPORAL_CONFIG_FILE', message: `Temporal's client configuration could not be read: ${(error as Error).message}` });
    return undefined;
  }
}

/**
 * Why a workflow bundle cannot be loaded, or undefined: it must be a file that compiles as JavaScript and holds
 * lbflow's workflows, so a wrong path fails at start (exit 78) instead of on the first workflow task.
 */
function bundleProblem(path: string): string | undefined {
  let code: string;
  try {
    if (!statSync(path).isFile()) return `${path} is not a file: point it at the bundle \`npm run build\` writes (dist/workflow-bundle.js)`;
    code = readFileSync(path, 'utf8');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code;
    return why === 'ENOENT' ? `${path} does not exist: run \`npm run build\`` : `${path} cannot be read (${why ?? (error as Error).message})`;
  }
  try {
    new Script(code, { filename: path });
  } catch (error) {
    return `${path} is not JavaScript (${(error as Error).message}): point it at the bundle \`npm run build\` writes`;
  }
  if (!code.includes('__TEMPORAL__') || !code.includes(WORKFLOW_TYPE)) return `${path} is not lbflow's workflow bundle (it does not define ${WORKFLOW_TYPE}): run \`npm run build\``;
  return undefined;
}

/**
 * Reads the worker's configuration from `env` (default: the process environment), or throws a WorkerConfigError
 * listing every problem. `cwd` resolves a relative LBFLOW_WORKFLOW_BUNDLE.
 */
export function loadWorkerConfig(env: Env = process.env, cwd = process.cwd()): WorkerConfig {
  const issues: Issue[] = [];
  // Each variable on its own, so one bad value does not hide the problems of the others.
  const values: Record<string, unknown> = {};
  for (const [variable, schema] of Object.entries(EnvSchema.shape)) {
    const result = (schema as z.ZodType).safeParse(env[variable]);
    if (result.success) values[variable] = result.data;
    else for (const issue of result.error.issues) issues.push({ variable, message: `${issue.message}; got ${JSON.stringify(maskUserinfo(String(env[variable])))}` });
  }
  const e = values as z.infer<typeof EnvSchema>;
  const temporal = temporalSettings(env, issues);
  const providers = providerSettings(e, issues);
  const production = e.NODE_ENV === 'production';
  let workflowBundle = e.LBFLOW_WORKFLOW_BUNDLE ?? (production ? DEFAULT_WORKFLOW_BUNDLE : undefined);
  if (workflowBundle !== undefined) {
    workflowBundle = resolve(cwd, workflowBundle);
    const problem = bundleProblem(workflowBundle);
    if (problem !== undefined) {
      issues.push({ variable: 'LBFLOW_WORKFLOW_BUNDLE', message: `${problem}${production ? ' (NODE_ENV=production loads the prebuilt bundle)' : ''}` });
    }
  }
  if (e.LBFLOW_METRICS_HOST !== undefined && e.LBFLOW_METRICS_PORT === undefined) {
    issues.push({ variable: 'LBFLOW_METRICS_PORT', message: 'is required when LBFLOW_METRICS_HOST is set (the port of the Prometheus endpoint)' });
  }
  if (issues.length > 0 || temporal === undefined) {
    // A secret pasted into the wrong variable is echoed by that variable's issue: every configured secret is masked.
    const mask = secretMasker(SECRET_VARIABLES.map((v) => env[v] ?? ''));
    throw new WorkerConfigError(issues.map((i) => ({ variable: i.variable, message: mask(maskUserinfo(i.message)) })));
  }

  return {
    temporal,
    taskQueue: e.LBFLOW_TASK_QUEUE ?? TASK_QUEUE,
    workflowBundle,
    metrics: e.LBFLOW_METRICS_PORT === undefined ? undefined : { host: e.LBFLOW_METRICS_HOST ?? '127.0.0.1', port: e.LBFLOW_METRICS_PORT },
    logLevel: e.LBFLOW_LOG_LEVEL ?? 'INFO',
    limits: {
      maxConcurrentActivities: e.LBFLOW_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: e.LBFLOW_MAX_CONCURRENT_WORKFLOW_TASKS,
      providerCallsPerSecond: e.LBFLOW_PROVIDER_CALLS_PER_SECOND,
      providerConcurrency: e.LBFLOW_PROVIDER_CONCURRENCY,
      taskQueueActivitiesPerSecond: e.LBFLOW_TASK_QUEUE_ACTIVITIES_PER_SECOND,
    },
    shutdownGraceSeconds: e.LBFLOW_SHUTDOWN_GRACE_SECONDS,
    providers,
  };
}

/** What the worker may log about its configuration: no credential, no TLS material, no API key. */
export function describeConfig(config: WorkerConfig): Record<string, unknown> {
  const served = PROVIDERS.filter((p) => config.providers[p] !== undefined);
  return {
    temporalAddress: config.temporal.address,
    namespace: config.temporal.namespace,
    tls: config.temporal.tls,
    taskQueue: config.taskQueue,
    workflowBundle: config.workflowBundle ?? 'source (development)',
    metrics: config.metrics ? `http://${config.metrics.host}:${config.metrics.port}/metrics` : 'off',
    providers: Object.fromEntries(served.map((p) => [p, { endpoint: config.providers[p]?.endpoint ?? 'public regional endpoint' }])),
    limits: config.limits,
    shutdownGraceSeconds: config.shutdownGraceSeconds,
  };
}
