// Huawei Cloud credentials beyond fixed keys: the credentials file the vendor's SDKs read and the ECS metadata
// service's temporary AK/SK (an agency attached to the instance), renewed before they expire. The vendor's Node
// core (@huaweicloud/huaweicloud-sdk-core) ships no credential providers, so these follow what its Python and Go
// cores do: the same file and section, the same metadata paths, headers and answer. huawei-elb.md §4.
import { readFile } from 'node:fs/promises';
import { parse as parseIni } from 'ini';
import { request } from 'undici';
import { NoUsableCredentials, renewingCredentials, secretsOf, type CredentialSource } from '../credentials.js';
import type { HuaweiAkSk } from './signer.js';

/** The metadata service of every Huawei Cloud ECS. */
export const HUAWEI_METADATA_ENDPOINT = 'http://169.254.169.254';
const TOKEN_PATH = '/meta-data/latest/api/token';
const SECURITY_KEY_PATH = '/openstack/latest/securitykey';
/** The vendor SDKs ask for 6-hour metadata tokens. */
const TOKEN_TTL_SECONDS = 6 * 60 * 60;
/** What the metadata service says when the instance has no agency (the SDKs look for these words). */
const NO_AGENCY = 'Please configure Cloud Service Agency first';
const TIMEOUT_MS = 3000;

export interface HuaweiChainSettings {
  /** HUAWEICLOUD_SDK_CREDENTIALS_FILE or ~/.huaweicloud/credentials: section [basic], ak, sk, security_token. */
  readonly credentialsFile?: { readonly path: string };
  /** The ECS metadata service's securitykey (LBFLOW_HUAWEI_ECS_METADATA=true; LBFLOW_HUAWEI_METADATA_ENDPOINT). */
  readonly metadata?: { readonly endpoint: string };
}

export const HUAWEI_SOURCES = ['credentials_file', 'ecs_metadata'] as const;
export type HuaweiSourceName = (typeof HUAWEI_SOURCES)[number];

export function configuredHuaweiSources(s: HuaweiChainSettings): HuaweiSourceName[] {
  return HUAWEI_SOURCES.filter((name) =>
    name === 'credentials_file' ? s.credentialsFile !== undefined : s.metadata !== undefined,
  );
}

/** The [basic] section of a credentials file, as the vendor's SDKs read it (project_id too). */
export async function readHuaweiCredentialsFile(path: string): Promise<HuaweiAkSk & { projectId?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(
      `credentials file '${path}' cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { cause: error },
    );
  }
  const basic = (parseIni(text) as Record<string, Record<string, unknown> | undefined>).basic;
  if (!basic) throw new Error(`credentials file '${path}' has no [basic] section`);
  const ak = typeof basic.ak === 'string' ? basic.ak.trim() : '';
  const sk = typeof basic.sk === 'string' ? basic.sk.trim() : '';
  if (!ak || !sk) throw new Error(`ak and sk are not both in the [basic] section of credentials file '${path}'`);
  const token = typeof basic.security_token === 'string' ? basic.security_token.trim() : '';
  const projectId = typeof basic.project_id === 'string' ? basic.project_id.trim() : '';
  return {
    accessKey: ak,
    secretKey: sk,
    ...(token ? { securityToken: token } : {}),
    ...(projectId ? { projectId } : {}),
  };
}

/** One metadata request; the body as text. */
async function metadataCall(
  url: string,
  method: 'GET' | 'PUT',
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const res = await request(url, {
    method,
    headers,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
    signal: AbortSignal.timeout(TIMEOUT_MS * 2),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/**
 * The instance's temporary AK/SK from `securitykey`, with an IMDSv2 token where the service gives one (an old
 * service without tokens is asked without). A 401 that is not "no agency" means the token went stale: a new one,
 * and the key asked once more.
 */
export function metadataSecurityKey(endpoint: string): () => Promise<{ credentials: HuaweiAkSk; expiresAt: number }> {
  const origin = endpoint.replace(/\/$/, '');
  let token: string | undefined;
  const newToken = async (): Promise<string | undefined> => {
    const answer = await metadataCall(`${origin}${TOKEN_PATH}`, 'PUT', {
      'X-Metadata-Token-Ttl-Seconds': String(TOKEN_TTL_SECONDS),
    });
    if (answer.status === 200 && answer.text.trim() !== '') return answer.text.trim();
    if ([404, 405, 503].includes(answer.status)) return undefined;
    throw new Error(`the metadata service answered ${answer.status} to a token request`);
  };
  return async () => {
    token ??= await newToken();
    const ask = () =>
      metadataCall(`${origin}${SECURITY_KEY_PATH}`, 'GET', token === undefined ? {} : { 'X-Metadata-Token': token });
    let answer = await ask();
    if (answer.status === 401 && !answer.text.includes(NO_AGENCY)) {
      token = await newToken();
      answer = await ask();
    }
    if (answer.text.includes(NO_AGENCY))
      throw new Error('the instance has no agency: attach one (ECS → Management Settings → Agency)');
    if (answer.status !== 200) throw new Error(`the metadata service answered ${answer.status} to securitykey`);
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      throw new Error('the metadata service answered securitykey with something that is not JSON');
    }
    const c = ((body as { credential?: unknown }).credential ?? {}) as Record<string, unknown>;
    const access = typeof c.access === 'string' ? c.access : '';
    const secret = typeof c.secret === 'string' ? c.secret : '';
    const securityToken = typeof c.securitytoken === 'string' ? c.securitytoken : '';
    const expiresAt = typeof c.expires_at === 'string' ? Date.parse(c.expires_at) : Number.NaN;
    if (!access || !secret || !securityToken || Number.isNaN(expiresAt))
      throw new Error('the securitykey answer lacks access, secret, securitytoken or expires_at');
    return { credentials: { accessKey: access, secretKey: secret, securityToken }, expiresAt };
  };
}

export interface HuaweiCredentialChain extends CredentialSource<HuaweiAkSk> {
  readonly picked: string | undefined;
}

/**
 * The configured sources as one source: the credentials file (read again on refresh, so rotated keys written to
 * it are picked up) and the metadata service's renewing temporary keys, tried in that order.
 */
export function huaweiCredentialChain(
  settings: HuaweiChainSettings,
  options: { now?: () => number } = {},
): HuaweiCredentialChain {
  const names = configuredHuaweiSources(settings);
  if (names.length === 0) throw new TypeError('no Huawei credential source is configured');
  const sources: Record<HuaweiSourceName, CredentialSource<HuaweiAkSk> | undefined> = {
    credentials_file: settings.credentialsFile
      ? (() => {
          const path = settings.credentialsFile.path;
          let cached: HuaweiAkSk | undefined;
          const read = async () => {
            const { projectId: _project, ...keys } = await readHuaweiCredentialsFile(path);
            cached = keys;
            return keys;
          };
          // Read once; read again when the gateway refuses the keys (whoever rotates them rewrites the file).
          return {
            name: 'credentials_file',
            refreshable: true,
            get: async () => cached ?? read(),
            refresh: read,
            held: () => secretsOf(cached),
          };
        })()
      : undefined,
    ecs_metadata: settings.metadata
      ? renewingCredentials(
          'ecs_metadata',
          metadataSecurityKey(settings.metadata.endpoint),
          options.now ? { now: options.now } : {},
        )
      : undefined,
  };
  let chosen: CredentialSource<HuaweiAkSk> | undefined;
  const walk = async (): Promise<HuaweiAkSk> => {
    const tried: { source: string; error: string }[] = [];
    for (const name of names) {
      const source = sources[name]!;
      try {
        const keys = await source.get();
        chosen = source;
        return keys;
      } catch (error) {
        tried.push({ source: name, error: error instanceof Error ? error.message : String(error) });
      }
    }
    throw new NoUsableCredentials(tried);
  };
  return {
    name: names.join(' → '),
    refreshable: true,
    get picked() {
      return chosen?.name;
    },
    held: () => chosen?.held() ?? [],
    get: () => (chosen ? chosen.get() : walk()),
    refresh: () => (chosen ? chosen.refresh() : walk()),
  };
}
