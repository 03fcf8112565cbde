// Alibaba Cloud request signing as pure functions of request, credentials, date and nonce (no I/O, no global
// clock): ACS3-HMAC-SHA256 (V3, what the client sends) and the RPC HMAC-SHA1 scheme (V2), alibaba-gwlb.md §5.
import { createHmac } from 'node:crypto';
import { byCodeUnits, byKeyThenValue, hmacSha256Hex, percentEncode, sha256Hex, type QueryPairs } from '../encoding.js';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

export interface AlibabaCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** STS: sent and signed as `x-acs-security-token` (with `x-acs-accesskey-id`). */
  readonly securityToken?: string | undefined;
  /** Where the keys came from, as the vendor's credential providers name it (`ecs_ram_role`, …), for `x-acs-credentials-provider`. */
  readonly providerName?: string | undefined;
}

export interface Acs3Request {
  readonly method: string;
  /** `host[:port]` exactly as the Host header will carry it. */
  readonly host: string;
  /** `/` for RPC-style APIs. */
  readonly path: string;
  readonly query: QueryPairs;
  /** Headers to send besides the ones the signer adds (x-acs-action, x-acs-version, content-type, accept, …). */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes to send ('' for none). */
  readonly body: string | Uint8Array;
}

export interface SignedAcs3 {
  /** Every header to send, `authorization` included, names in lower case. */
  readonly headers: Record<string, string>;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
  readonly signedHeaders: string[];
}

/** `yyyy-MM-ddTHH:mm:ssZ` in UTC (no milliseconds), the x-acs-date format. */
export function formatAcsDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Query pairs sorted by name (then value), each side RFC 3986-encoded, `name=value` joined by `&`; '' when none. */
export function canonicalQueryString(query: QueryPairs): string {
  return [...query]
    .sort(byKeyThenValue)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
}

/** Whether a header takes part in the V3 signature: `host`, `content-type` and every `x-acs-*`. */
export function isSignedHeader(lowerName: string): boolean {
  return lowerName === 'host' || lowerName === 'content-type' || lowerName.startsWith('x-acs-');
}

/** The signed headers: lower-case names sorted, values trimmed; `name:value\n` each, and the `;`-joined names. */
export function canonicalHeaders(headers: Readonly<Record<string, string>>): {
  canonical: string;
  signedHeaders: string[];
} {
  const values = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!isSignedHeader(lower)) continue;
    values.set(lower, [...(values.get(lower) ?? []), value.trim()]);
  }
  const signedHeaders = [...values.keys()].sort(byCodeUnits);
  const canonical = signedHeaders
    .map((name) => `${name}:${[...(values.get(name) as string[])].sort(byCodeUnits).join(',')}\n`)
    .join('');
  return { canonical, signedHeaders };
}

/** Lower-case hex SHA-256 of the exact body bytes (an empty body gives e3b0c442…b855). */
export function hashedPayload(body: string | Uint8Array): string {
  return sha256Hex(body);
}

/** METHOD, URI, query, headers (ending in `\n`, so a blank line follows), signed header names, payload hash. */
export function canonicalRequest(parts: {
  method: string;
  path: string;
  query: string;
  headers: string;
  signedHeaders: readonly string[];
  payloadHash: string;
}): string {
  return [parts.method, parts.path, parts.query, parts.headers, parts.signedHeaders.join(';'), parts.payloadHash].join(
    '\n',
  );
}

export function stringToSign(canonical: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonical)}`;
}

export function acs3Signature(accessKeySecret: string, toSign: string): string {
  return hmacSha256Hex(accessKeySecret, toSign);
}

export function authorizationHeader(accessKeyId: string, signedHeaders: readonly string[], signature: string): string {
  return `${ACS3_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
}

/**
 * Signs one attempt: adds host, x-acs-date, x-acs-signature-nonce, x-acs-content-sha256 (and the STS headers),
 * then Authorization. A retry must call it again with a new date and nonce.
 */
export function signAcs3(request: Acs3Request, credentials: AlibabaCredentials, date: Date, nonce: string): SignedAcs3 {
  const payloadHash = hashedPayload(request.body);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers.host = request.host;
  headers['x-acs-date'] = formatAcsDate(date);
  headers['x-acs-signature-nonce'] = nonce;
  headers['x-acs-content-sha256'] = payloadHash;
  if (credentials.securityToken !== undefined && credentials.securityToken !== '') {
    headers['x-acs-security-token'] = credentials.securityToken;
    headers['x-acs-accesskey-id'] = credentials.accessKeyId;
  }
  const { canonical, signedHeaders } = canonicalHeaders(headers);
  const cr = canonicalRequest({
    method: request.method,
    path: request.path,
    query: canonicalQueryString(request.query),
    headers: canonical,
    signedHeaders,
    payloadHash,
  });
  const sts = stringToSign(cr);
  const signature = acs3Signature(credentials.accessKeySecret, sts);
  headers.authorization = authorizationHeader(credentials.accessKeyId, signedHeaders, signature);
  return { headers, canonicalRequest: cr, stringToSign: sts, signature, signedHeaders };
}

// ------------------------------------------------------------------ V2: RPC HMAC-SHA1

/** Every parameter (query and body together, Signature excluded) sorted and RFC 3986-encoded, joined by `&`. */
export function rpcCanonicalizedQueryString(params: QueryPairs): string {
  return canonicalQueryString(params);
}

/** `METHOD&%2F&percentEncode(canonicalized)`: the colon of a Timestamp ends up as `%253A`. */
export function rpcStringToSign(method: string, params: QueryPairs): string {
  return `${method}&${percentEncode('/')}&${percentEncode(rpcCanonicalizedQueryString(params))}`;
}

/** Base64 HMAC-SHA1 keyed with `secret + "&"`. */
export function rpcSignature(method: string, params: QueryPairs, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(rpcStringToSign(method, params)).digest('base64');
}

/** The V2 common parameters of one attempt (signed together with the business parameters). */
export function rpcCommonParams(
  action: string,
  version: string,
  credentials: AlibabaCredentials,
  date: Date,
  nonce: string,
): Array<[string, string]> {
  const params: Array<[string, string]> = [
    ['AccessKeyId', credentials.accessKeyId],
    ['Action', action],
    ['Format', 'json'],
    ['SignatureMethod', 'HMAC-SHA1'],
    ['SignatureNonce', nonce],
    ['SignatureVersion', '1.0'],
    ['Timestamp', formatAcsDate(date)],
    ['Version', version],
  ];
  if (credentials.securityToken !== undefined && credentials.securityToken !== '')
    params.push(['SecurityToken', credentials.securityToken]);
  return params;
}
