// The worker's one configuration: read once from the environment, validated by one zod schema, every bad or
// missing variable reported at once by name. Nothing else in the worker reads process.env.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { resolve } from 'node:path';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';
import { defaultDeploymentName, TASK_QUEUE, taskQueueIssue, WORKFLOW_TYPE, type Provider } from '../domain/index.js';
import { PROVIDERS } from '../registry/index.js';
import {
  guardSecrets,
  isCredentialSource,
  maskUserinfo,
  secretMasker,
  type AlibabaCredentials,
  type HuaweiCredentials,
} from '../providers/index.js';
import {
  alibabaCredentialChain,
  type AlibabaChainSettings,
  type AlibabaCredentialChain,
} from '../providers/alibaba/credentials.js';
import {
  HUAWEI_METADATA_ENDPOINT,
  huaweiCredentialChain,
  type HuaweiChainSettings,
  type HuaweiCredentialChain,
} from '../providers/huawei/credentials.js';
import { parse as parseIni } from 'ini';

export type Env = Readonly<Record<string, string | undefined>>;

/** Where the prebuilt workflow bundle is written by `npm run build` and read in production. */
export const DEFAULT_WORKFLOW_BUNDLE = 'dist/workflow-bundle.js';

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ProviderSettings<C, Chain> {
  /** Fixed keys from the environment, or a chain of sources that fetch and renew temporary keys. */
  readonly credentials: C | Chain;
  /** Which source gives the keys (`environment`), or the sources the chain tries, in order (never a value). */
  readonly source: string;
  /** Replaces the public regional endpoint (a simulator, a private endpoint). */
  readonly endpoint: string | undefined;
}

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
  readonly providers: {
    readonly 'alibaba-gwlb'?: ProviderSettings<AlibabaCredentials, AlibabaCredentialChain>;
    readonly 'huawei-elb'?: ProviderSettings<HuaweiCredentials, HuaweiCredentialChain> & {
      readonly projectId: string | undefined;
    };
  };
}

/** Variables whose values are secrets: masked wherever a configuration error would show them. */
const SECRET_VARIABLES = [
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  'HUAWEICLOUD_SDK_SK',
  'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  'LBFLOW_HUAWEI_AUTH_TOKEN',
  'TEMPORAL_API_KEY',
] as const;

/** Every problem with the environment at once, each naming its variable and rule. */
export class WorkerConfigError extends Error {
  override readonly name = 'WorkerConfigError';
  constructor(readonly issues: readonly { variable: string; message: string }[]) {
    super(
      `The worker's environment is not usable:\n${issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n')}`,
    );
  }
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

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

const optionalText = z.preprocess(blankToUndefined, z.string().optional());

const endpoint = z.preprocess(
  blankToUndefined,
  z
    .string()
    .refine((v) => !/^[a-z]+:\/\/[^/?#]*@/i.test(v), {
      error: 'must not carry a user name or password (credentials have their own variables)',
      abort: true,
    })
    .refine((v) => /^https?:\/\/[^/\s?#@]+\/?$/.test(v) && URL.canParse(v), {
      error:
        'must be an origin such as https://gwlb.cn-hangzhou.aliyuncs.com or http://127.0.0.1:7480 (scheme, host, optional port, no path)',
    })
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
  ALIBABA_CLOUD_ACCESS_KEY_ID: optionalText,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: optionalText,
  ALIBABA_CLOUD_SECURITY_TOKEN: optionalText,
  LBFLOW_ALIBABA_ENDPOINT: endpoint,
  HUAWEICLOUD_SDK_AK: optionalText,
  HUAWEICLOUD_SDK_SK: optionalText,
  HUAWEICLOUD_SDK_SECURITY_TOKEN: optionalText,
  HUAWEICLOUD_SDK_PROJECT_ID: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[a-z0-9]{32}$/, { error: 'must be a 32-character lower-case project id' })
      .optional(),
  ),
  LBFLOW_HUAWEI_AUTH_TOKEN: optionalText,
  LBFLOW_HUAWEI_ENDPOINT: endpoint,
  // Alibaba's credential chain: the vendor's own variables (@alicloud/credentials), in the order it tries them.
  ALIBABA_CLOUD_ROLE_ARN: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^acs:ram::\d+:role\/\S+$/, {
        error: 'must be a RAM role ARN such as acs:ram::1234567890123456:role/lbflow',
      })
      .optional(),
  ),
  ALIBABA_CLOUD_ROLE_SESSION_NAME: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[\w.@-]{2,64}$/, { error: 'must be 2–64 letters, digits, periods, at signs, hyphens or underscores' })
      .optional(),
  ),
  ALIBABA_CLOUD_OIDC_PROVIDER_ARN: optionalText,
  ALIBABA_CLOUD_OIDC_TOKEN_FILE: optionalText,
  ALIBABA_CLOUD_STS_REGION: optionalText,
  ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED: optionalText,
  ALIBABA_CLOUD_PROFILE: optionalText,
  ALIBABA_CLOUD_CLI_PROFILE_DISABLED: optionalText,
  ALIBABA_CLOUD_CREDENTIALS_FILE: optionalText,
  ALIBABA_CLOUD_ECS_METADATA: optionalText,
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: optionalText,
  ALIBABA_CLOUD_IMDSV1_DISABLED: optionalText,
  ALIBABA_CLOUD_CREDENTIALS_URI: z.preprocess(
    blankToUndefined,
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL that answers temporary keys' }).optional(),
  ),
  LBFLOW_ALIBABA_CREDENTIALS_ENDPOINT: endpoint,
  // Huawei's: the vendor SDKs' credentials file, and the ECS metadata securitykey (lbflow's switch and override).
  HUAWEICLOUD_SDK_CREDENTIALS_FILE: optionalText,
  LBFLOW_HUAWEI_ECS_METADATA: z.preprocess(
    (v) => (typeof v === 'string' ? blankToUndefined(v.toLowerCase()) : v),
    z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  ),
  LBFLOW_HUAWEI_METADATA_ENDPOINT: endpoint,
  HOME: optionalText,
});

type Issue = { variable: string; message: string };

const isTrue = (v: string | undefined) => v?.toLowerCase() === 'true';

/** A file the vendors' SDKs read from the home directory, when HOME is known and the file is there. */
function homeFile(e: z.infer<typeof EnvSchema>, ...parts: string[]): string | undefined {
  if (e.HOME === undefined) return undefined;
  const path = join(e.HOME, ...parts);
  return existsSync(path) ? path : undefined;
}

/**
 * Alibaba: fixed keys from the environment, or the chain of the sources the environment names, in the vendor's
 * order: a role assumed with the fixed keys, OIDC (RRSA), the CLI profile, the credentials file, the ECS RAM
 * role, a credentials URI. Nothing named: Alibaba is not served.
 */
function alibabaSettings(e: z.infer<typeof EnvSchema>, issues: Issue[]): WorkerConfig['providers']['alibaba-gwlb'] {
  const id = e.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const secret = e.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  let keys: AlibabaCredentials | undefined;
  if (id !== undefined || secret !== undefined) {
    if (id === undefined)
      issues.push({
        variable: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
        message: 'is required when ALIBABA_CLOUD_ACCESS_KEY_SECRET is set',
      });
    if (secret === undefined)
      issues.push({
        variable: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
        message: 'is required when ALIBABA_CLOUD_ACCESS_KEY_ID is set',
      });
    if (id !== undefined && secret !== undefined) {
      keys = guardSecrets(
        'AlibabaCredentials',
        {
          accessKeyId: id,
          accessKeySecret: secret,
          ...(e.ALIBABA_CLOUD_SECURITY_TOKEN ? { securityToken: e.ALIBABA_CLOUD_SECURITY_TOKEN } : {}),
        },
        ['accessKeySecret', 'securityToken'],
      );
    }
  } else if (e.ALIBABA_CLOUD_SECURITY_TOKEN !== undefined) {
    issues.push({
      variable: 'ALIBABA_CLOUD_SECURITY_TOKEN',
      message:
        'is set without ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (an STS token comes with its temporary key pair)',
    });
  }
  const sessionName = e.ALIBABA_CLOUD_ROLE_SESSION_NAME ?? 'lbflow-worker';
  const sts = {
    ...(e.ALIBABA_CLOUD_STS_REGION ? { stsRegion: e.ALIBABA_CLOUD_STS_REGION } : {}),
    ...(isTrue(e.ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED) ? { vpc: true } : {}),
  };
  const oidcVars = [e.ALIBABA_CLOUD_OIDC_PROVIDER_ARN, e.ALIBABA_CLOUD_OIDC_TOKEN_FILE];
  const settings: { -readonly [K in keyof AlibabaChainSettings]: AlibabaChainSettings[K] } = {};
  if (oidcVars.some((v) => v !== undefined)) {
    const missing = (
      ['ALIBABA_CLOUD_ROLE_ARN', 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN', 'ALIBABA_CLOUD_OIDC_TOKEN_FILE'] as const
    ).filter((v) => e[v] === undefined);
    for (const v of missing)
      issues.push({
        variable: v,
        message:
          'is required for OIDC (RRSA) credentials, with ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE',
      });
    if (missing.length === 0) {
      settings.oidc = {
        roleArn: e.ALIBABA_CLOUD_ROLE_ARN!,
        providerArn: e.ALIBABA_CLOUD_OIDC_PROVIDER_ARN!,
        tokenFile: e.ALIBABA_CLOUD_OIDC_TOKEN_FILE!,
        sessionName,
        ...sts,
      };
    }
  } else if (e.ALIBABA_CLOUD_ROLE_ARN !== undefined) {
    if (keys) settings.ramRoleArn = { keys, roleArn: e.ALIBABA_CLOUD_ROLE_ARN, sessionName, ...sts };
    else if (id === undefined && secret === undefined)
      issues.push({
        variable: 'ALIBABA_CLOUD_ROLE_ARN',
        message:
          'needs keys to assume the role with (ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET), or an OIDC provider (ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE)',
      });
  }
  const profileName = e.ALIBABA_CLOUD_PROFILE;
  if (!isTrue(e.ALIBABA_CLOUD_CLI_PROFILE_DISABLED) && homeFile(e, '.aliyun', 'config.json'))
    settings.cliProfile = profileName ? { profileName } : {};
  if (e.ALIBABA_CLOUD_CREDENTIALS_FILE !== undefined) {
    if (!existsSync(e.ALIBABA_CLOUD_CREDENTIALS_FILE))
      issues.push({
        variable: 'ALIBABA_CLOUD_CREDENTIALS_FILE',
        message: `${e.ALIBABA_CLOUD_CREDENTIALS_FILE} does not exist`,
      });
    else settings.credentialsFile = profileName ? { profileName } : {};
  } else if (homeFile(e, '.alibabacloud', 'credentials')) settings.credentialsFile = profileName ? { profileName } : {};
  if (e.ALIBABA_CLOUD_ECS_METADATA !== undefined && !isTrue(e.ALIBABA_CLOUD_ECS_METADATA_DISABLED)) {
    settings.ecsRamRole = {
      roleName: e.ALIBABA_CLOUD_ECS_METADATA,
      disableImdsV1: isTrue(e.ALIBABA_CLOUD_IMDSV1_DISABLED),
    };
  }
  if (e.ALIBABA_CLOUD_CREDENTIALS_URI !== undefined) settings.credentialsUri = e.ALIBABA_CLOUD_CREDENTIALS_URI;

  const endpoint = e.LBFLOW_ALIBABA_ENDPOINT;
  const chained = Object.keys(settings).length > 0;
  if (keys && !settings.ramRoleArn) {
    // Fixed keys come first, as in the vendor's chain; the other sources would never be reached.
    return { credentials: keys, source: 'environment', endpoint };
  }
  if (!chained) return undefined;
  const redirect = e.LBFLOW_ALIBABA_CREDENTIALS_ENDPOINT;
  const chain = alibabaCredentialChain({ ...settings, ...(redirect ? { redirect } : {}) });
  return { credentials: chain, source: chain.name, endpoint };
}

/** The [basic] section's project_id of a Huawei credentials file, read at start (the project the keys are for). */
function huaweiFileProject(path: string): string | undefined {
  try {
    const basic = (parseIni(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown> | undefined>).basic;
    return typeof basic?.project_id === 'string' && basic.project_id.trim() !== ''
      ? basic.project_id.trim()
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Huawei: fixed AK/SK or an IAM token from the environment, or the chain of the credentials file
 * (HUAWEICLOUD_SDK_CREDENTIALS_FILE or ~/.huaweicloud/credentials) and the ECS metadata securitykey
 * (LBFLOW_HUAWEI_ECS_METADATA=true), in the vendor SDKs' order.
 */
function huaweiSettings(e: z.infer<typeof EnvSchema>, issues: Issue[]): WorkerConfig['providers']['huawei-elb'] {
  const ak = e.HUAWEICLOUD_SDK_AK;
  const sk = e.HUAWEICLOUD_SDK_SK;
  const token = e.LBFLOW_HUAWEI_AUTH_TOKEN;
  const endpoint = e.LBFLOW_HUAWEI_ENDPOINT;
  if (ak !== undefined || sk !== undefined) {
    if (token !== undefined)
      issues.push({
        variable: 'LBFLOW_HUAWEI_AUTH_TOKEN',
        message: 'set either HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK or LBFLOW_HUAWEI_AUTH_TOKEN, not both',
      });
    if (ak === undefined)
      issues.push({ variable: 'HUAWEICLOUD_SDK_AK', message: 'is required when HUAWEICLOUD_SDK_SK is set' });
    if (sk === undefined)
      issues.push({ variable: 'HUAWEICLOUD_SDK_SK', message: 'is required when HUAWEICLOUD_SDK_AK is set' });
    if (ak === undefined || sk === undefined || token !== undefined) return undefined;
    const credentials = {
      accessKey: ak,
      secretKey: sk,
      ...(e.HUAWEICLOUD_SDK_SECURITY_TOKEN ? { securityToken: e.HUAWEICLOUD_SDK_SECURITY_TOKEN } : {}),
    };
    return {
      credentials: guardSecrets('HuaweiCredentials', credentials, ['secretKey', 'securityToken']) as HuaweiCredentials,
      source: 'environment',
      endpoint,
      projectId: e.HUAWEICLOUD_SDK_PROJECT_ID,
    };
  }
  if (token !== undefined)
    return {
      credentials: guardSecrets('HuaweiCredentials', { authToken: token }, ['authToken']),
      source: 'environment (IAM token)',
      endpoint,
      projectId: e.HUAWEICLOUD_SDK_PROJECT_ID,
    };
  if (e.HUAWEICLOUD_SDK_SECURITY_TOKEN !== undefined) {
    issues.push({
      variable: 'HUAWEICLOUD_SDK_SECURITY_TOKEN',
      message:
        'is set without HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (a security token comes with its temporary AK/SK)',
    });
  }
  const settings: { -readonly [K in keyof HuaweiChainSettings]: HuaweiChainSettings[K] } = {};
  let file: string | undefined;
  if (e.HUAWEICLOUD_SDK_CREDENTIALS_FILE !== undefined) {
    if (!existsSync(e.HUAWEICLOUD_SDK_CREDENTIALS_FILE))
      issues.push({
        variable: 'HUAWEICLOUD_SDK_CREDENTIALS_FILE',
        message: `${e.HUAWEICLOUD_SDK_CREDENTIALS_FILE} does not exist`,
      });
    else file = e.HUAWEICLOUD_SDK_CREDENTIALS_FILE;
  } else file = homeFile(e, '.huaweicloud', 'credentials');
  if (file !== undefined) settings.credentialsFile = { path: file };
  if (e.LBFLOW_HUAWEI_ECS_METADATA === 'true')
    settings.metadata = { endpoint: e.LBFLOW_HUAWEI_METADATA_ENDPOINT ?? HUAWEI_METADATA_ENDPOINT };
  else if (e.LBFLOW_HUAWEI_METADATA_ENDPOINT !== undefined)
    issues.push({
      variable: 'LBFLOW_HUAWEI_METADATA_ENDPOINT',
      message:
        'is set without LBFLOW_HUAWEI_ECS_METADATA=true (the metadata securitykey is asked only when that is on)',
    });
  if (Object.keys(settings).length === 0) return undefined;
  const chain = huaweiCredentialChain(settings);
  return {
    credentials: chain,
    source: chain.name,
    endpoint,
    projectId: e.HUAWEICLOUD_SDK_PROJECT_ID ?? (file ? huaweiFileProject(file) : undefined),
  };
}

/** Provider settings from the vendors' own variable names and files; absent providers are simply not served by this worker. */
function providerSettings(e: z.infer<typeof EnvSchema>, issues: Issue[]): WorkerConfig['providers'] {
  const providers: { -readonly [P in Provider]?: WorkerConfig['providers'][P] } = {};
  const alibaba = alibabaSettings(e, issues);
  if (alibaba) providers['alibaba-gwlb'] = alibaba;
  const huawei = huaweiSettings(e, issues);
  if (huawei) providers['huawei-elb'] = huawei;
  if (
    Object.keys(providers).length === 0 &&
    !issues.some((i) => /^(ALIBABA|HUAWEI|LBFLOW_HUAWEI|LBFLOW_ALIBABA)/.test(i.variable))
  ) {
    issues.push({
      variable: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
      message:
        "no provider credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (Alibaba GWLB), and/or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK or LBFLOW_HUAWEI_AUTH_TOKEN (Huawei ELB); or name a credential source: ALIBABA_CLOUD_ROLE_ARN with OIDC, ALIBABA_CLOUD_ECS_METADATA, ALIBABA_CLOUD_CREDENTIALS_FILE, ALIBABA_CLOUD_CREDENTIALS_URI, HUAWEICLOUD_SDK_CREDENTIALS_FILE, LBFLOW_HUAWEI_ECS_METADATA=true (see the README's credentials table)",
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
  for (const [variable, schema] of Object.entries(EnvSchema.shape)) {
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
  const providers = providerSettings(e, issues);
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

/** The variable that names each chain source, for the issue a source that gives no keys raises at start. */
const SOURCE_VARIABLES: Record<Provider, Record<string, string>> = {
  'alibaba-gwlb': {
    ram_role_arn: 'ALIBABA_CLOUD_ROLE_ARN',
    oidc_role_arn: 'ALIBABA_CLOUD_OIDC_TOKEN_FILE',
    cli_profile: 'ALIBABA_CLOUD_PROFILE',
    credentials_file: 'ALIBABA_CLOUD_CREDENTIALS_FILE',
    ecs_ram_role: 'ALIBABA_CLOUD_ECS_METADATA',
    credentials_uri: 'ALIBABA_CLOUD_CREDENTIALS_URI',
  },
  'huawei-elb': { credentials_file: 'HUAWEICLOUD_SDK_CREDENTIALS_FILE', ecs_metadata: 'LBFLOW_HUAWEI_ECS_METADATA' },
};

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
    const chain = credentials as AlibabaCredentialChain | HuaweiCredentialChain;
    try {
      await chain.get();
      picked[provider] = chain.picked ?? settings.source;
    } catch (error) {
      const first = settings.source.split(' → ')[0] ?? '';
      const mask = secretMasker([...chain.held()]);
      issues.push({
        variable: SOURCE_VARIABLES[provider][first] ?? first,
        message: mask(`${provider}: ${error instanceof Error ? error.message : String(error)}`),
      });
    }
  }
  if (issues.length > 0) throw new WorkerConfigError(issues);
  return picked;
}
