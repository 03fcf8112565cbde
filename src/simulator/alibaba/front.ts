// The GWLB HTTP front: RPC-style `POST /` (or GET for List*), V3 and V2 signatures, gateway checks, rate
// limit, faults, ClientToken idempotency, parameter parsing, and the response and error shapes.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NonceCache, BoundedMap } from '../common/bounded.js';
import type { SimClock } from '../common/clock.js';
import type { FaultDecision } from '../common/faults.js';
import { header, headerMap, parsePairs, resetConnection, sendJson, sleep } from '../common/http.js';
import { ProviderSimulator, type CallRecord, type ProviderOptions } from '../common/provider.js';
import type { AlibabaWorld } from '../common/world.js';
import {
  GwlbError,
  InternalError,
  InvalidAccessKeyIdInactive,
  InvalidAccessKeyIdNotFound,
  InvalidApiNotFound,
  InvalidParameter,
  InvalidParameterFormat,
  InvalidSecurityTokenExpired,
  InvalidSecurityTokenMismatch,
  InvalidSignatureMethod,
  InvalidTimeStampExpired,
  InvalidTimeStampFormat,
  IdempotenceSignatureMismatch,
  MissingParameter,
  RequestEntityTooLarge,
  ServiceUnavailable,
  SignatureDoesNotMatch,
  SignatureNonceUsed,
  SystemBusy,
  ThrottlingUser,
  UnsupportedHTTPMethod,
} from './errors.js';
import { GwlbModel, type ServerSpec, type ServerType } from './model.js';
import { IssuedKeys } from '../common/issued.js';
import { EcsMetadata, STS_ACTIONS, STS_VERSION, stsAnswer } from './identity.js';
import {
  ACS3_ALGORITHM,
  canonicalRequestV3,
  parseAcsDate,
  parseAuthorizationV3,
  sameSignature,
  sha256Hex,
  signV2,
  signV3,
  stringToSignV2,
  stringToSignV3,
} from './signature.js';

export const GWLB_VERSION = '2024-04-15';
export const GWLB_ACTIONS = [
  'AddServersToServerGroup',
  'RemoveServersFromServerGroup',
  'ListServerGroups',
  'ListServerGroupServers',
] as const;
export type GwlbAction = (typeof GWLB_ACTIONS)[number];
const CHANGE_ACTIONS = new Set<string>(['AddServersToServerGroup', 'RemoveServersFromServerGroup']);
const SERVER_TYPES = new Set<string>(['Ecs', 'Eni', 'Eci', 'Ip']);

/** Allowed skew between the request's date and the server's wall clock. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** Parameters of the protocol, not of the action: left out of the ClientToken fingerprint. */
const PROTOCOL_PARAMS = new Set([
  'Action',
  'Version',
  'Format',
  'Timestamp',
  'SignatureNonce',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureType',
  'AccessKeyId',
  'Signature',
  'SecurityToken',
  'ClientToken',
  // where the call goes, not what it changes: the vendor's SDK leaves it out (the region is in the endpoint) and
  // lbflow sends it, so one add sent by each under one token is one add (the group id pins the region anyway)
  'RegionId',
]);

interface StoredAnswer {
  fingerprint: string;
  body: Record<string, unknown>;
  at: number;
}

type Call = CallRecord;

type Params = Map<string, string>;

export type AlibabaOptions = ProviderOptions;

export class AlibabaSimulator extends ProviderSimulator<AlibabaWorld, GwlbModel> {
  readonly provider = 'alibaba' as const;
  #nonces: NonceCache;
  #tokens = new BoundedMap<string, StoredAnswer>(100_000);
  /** Temporary keys from the metadata and STS stand-ins. */
  readonly #issued: IssuedKeys;
  readonly #metadata: EcsMetadata;

  constructor(world: AlibabaWorld, clock: SimClock, options: AlibabaOptions) {
    super(world, clock, options, {
      section: (w) => w.alibaba,
      createModel: (w, c) => new GwlbModel(w, c),
      timingKeys: ['configuringMs', 'addingMs', 'removingMs'],
    });
    // Dates may be 15 minutes off either way, so a nonce must be remembered for 30 minutes.
    this.#nonces = new NonceCache(2 * MAX_SKEW_MS, 200_000, this.wall);
    this.#issued = new IssuedKeys('STS.', this.wall);
    this.temporaryKeys = this.#issued;
    this.#metadata = new EcsMetadata(() => this.world, this.#issued);
  }

  // ------------------------------------------------------------------ admin

  protected clearProviderState(): void {
    this.#nonces.clear();
    this.#tokens.clear();
    this.#issued?.clear();
    this.#metadata?.clear();
  }

  state(): unknown {
    return {
      credentials: this.world.credentials.map((c) => ({
        accessKeyId: c.accessKeyId,
        sts: c.securityToken !== undefined,
        disabled: c.disabled,
        ...(c.expiresAt ? { expiresAt: c.expiresAt } : {}),
      })),
      issuedKeys: this.#issued.summary(),
      idempotency: { tokens: this.#tokens.size, windowMs: this.world.idempotencyWindowMs },
      ...(this.model.snapshot() as object),
    };
  }

  // ------------------------------------------------------------------ the API

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const at = new Date(this.wall()).toISOString();
    const call: Call = { action: 'Unknown', requestId: randomUUID().toUpperCase(), faults: [], committed: false };
    let status = 200;
    let code: string | undefined;
    try {
      const answer = await this.#serve(req, res, call);
      if (answer === 'dropped') {
        status = 0;
        call.outcome = 'dropped';
      } else {
        status = answer.status;
        code = answer.code;
        call.outcome ??= answer.status < 300 ? 'read' : 'rejected';
      }
    } catch (error) {
      const e = error instanceof GwlbError ? error : this.#internal(error, req);
      status = e.status;
      code = e.code;
      call.outcome = e.code === 'DryRunOperation' ? 'dryRun' : call.committed ? 'applied' : 'rejected';
      this.#sendError(req, res, e, call.requestId);
    } finally {
      this.recordCall(req, call, started, at, status, code);
    }
  }

  #internal(error: unknown, req: IncomingMessage): GwlbError {
    // A client that went away mid-request is not a simulator failure.
    if (!req.destroyed)
      process.stderr.write(`gwlb simulator: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return new InternalError();
  }

  #sendError(req: IncomingMessage, res: ServerResponse, e: GwlbError, requestId: string): void {
    const host = header(req, 'host') ?? 'gwlb.aliyuncs.com';
    sendJson(
      res,
      e.status,
      {
        RequestId: requestId,
        HostId: host,
        Code: e.code,
        Message: e.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(e.code)}&product=Gwlb&requestId=${requestId}`,
      },
      { 'x-acs-request-id': requestId, ...e.headers },
    );
  }

  async #serve(
    req: IncomingMessage,
    res: ServerResponse,
    call: Call,
  ): Promise<{ status: number; code?: string } | 'dropped'> {
    const { body, path, query } = await this.readRequest(req, res, (limit) => new RequestEntityTooLarge(limit));
    if (EcsMetadata.handles(path)) {
      call.action = 'EcsMetadata';
      const answer = this.#metadata.answer(req.method ?? '', path, header(req, 'x-aliyun-ecs-metadata-token'));
      if (!res.headersSent)
        res
          .writeHead(answer.status, {
            'content-type': answer.contentType,
            'content-length': Buffer.byteLength(answer.body),
          })
          .end(answer.body);
      call.outcome = answer.status < 300 ? 'read' : 'rejected';
      return { status: answer.status };
    }
    if (path !== '/') throw new InvalidApiNotFound();

    const contentType = (header(req, 'content-type') ?? '').toLowerCase();
    let form: Array<[string, string]> = [];
    if (body.length > 0) {
      if (contentType !== '' && !contentType.startsWith('application/x-www-form-urlencoded')) {
        throw new InvalidParameterFormat(`The body must be application/x-www-form-urlencoded, not ${contentType}.`);
      }
      form = parsePairs(body.toString('utf8'));
    }
    const params: Params = new Map(query);
    for (const [k, v] of form) params.set(k, v);

    const authorization = header(req, 'authorization');
    const v3 = authorization !== undefined;
    const action = (v3 ? header(req, 'x-acs-action') : (params.get('Action') ?? header(req, 'x-acs-action'))) ?? '';
    const version = (v3 ? header(req, 'x-acs-version') : (params.get('Version') ?? header(req, 'x-acs-version'))) ?? '';
    if (!action) throw new MissingParameter('Action');
    if (!version) throw new MissingParameter('Version');
    if (version === STS_VERSION && (STS_ACTIONS as readonly string[]).includes(action)) {
      call.action = action;
      // AssumeRole is signed (RPC HMAC-SHA1) by the key that assumes the role; AssumeRoleWithOIDC carries its proof.
      if (action === 'AssumeRole') call.accessKeyId = this.#verifyV2(req.method ?? '', [...query, ...form]);
      this.#ok(
        res,
        call.requestId,
        stsAnswer(this.world, this.#issued, action as (typeof STS_ACTIONS)[number], params, call.accessKeyId),
      );
      call.outcome = 'read';
      return { status: 200 };
    }
    if (!(GWLB_ACTIONS as readonly string[]).includes(action) || version !== GWLB_VERSION)
      throw new InvalidApiNotFound();
    call.action = action;
    const method = req.method ?? '';
    if (method !== 'POST' && !(method === 'GET' && action.startsWith('List'))) throw new UnsupportedHTTPMethod(method);

    call.accessKeyId = v3
      ? this.#verifyV3(req, authorization, path, query, body)
      : this.#verifyV2(method, [...query, ...form]);

    if (!this.limiter.take(call.accessKeyId)) throw new ThrottlingUser();
    const regionId = regionOf(header(req, 'host'), params.get('RegionId'));
    // The API's ration, per region, API and account (ParentUid), as GWLB's quota page counts it.
    if (this.rationed(`${this.#accountOf(call.accessKeyId)}|${regionId ?? ''}`, action)?.refused)
      throw new ThrottlingUser();

    const fault = this.faults.decide(action);
    call.faults = fault.fired;
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.terminal) {
      if (fault.terminal.effect === 'reset') {
        resetConnection(res);
        return 'dropped';
      }
      throw faultError(fault.terminal.effect, fault.terminal);
    }

    if (CHANGE_ACTIONS.has(action)) return this.#change(action as GwlbAction, params, regionId, res, call, fault);
    const listed =
      action === 'ListServerGroups'
        ? this.#listServerGroups(params, regionId)
        : this.#listServerGroupServers(params, regionId);
    this.#ok(res, call.requestId, listed);
    call.outcome = 'read';
    return { status: 200 };
  }

  /** The account a key belongs to: its credential's, else the world's one account (STS and metadata keys too). */
  #accountOf(accessKeyId: string): string {
    return this.world.credentials.find((c) => c.accessKeyId === accessKeyId)?.account ?? 'account';
  }

  #ok(res: ServerResponse, requestId: string, body: Record<string, unknown>): void {
    sendJson(res, 200, { RequestId: requestId, ...body }, { 'x-acs-request-id': requestId });
  }

  // ------------------------------------------------------------------ changes and idempotency

  #change(
    action: GwlbAction,
    params: Params,
    regionId: string | undefined,
    res: ServerResponse,
    call: Call,
    fault: FaultDecision,
  ): { status: number } | 'dropped' {
    const groupId = required(params, 'ServerGroupId');
    const servers = parseServers(params);
    const dryRun = bool(params, 'DryRun') ?? false;
    const token = params.get('ClientToken');
    if (token !== undefined && token !== '') {
      if (token.length > 64 || !/^[\x20-\x7e]+$/.test(token))
        throw new InvalidParameter('ClientToken', 'A ClientToken is at most 64 ASCII characters.');
      call.clientToken = token;
    }
    const now = this.clock.now();
    let fingerprint = '';
    if (call.clientToken !== undefined && !dryRun) {
      fingerprint = fingerprintOf(action, params);
      const stored = this.#tokens.get(call.clientToken);
      if (stored && now - stored.at <= this.world.idempotencyWindowMs) {
        if (stored.fingerprint !== fingerprint) throw new IdempotenceSignatureMismatch();
        // The original answer, original RequestId included; nothing changes. The call log shows the id the client got.
        call.outcome = 'replayed';
        call.requestId = String(stored.body.RequestId);
        sendJson(res, 200, stored.body, { 'x-acs-request-id': String(stored.body.RequestId) });
        return { status: 200 };
      }
    }
    const options = {
      dryRun,
      settleFactor: fault.settleFactor,
      settleExtraMs: fault.settleExtraMs,
      neverAvailable: fault.neverAvailable,
    };
    if (action === 'AddServersToServerGroup') this.model.addServers(regionId, groupId, servers, options);
    else this.model.removeServers(regionId, groupId, servers, options);
    call.committed = true;
    call.outcome = 'applied';
    const answer = { RequestId: call.requestId };
    if (call.clientToken !== undefined) this.#tokens.set(call.clientToken, { fingerprint, body: answer, at: now });
    if (fault.commitThenDrop) {
      if (fault.commitThenDrop.drop === 'reset') {
        resetConnection(res);
        return 'dropped';
      }
      throw faultError('error', fault.commitThenDrop);
    }
    this.#ok(res, call.requestId, {});
    return { status: 200 };
  }

  // ------------------------------------------------------------------ lists

  #listServerGroups(params: Params, regionId: string | undefined): Record<string, unknown> {
    const query: Parameters<GwlbModel['listServerGroups']>[0] = { maxResults: maxResults(params) };
    if (regionId !== undefined) query.regionId = regionId;
    const ids = flatList(params, 'ServerGroupIds', 20);
    if (ids.length) query.serverGroupIds = ids;
    const names = flatList(params, 'ServerGroupNames', 20);
    if (names.length) query.serverGroupNames = names;
    const type = params.get('ServerGroupType');
    if (type !== undefined) {
      if (type !== 'Instance' && type !== 'Ip')
        throw new InvalidParameter('ServerGroupType', 'Valid values: Instance, Ip.');
      query.serverGroupType = type;
    }
    const vpcId = params.get('VpcId');
    if (vpcId) query.vpcId = vpcId;
    const rg = params.get('ResourceGroupId');
    if (rg) query.resourceGroupId = rg;
    const tags = flatObjects(params, 'Tag', 20);
    if (tags.length) {
      query.tags = tags.map((t, i) => {
        if (!t.Key) throw new MissingParameter(`Tag.${i + 1}.Key`);
        return t.Value === undefined ? { key: t.Key } : { key: t.Key, value: t.Value };
      });
    }
    pageParams(params, query);
    const page = this.model.listServerGroups(query);
    return {
      MaxResults: page.maxResults,
      NextToken: page.nextToken,
      TotalCount: page.totalCount,
      ServerGroups: page.items,
    };
  }

  #listServerGroupServers(params: Params, regionId: string | undefined): Record<string, unknown> {
    const query: Parameters<GwlbModel['listServerGroupServers']>[0] = { maxResults: maxResults(params) };
    if (regionId !== undefined) query.regionId = regionId;
    const groupId = params.get('ServerGroupId');
    if (groupId) query.serverGroupId = groupId;
    const ids = flatList(params, 'ServerIds', 200);
    if (ids.length) query.serverIds = ids;
    const ips = flatList(params, 'ServerIps', 200);
    if (ips.length) query.serverIps = ips;
    pageParams(params, query);
    const page = this.model.listServerGroupServers(query);
    return { MaxResults: page.maxResults, NextToken: page.nextToken, TotalCount: page.totalCount, Servers: page.items };
  }

  // ------------------------------------------------------------------ signatures

  #credential(accessKeyId: string): AlibabaWorld['credentials'][number] {
    const issued = this.#issued.find(accessKeyId);
    if (issued) {
      return {
        accessKeyId: issued.id,
        accessKeySecret: issued.secret,
        securityToken: issued.securityToken,
        disabled: false,
        expiresAt: new Date(issued.expiresAt).toISOString(),
      };
    }
    const credential = this.world.credentials.find((c) => c.accessKeyId === accessKeyId);
    if (!credential) throw new InvalidAccessKeyIdNotFound();
    if (credential.disabled) throw new InvalidAccessKeyIdInactive();
    return credential;
  }

  #checkDate(text: string | undefined): void {
    if (!text) throw new InvalidTimeStampFormat();
    const at = parseAcsDate(text);
    if (at === undefined) throw new InvalidTimeStampFormat();
    if (Math.abs(this.wall() - at) > MAX_SKEW_MS) throw new InvalidTimeStampExpired();
  }

  #checkToken(credential: AlibabaWorld['credentials'][number], token: string | undefined): void {
    if ((credential.securityToken ?? '') !== (token ?? '')) throw new InvalidSecurityTokenMismatch();
    if (credential.expiresAt !== undefined && Date.parse(credential.expiresAt) <= this.wall())
      throw new InvalidSecurityTokenExpired();
  }

  #useNonce(nonce: string): void {
    if (!this.#nonces.use(nonce)) throw new SignatureNonceUsed();
  }

  /** ACS3-HMAC-SHA256 over the bytes received; returns the AccessKeyId. */
  #verifyV3(
    req: IncomingMessage,
    authorization: string,
    path: string,
    query: Array<[string, string]>,
    body: Buffer,
  ): string {
    const auth = parseAuthorizationV3(authorization);
    if (!auth) throw new SignatureDoesNotMatch('The Authorization header is malformed.');
    if (auth.algorithm !== ACS3_ALGORITHM) throw new InvalidSignatureMethod();
    const headers = headerMap(req);
    const nonce = header(req, 'x-acs-signature-nonce');
    this.#checkDate(header(req, 'x-acs-date'));
    if (!nonce) throw new MissingParameter('SignatureNonce');
    const credential = this.#credential(auth.accessKeyId);
    for (const name of ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce']) {
      if (!auth.signedHeaders.includes(name)) throw new SignatureDoesNotMatch(`The header ${name} must be signed.`);
    }
    for (const name of auth.signedHeaders)
      if (!headers.has(name)) throw new SignatureDoesNotMatch(`The signed header ${name} is missing.`);
    const payloadHash = sha256Hex(body);
    const declared = header(req, 'x-acs-content-sha256');
    if (declared !== undefined && declared !== payloadHash)
      throw new SignatureDoesNotMatch('x-acs-content-sha256 is not the SHA-256 of the body received.');
    const canonical = canonicalRequestV3({
      method: req.method ?? '',
      path,
      query,
      headers,
      signedHeaders: auth.signedHeaders,
      payloadHash,
    });
    const stringToSign = stringToSignV3(canonical);
    if (!sameSignature(signV3(credential.accessKeySecret, stringToSign), auth.signature.toLowerCase())) {
      throw new SignatureDoesNotMatch(`server string to sign is:${stringToSign}`);
    }
    this.#checkToken(credential, header(req, 'x-acs-security-token'));
    this.#useNonce(nonce);
    return credential.accessKeyId;
  }

  /** RPC HMAC-SHA1 over every parameter, query and body; returns the AccessKeyId. */
  #verifyV2(method: string, pairs: Array<[string, string]>): string {
    const one = (name: string) => pairs.find(([k]) => k === name)?.[1];
    const accessKeyId = one('AccessKeyId');
    const signature = one('Signature');
    if (!accessKeyId) throw new MissingParameter('AccessKeyId');
    if (!signature) throw new MissingParameter('Signature');
    if ((one('SignatureMethod') ?? '') !== 'HMAC-SHA1') throw new InvalidSignatureMethod();
    if ((one('SignatureVersion') ?? '') !== '1.0') throw new InvalidParameter('SignatureVersion', 'Valid value: 1.0.');
    this.#checkDate(one('Timestamp'));
    const nonce = one('SignatureNonce');
    if (!nonce) throw new MissingParameter('SignatureNonce');
    const credential = this.#credential(accessKeyId);
    const stringToSign = stringToSignV2(
      method,
      pairs.filter(([k]) => k !== 'Signature'),
    );
    if (!sameSignature(signV2(credential.accessKeySecret, stringToSign), signature)) {
      throw new SignatureDoesNotMatch(`server string to sign is:${stringToSign}`);
    }
    this.#checkToken(credential, one('SecurityToken'));
    this.#useNonce(nonce);
    return credential.accessKeyId;
  }
}

// ------------------------------------------------------------------ parameter parsing (gateway checks)

function faultError(effect: 'error' | 'throttle', f: { status?: number; code?: string; message?: string }): GwlbError {
  if (effect === 'throttle') return new ThrottlingUser();
  if (f.code !== undefined || f.status !== undefined) {
    const status = f.status ?? 503;
    if (f.code === undefined && status === 400) return new SystemBusy();
    if (f.code === undefined && status === 500) return new InternalError();
    return new GwlbError(
      status,
      f.code ?? 'ServiceUnavailable',
      f.message ?? 'The request has failed due to a temporary failure of the server.',
    );
  }
  return new ServiceUnavailable();
}

function regionOf(host: string | undefined, regionParam: string | undefined): string | undefined {
  if (regionParam) return regionParam;
  const m = /^gwlb(?:-vpc)?\.([a-z0-9-]+)\.aliyuncs\.com(?::\d+)?$/i.exec(host ?? '');
  return m?.[1];
}

function required(params: Params, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') throw new MissingParameter(name);
  return value;
}

function bool(params: Params, name: string): boolean | undefined {
  const value = params.get(name);
  if (value === undefined || value === '') return undefined;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw new InvalidParameter(name, 'Valid values: true, false.');
}

function integer(params: Params, name: string, min: number, max: number): number | undefined {
  const value = params.get(name);
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw new InvalidParameter(name, `An integer ${min}–${max} is expected.`);
  const n = Number(value);
  if (n < min || n > max) throw new InvalidParameter(name, `Valid range: ${min}–${max}.`);
  return n;
}

function maxResults(params: Params): number {
  return integer(params, 'MaxResults', 1, 1000) ?? 20;
}

function pageParams(params: Params, query: { nextToken?: string; skip?: number }): void {
  const token = params.get('NextToken');
  if (token) query.nextToken = token;
  const skip = integer(params, 'Skip', 0, 1_000_000);
  if (skip !== undefined) query.skip = skip;
}

/** `Name.N` parameters (N ≥ 1, gaps allowed), ordered by N. */
function flatIndexed(params: Params, name: string): Map<number, Map<string, string>> {
  const out = new Map<number, Map<string, string>>();
  const prefix = `${name}.`;
  for (const [key, value] of params) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf('.');
    const indexText = dot < 0 ? rest : rest.slice(0, dot);
    if (!/^[1-9]\d{0,5}$/.test(indexText))
      throw new InvalidParameter(key, `${name} is a list: ${name}.1, ${name}.2, …`);
    const index = Number(indexText);
    const fields = out.get(index) ?? new Map<string, string>();
    fields.set(dot < 0 ? '' : rest.slice(dot + 1), value);
    out.set(index, fields);
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

function flatList(params: Params, name: string, max: number): string[] {
  const values = [...flatIndexed(params, name).values()].map((fields) => fields.get('') ?? '').filter((v) => v !== '');
  if (values.length > max) throw new InvalidParameter(name, `At most ${max} values.`);
  return values;
}

function flatObjects(params: Params, name: string, max: number): Array<Record<string, string | undefined>> {
  const items = [...flatIndexed(params, name).values()].map((fields) => Object.fromEntries(fields));
  if (items.length > max) throw new InvalidParameter(name, `At most ${max} items.`);
  return items;
}

/** `Servers.N.{ServerId,ServerType,Port,ServerIp}`: 1–200 servers; the gateway checks types and enums. */
function parseServers(params: Params): ServerSpec[] {
  const indexed = flatIndexed(params, 'Servers');
  if (indexed.size === 0) throw new MissingParameter('Servers');
  if (indexed.size > 200) throw new InvalidParameter('Servers', 'At most 200 servers per call.');
  const servers: ServerSpec[] = [];
  for (const [n, fields] of indexed) {
    const serverId = fields.get('ServerId');
    if (!serverId) throw new MissingParameter(`Servers.${n}.ServerId`);
    const serverType = fields.get('ServerType');
    if (!serverType) throw new MissingParameter(`Servers.${n}.ServerType`);
    if (!SERVER_TYPES.has(serverType))
      throw new InvalidParameter(`Servers.${n}.ServerType`, 'Valid values: Ecs, Eni, Eci, Ip.');
    const portText = fields.get('Port');
    let port = 6081;
    if (portText !== undefined && portText !== '') {
      if (portText !== '6081') throw new InvalidParameter(`Servers.${n}.Port`, 'Valid value: 6081.');
      port = 6081;
    }
    const spec: ServerSpec = { serverId, serverType: serverType as ServerType, port };
    const serverIp = fields.get('ServerIp');
    if (serverIp !== undefined && serverIp !== '') spec.serverIp = serverIp;
    servers.push(spec);
  }
  return servers;
}

/**
 * The action and its own parameters, sorted: a replay with the same token must match it. Compared as values, not
 * bytes: DryRun absent and DryRun=false mean the same (the SDK leaves an unset DryRun out, other clients send
 * false), and only a call that is not a dry run is fingerprinted, so DryRun is left out.
 */
function fingerprintOf(action: string, params: Params): string {
  const pairs = [...params]
    .filter(([k]) => !PROTOCOL_PARAMS.has(k) && k !== 'DryRun')
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return createHash('sha256')
    .update(`${action}\n${pairs.map(([k, v]) => `${k}=${v}`).join('\n')}`)
    .digest('hex');
}
