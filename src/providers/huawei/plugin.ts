// Huawei Cloud ELB v3 for the worker: its variables (the vendor SDKs' names, and lbflow's for the token and the
// metadata service), its credential chain and its client, behind the one plug-in interface (src/providers/plugin.ts).
import { readFileSync, existsSync } from 'node:fs';
import { parse as parseIni } from 'ini';
import { z } from 'zod';
import { guardSecrets } from '../secrets.js';
import { blankToUndefined, endpoint, optionalText, type EnvReading } from '../env.js';
import type { ProviderPlugin, ProviderSettings } from '../plugin.js';
import { HuaweiElbProvider, type HuaweiCredentials, type HuaweiElbConfig, type HuaweiMember } from './client.js';
import { HUAWEI_METADATA_ENDPOINT, huaweiCredentialChain, type HuaweiChainSettings } from './credentials.js';
import { huaweiElb, type HuaweiIdentity } from './definition/index.js';

declare module '../types.js' {
  interface ProviderClientModels {
    'huawei-elb': {
      member: HuaweiMember;
      removable: HuaweiIdentity;
      config: HuaweiElbConfig;
    };
  }
}

const VARIABLES = {
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
  HUAWEICLOUD_SDK_CREDENTIALS_FILE: optionalText,
  LBFLOW_HUAWEI_ECS_METADATA: z.preprocess(
    (v) => (typeof v === 'string' ? blankToUndefined(v.toLowerCase()) : v),
    z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  ),
  LBFLOW_HUAWEI_METADATA_ENDPOINT: endpoint,
};
type HuaweiEnv = { [K in keyof typeof VARIABLES]: z.output<(typeof VARIABLES)[K]> };

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
function huaweiSettings(env: EnvReading): ProviderSettings | undefined {
  const e = env.values as HuaweiEnv;
  if (e.HUAWEICLOUD_SDK_AK !== undefined || e.HUAWEICLOUD_SDK_SK !== undefined) return akSk(e, env.issues);
  if (e.LBFLOW_HUAWEI_AUTH_TOKEN !== undefined)
    return {
      credentials: guardSecrets('HuaweiCredentials', { authToken: e.LBFLOW_HUAWEI_AUTH_TOKEN }, ['authToken']),
      source: 'environment (IAM token)',
      endpoint: e.LBFLOW_HUAWEI_ENDPOINT,
      projectId: e.HUAWEICLOUD_SDK_PROJECT_ID,
    };
  if (e.HUAWEICLOUD_SDK_SECURITY_TOKEN !== undefined) {
    env.issues.push({
      variable: 'HUAWEICLOUD_SDK_SECURITY_TOKEN',
      message:
        'is set without HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (a security token comes with its temporary AK/SK)',
    });
  }
  return chainSettings(env, e);
}

/** Fixed AK/SK (with a security token or not): both, and no IAM token beside them. */
function akSk(e: HuaweiEnv, issues: EnvReading['issues']): ProviderSettings | undefined {
  const ak = e.HUAWEICLOUD_SDK_AK;
  const sk = e.HUAWEICLOUD_SDK_SK;
  if (e.LBFLOW_HUAWEI_AUTH_TOKEN !== undefined)
    issues.push({
      variable: 'LBFLOW_HUAWEI_AUTH_TOKEN',
      message: 'set either HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK or LBFLOW_HUAWEI_AUTH_TOKEN, not both',
    });
  if (ak === undefined)
    issues.push({ variable: 'HUAWEICLOUD_SDK_AK', message: 'is required when HUAWEICLOUD_SDK_SK is set' });
  if (sk === undefined)
    issues.push({ variable: 'HUAWEICLOUD_SDK_SK', message: 'is required when HUAWEICLOUD_SDK_AK is set' });
  if (ak === undefined || sk === undefined || e.LBFLOW_HUAWEI_AUTH_TOKEN !== undefined) return undefined;
  const credentials = {
    accessKey: ak,
    secretKey: sk,
    ...(e.HUAWEICLOUD_SDK_SECURITY_TOKEN ? { securityToken: e.HUAWEICLOUD_SDK_SECURITY_TOKEN } : {}),
  };
  return {
    credentials: guardSecrets('HuaweiCredentials', credentials, ['secretKey', 'securityToken']) as HuaweiCredentials,
    source: 'environment',
    endpoint: e.LBFLOW_HUAWEI_ENDPOINT,
    projectId: e.HUAWEICLOUD_SDK_PROJECT_ID,
  };
}

/** The chain of the credentials file and the ECS metadata securitykey, in the vendor SDKs' order; none: undefined. */
function chainSettings(env: EnvReading, e: HuaweiEnv): ProviderSettings | undefined {
  const settings: { -readonly [K in keyof HuaweiChainSettings]: HuaweiChainSettings[K] } = {};
  let file: string | undefined;
  if (e.HUAWEICLOUD_SDK_CREDENTIALS_FILE !== undefined) {
    if (!existsSync(e.HUAWEICLOUD_SDK_CREDENTIALS_FILE))
      env.issues.push({
        variable: 'HUAWEICLOUD_SDK_CREDENTIALS_FILE',
        message: `${e.HUAWEICLOUD_SDK_CREDENTIALS_FILE} does not exist`,
      });
    else file = e.HUAWEICLOUD_SDK_CREDENTIALS_FILE;
  } else file = env.homeFile('.huaweicloud', 'credentials');
  if (file !== undefined) settings.credentialsFile = { path: file };
  if (e.LBFLOW_HUAWEI_ECS_METADATA === 'true')
    settings.metadata = { endpoint: e.LBFLOW_HUAWEI_METADATA_ENDPOINT ?? HUAWEI_METADATA_ENDPOINT };
  else if (e.LBFLOW_HUAWEI_METADATA_ENDPOINT !== undefined)
    env.issues.push({
      variable: 'LBFLOW_HUAWEI_METADATA_ENDPOINT',
      message:
        'is set without LBFLOW_HUAWEI_ECS_METADATA=true (the metadata securitykey is asked only when that is on)',
    });
  if (Object.keys(settings).length === 0) return undefined;
  const chain = huaweiCredentialChain(settings);
  return {
    credentials: chain,
    source: chain.name,
    endpoint: e.LBFLOW_HUAWEI_ENDPOINT,
    projectId: e.HUAWEICLOUD_SDK_PROJECT_ID ?? (file ? huaweiFileProject(file) : undefined),
  };
}

export const huaweiPlugin: ProviderPlugin<'huawei-elb'> = {
  definition: huaweiElb,
  variables: VARIABLES,
  secretVariables: ['HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN', 'LBFLOW_HUAWEI_AUTH_TOKEN'],
  credentialHint: 'HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or LBFLOW_HUAWEI_AUTH_TOKEN',
  sourceHint: 'HUAWEICLOUD_SDK_CREDENTIALS_FILE, LBFLOW_HUAWEI_ECS_METADATA=true',
  sourceVariables: { credentials_file: 'HUAWEICLOUD_SDK_CREDENTIALS_FILE', ecs_metadata: 'LBFLOW_HUAWEI_ECS_METADATA' },
  projectVariable: 'HUAWEICLOUD_SDK_PROJECT_ID',
  settings: huaweiSettings,
  client: (config) => new HuaweiElbProvider(config),
};
