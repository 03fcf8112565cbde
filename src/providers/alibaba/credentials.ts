// Alibaba Cloud credentials from the vendor's own providers (`@alicloud/credentials`): OIDC role (ACK RRSA), the
// CLI profile, the credentials file, the ECS instance's RAM role and a credentials URI, plus a RAM role assumed
// with fixed keys. They fetch, sign their STS calls and renew their sessions as the vendor's SDKs do; lbflow only
// picks which of them to try, in the vendor's default order, and feeds the keys to its own GWLB signer.
import { createRequire } from 'node:module';
import * as vendorPackage from '@alicloud/credentials';
import { NoUsableCredentials, secretsOf, type CredentialSource } from '../credentials.js';
import type { AlibabaCredentials } from './signer.js';

/** What one of the vendor's providers answers (`CredentialsProvider.getCredentials`). */
interface VendorCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
  readonly providerName?: string;
}
interface VendorProvider {
  getCredentials(): Promise<VendorCredentials>;
  getProviderName(): string;
}
/** The builder methods lbflow calls (each provider's builder has the ones its provider takes). */
interface Builder {
  withAccessKeyId(v: string): Builder;
  withAccessKeySecret(v: string): Builder;
  withSecurityToken(v: string): Builder;
  withCredentialsProvider(v: VendorProvider): Builder;
  withRoleArn(v: string): Builder;
  withRoleSessionName(v: string): Builder;
  withExternalId(v: string): Builder;
  withStsRegionId(v: string): Builder;
  withEnableVpc(v: boolean): Builder;
  withOIDCProviderArn(v: string): Builder;
  withOIDCTokenFilePath(v: string): Builder;
  withProfileName(v: string): Builder;
  withRoleName(v: string): Builder;
  withDisableIMDSv1(v: boolean): Builder;
  withCredentialsURI(v: string): Builder;
  build(): VendorProvider;
}
interface VendorModule {
  StaticAKCredentialsProvider: { builder(): Builder };
  StaticSTSCredentialsProvider: { builder(): Builder };
  RAMRoleARNCredentialsProvider: { builder(): Builder };
  OIDCRoleArnCredentialsProvider: { builder(): Builder };
  CLIProfileCredentialsProvider: { builder(): Builder };
  ProfileCredentialsProvider: { builder(): Builder };
  ECSRAMRoleCredentialsProvider: { builder(): Builder };
  URICredentialsProvider: { builder(): Builder };
}

const vendorModule = (): VendorModule => vendorPackage as unknown as VendorModule;

export interface FixedKeys {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/** The sources lbflow tries for Alibaba, each present only when its settings are; tried in this order. */
export interface AlibabaChainSettings {
  /** ALIBABA_CLOUD_ROLE_ARN with fixed keys (and no OIDC provider): assume the role with them (terraform's assume_role). */
  readonly ramRoleArn?: {
    readonly keys: FixedKeys;
    readonly roleArn: string;
    readonly sessionName: string;
    readonly externalId?: string | undefined;
    readonly stsRegion?: string | undefined;
    readonly vpc?: boolean | undefined;
  };
  /** ACK RRSA / OIDC: ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE. */
  readonly oidc?: {
    readonly roleArn: string;
    readonly providerArn: string;
    readonly tokenFile: string;
    readonly sessionName: string;
    readonly stsRegion?: string | undefined;
    readonly vpc?: boolean | undefined;
  };
  /** The Alibaba Cloud CLI's ~/.aliyun/config.json (ALIBABA_CLOUD_PROFILE picks the profile). */
  readonly cliProfile?: { readonly profileName?: string | undefined };
  /** The credentials file (ALIBABA_CLOUD_CREDENTIALS_FILE or ~/.alibabacloud/credentials; ALIBABA_CLOUD_PROFILE). */
  readonly credentialsFile?: { readonly profileName?: string | undefined };
  /** The ECS instance's RAM role from the metadata service (ALIBABA_CLOUD_ECS_METADATA names it). */
  readonly ecsRamRole?: { readonly roleName: string; readonly disableImdsV1: boolean };
  /** ALIBABA_CLOUD_CREDENTIALS_URI: an endpoint that answers temporary keys. */
  readonly credentialsUri?: string;
  /**
   * LBFLOW_ALIBABA_CREDENTIALS_ENDPOINT: send the providers' metadata and STS requests to this origin instead of
   * 100.100.100.200 and sts[-vpc][.region].aliyuncs.com (a local stand-in, such as the simulator). Process-wide:
   * the vendor's providers share one request function.
   */
  readonly redirect?: string | undefined;
}

/** The names lbflow gives the sources, in the order tried (the README's configuration table lists them). */
export const ALIBABA_SOURCES = [
  'ram_role_arn',
  'oidc_role_arn',
  'cli_profile',
  'credentials_file',
  'ecs_ram_role',
  'credentials_uri',
] as const;
export type AlibabaSourceName = (typeof ALIBABA_SOURCES)[number];

function build(name: AlibabaSourceName, s: AlibabaChainSettings): VendorProvider | undefined {
  const v = vendorModule();
  switch (name) {
    case 'ram_role_arn': {
      const r = s.ramRoleArn;
      if (!r) return undefined;
      const keys = r.keys.securityToken
        ? v.StaticSTSCredentialsProvider.builder()
            .withAccessKeyId(r.keys.accessKeyId)
            .withAccessKeySecret(r.keys.accessKeySecret)
            .withSecurityToken(r.keys.securityToken)
            .build()
        : v.StaticAKCredentialsProvider.builder()
            .withAccessKeyId(r.keys.accessKeyId)
            .withAccessKeySecret(r.keys.accessKeySecret)
            .build();
      let b = v.RAMRoleARNCredentialsProvider.builder()
        .withCredentialsProvider(keys)
        .withRoleArn(r.roleArn)
        .withRoleSessionName(r.sessionName);
      if (r.externalId) b = b.withExternalId(r.externalId);
      if (r.stsRegion) b = b.withStsRegionId(r.stsRegion);
      if (r.vpc) b = b.withEnableVpc(true);
      return b.build();
    }
    case 'oidc_role_arn': {
      const o = s.oidc;
      if (!o) return undefined;
      let b = v.OIDCRoleArnCredentialsProvider.builder()
        .withRoleArn(o.roleArn)
        .withOIDCProviderArn(o.providerArn)
        .withOIDCTokenFilePath(o.tokenFile)
        .withRoleSessionName(o.sessionName);
      if (o.stsRegion) b = b.withStsRegionId(o.stsRegion);
      if (o.vpc) b = b.withEnableVpc(true);
      return b.build();
    }
    case 'cli_profile':
      if (!s.cliProfile) return undefined;
      return (
        s.cliProfile.profileName
          ? v.CLIProfileCredentialsProvider.builder().withProfileName(s.cliProfile.profileName)
          : v.CLIProfileCredentialsProvider.builder()
      ).build();
    case 'credentials_file':
      if (!s.credentialsFile) return undefined;
      return (
        s.credentialsFile.profileName
          ? v.ProfileCredentialsProvider.builder().withProfileName(s.credentialsFile.profileName)
          : v.ProfileCredentialsProvider.builder()
      ).build();
    case 'ecs_ram_role':
      if (!s.ecsRamRole) return undefined;
      return v.ECSRAMRoleCredentialsProvider.builder()
        .withRoleName(s.ecsRamRole.roleName)
        .withDisableIMDSv1(s.ecsRamRole.disableImdsV1)
        .build();
    case 'credentials_uri':
      if (!s.credentialsUri) return undefined;
      return v.URICredentialsProvider.builder().withCredentialsURI(s.credentialsUri).build();
  }
}

/** The sources the settings name, in the order they are tried. */
export function configuredAlibabaSources(s: AlibabaChainSettings): AlibabaSourceName[] {
  const present: Record<AlibabaSourceName, boolean> = {
    ram_role_arn: s.ramRoleArn !== undefined,
    oidc_role_arn: s.oidc !== undefined,
    cli_profile: s.cliProfile !== undefined,
    credentials_file: s.credentialsFile !== undefined,
    ecs_ram_role: s.ecsRamRole !== undefined,
    credentials_uri: s.credentialsUri !== undefined,
  };
  return ALIBABA_SOURCES.filter((name) => present[name]);
}

export interface AlibabaCredentialChain extends CredentialSource<AlibabaCredentials> {
  /** The source that gave keys (`cli_profile/ram_role_arn`, …), once one has. */
  readonly picked: string | undefined;
}

/**
 * The configured sources as one renewing credential source. The first source that gives keys is kept; its
 * vendor provider caches and renews them. `refresh` builds that provider again, so its cache is dropped and it
 * fetches new keys (the provider refused the old ones).
 */
export function alibabaCredentialChain(settings: AlibabaChainSettings): AlibabaCredentialChain {
  const names = configuredAlibabaSources(settings);
  if (names.length === 0) throw new TypeError('no Alibaba credential source is configured');
  if (settings.redirect !== undefined) redirectVendorRequests(settings.redirect);
  let chosen: { name: AlibabaSourceName; provider: VendorProvider } | undefined;
  let picked: string | undefined;
  let inFlight: Promise<AlibabaCredentials> | undefined;
  let last: AlibabaCredentials | undefined;

  const keysOf = (c: VendorCredentials, source: string): AlibabaCredentials => {
    if (!c.accessKeyId || !c.accessKeySecret) throw new Error(`${source} gave no access key`);
    return {
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      ...(c.securityToken ? { securityToken: c.securityToken } : {}),
      ...(c.providerName ? { providerName: c.providerName } : {}),
    };
  };
  const fromChosen = async (): Promise<AlibabaCredentials> => {
    const current = chosen!;
    return keysOf(await current.provider.getCredentials(), current.name);
  };
  const walk = async (): Promise<AlibabaCredentials> => {
    const tried: { source: string; error: string }[] = [];
    for (const name of names) {
      try {
        const provider = build(name, settings)!;
        const got = await provider.getCredentials();
        const keys = keysOf(got, name);
        chosen = { name, provider };
        picked = got.providerName && got.providerName !== name ? `${name} (${got.providerName})` : name;
        return keys;
      } catch (error) {
        tried.push({ source: name, error: error instanceof Error ? error.message : String(error) });
      }
    }
    throw new NoUsableCredentials(tried);
  };
  const once = (fn: () => Promise<AlibabaCredentials>): Promise<AlibabaCredentials> => {
    inFlight ??= fn()
      .then((keys) => {
        last = keys;
        return keys;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  return {
    name: names.join(' → '),
    refreshable: true,
    get picked() {
      return picked;
    },
    held: () => secretsOf(last),
    get: () => once(() => (chosen ? fromChosen() : walk())),
    refresh: () =>
      once(async () => {
        if (!chosen) return walk();
        chosen = { name: chosen.name, provider: build(chosen.name, settings)! };
        return fromChosen();
      }),
  };
}

// ------------------------------------------------------------------ the stand-in redirect

interface VendorRequest {
  protocol?: string;
  host?: string;
  url?: string;
}
interface VendorHttp {
  doRequest: (request: VendorRequest) => Promise<unknown>;
}

/** The ECS metadata service and STS (global, regional and VPC endpoints): what a stand-in replaces. */
const STAND_IN_HOSTS = /^(100\.100\.100\.200|sts(-vpc)?(\.[a-z0-9-]+)?\.aliyuncs\.com)$/;

let redirectOrigin: URL | undefined;
let original: VendorHttp['doRequest'] | undefined;

/**
 * Points every request of the vendor's providers (ECS metadata, STS, a credentials URI) at `origin`. The providers
 * take the request function from the vendor's http module when they are built, so it is swapped there, once.
 */
export function redirectVendorRequests(origin: string): void {
  redirectOrigin = new URL(origin);
  // The module object itself (an import's namespace is read-only): the instance the vendor's providers load.
  const http = createRequire(import.meta.url)('@alicloud/credentials/dist/src/providers/http.js') as VendorHttp;
  if (original !== undefined) return;
  original = http.doRequest;
  const send = original;
  http.doRequest = (request: VendorRequest) => {
    const to = redirectOrigin;
    // Only the vendor's fixed addresses move; a URL the user gave (ALIBABA_CLOUD_CREDENTIALS_URI) stays where it is.
    if (
      to !== undefined &&
      request.url === undefined &&
      request.host !== undefined &&
      STAND_IN_HOSTS.test(request.host)
    ) {
      request.protocol = to.protocol.replace(/:$/, '');
      request.host = to.host;
    }
    return send(request);
  };
}
