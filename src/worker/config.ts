// The worker's one configuration: read once from the environment, validated by one zod schema, every bad or
// missing variable reported at once by name. Nothing else in the worker reads process.env.
import { readFileSync, statSync } from 'node:fs';
import { Script } from 'node:vm';
import { resolve } from 'node:path';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';
import { defaultDeploymentName, TASK_QUEUE, taskQueueIssue, WORKFLOW_TYPE, type Provider } from '../domain/index.js';
import { PROVIDERS } from '../registry/index.js';
import {
  isCredentialSource,
  maskUserinfo,
  pluginOf,
  PROVIDER_PLUGINS,
  secretMasker,
  type CredentialSource,
  type ProviderSettings,
} from '../providers/index.js';
import { blankToUndefined, homeFiles, optionalText, type EnvIssue } from '../providers/env.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Where the prebuilt workflow bundle is written by `npm run build` and read in production. */
export const DEFAULT_WORKFLOW_BUNDLE = 'dist/workflow-bundle.js';

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type { ProviderSettings };

/** When a worker makes its own version the deployment's current one (LBFLOW_PROMOTE). */
export const PROMOTE_POLICIES = ['if-none', 'always', 'never'] as const;
export type PromotePolicy = (typeof PROMOTE_POLICIES)[number];

export interface VersioningSettings {
  /** The Worker Deployment: every lbflow worker of one task queue, across its versions. */
  readonly deploymentName: string;
  /** This build's id; undefined: derived from the workflow bundle's content (same code, same id). */
  readonly buildId: string | undefined;
  readonly promote: PromotePolicy;
}

/** A Worker Deployment name: what Temporal's CLI and Web UI take without quoting (no dot: it separates name and build id). */
const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_+-]{0,99}$/;
/** A build id: the same, and dots (a release such as 0.2.0). */
const BUILD_ID = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}$/;

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
  /**
   * Temporal Worker Deployment versioning (docs/upgrading.md), or undefined when LBFLOW_WORKER_VERSIONING=off: the
   * worker then runs whatever is in flight on its queue, as lbflow 0.1 did.
   */
  readonly versioning: VersioningSettings | undefined;
  /** The providers this worker serves (each provider's plug-in reads its own variables), by name. */
  readonly providers: Readonly<Partial<Record<Provider, ProviderSettings>>>;
}

/** Variables whose values are secrets: masked wherever a configuration error would show them. */
const SECRET_VARIABLES = [...PROVIDER_PLUGINS.flatMap((p) => p.secretVariables), 'TEMPORAL_API_KEY'];

/** Every problem with the environment at once, each naming its variable and rule. */
export class WorkerConfigError extends Error {
  override readonly name = 'WorkerConfigError';
  constructor(readonly issues: readonly { variable: string; message: string }[]) {
    super(
      `The worker's environment is not usable:\n${issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n')}`,
    );
  }
}

function integer(name: string, min: number, max: number, fallback: number) {
  return z
    .preprocess(
      blankToUndefined,
      z
        .string()
        .regex(/^\d+$/, { error: `must be a whole number from ${min} to ${max}` })
        .transform(Number)
        .refine((n) => n >= min && n <= max, { error: `must be a whole number from ${min} to ${max}` })
        .optional()
        .transform((n) => n ?? fallback),
    )
    .describe(name);
}

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
      .regex(/^\d+$/, {
        error:
          'must be a port number from 0 to 65535 (0: a free port, printed in worker.ready; unset: no metrics endpoint)',
      })
      .transform(Number)
      .refine((n) => n >= 0 && n <= 65535, {
        error:
          'must be a port number from 0 to 65535 (0: a free port, printed in worker.ready; unset: no metrics endpoint)',
      })
      .optional(),
  ),
  LBFLOW_METRICS_HOST: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[\w.:-]+$/, { error: 'must be a host name or IP address to bind, e.g. 127.0.0.1 or 0.0.0.0' })
      .optional(),
  ),
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
  LBFLOW_WORKER_VERSIONING: z.preprocess(
    (v) => (typeof v === 'string' ? blankToUndefined(v.toLowerCase()) : v),
    z.enum(['on', 'off'], { error: 'must be on (Worker Deployment versioning, the default) or off' }).optional(),
  ),
  LBFLOW_DEPLOYMENT_NAME: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(DEPLOYMENT_NAME, {
        error: 'must be 1 to 100 characters: a letter or digit, then letters, digits or _ + - (no dot)',
      })
      .optional(),
  ),
  LBFLOW_BUILD_ID: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(BUILD_ID, {
        error:
          "must be 1 to 100 characters: a letter or digit, then letters, digits or _ . + -; unset: derived from the workflow bundle's content",
      })
      .optional(),
  ),
  LBFLOW_PROMOTE: z.preprocess(
    (v) => (typeof v === 'string' ? blankToUndefined(v.toLowerCase()) : v),
    z
      .enum(PROMOTE_POLICIES, {
        error: `must be one of ${PROMOTE_POLICIES.join(', ')} (when this worker makes its version the current one)`,
      })
      .optional(),
  ),
  HOME: optionalText,
});

type Issue = EnvIssue;

/** Every variable some provider's plug-in reads. */
const PROVIDER_VARIABLES = new Set(PROVIDER_PLUGINS.flatMap((p) => Object.keys(p.variables)));

/**
 * Provider settings from the vendors' own variable names and files, each provider's read by its plug-in from its
 * variables (`values`, parsed); absent providers are simply not served by this worker.
 */
function providerSettings(
  values: Readonly<Record<string, unknown>>,
  home: string | undefined,
  issues: Issue[],
): WorkerConfig['providers'] {
  const providers: Partial<Record<Provider, ProviderSettings>> = {};
  const homeFile = homeFiles(home);
  for (const plugin of PROVIDER_PLUGINS) {
    const settings = plugin.settings({ values, issues, homeFile });
    if (settings) providers[plugin.definition.name] = settings;
  }
  if (Object.keys(providers).length === 0 && !issues.some((i) => PROVIDER_VARIABLES.has(i.variable))) {
    const [first] = PROVIDER_PLUGINS;
    issues.push({
      variable: Object.keys(first?.variables ?? {})[0] ?? 'HOME',
      message: `no provider credentials: set ${PROVIDER_PLUGINS.map((p) => `${p.credentialHint} (${p.definition.name})`).join(', and/or ')}; or name a credential source: ${PROVIDER_PLUGINS.map((p) => p.sourceHint).join(', ')} (see the README's credentials table)`,
    });
  }
  return providers;
}

/** Temporal's own variables (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE …). */
function temporalSettings(env: Env, issues: Issue[]): WorkerConfig['temporal'] | undefined {
  const vars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  try {
    const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars: vars });
    const address = connectionOptions.address ?? 'localhost:7233';
    if (!/^[^\s:]+:\d{1,5}$/.test(address) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(address)) {
      issues.push({
        variable: 'TEMPORAL_ADDRESS',
        message: `must be host:port, e.g. 127.0.0.1:7233 or temporal:7233; got ${JSON.stringify(address)}`,
      });
      return undefined;
    }
    return {
      connection: { ...connectionOptions, address },
      address,
      namespace: namespace ?? 'default',
      tls: Boolean(connectionOptions.tls),
    };
  } catch (error) {
    issues.push({
      variable: 'TEMPORAL_CONFIG_FILE',
      message: `Temporal's client configuration could not be read: ${(error as Error).message}`,
    });
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
    if (!statSync(path).isFile())
      return `${path} is not a file: point it at the bundle \`npm run build\` writes (dist/workflow-bundle.js)`;
    code = readFileSync(path, 'utf8');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code;
    return why === 'ENOENT'
      ? `${path} does not exist: run \`npm run build\``
      : `${path} cannot be read (${why ?? (error as Error).message})`;
  }
  try {
    new Script(code, { filename: path });
  } catch (error) {
    return `${path} is not JavaScript (${(error as Error).message}): point it at the bundle \`npm run build\` writes`;
  }
  if (!code.includes('__TEMPORAL__') || !code.includes(WORKFLOW_TYPE))
    return `${path} is not lbflow's workflow bundle (it does not define ${WORKFLOW_TYPE}): run \`npm run build\``;
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
  const variables = Object.assign({}, EnvSchema.shape, ...PROVIDER_PLUGINS.map((p) => p.variables)) as Record<
    string,
    z.ZodType
  >;
  for (const [variable, schema] of Object.entries(variables)) {
    const result = (schema as z.ZodType).safeParse(env[variable]);
    if (result.success) values[variable] = result.data;
    else
      for (const issue of result.error.issues)
        issues.push({
          variable,
          message: `${issue.message}; got ${JSON.stringify(maskUserinfo(String(env[variable])))}`,
        });
  }
  const e = values as z.infer<typeof EnvSchema>;
  const temporal = temporalSettings(env, issues);
  const providers = providerSettings(values, e.HOME, issues);
  const production = e.NODE_ENV === 'production';
  let workflowBundle = e.LBFLOW_WORKFLOW_BUNDLE ?? (production ? DEFAULT_WORKFLOW_BUNDLE : undefined);
  if (workflowBundle !== undefined) {
    workflowBundle = resolve(cwd, workflowBundle);
    const problem = bundleProblem(workflowBundle);
    if (problem !== undefined) {
      issues.push({
        variable: 'LBFLOW_WORKFLOW_BUNDLE',
        message: `${problem}${production ? ' (NODE_ENV=production loads the prebuilt bundle)' : ''}`,
      });
    }
  }
  if (e.LBFLOW_METRICS_HOST !== undefined && e.LBFLOW_METRICS_PORT === undefined) {
    issues.push({
      variable: 'LBFLOW_METRICS_PORT',
      message: 'is required when LBFLOW_METRICS_HOST is set (the port of the Prometheus endpoint)',
    });
  }
  const versioned = e.LBFLOW_WORKER_VERSIONING !== 'off';
  if (!versioned)
    for (const variable of ['LBFLOW_DEPLOYMENT_NAME', 'LBFLOW_BUILD_ID', 'LBFLOW_PROMOTE'] as const)
      if (e[variable] !== undefined)
        issues.push({ variable, message: 'is set with LBFLOW_WORKER_VERSIONING=off, which has no versions' });
  if (issues.length > 0 || temporal === undefined) {
    // A secret pasted into the wrong variable is echoed by that variable's issue: every configured secret is masked.
    const mask = secretMasker(SECRET_VARIABLES.map((v) => env[v] ?? ''));
    throw new WorkerConfigError(issues.map((i) => ({ variable: i.variable, message: mask(maskUserinfo(i.message)) })));
  }

  const taskQueue = e.LBFLOW_TASK_QUEUE ?? TASK_QUEUE;
  return {
    temporal,
    taskQueue,
    workflowBundle,
    metrics:
      e.LBFLOW_METRICS_PORT === undefined
        ? undefined
        : { host: e.LBFLOW_METRICS_HOST ?? '127.0.0.1', port: e.LBFLOW_METRICS_PORT },
    logLevel: e.LBFLOW_LOG_LEVEL ?? 'INFO',
    limits: {
      maxConcurrentActivities: e.LBFLOW_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: e.LBFLOW_MAX_CONCURRENT_WORKFLOW_TASKS,
      providerCallsPerSecond: e.LBFLOW_PROVIDER_CALLS_PER_SECOND,
      providerConcurrency: e.LBFLOW_PROVIDER_CONCURRENCY,
      taskQueueActivitiesPerSecond: e.LBFLOW_TASK_QUEUE_ACTIVITIES_PER_SECOND,
    },
    shutdownGraceSeconds: e.LBFLOW_SHUTDOWN_GRACE_SECONDS,
    versioning: versioned
      ? {
          deploymentName: e.LBFLOW_DEPLOYMENT_NAME ?? defaultDeploymentName(taskQueue),
          buildId: e.LBFLOW_BUILD_ID,
          promote: e.LBFLOW_PROMOTE ?? 'if-none',
        }
      : undefined,
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
    providers: Object.fromEntries(
      served.map((p) => [
        p,
        {
          endpoint: config.providers[p]?.endpoint ?? 'public regional endpoint',
          keysFrom: config.providers[p]?.source,
        },
      ]),
    ),
    limits: config.limits,
    shutdownGraceSeconds: config.shutdownGraceSeconds,
    versioning: config.versioning
      ? {
          deploymentName: config.versioning.deploymentName,
          buildId: config.versioning.buildId ?? 'from the workflow bundle',
          promote: config.versioning.promote,
        }
      : 'off',
  };
}

/**
 * Asks every credential chain for keys once, before the worker polls: which source each one picked (for the
 * start log), or a WorkerConfigError naming every source tried and what it said (the worker exits 78).
 */
export async function checkCredentialSources(config: WorkerConfig): Promise<Partial<Record<Provider, string>>> {
  const picked: Partial<Record<Provider, string>> = {};
  const issues: Issue[] = [];
  for (const provider of PROVIDERS) {
    const settings = config.providers[provider];
    if (!settings) continue;
    const credentials = settings.credentials;
    if (!isCredentialSource(credentials)) {
      picked[provider] = settings.source;
      continue;
    }
    const chain = credentials as CredentialSource<unknown> & { readonly picked?: string };
    try {
      await chain.get();
      picked[provider] = chain.picked ?? settings.source;
    } catch (error) {
      const first = settings.source.split(' → ')[0] ?? '';
      const mask = secretMasker([...chain.held()]);
      issues.push({
        variable: pluginOf(provider).sourceVariables[first] ?? first,
        message: mask(`${provider}: ${error instanceof Error ? error.message : String(error)}`),
      });
    }
  }
  if (issues.length > 0) throw new WorkerConfigError(issues);
  return picked;
}
