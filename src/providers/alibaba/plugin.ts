// Alibaba Cloud GWLB for the worker: its variables (the vendor's own names, @alicloud/credentials' order), its
// credential chain and its client, behind the one plug-in interface (src/providers/plugin.ts).
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { guardSecrets } from '../secrets.js';
import { blankToUndefined, endpoint, isTrue, optionalText, type EnvReading } from '../env.js';
import type { ProviderPlugin, ProviderSettings } from '../plugin.js';
import { AlibabaGwlbProvider, type AlibabaGwlbConfig, type AlibabaMember } from './client.js';
import { alibabaCredentialChain, type AlibabaChainSettings } from './credentials.js';
import { alibabaGwlb, type AlibabaIdentity } from './definition/index.js';
import type { AlibabaCredentials } from './signer.js';

declare module '../types.js' {
  interface ProviderClientModels {
    'alibaba-gwlb': {
      member: AlibabaMember;
      removable: AlibabaIdentity & { readonly serverIp?: string | undefined };
      config: AlibabaGwlbConfig;
    };
  }
}

const VARIABLES = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: optionalText,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: optionalText,
  ALIBABA_CLOUD_SECURITY_TOKEN: optionalText,
  LBFLOW_ALIBABA_ENDPOINT: endpoint,
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
};
type AlibabaEnv = { [K in keyof typeof VARIABLES]: z.output<(typeof VARIABLES)[K]> };

type Sources = { -readonly [K in keyof AlibabaChainSettings]: AlibabaChainSettings[K] };

/** Fixed keys (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET, with an STS token or not), or undefined; both or neither. */
function fixedKeys(e: AlibabaEnv, issues: EnvReading['issues']): AlibabaCredentials | undefined {
  const id = e.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const secret = e.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (id === undefined && secret === undefined) {
    if (e.ALIBABA_CLOUD_SECURITY_TOKEN !== undefined)
      issues.push({
        variable: 'ALIBABA_CLOUD_SECURITY_TOKEN',
        message:
          'is set without ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (an STS token comes with its temporary key pair)',
      });
    return undefined;
  }
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
  if (id === undefined || secret === undefined) return undefined;
  return guardSecrets(
    'AlibabaCredentials',
    {
      accessKeyId: id,
      accessKeySecret: secret,
      ...(e.ALIBABA_CLOUD_SECURITY_TOKEN ? { securityToken: e.ALIBABA_CLOUD_SECURITY_TOKEN } : {}),
    },
    ['accessKeySecret', 'securityToken'],
  );
}

/** The role sources: OIDC (RRSA) when its variables are set, else a RAM role assumed with the fixed keys. */
function roleSources(
  e: AlibabaEnv,
  keys: AlibabaCredentials | undefined,
  issues: EnvReading['issues'],
  sources: Sources,
) {
  const sessionName = e.ALIBABA_CLOUD_ROLE_SESSION_NAME ?? 'lbflow-worker';
  const sts = {
    ...(e.ALIBABA_CLOUD_STS_REGION ? { stsRegion: e.ALIBABA_CLOUD_STS_REGION } : {}),
    ...(isTrue(e.ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED) ? { vpc: true } : {}),
  };
  if (e.ALIBABA_CLOUD_OIDC_PROVIDER_ARN !== undefined || e.ALIBABA_CLOUD_OIDC_TOKEN_FILE !== undefined) {
    const missing = (
      ['ALIBABA_CLOUD_ROLE_ARN', 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN', 'ALIBABA_CLOUD_OIDC_TOKEN_FILE'] as const
    ).filter((v) => e[v] === undefined);
    for (const v of missing)
      issues.push({
        variable: v,
        message:
          'is required for OIDC (RRSA) credentials, with ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE',
      });
    if (missing.length === 0)
      sources.oidc = {
        roleArn: e.ALIBABA_CLOUD_ROLE_ARN!,
        providerArn: e.ALIBABA_CLOUD_OIDC_PROVIDER_ARN!,
        tokenFile: e.ALIBABA_CLOUD_OIDC_TOKEN_FILE!,
        sessionName,
        ...sts,
      };
  } else if (e.ALIBABA_CLOUD_ROLE_ARN !== undefined) {
    if (keys) sources.ramRoleArn = { keys, roleArn: e.ALIBABA_CLOUD_ROLE_ARN, sessionName, ...sts };
    else if (e.ALIBABA_CLOUD_ACCESS_KEY_ID === undefined && e.ALIBABA_CLOUD_ACCESS_KEY_SECRET === undefined)
      issues.push({
        variable: 'ALIBABA_CLOUD_ROLE_ARN',
        message:
          'needs keys to assume the role with (ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET), or an OIDC provider (ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE)',
      });
  }
}

/** The other sources, in the vendor's order: the CLI profile, the credentials file, the ECS RAM role, a credentials URI. */
function machineSources(env: EnvReading, e: AlibabaEnv, sources: Sources) {
  const profileName = e.ALIBABA_CLOUD_PROFILE;
  const profile = profileName ? { profileName } : {};
  if (!isTrue(e.ALIBABA_CLOUD_CLI_PROFILE_DISABLED) && env.homeFile('.aliyun', 'config.json'))
    sources.cliProfile = profile;
  if (e.ALIBABA_CLOUD_CREDENTIALS_FILE !== undefined) {
    if (!existsSync(e.ALIBABA_CLOUD_CREDENTIALS_FILE))
      env.issues.push({
        variable: 'ALIBABA_CLOUD_CREDENTIALS_FILE',
        message: `${e.ALIBABA_CLOUD_CREDENTIALS_FILE} does not exist`,
      });
    else sources.credentialsFile = profile;
  } else if (env.homeFile('.alibabacloud', 'credentials')) sources.credentialsFile = profile;
  if (e.ALIBABA_CLOUD_ECS_METADATA !== undefined && !isTrue(e.ALIBABA_CLOUD_ECS_METADATA_DISABLED))
    sources.ecsRamRole = {
      roleName: e.ALIBABA_CLOUD_ECS_METADATA,
      disableImdsV1: isTrue(e.ALIBABA_CLOUD_IMDSV1_DISABLED),
    };
  if (e.ALIBABA_CLOUD_CREDENTIALS_URI !== undefined) sources.credentialsUri = e.ALIBABA_CLOUD_CREDENTIALS_URI;
}

/**
 * Alibaba: fixed keys from the environment, or the chain of the sources the environment names, in the vendor's
 * order: a role assumed with the fixed keys, OIDC (RRSA), the CLI profile, the credentials file, the ECS RAM
 * role, a credentials URI. Nothing named: Alibaba is not served.
 */
function alibabaSettings(env: EnvReading): ProviderSettings | undefined {
  const e = env.values as AlibabaEnv;
  const keys = fixedKeys(e, env.issues);
  const sources: Sources = {};
  roleSources(e, keys, env.issues, sources);
  machineSources(env, e, sources);
  const endpoint = e.LBFLOW_ALIBABA_ENDPOINT;
  // Fixed keys come first, as in the vendor's chain; the other sources would never be reached.
  if (keys && !sources.ramRoleArn) return { credentials: keys, source: 'environment', endpoint };
  if (Object.keys(sources).length === 0) return undefined;
  const redirect = e.LBFLOW_ALIBABA_CREDENTIALS_ENDPOINT;
  const chain = alibabaCredentialChain({ ...sources, ...(redirect ? { redirect } : {}) });
  return { credentials: chain, source: chain.name, endpoint };
}

export const alibabaPlugin: ProviderPlugin<'alibaba-gwlb'> = {
  definition: alibabaGwlb,
  variables: VARIABLES,
  secretVariables: ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN'],
  credentialHint: 'ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  sourceHint:
    'ALIBABA_CLOUD_ROLE_ARN with OIDC, ALIBABA_CLOUD_ECS_METADATA, ALIBABA_CLOUD_CREDENTIALS_FILE, ALIBABA_CLOUD_CREDENTIALS_URI',
  sourceVariables: {
    ram_role_arn: 'ALIBABA_CLOUD_ROLE_ARN',
    oidc_role_arn: 'ALIBABA_CLOUD_OIDC_TOKEN_FILE',
    cli_profile: 'ALIBABA_CLOUD_PROFILE',
    credentials_file: 'ALIBABA_CLOUD_CREDENTIALS_FILE',
    ecs_ram_role: 'ALIBABA_CLOUD_ECS_METADATA',
    credentials_uri: 'ALIBABA_CLOUD_CREDENTIALS_URI',
  },
  settings: alibabaSettings,
  client: (config) => new AlibabaGwlbProvider(config),
};
