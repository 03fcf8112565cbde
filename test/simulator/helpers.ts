// Test clients for the simulators, built on the vendors' own signing code (dev dependencies, tests only), so a
// bug in the simulators' verifiers cannot hide behind a matching bug in a signer of ours.
import * as aliCore from '@alicloud/openapi-core';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { createHash, randomUUID } from 'node:crypto';
import { request } from 'undici';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_HUAWEI_CREDENTIAL,
  DEFAULT_HUAWEI_PROJECT,
} from '../../src/simulator/index.js';

// The CommonJS package's default export is the client class (one level deeper under some loaders).
type AliClientClass = new (config: aliCore.$OpenApiUtil.Config) => {
  callApi(
    params: aliCore.$OpenApiUtil.Params,
    request: aliCore.$OpenApiUtil.OpenApiRequest,
    runtime: object,
  ): Promise<{ statusCode: number; body: Record<string, unknown>; headers: Record<string, string> }>;
};
const defaultExport = (aliCore as unknown as { default: unknown }).default as { default?: unknown };
export const AliClient = (
  typeof defaultExport === 'function' ? defaultExport : defaultExport.default
) as AliClientClass;
export const { $OpenApiUtil, OpenApiUtil } = aliCore;

export const GWLB = { version: '2024-04-15' } as const;
export const DEMO_GROUP = 'sgp-atstuj3rtoptyui0000';
export const DEFAULT_GROUP = 'sgp-atstuj3rtoptyui0001';
export const IP_GROUP = 'sgp-atstuj3rtoptyui0002';
export const FULL_GROUP = 'sgp-atstuj3rtoptyui0003';
export const DRAIN_GROUP = 'sgp-atstuj3rtoptyui0004';
export const ecsId = (i: number): string => `i-bp67acfmxazb4p${String(i).padStart(4, '0')}`;
export const ecsIp = (i: number): string => `192.168.${Math.floor(i / 250)}.${(i % 250) + 1}`;

export interface AliAnswer {
  status: number;
  body: Record<string, unknown>;
  code?: string;
  requestId?: string;
}

export interface AliCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** Calls GWLB through @alicloud/openapi-core's client (V3 signing by default, `v2` for HMAC-SHA1). */
export function gwlbClient(
  url: string,
  options: { credentials?: AliCredentials; v2?: boolean; method?: 'POST' | 'GET' } = {},
) {
  const creds: AliCredentials = options.credentials ?? DEFAULT_ALIBABA_CREDENTIAL;
  const config = new $OpenApiUtil.Config({
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    ...(creds.securityToken ? { securityToken: creds.securityToken } : {}),
    endpoint: url.replace(/^http:\/\//, ''),
    protocol: 'http',
    ...(options.v2 ? { signatureAlgorithm: 'v2' } : {}),
    readTimeout: 20_000,
    connectTimeout: 5_000,
  });
  const client = new AliClient(config);
  return async (action: string, body: Record<string, unknown> = {}): Promise<AliAnswer> => {
    const params = new $OpenApiUtil.Params({
      action,
      version: GWLB.version,
      protocol: 'HTTP',
      pathname: '/',
      method: options.method ?? 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const req =
      options.method === 'GET'
        ? new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(body) })
        : new $OpenApiUtil.OpenApiRequest({ body });
    try {
      const res = await client.callApi(params, req, {});
      return { status: res.statusCode, body: res.body, requestId: String(res.body.RequestId) };
    } catch (error) {
      const e = error as {
        statusCode?: number;
        code?: string;
        data?: Record<string, unknown>;
        requestId?: string;
        message?: string;
      };
      if (e.statusCode === undefined) throw error;
      const answer: AliAnswer = { status: e.statusCode, body: e.data ?? {} };
      if (e.code !== undefined) answer.code = e.code;
      if (e.requestId !== undefined) answer.requestId = e.requestId;
      return answer;
    }
  };
}

export function servers(ids: number[], extra: Record<string, unknown> = {}): Array<Record<string, unknown>> {
  return ids.map((i) => ({ ServerId: ecsId(i), ServerType: 'Ecs', Port: 6081, ...extra }));
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

// ------------------------------------------------------------------ raw V3 / V2 requests (vendor signing helpers)

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** A V3 request signed with openapi-core's `getAuthorization`; `tamper` changes it after signing. */
export async function rawV3(
  url: string,
  action: string,
  form: string,
  opts: {
    credentials?: AliCredentials;
    date?: string;
    nonce?: string;
    headers?: Record<string, string>;
    tamper?: (r: { headers: Record<string, string>; body: string }) => void;
    method?: string;
    path?: string;
    query?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, string | string[] | undefined> }> {
  const creds: AliCredentials = opts.credentials ?? DEFAULT_ALIBABA_CREDENTIAL;
  const host = url.replace(/^http:\/\//, '');
  const headers: Record<string, string> = {
    host,
    'x-acs-action': action,
    'x-acs-version': GWLB.version,
    'x-acs-date': opts.date ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': opts.nonce ?? randomUUID(),
    'x-acs-content-sha256': sha256(form),
    'content-type': 'application/x-www-form-urlencoded',
    ...(creds.securityToken ? { 'x-acs-security-token': creds.securityToken } : {}),
    ...opts.headers,
  };
  const pathname = opts.path ?? '/';
  const method = opts.method ?? 'POST';
  headers.authorization = OpenApiUtil.getAuthorization(
    { pathname, method, query: opts.query ?? {}, headers } as never,
    'ACS3-HMAC-SHA256',
    sha256(form),
    creds.accessKeyId,
    creds.accessKeySecret,
  );
  const r = { headers, body: form };
  opts.tamper?.(r);
  const qs = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : '';
  const res = await request(`${url}${pathname}${qs}`, {
    method: method as 'POST',
    headers: r.headers,
    ...(method === 'GET' ? {} : { body: r.body }),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: res.headers,
  };
}

/** A V2 (HMAC-SHA1) request signed with openapi-core's `getRPCSignature`, common parameters in the query. */
export async function rawV2(
  url: string,
  action: string,
  business: Record<string, string>,
  opts: {
    credentials?: AliCredentials;
    timestamp?: string;
    nonce?: string;
    signatureMethod?: string;
    tamper?: (query: Record<string, string>) => void;
  } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const creds: AliCredentials = opts.credentials ?? DEFAULT_ALIBABA_CREDENTIAL;
  const query: Record<string, string> = {
    Action: action,
    Format: 'json',
    Version: GWLB.version,
    Timestamp: opts.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    SignatureNonce: opts.nonce ?? randomUUID(),
    SignatureMethod: opts.signatureMethod ?? 'HMAC-SHA1',
    SignatureVersion: '1.0',
    AccessKeyId: creds.accessKeyId,
    ...(creds.securityToken ? { SecurityToken: creds.securityToken } : {}),
  };
  query.Signature = OpenApiUtil.getRPCSignature({ ...query, ...business }, 'POST', creds.accessKeySecret);
  opts.tamper?.(query);
  const res = await request(`${url}/?${new URLSearchParams(query).toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(business).toString(),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

// ------------------------------------------------------------------ Huawei (AKSKSigner from the vendor SDK)

export const PROJECT = DEFAULT_HUAWEI_PROJECT;
export const DEMO_POOL = '04a9bc65-b75b-478d-b4d6-e693bb61dd35';
export const NO_MONITOR_POOL = '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0001';
export const FULL_POOL = '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0002';
export const IP_TARGET_POOL = '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0003';
export const GATEWAY_POOL = '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0004';
export const SUBNET = '61da8098-954b-4809-bc5a-b99ccef8a398';
export const SUBNET_B = '61da8098-954b-4809-bc5a-b99ccef80002';
export const LB = '2f1e4c6b-7d3a-4e2f-8b9c-0a1b2c3d0001';

export interface ElbAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

export interface ElbRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | string[]>;
  data?: unknown;
  /** Send these bytes instead of JSON.stringify(data) (signed as they are). */
  rawBody?: string;
  ak?: string;
  sk?: string;
  headers?: Record<string, string>;
  /** Use X-Auth-Token instead of AK/SK. */
  token?: string;
  tamper?: (r: { headers: Record<string, string>; body: string | undefined; url: string }) => void;
}

function queryString(query: Record<string, string | string[]> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query))
    for (const value of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(value)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Signs with the Huawei SDK's AKSKSigner (the bytes it hashes are the bytes sent) and sends with undici. */
export async function elb(base: string, r: ElbRequest): Promise<ElbAnswer> {
  const method = r.method ?? 'GET';
  const body = r.rawBody ?? (r.data === undefined ? undefined : JSON.stringify(r.data));
  let headers: Record<string, string>;
  if (r.token !== undefined) {
    headers = { 'content-type': 'application/json', 'x-auth-token': r.token, ...r.headers };
  } else {
    const credential = new BasicCredentials()
      .withAk(r.ak ?? DEFAULT_HUAWEI_CREDENTIAL.accessKey)
      .withSk(r.sk ?? DEFAULT_HUAWEI_CREDENTIAL.secretKey)
      .withProjectId(PROJECT);
    const toSign: Record<string, unknown> = {
      endpoint: `${base}${r.path}`,
      method,
      headers: { 'content-type': 'application/json', 'X-Project-Id': PROJECT, ...r.headers },
      queryParams: r.query ?? {},
    };
    if (r.rawBody !== undefined)
      toSign.headers = { ...(toSign.headers as object), 'X-Sdk-Content-Sha256': sha256(r.rawBody) };
    else if (r.data !== undefined) toSign.data = r.data;
    headers = AKSKSigner.sign(toSign as never, credential) as Record<string, string>;
  }
  const req = { headers, body, url: `${base}${r.path}${queryString(r.query)}` };
  r.tamper?.(req);
  const res = await request(req.url, {
    method,
    headers: req.headers,
    ...(req.body !== undefined ? { body: req.body } : {}),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: res.headers,
  };
}

export const poolPath = (pool: string, rest = ''): string => `/v3/${PROJECT}/elb/pools/${pool}${rest}`;

export function hwMembers(ids: number[], extra: Record<string, unknown> = {}): Array<Record<string, unknown>> {
  return ids.map((i) => ({ address: ecsIp(i), protocol_port: 80, subnet_cidr_id: SUBNET, ...extra }));
}

export async function admin(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await request(`${base}${path}`, {
    method: method as 'GET',
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
}
