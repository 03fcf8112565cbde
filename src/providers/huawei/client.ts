// The Huawei Cloud ELB v3 client (dedicated load balancers): members of a pool, signed SDK-HMAC-SHA256 or sent
// with an IAM token, one attempt per call. huawei-elb.md §1–§4.
import { inspect } from 'node:util';
import { MAX_SERVERS_PER_CALL } from '../../domain/index.js';
import { huaweiIdentity, type HuaweiGroupRef, type HuaweiServer } from './definition/index.js';
import { MAX_PAGES, mergeBatches, readBatches, type BatchRead } from '../batches.js';
import { invalidRequest, ProviderError, transportError, TRANSPORT_CODES } from '../errors.js';
import { fixedCredentials, isCredentialSource, withRenewal, type CredentialSource } from '../credentials.js';
import { observed, type CallObserver } from '../observe.js';
import { endpointOrigin, REGION_ID, Transport, type TransportTimeouts } from '../transport.js';
import type {
  CallOptions,
  ChangeOptions,
  ChangeResult,
  GroupQuota,
  GroupReadiness,
  ListServersOptions,
  ListServersResult,
  LoadBalancerProvider,
  RemovableOf,
  ServerChange,
} from '../types.js';
import { batchAddBody, batchDeleteBody, listMembersQuery, memberFilters } from './bodies.js';
import { str, type Json } from '../json.js';
import { huaweiError, huaweiSuccess } from './response.js';
import { canonicalQueryString, encodePath, signSdkHmacSha256, type HuaweiAkSk } from './signer.js';
import type { QueryPairs } from '../encoding.js';
import { defaultUserAgent } from '../user-agent.js';

const PROVIDER = 'huawei-elb' as const;
/** ListMembers' limit range is 0–2000 (default 2000). */
/** An ELB member as ListMembers returns it. */
export interface HuaweiMember {
  /** Its identity key (`huaweiIdentity.key`): `address:port` (IPv6 in brackets). */
  readonly key: string;
  /** Raw `operating_status`: INITIAL, ONLINE, OFFLINE, NO_MONITOR, UNKNOWN. */
  readonly status: string;
  /** The member id, which batch-delete by id and ShowMember take. */
  readonly memberId: string;
  readonly address: string;
  readonly protocolPort: number;
  readonly subnetCidrId?: string;
  readonly weight?: number;
  readonly name?: string;
}

export const ELB_MAX_PAGE_SIZE = 2000;
const PATH_ID = /^[A-Za-z0-9-]{1,64}$/;

/** AK/SK (SDK-HMAC-SHA256), or an IAM token sent as X-Auth-Token. */
export type HuaweiCredentials = HuaweiAkSk | { readonly authToken: string };

/**
 * The API gateway's answer to a token it will no longer take ("The token must be updated"): renewing credentials are
 * fetched again and the call signed once more.
 */
export const HUAWEI_RENEW_CODES: ReadonlySet<string> = new Set(['APIGW.0307']);

export interface HuaweiElbConfig {
  /** A fixed AK/SK (with a security token or not) or IAM token, or a source of temporary AK/SK that renews them. */
  readonly credentials: HuaweiCredentials | CredentialSource<HuaweiAkSk>;
  /** Overrides `https://elb.{region}.myhuaweicloud.com` for every region (LBFLOW_HUAWEI_ENDPOINT, e.g. a simulator). */
  readonly endpoint?: string | undefined;
  readonly timeouts?: TransportTimeouts | undefined;
  /** Told of every API call's outcome and duration (the worker's metrics). */
  readonly observe?: CallObserver | undefined;
  readonly connections?: number | undefined;
  /** `limit` per ListMembers page, 1–2000 (default 2000). */
  readonly pageSize?: number | undefined;
  /** The clock for X-Sdk-Date (default: the system clock). */
  readonly clock?: (() => Date) | undefined;
  readonly userAgent?: string | undefined;
}

export function huaweiEndpoint(region: string): string {
  return `https://elb.${region}.myhuaweicloud.com`;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => obj(x) !== undefined) : []);

interface Call {
  readonly action: string;
  readonly method: 'GET' | 'POST';
  readonly region: string;
  readonly projectId: string;
  /** Plain-text path segments after /v3/{project_id}/elb/. */
  readonly segments: readonly string[];
  readonly query?: QueryPairs;
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
}

export class HuaweiElbProvider implements LoadBalancerProvider<'huawei-elb'> {
  readonly provider = PROVIDER;
  readonly #credentials: CredentialSource<HuaweiCredentials>;
  readonly #describe: string;
  readonly #endpoint: string | undefined;
  readonly #observe: CallObserver | undefined;
  readonly #transport: Transport;
  readonly #pageSize: number;
  readonly #clock: () => Date;
  readonly #userAgent: string;

  constructor(config: HuaweiElbConfig) {
    const c = config.credentials;
    if (isCredentialSource(c)) {
      this.#credentials = c;
      this.#describe = `${c.name} credentials`;
    } else if ('authToken' in c) {
      if (!c.authToken) throw new TypeError('a Huawei IAM token must not be empty');
      this.#credentials = fixedCredentials('HuaweiToken', { authToken: c.authToken }, ['authToken']);
      this.#describe = 'IAM token';
    } else {
      if (!c.accessKey || !c.secretKey) throw new TypeError('Huawei AK/SK credentials need accessKey and secretKey');
      this.#credentials = fixedCredentials(
        'HuaweiAkSk',
        { accessKey: c.accessKey, secretKey: c.secretKey, securityToken: c.securityToken },
        ['secretKey', 'securityToken'],
      );
      this.#describe = `AK ${c.accessKey}`;
    }
    this.#endpoint = config.endpoint === undefined ? undefined : endpointOrigin(config.endpoint, 'The Huawei endpoint');
    const pageSize = config.pageSize ?? ELB_MAX_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > ELB_MAX_PAGE_SIZE)
      throw new RangeError(`pageSize must be an integer 1–${ELB_MAX_PAGE_SIZE}; got ${pageSize}`);
    this.#pageSize = pageSize;
    this.#transport = new Transport(PROVIDER, { timeouts: config.timeouts, connections: config.connections });
    this.#clock = config.clock ?? (() => new Date());
    this.#userAgent = config.userAgent ?? defaultUserAgent();
    this.#observe = config.observe;
  }

  #describeCredentials(): string {
    return this.#describe;
  }

  [inspect.custom](): string {
    return `HuaweiElbProvider { credentials: ${inspect(this.#describeCredentials())}, endpoint: ${inspect(this.#endpoint ?? 'per region')} }`;
  }

  toJSON(): Record<string, unknown> {
    return { provider: PROVIDER, credentials: this.#describeCredentials(), endpoint: this.#endpoint ?? 'per region' };
  }

  /** One attempt: a fresh X-Sdk-Date every time; the body bytes sent are the bytes hashed. */
  async #call(call: Call): Promise<{ body: Json; requestId: string }> {
    const { action } = call;
    if (!REGION_ID.test(call.region))
      throw invalidRequest(
        PROVIDER,
        action,
        `region must be a region id such as cn-north-4; got ${JSON.stringify(call.region)}`,
      );
    for (const segment of [call.projectId, ...call.segments]) {
      if (!PATH_ID.test(segment))
        throw invalidRequest(
          PROVIDER,
          action,
          `ids in the path must be 1–64 letters, digits and hyphens; got ${JSON.stringify(segment)}`,
        );
    }
    const origin = this.#endpoint ?? huaweiEndpoint(call.region);
    const path = `/v3/${call.projectId}/elb/${call.segments.join('/')}`;
    const query = call.query ?? [];
    const body = call.body === undefined ? '' : JSON.stringify(call.body);
    // The charset as the vendor's SDKs send it.
    const base: Record<string, string> = {
      'Content-Type': 'application/json;charset=utf-8',
      Host: new URL(origin).host,
      'X-Project-Id': call.projectId,
    };
    const qs = canonicalQueryString(query);
    const attempt = (creds: HuaweiCredentials) => {
      const headers =
        'authToken' in creds
          ? { ...base, 'X-Auth-Token': creds.authToken }
          : signSdkHmacSha256({ method: call.method, path, query, headers: base, body }, creds, this.#clock()).headers;
      headers['User-Agent'] = this.#userAgent;
      headers.Accept = 'application/json';
      return observed(this.#observe, PROVIDER, action, async () => {
        const res = await this.#transport.send(action, {
          origin,
          method: call.method,
          path: `${encodePath(path)}${qs === '' ? '' : `?${qs}`}`,
          headers,
          body: call.method === 'GET' ? undefined : body,
          signal: call.signal,
        });
        if (res.status < 200 || res.status >= 300) throw huaweiError(action, res, this.#clock().getTime());
        return huaweiSuccess(action, res);
      });
    };
    return withRenewal(PROVIDER, action, this.#credentials, HUAWEI_RENEW_CODES, attempt, call.signal);
  }

  async listServers(
    group: HuaweiGroupRef,
    options: ListServersOptions<'huawei-elb'> = {},
  ): Promise<ListServersResult<'huawei-elb'>> {
    const action = 'ListMembers';
    const wanted =
      options.servers === undefined ? undefined : new Set(options.servers.map((s) => huaweiIdentity.key(s)));
    const filters = memberFilters(options.servers);
    const pages = await readBatches(filters, async (filter) => {
      const found: BatchRead<HuaweiMember> = { members: [], requestIds: [] };
      let marker: string | undefined;
      for (let page = 0; ; page++) {
        if (page >= MAX_PAGES)
          throw transportError(PROVIDER, action, TRANSPORT_CODES.malformedResponse, `more than ${MAX_PAGES} pages`);
        const query = listMembersQuery(this.#pageSize, filter, marker);
        const { body, requestId } = await this.#call({
          action,
          method: 'GET',
          region: group.region,
          projectId: group.projectId,
          segments: ['pools', group.poolId, 'members'],
          query,
          signal: options.signal,
        });
        found.requestIds.push(requestId);
        const items = objects(body.members);
        for (const m of items) {
          const member = toMember(m);
          if (member && (!wanted || wanted.has(member.key))) found.members.push(member);
        }
        const next = str(obj(body.page_info)?.next_marker);
        if (next === undefined || next === '' || items.length === 0) break;
        if (next === marker)
          throw transportError(
            PROVIDER,
            action,
            TRANSPORT_CODES.malformedResponse,
            'next_marker did not advance',
            undefined,
            200,
            requestId,
          );
        marker = next;
      }
      return found;
    });
    return mergeBatches(pages);
  }

  /** The pool exists and its load balancer's provisioning_status is ACTIVE. */
  async groupReadiness(group: HuaweiGroupRef, options: CallOptions = {}): Promise<GroupReadiness> {
    const common = { method: 'GET' as const, region: group.region, projectId: group.projectId, signal: options.signal };
    const pool = await this.#call({ ...common, action: 'ShowPool', segments: ['pools', group.poolId] });
    const loadBalancerId = str(objects(obj(pool.body.pool)?.loadbalancers)[0]?.id);
    // A pool that names no load balancer has nothing to wait for.
    if (loadBalancerId === undefined || loadBalancerId === '')
      return { ready: true, status: 'NO_LOADBALANCER', requestIds: [pool.requestId] };
    const lb = await this.#call({ ...common, action: 'ShowLoadBalancer', segments: ['loadbalancers', loadBalancerId] });
    const loadBalancer = obj(lb.body.loadbalancer);
    if (this.#endpoint !== undefined)
      this.#checkRegion(group, loadBalancerId, loadBalancer, [pool.requestId, lb.requestId]);
    const status = str(loadBalancer?.provisioning_status) ?? '';
    return { ready: status === 'ACTIVE', status, loadBalancerId, requestIds: [pool.requestId, lb.requestId] };
  }

  /**
   * With one endpoint for every region (an override), nothing in an ELB request names its region: the path has
   * the project and pool, the signature has no region. The load balancer does: its availability zones are named
   * after their region (cn-north-4a). A pool whose load balancer lies in none of the request's region is refused
   * as not found there, before any change, as the region's own endpoint would have.
   */
  #checkRegion(
    group: HuaweiGroupRef,
    loadBalancerId: string,
    loadBalancer: Json | undefined,
    requestIds: string[],
  ): void {
    const zones = (
      Array.isArray(loadBalancer?.availability_zone_list) ? loadBalancer.availability_zone_list : []
    ).filter((z): z is string => typeof z === 'string');
    if (zones.length === 0 || zones.some((z) => z.startsWith(group.region))) return;
    throw new ProviderError({
      provider: PROVIDER,
      action: 'ShowLoadBalancer',
      httpStatus: 200,
      code: 'ELB.1002',
      providerMessage: `pool ${group.poolId} is not in region ${group.region}: its load balancer ${loadBalancerId} is in ${zones.join(', ')} (one endpoint serves every region here, so the region is checked against the load balancer's zones).`,
      requestId: requestIds[requestIds.length - 1] ?? '',
    });
  }

  async addServers(
    group: HuaweiGroupRef,
    servers: readonly HuaweiServer[],
    options: ChangeOptions,
  ): Promise<ChangeResult<'huawei-elb'>> {
    const action = 'BatchCreateMembers';
    checkCount(action, servers.length);
    const keys = servers.map((s) => huaweiIdentity.key(s));
    if (options.dryRun) return this.#dryRun(group, keys, options.signal);
    const { body, requestId } = await this.#call({
      action,
      method: 'POST',
      region: group.region,
      projectId: group.projectId,
      segments: ['pools', group.poolId, 'members', 'batch-add'],
      body: batchAddBody(servers),
      signal: options.signal,
    });
    const answered = objects(body.members);
    const byKey = new Map<string, Json>();
    for (const m of answered) {
      const address = str(m.address);
      const port = num(m.protocol_port);
      if (address !== undefined && port !== undefined)
        byKey.set(huaweiIdentity.key({ address, protocolPort: port }), m);
    }
    const changes = keys.map((key, i): ServerChange => {
      // By identity first; by position when a pool rewrote the port (port passthrough).
      const m = byKey.get(key) ?? (answered.length === keys.length ? answered[i] : undefined);
      const ret = str(m?.ret_status);
      const outcome = ret === 'successful' ? 'added' : ret === 'existed' ? 'existed' : 'unconfirmed';
      const memberId = str(m?.id);
      const status = str(m?.operating_status);
      return { key, outcome, ...(memberId ? { memberId } : {}), ...(status ? { status } : {}) };
    });
    return { provider: PROVIDER, dryRun: false, requestIds: [requestId], servers: changes };
  }

  async removeServers(
    group: HuaweiGroupRef,
    servers: readonly RemovableOf<'huawei-elb'>[],
    options: ChangeOptions,
  ): Promise<ChangeResult<'huawei-elb'>> {
    const action = 'BatchDeleteMembers';
    checkCount(action, servers.length);
    const keys = servers.map((s) => huaweiIdentity.key(s));
    if (options.dryRun) return this.#dryRun(group, keys, options.signal);
    const { body, requestId } = await this.#call({
      action,
      method: 'POST',
      region: group.region,
      projectId: group.projectId,
      segments: ['pools', group.poolId, 'members', 'batch-delete'],
      body: batchDeleteBody(servers),
      signal: options.signal,
    });
    const answered = objects(body.members);
    const changes = keys.map((key, i): ServerChange => {
      const m = answered.length === keys.length ? answered[i] : undefined;
      const ret = str(m?.ret_status);
      const outcome = ret === 'successful' ? 'removed' : ret === 'not found' ? 'not-found' : 'unconfirmed';
      const memberId = str(m?.id);
      return { key, outcome, ...(memberId ? { memberId } : {}) };
    });
    return { provider: PROVIDER, dryRun: false, requestIds: [requestId], servers: changes };
  }

  /** ListQuotaDetails for `members_per_pool` and `member` (quotas are per project; -1 is unlimited). huawei-elb.md §5. */
  async groupQuota(group: HuaweiGroupRef, options: CallOptions = {}): Promise<GroupQuota> {
    const query: QueryPairs = [
      ['quota_key', 'members_per_pool'],
      ['quota_key', 'member'],
    ];
    const { body, requestId } = await this.#call({
      action: 'ListQuotaDetails',
      method: 'GET',
      region: group.region,
      projectId: group.projectId,
      segments: ['quotas', 'details'],
      query,
      signal: options.signal,
    });
    const quotas = objects(body.quotas);
    const of = (key: string) => quotas.find((q) => q.quota_key === key);
    const limit = (q: Json | undefined) => {
      const n = num(q?.quota_limit);
      return n === undefined || n < 0 ? undefined : n;
    };
    const perGroup = limit(of('members_per_pool'));
    const member = of('member');
    const memberLimit = limit(member);
    const used = num(member?.used);
    const accountRoom = memberLimit === undefined || used === undefined ? undefined : Math.max(0, memberLimit - used);
    return {
      ...(perGroup === undefined ? {} : { perGroup }),
      ...(accountRoom === undefined ? {} : { accountRoom }),
      requestIds: [requestId],
    };
  }

  /** ELB has no DryRun: check the pool and its load balancer, send no change. */
  async #dryRun(
    group: HuaweiGroupRef,
    keys: string[],
    signal: AbortSignal | undefined,
  ): Promise<ChangeResult<'huawei-elb'>> {
    const readiness = await this.groupReadiness(group, { signal });
    return {
      provider: PROVIDER,
      dryRun: true,
      requestIds: readiness.requestIds,
      servers: keys.map((key) => ({ key, outcome: 'dry-run' })),
    };
  }

  async close(): Promise<void> {
    await this.#transport.close();
  }
}

function checkCount(action: string, count: number): void {
  if (count < 1 || count > MAX_SERVERS_PER_CALL)
    throw invalidRequest(PROVIDER, action, `one call takes 1 to ${MAX_SERVERS_PER_CALL} members; got ${count}`);
}

function toMember(m: Json): HuaweiMember | undefined {
  const memberId = str(m.id);
  const address = str(m.address);
  const protocolPort = num(m.protocol_port);
  if (memberId === undefined || address === undefined || protocolPort === undefined) return undefined;
  const subnetCidrId = str(m.subnet_cidr_id);
  const weight = num(m.weight);
  const name = str(m.name);
  return {
    key: huaweiIdentity.key({ address, protocolPort }),
    status: str(m.operating_status) ?? '',
    memberId,
    address,
    protocolPort,
    ...(subnetCidrId ? { subnetCidrId } : {}),
    ...(weight !== undefined ? { weight } : {}),
    ...(name ? { name } : {}),
  };
}
