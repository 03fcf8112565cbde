// The ELB v3 HTTP front: REST routes under /v3/{project_id}/elb/, the API gateway's checks (AK/SK signature or
// X-Auth-Token, flow control, 12 MB bodies), faults, strict JSON bodies, and the response and error shapes.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BoundedMap } from '../common/bounded.js';
import type { SimClock } from '../common/clock.js';
import { header, headerMap, resetConnection, sendJson, sleep } from '../common/http.js';
import { ProviderSimulator, type CallRecord, type ProviderOptions } from '../common/provider.js';
import type { HuaweiWorld } from '../common/world.js';
import {
  Apigw0101,
  Apigw0201,
  Apigw0301,
  Apigw0302,
  Apigw0307,
  Apigw0308,
  Apigw0310,
  Elb8902,
  Elb8906,
  ElbError,
} from './errors.js';
import { ElbModel, type DeleteOption, type ListMembersQuery, type MemberOption } from './model.js';
import {
  canonicalRequest,
  parseAuthorization,
  parseSdkDate,
  sameSignature,
  sha256Hex,
  sign,
  stringToSign,
  UNSIGNED_PAYLOAD,
} from './signature.js';
import { IssuedKeys } from '../common/issued.js';
import { EcsSecurityKey } from './metadata.js';

export const ELB_ACTIONS = [
  'BatchCreateMembers',
  'BatchDeleteMembers',
  'ListMembers',
  'ShowMember',
  'ShowPool',
  'ShowLoadBalancer',
  'ListQuotaDetails',
] as const;
export type ElbAction = (typeof ELB_ACTIONS)[number];

/** X-Sdk-Date may be this far from the server's clock. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** How long an AK stays locked after too many failed signatures. */
export const AK_LOCK_MS = 5 * 60 * 1000;

interface Route {
  method: string;
  pattern: RegExp;
  action: ElbAction;
}

const SEG = '([^/]+)';
const ROUTES: Route[] = [
  {
    method: 'POST',
    pattern: new RegExp(`^/v3/${SEG}/elb/pools/${SEG}/members/batch-add$`),
    action: 'BatchCreateMembers',
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v3/${SEG}/elb/pools/${SEG}/members/batch-delete$`),
    action: 'BatchDeleteMembers',
  },
  { method: 'GET', pattern: new RegExp(`^/v3/${SEG}/elb/pools/${SEG}/members$`), action: 'ListMembers' },
  { method: 'GET', pattern: new RegExp(`^/v3/${SEG}/elb/pools/${SEG}/members/${SEG}$`), action: 'ShowMember' },
  { method: 'GET', pattern: new RegExp(`^/v3/${SEG}/elb/pools/${SEG}$`), action: 'ShowPool' },
  { method: 'GET', pattern: new RegExp(`^/v3/${SEG}/elb/loadbalancers/${SEG}$`), action: 'ShowLoadBalancer' },
  { method: 'GET', pattern: new RegExp(`^/v3/${SEG}/elb/quotas/details$`), action: 'ListQuotaDetails' },
];

const LIST_FILTERS = new Set([
  'id',
  'name',
  'weight',
  'subnet_cidr_id',
  'address',
  'protocol_port',
  'operating_status',
  'member_type',
  'instance_id',
  'availability_zone',
  'ip_version',
]);
const CREATE_FIELDS = new Set(['name', 'availability_zone', 'address', 'protocol_port', 'subnet_cidr_id', 'weight']);

type Call = CallRecord;

export type HuaweiOptions = ProviderOptions;

export class HuaweiSimulator extends ProviderSimulator<HuaweiWorld, ElbModel> {
  readonly provider = 'huawei' as const;
  #failures = new BoundedMap<string, { count: number; lockedUntil: number }>(10_000);
  /** Temporary AK/SK from the metadata stand-in. */
  readonly #issued: IssuedKeys;
  readonly #securityKey: EcsSecurityKey;

  constructor(world: HuaweiWorld, clock: SimClock, options: HuaweiOptions) {
    super(world, clock, options, {
      section: (w) => w.huawei,
      createModel: (w, c) => new ElbModel(w, c),
      timingKeys: ['initialMs'],
    });
    this.#issued = new IssuedKeys('HWTMP', this.wall);
    this.temporaryKeys = this.#issued;
    this.#securityKey = new EcsSecurityKey(() => this.world, this.#issued);
  }

  // ------------------------------------------------------------------ admin

  protected clearProviderState(): void {
    this.#failures.clear();
    this.#issued.clear();
    this.#securityKey.clear();
  }

  state(): unknown {
    return {
      credentials: this.world.credentials.map((c) => ({
        accessKey: c.accessKey,
        temporary: c.securityToken !== undefined,
        disabled: c.disabled,
        ...(c.projectIds ? { projectIds: c.projectIds } : {}),
      })),
      tokens: this.world.tokens.map((t) => ({
        name: t.name ?? '(unnamed)',
        projectId: t.projectId,
        ...(t.expiresAt ? { expiresAt: t.expiresAt } : {}),
      })),
      issuedKeys: this.#issued.summary(),
      ...(this.model.snapshot() as object),
    };
  }

  // ------------------------------------------------------------------ the API

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const at = new Date(this.wall()).toISOString();
    const call: Call = { action: 'Unknown', requestId: randomBytes(16).toString('hex'), faults: [], committed: false };
    let status = 200;
    let code: string | undefined;
    try {
      const answer = await this.#serve(req, res, call);
      if (answer === 'dropped') {
        status = 0;
        call.outcome = 'dropped';
      } else status = answer;
    } catch (error) {
      const e = error instanceof ElbError ? error : this.#internal(error, req);
      status = e.status;
      code = e.code;
      call.outcome = call.committed ? 'applied' : 'rejected';
      sendJson(
        res,
        e.status,
        { error_msg: e.message, error_code: e.code, request_id: call.requestId },
        { 'x-request-id': call.requestId, ...e.headers },
      );
    } finally {
      this.recordCall(req, call, started, at, status, code);
    }
  }

  #internal(error: unknown, req: IncomingMessage): ElbError {
    // A client that went away mid-request is not a simulator failure.
    if (!req.destroyed)
      process.stderr.write(`elb simulator: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return new Elb8906();
  }

  async #serve(req: IncomingMessage, res: ServerResponse, call: Call): Promise<number | 'dropped'> {
    const { body, path, query } = await this.readRequest(
      req,
      res,
      () => new Apigw0201(413, 'Request entity too large.'),
    );
    const method = req.method ?? '';
    if (EcsSecurityKey.handles(path)) {
      call.action = 'EcsSecurityKey';
      const answer = this.#securityKey.answer(method, path, header(req, 'x-metadata-token'));
      if (!res.headersSent)
        res
          .writeHead(answer.status, {
            'content-type': answer.contentType,
            'content-length': Buffer.byteLength(answer.body),
          })
          .end(answer.body);
      call.outcome = answer.status < 300 ? 'read' : 'rejected';
      return answer.status;
    }
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    for (const r of ROUTES) {
      if (r.method !== method) continue;
      match = r.pattern.exec(path);
      if (match) {
        route = r;
        break;
      }
    }
    if (!route || !match) throw new Apigw0101();
    call.action = route.action;
    let segments: string[];
    try {
      segments = match.slice(1).map((s) => decodeURIComponent(s));
    } catch {
      throw new Apigw0101();
    }
    const projectId = segments[0] as string;

    call.accessKeyId = this.#authenticate(req, method, path, query, body, projectId);
    if (!this.model.hasProject(projectId)) throw new Apigw0310();
    if (!this.limiter.take(route.action)) throw new Apigw0308(this.limiter.limit.requestsPerSecond);
    // The member APIs' ration, per project and API.
    const ration = this.rationed(projectId, route.action);
    if (ration?.refused) throw new Apigw0308(ration.limit.calls, ration.limit.perSeconds);

    const fault = this.faults.decide(route.action);
    call.faults = fault.fired;
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.terminal) {
      if (fault.terminal.effect === 'reset') {
        resetConnection(res);
        return 'dropped';
      }
      if (fault.terminal.effect === 'throttle') throw new Apigw0308(this.limiter.limit.requestsPerSecond);
      throw faultError(fault.terminal);
    }

    const poolId = segments[1] as string;
    let status = 200;
    let answer: Record<string, unknown>;
    switch (route.action) {
      case 'BatchCreateMembers': {
        const options = parseCreateBody(body);
        const result = this.model.batchCreateMembers(projectId, poolId, options, fault);
        call.committed = result.created > 0;
        call.outcome = call.committed ? 'applied' : 'replayed';
        status = 201;
        answer = { members: result.members };
        break;
      }
      case 'BatchDeleteMembers': {
        const items = parseDeleteBody(body);
        const result = this.model.batchDeleteMembers(projectId, poolId, items);
        call.committed = result.deleted > 0;
        call.outcome = call.committed ? 'applied' : 'replayed';
        answer = { members: result.members };
        break;
      }
      case 'ListMembers':
        answer = listAnswer(this.model.listMembers(projectId, poolId, parseListQuery(query)));
        break;
      case 'ShowMember':
        answer = { member: this.model.showMember(projectId, poolId, segments[2] as string) };
        break;
      case 'ShowPool':
        answer = { pool: this.model.showPool(projectId, poolId) };
        break;
      case 'ShowLoadBalancer':
        answer = { loadbalancer: this.model.showLoadBalancer(projectId, segments[1] as string) };
        break;
      case 'ListQuotaDetails':
        answer = {
          quotas: this.model.quotaDetails(
            projectId,
            query.filter(([k]) => k === 'quota_key').map(([, v]) => v),
          ),
        };
        break;
    }
    call.outcome ??= 'read';
    if (call.committed && fault.commitThenDrop) {
      if (fault.commitThenDrop.drop === 'reset') {
        resetConnection(res);
        return 'dropped';
      }
      throw faultError(fault.commitThenDrop);
    }
    sendJson(res, status, { request_id: call.requestId, ...answer }, { 'x-request-id': call.requestId });
    return status;
  }

  // ------------------------------------------------------------------ authentication (the API gateway)

  /** X-Auth-Token, or an SDK-HMAC-SHA256 signature; returns the AK or the token's name for the call log. */
  #authenticate(
    req: IncomingMessage,
    method: string,
    path: string,
    query: Array<[string, string]>,
    body: Buffer,
    projectId: string,
  ): string {
    const token = header(req, 'x-auth-token');
    if (token !== undefined) {
      const known = this.world.tokens.find((t) => t.token === token);
      if (!known) throw new Apigw0301('decrypt token fail');
      if (known.expiresAt !== undefined && Date.parse(known.expiresAt) <= this.wall()) throw new Apigw0307();
      if (known.projectId !== projectId) throw new Apigw0302();
      return `token:${known.name ?? known.projectId}`;
    }
    const authorization = header(req, 'authorization');
    if (authorization === undefined) throw new Apigw0301('no Authorization or X-Auth-Token header');
    const auth = parseAuthorization(authorization);
    if (!auth)
      throw new Apigw0301('the Authorization header is not SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…');
    const issued = this.#issued.find(auth.access);
    const credential = issued
      ? {
          accessKey: issued.id,
          secretKey: issued.secret,
          securityToken: issued.securityToken,
          disabled: false,
          projectIds: undefined,
        }
      : this.world.credentials.find((c) => c.accessKey === auth.access);
    if (!credential || credential.disabled) throw new Apigw0301(`Get secretKey failed, ak not exist: ${auth.access}`);
    const failures = this.#failures.get(credential.accessKey);
    const now = this.wall();
    if (failures && failures.lockedUntil > now) throw new Apigw0301('AK access failed to reach the limit,forbidden.');
    try {
      this.#verifySignature(req, method, path, query, body, credential.secretKey, auth);
      if ((credential.securityToken ?? '') !== (header(req, 'x-security-token') ?? ''))
        throw new Apigw0301('the security token does not match the AK.');
    } catch (error) {
      const limit = this.world.lockAfterFailures;
      // Consecutive failures; an expired lock starts the count over.
      const count = (failures && failures.lockedUntil === 0 ? failures.count : 0) + 1;
      this.#failures.set(credential.accessKey, {
        count,
        lockedUntil: limit > 0 && count >= limit ? now + AK_LOCK_MS : 0,
      });
      throw error;
    }
    this.#failures.delete(credential.accessKey);
    // A temporary key whose security token has run out: the gateway wants new keys, not a new signature.
    if (issued && this.#issued.expired(issued)) throw new Apigw0307();
    if (credential.projectIds && !credential.projectIds.includes(projectId)) throw new Apigw0302();
    return credential.accessKey;
  }

  #verifySignature(
    req: IncomingMessage,
    method: string,
    path: string,
    query: Array<[string, string]>,
    body: Buffer,
    secretKey: string,
    auth: { signedHeaders: string[]; signature: string },
  ): void {
    const headers = headerMap(req);
    const sdkDate = header(req, 'x-sdk-date');
    if (!sdkDate || !auth.signedHeaders.includes('x-sdk-date'))
      throw new Apigw0301('X-Sdk-Date must be sent and signed.');
    const at = parseSdkDate(sdkDate);
    if (at === undefined) throw new Apigw0301('X-Sdk-Date is not YYYYMMDDTHHMMSSZ.');
    if (Math.abs(this.wall() - at) > MAX_SKEW_MS)
      throw new Apigw0301('X-Sdk-Date is more than 15 minutes from the server time.');
    for (const name of auth.signedHeaders)
      if (!headers.has(name)) throw new Apigw0301(`verify aksk signature fail: signed header ${name} is missing.`);
    const unsigned = header(req, 'x-sdk-content-sha256') === UNSIGNED_PAYLOAD;
    let canonical: string;
    try {
      canonical = canonicalRequest({
        method,
        path,
        query,
        headers,
        signedHeaders: auth.signedHeaders,
        payloadHash: unsigned ? UNSIGNED_PAYLOAD : sha256Hex(body),
      });
    } catch {
      throw new Apigw0301('verify aksk signature fail: the path is not well encoded.');
    }
    if (!sameSignature(sign(secretKey, stringToSign(sdkDate, canonical)), auth.signature.toLowerCase()))
      throw new Apigw0301('verify aksk signature fail');
  }
}

// ------------------------------------------------------------------ bodies and queries

function faultError(f: { status?: number; code?: string; message?: string }): ElbError {
  if (f.status === undefined && f.code === undefined) return new Elb8906();
  const status = f.status ?? 500;
  return new ElbError(
    status,
    f.code ??
      (status === 500 ? 'ELB.8906' : status === 502 ? 'APIGW.0610' : status === 503 ? 'APIGW.0613' : 'ELB.8906'),
    f.message ?? 'Internal server error.',
  );
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new Elb8902("Invalid input for 'request body': the body is empty.");
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new Elb8902("Invalid input for 'request body': not JSON.");
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function membersArray(doc: unknown): unknown[] {
  if (!isObject(doc)) throw new Elb8902("Invalid input for 'request body': a JSON object is expected.");
  const extra = Object.keys(doc).filter((k) => k !== 'members');
  if (extra.length) throw Elb8902.unrecognized(extra);
  const members = doc.members;
  if (!Array.isArray(members)) throw Elb8902.invalid('members', 'a list of members is required.');
  if (members.length === 0) throw Elb8902.invalid('members', 'the list is empty.');
  if (members.length > 200) throw Elb8902.invalid('members', `at most 200 per call; got ${members.length}.`);
  return members;
}

/** batch-add: `{members: [{address, protocol_port, subnet_cidr_id?, weight?, name?, availability_zone?}]}`. */
export function parseCreateBody(body: Buffer): MemberOption[] {
  return membersArray(parseJson(body)).map((item, i) => {
    const at = `members[${i}]`;
    if (!isObject(item)) throw Elb8902.invalid(at, 'a JSON object is expected.');
    const extra = Object.keys(item).filter((k) => !CREATE_FIELDS.has(k));
    if (extra.length) throw Elb8902.unrecognized(extra);
    const { address, protocol_port: port, subnet_cidr_id: subnet, weight, name, availability_zone: az } = item;
    if (typeof address !== 'string' || address.length < 1 || address.length > 64)
      throw Elb8902.invalid(`${at}.address`, 'a string of 1-64 characters is required.');
    const o: MemberOption = { address };
    if (port !== undefined && port !== null) {
      if (!isInt(port)) throw Elb8902.invalid(`${at}.protocol_port`, 'an integer is expected.');
      o.protocolPort = port;
    }
    if (subnet !== undefined && subnet !== null) {
      if (typeof subnet !== 'string' || subnet.length < 1 || subnet.length > 36)
        throw Elb8902.invalid(`${at}.subnet_cidr_id`, 'a string of 1-36 characters is expected.');
      o.subnetCidrId = subnet;
    }
    if (weight !== undefined && weight !== null) {
      if (!isInt(weight) || weight < 0 || weight > 100)
        throw Elb8902.invalid(`${at}.weight`, 'an integer 0-100 is expected.');
      o.weight = weight;
    }
    if (name !== undefined && name !== null) {
      // ELB counts Unicode characters ("支持中文字符、英文字符等unicode字符，且长度为[0-255]个字符"): an emoji is one, not two UTF-16 units.
      if (typeof name !== 'string' || name.length > 510 || [...name].length > 255)
        throw Elb8902.invalid(`${at}.name`, 'a string of at most 255 characters is expected.');
      o.name = name;
    }
    if (az !== undefined && az !== null) {
      if (typeof az !== 'string' || az.length < 1)
        throw Elb8902.invalid(`${at}.availability_zone`, 'a non-empty string is expected.');
      o.availabilityZone = az;
    }
    return o;
  });
}

/** batch-delete: `{members: [{id} | {address, protocol_port}]}`, never both forms in one item. */
export function parseDeleteBody(body: Buffer): DeleteOption[] {
  return membersArray(parseJson(body)).map((item, i) => {
    const at = `members[${i}]`;
    if (!isObject(item)) throw Elb8902.invalid(at, 'a JSON object is expected.');
    const extra = Object.keys(item).filter((k) => k !== 'id' && k !== 'address' && k !== 'protocol_port');
    if (extra.length) throw Elb8902.unrecognized(extra);
    if (item.id !== undefined) {
      if (Object.keys(item).length !== 1) throw Elb8902.invalid(at, 'an item with id takes no other field.');
      if (typeof item.id !== 'string' || item.id.length === 0)
        throw Elb8902.invalid(`${at}.id`, 'a member id is expected.');
      return { id: item.id };
    }
    if (typeof item.address !== 'string' || item.address.length === 0)
      throw Elb8902.invalid(`${at}.address`, 'address and protocol_port (or id) are required.');
    if (!isInt(item.protocol_port) || item.protocol_port < 0 || item.protocol_port > 65535)
      throw Elb8902.invalid(`${at}.protocol_port`, 'an integer 0-65535 must come with address.');
    return { address: item.address, protocolPort: item.protocol_port };
  });
}

/** ListMembers' query: marker, limit 0–2000 (0 and absent mean 2000), page_reverse, repeated filters. */
export function parseListQuery(pairs: Array<[string, string]>): ListMembersQuery {
  const q: ListMembersQuery = { limit: 2000, pageReverse: false, filters: new Map() };
  let marker: string | undefined;
  for (const [key, value] of pairs) {
    if (key === 'marker') {
      if (value === '') throw Elb8902.invalid('marker', 'it cannot be blank.');
      marker = value;
    } else if (key === 'limit') {
      if (!/^\d{1,4}$/.test(value) || Number(value) > 2000)
        throw Elb8902.invalid('limit', 'an integer 0-2000 is expected.');
      q.limit = Number(value) === 0 ? 2000 : Number(value);
    } else if (key === 'page_reverse') {
      if (value !== 'true' && value !== 'false') throw Elb8902.invalid('page_reverse', 'true or false is expected.');
      q.pageReverse = value === 'true';
    } else if (key === 'admin_state_up') {
      if (value !== 'true' && value !== 'false') throw Elb8902.invalid('admin_state_up', 'true or false is expected.');
      q.adminStateUp = value === 'true';
    } else if (LIST_FILTERS.has(key)) q.filters.set(key, [...(q.filters.get(key) ?? []), value]);
    // Other query parameters (enterprise_project_id, …) are accepted and ignored.
  }
  if (marker !== undefined) q.marker = marker;
  return q;
}

function listAnswer(result: ReturnType<ElbModel['listMembers']>): Record<string, unknown> {
  return { page_info: result.pageInfo, members: result.members };
}
