// The Alibaba Cloud GWLB client (API 2024-04-15, RPC style): POST / with a form body, signed ACS3-HMAC-SHA256,
// one attempt per call. alibaba-gwlb.md §1–§5.
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { chunk, MAX_SERVERS_PER_CALL } from '../../domain/index.js';
import { alibabaIdentity, type AlibabaGroupRef, type AlibabaServer } from './definition/index.js';
import { MAX_PAGES, mergeBatches, readBatches, type BatchRead } from '../batches.js';
import { invalidRequest, isProviderError, ProviderError, transportError, TRANSPORT_CODES } from '../errors.js';
import { fixedCredentials, isCredentialSource, withRenewal, type CredentialSource } from '../credentials.js';
import { observed, type CallObserver } from '../observe.js';
import { endpointOrigin, REGION_ID, Transport, type TransportTimeouts } from '../transport.js';
import type {
  CallOptions,
  ChangeOptions,
  ChangeResult,
  GroupReadiness,
  ListServersOptions,
  ListServersResult,
  LoadBalancerProvider,
  RemovableOf,
} from '../types.js';
import { encodeForm, type FlatPairs } from './form.js';
import { changeParams, listServerGroupServersParams, listServerGroupsParams } from './params.js';
import { str, type Json } from '../json.js';
import { alibabaError, alibabaSuccess } from './response.js';
import { signAcs3, type AlibabaCredentials } from './signer.js';
import { defaultUserAgent } from '../user-agent.js';

const PROVIDER = 'alibaba-gwlb' as const;
/** A GWLB server as ListServerGroupServers returns it. */
export interface AlibabaMember {
  /** Its identity key (`alibabaIdentity.key`): `Type:id:port`. */
  readonly key: string;
  /** Raw `Status`: Adding, Available, Draining, Removing, Replacing. */
  readonly status: string;
  readonly serverId: string;
  readonly serverType: string;
  readonly port: number;
  readonly serverIp?: string;
}

export const GWLB_API_VERSION = '2024-04-15';
/** ListServerGroupServers' MaxResults range is 1–1000 (default 20, which is how TF reads only 20 servers). */
export const GWLB_MAX_PAGE_SIZE = 1000;
/** ServerIds / ServerIps filters take at most 200 values. */
export const GWLB_MAX_FILTER_VALUES = 200;
/** ClientToken: ASCII only, at most 64 characters (the generic Alibaba rule; TF truncates to 64). */
const CLIENT_TOKEN = /^[\x20-\x7e]{1,64}$/;

/** Codes that mean the keys' STS token is no longer good: renewing credentials are fetched again and the call signed once more. */
export const ALIBABA_RENEW_CODES: ReadonlySet<string> = new Set([
  'InvalidSecurityToken.Expired',
  'InvalidSecurityToken.Malformed',
]);

export interface AlibabaGwlbConfig {
  /** A fixed key pair (with an STS token or not), or a source of temporary keys that renews them. */
  readonly credentials: AlibabaCredentials | CredentialSource<AlibabaCredentials>;
  /** Overrides `https://gwlb.{region}.aliyuncs.com` for every region (LBFLOW_ALIBABA_ENDPOINT, e.g. a simulator). */
  readonly endpoint?: string | undefined;
  readonly timeouts?: TransportTimeouts | undefined;
  /** Told of every API call's outcome and duration (the worker's metrics). */
  readonly observe?: CallObserver | undefined;
  readonly connections?: number | undefined;
  /** MaxResults per ListServerGroupServers page, 1–1000 (default 1000). */
  readonly pageSize?: number | undefined;
  /** The clock for x-acs-date (default: the system clock). */
  readonly clock?: (() => Date) | undefined;
  /** x-acs-signature-nonce per attempt (default: 16 random bytes in hex). */
  readonly nonce?: (() => string) | undefined;
  readonly userAgent?: string | undefined;
}

/** The public endpoint of a region. */
export function alibabaEndpoint(region: string): string {
  return `https://gwlb.${region}.aliyuncs.com`;
}

export class AlibabaGwlbProvider implements LoadBalancerProvider<'alibaba-gwlb'> {
  readonly provider = PROVIDER;
  readonly #credentials: CredentialSource<AlibabaCredentials>;
  /** The fixed key's id, shown by inspect and toJSON; a renewing source shows its name instead. */
  readonly #describe: string;
  readonly #endpoint: string | undefined;
  readonly #observe: CallObserver | undefined;
  readonly #transport: Transport;
  readonly #pageSize: number;
  readonly #clock: () => Date;
  readonly #nonce: () => string;
  readonly #userAgent: string;

  constructor(config: AlibabaGwlbConfig) {
    const c = config.credentials;
    if (isCredentialSource(c)) {
      this.#credentials = c;
      this.#describe = `${c.name} credentials`;
    } else {
      if (!c.accessKeyId || !c.accessKeySecret)
        throw new TypeError('Alibaba credentials need accessKeyId and accessKeySecret');
      this.#credentials = fixedCredentials(
        'AlibabaCredentials',
        { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken },
        ['accessKeySecret', 'securityToken'],
      );
      this.#describe = c.accessKeyId;
    }
    this.#endpoint =
      config.endpoint === undefined ? undefined : endpointOrigin(config.endpoint, 'The Alibaba endpoint');
    const pageSize = config.pageSize ?? GWLB_MAX_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > GWLB_MAX_PAGE_SIZE)
      throw new RangeError(`pageSize must be an integer 1–${GWLB_MAX_PAGE_SIZE}; got ${pageSize}`);
    this.#pageSize = pageSize;
    this.#transport = new Transport(PROVIDER, { timeouts: config.timeouts, connections: config.connections });
    this.#clock = config.clock ?? (() => new Date());
    this.#nonce = config.nonce ?? (() => randomBytes(16).toString('hex'));
    this.#userAgent = config.userAgent ?? defaultUserAgent();
    this.#observe = config.observe;
  }

  [inspect.custom](): string {
    return `AlibabaGwlbProvider { accessKeyId: ${inspect(this.#describe)}, endpoint: ${inspect(this.#endpoint ?? 'per region')} }`;
  }

  toJSON(): Record<string, unknown> {
    return { provider: PROVIDER, accessKeyId: this.#describe, endpoint: this.#endpoint ?? 'per region' };
  }

  /** One signed attempt of one action; a fresh date and nonce every time. */
  async #call(
    action: string,
    region: string,
    params: FlatPairs,
    signal: AbortSignal | undefined,
  ): Promise<{ body: Json; requestId: string }> {
    if (!REGION_ID.test(region))
      throw invalidRequest(
        PROVIDER,
        action,
        `region must be a region id such as cn-hangzhou; got ${JSON.stringify(region)}`,
      );
    const origin = this.#endpoint ?? alibabaEndpoint(region);
    // GWLB takes its region from the endpoint's host; RegionId goes along as well (as terraform-provider-alicloud
    // sends it), so a request that reaches another region's endpoint, or one endpoint for all (an override), is
    // judged against the region it names instead of silently changing a same-named group elsewhere.
    const at = params.findIndex(([key]) => key > 'RegionId');
    const body = encodeForm(
      at === -1
        ? [...params, ['RegionId', region]]
        : [...params.slice(0, at), ['RegionId', region], ...params.slice(at)],
    );
    const attempt = (credentials: AlibabaCredentials) => {
      const signed = signAcs3(
        {
          method: 'POST',
          host: new URL(origin).host,
          path: '/',
          query: [],
          headers: {
            'x-acs-action': action,
            'x-acs-version': GWLB_API_VERSION,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
            'user-agent': this.#userAgent,
            // What the vendor's SDKs send: the name of the credential provider the keys came from.
            'x-acs-credentials-provider':
              credentials.providerName ?? (credentials.securityToken ? 'static_sts' : 'static_ak'),
          },
          body,
        },
        credentials,
        this.#clock(),
        this.#nonce(),
      );
      return observed(this.#observe, PROVIDER, action, async () => {
        const res = await this.#transport.send(action, {
          origin,
          method: 'POST',
          path: '/',
          headers: signed.headers,
          body,
          signal,
        });
        if (res.status < 200 || res.status >= 300) throw alibabaError(action, res);
        return alibabaSuccess(action, res);
      });
    };
    return withRenewal(PROVIDER, action, this.#credentials, ALIBABA_RENEW_CODES, attempt, signal);
  }

  async listServers(
    group: AlibabaGroupRef,
    options: ListServersOptions<'alibaba-gwlb'> = {},
  ): Promise<ListServersResult<'alibaba-gwlb'>> {
    const action = 'ListServerGroupServers';
    const wanted =
      options.servers === undefined ? undefined : new Set(options.servers.map((s) => alibabaIdentity.key(s)));
    const idBatches =
      options.servers === undefined
        ? [undefined]
        : chunk([...new Set(options.servers.map((s) => s.serverId))], GWLB_MAX_FILTER_VALUES);
    const pages = await readBatches(idBatches, async (ids) => {
      const found: BatchRead<AlibabaMember> = { members: [], requestIds: [] };
      let token = '';
      for (let page = 0; ; page++) {
        if (page >= MAX_PAGES)
          throw transportError(PROVIDER, action, TRANSPORT_CODES.malformedResponse, `more than ${MAX_PAGES} pages`);
        const params = listServerGroupServersParams(group.serverGroupId, this.#pageSize, token, ids);
        const { body, requestId } = await this.#call(action, group.region, params, options.signal);
        found.requestIds.push(requestId);
        for (const s of Array.isArray(body.Servers) ? (body.Servers as Json[]) : []) {
          const member = toMember(s);
          if (member && (!wanted || wanted.has(member.key))) found.members.push(member);
        }
        const next = str(body.NextToken) ?? '';
        if (next === '') break;
        if (next === token)
          throw transportError(
            PROVIDER,
            action,
            TRANSPORT_CODES.malformedResponse,
            'NextToken did not advance',
            undefined,
            200,
            requestId,
          );
        token = next;
      }
      return found;
    });
    return mergeBatches(pages);
  }

  async groupReadiness(group: AlibabaGroupRef, options: CallOptions = {}): Promise<GroupReadiness> {
    const action = 'ListServerGroups';
    const { body, requestId } = await this.#call(
      action,
      group.region,
      listServerGroupsParams(group.serverGroupId),
      options.signal,
    );
    const found = (Array.isArray(body.ServerGroups) ? (body.ServerGroups as Json[]) : []).find(
      (g) => g.ServerGroupId === group.serverGroupId,
    );
    if (!found) {
      // The list answers an unknown id with no entry, not an error: say what Add would have said.
      throw new ProviderError({
        provider: PROVIDER,
        action,
        httpStatus: 200,
        code: 'ResourceNotFound.ServerGroup',
        providerMessage: `ListServerGroups found no server group ${group.serverGroupId} in ${group.region}.`,
        requestId,
      });
    }
    const status = str(found.ServerGroupStatus) ?? '';
    return { ready: status === 'Available', status, requestIds: [requestId] };
  }

  async addServers(
    group: AlibabaGroupRef,
    servers: readonly AlibabaServer[],
    options: ChangeOptions,
  ): Promise<ChangeResult<'alibaba-gwlb'>> {
    return this.#change('AddServersToServerGroup', group, servers, options);
  }

  async removeServers(
    group: AlibabaGroupRef,
    servers: readonly RemovableOf<'alibaba-gwlb'>[],
    options: ChangeOptions,
  ): Promise<ChangeResult<'alibaba-gwlb'>> {
    return this.#change('RemoveServersFromServerGroup', group, servers, options);
  }

  async #change(
    action: string,
    group: AlibabaGroupRef,
    servers: readonly RemovableOf<'alibaba-gwlb'>[],
    options: ChangeOptions,
  ): Promise<ChangeResult<'alibaba-gwlb'>> {
    if (servers.length < 1 || servers.length > MAX_SERVERS_PER_CALL) {
      throw invalidRequest(
        PROVIDER,
        action,
        `one call takes 1 to ${MAX_SERVERS_PER_CALL} servers; got ${servers.length}`,
      );
    }
    const dryRun = options.dryRun ?? false;
    if (!CLIENT_TOKEN.test(options.idempotencyKey)) {
      throw invalidRequest(
        PROVIDER,
        action,
        `the idempotency key (ClientToken) must be 1 to 64 printable ASCII characters; got ${options.idempotencyKey.length} characters`,
      );
    }
    // A dry run carries no ClientToken, so the real call with the same key can never be answered from it.
    const params = changeParams(group.serverGroupId, servers, dryRun ? undefined : options.idempotencyKey, dryRun);
    const keys = servers.map((s) => alibabaIdentity.key(s));
    try {
      const { requestId } = await this.#call(action, group.region, params, options.signal);
      // A 2xx to a dry run means the service ignored DryRun and applied the change: report it as applied.
      return {
        provider: PROVIDER,
        dryRun: false,
        requestIds: [requestId],
        servers: keys.map((key) => ({ key, outcome: 'accepted' })),
      };
    } catch (error) {
      if (dryRun && isProviderError(error) && error.disposition === 'dry-run-passed') {
        return {
          provider: PROVIDER,
          dryRun: true,
          requestIds: error.requestId ? [error.requestId] : [],
          servers: keys.map((key) => ({ key, outcome: 'dry-run' })),
        };
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#transport.close();
  }
}

function toMember(s: Json): AlibabaMember | undefined {
  const serverId = str(s.ServerId);
  const serverType = str(s.ServerType);
  if (serverId === undefined || serverType === undefined) return undefined;
  const port = typeof s.Port === 'number' ? s.Port : Number(s.Port ?? 6081);
  const serverIp = str(s.ServerIp);
  const member: AlibabaMember = {
    key: alibabaIdentity.key({ serverType, serverId, port }),
    status: str(s.Status) ?? '',
    serverId,
    serverType,
    port,
    ...(serverIp ? { serverIp } : {}),
  };
  return member;
}
