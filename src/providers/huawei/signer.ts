// Huawei Cloud SDK-HMAC-SHA256 (AK/SK) signing as pure functions of request, credentials and date (no I/O, no
// global clock), huawei-elb.md §4.2: canonical URI with a trailing slash, sorted query with repeated keys' values
// sorted, the SHA-256 of the exact body bytes.
import { byCodeUnits, hmacSha256Hex, percentEncode, sha256Hex, type QueryPairs } from '../encoding.js';

export const SDK_ALGORITHM = 'SDK-HMAC-SHA256';

export interface HuaweiAkSk {
  readonly accessKey: string;
  readonly secretKey: string;
  /** Temporary AK/SK: sent and signed as X-Security-Token. */
  readonly securityToken?: string | undefined;
}

export interface SdkRequest {
  readonly method: string;
  /** The path as plain text (`/v3/{project}/elb/pools/{pool}/members/batch-add`): each segment is encoded here. */
  readonly path: string;
  readonly query: QueryPairs;
  /** Headers to sign and send (host, content-type, x-project-id, …); names with `_` are sent but not signed. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes to send ('' for none). */
  readonly body: string | Uint8Array;
}

export interface SignedSdkRequest {
  /** Every header to send: the request's, X-Sdk-Date, X-Security-Token when temporary, Authorization. */
  readonly headers: Record<string, string>;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
  readonly signedHeaders: string[];
}

/** `YYYYMMDDTHHMMSSZ` in UTC, the X-Sdk-Date format. */
export function formatSdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** Each path segment percent-encoded (RFC 3986), joined by `/`: the path as sent on the wire. */
export function encodePath(path: string): string {
  return path.split('/').map(percentEncode).join('/');
}

/** The encoded path with a trailing `/` always (the request itself is sent without it). */
export function canonicalUri(path: string): string {
  const uri = encodePath(path);
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** Keys sorted, the values of a repeated key sorted, each side encoded: `k=v` joined by `&`; '' when none. */
export function canonicalQueryString(query: QueryPairs): string {
  const byKey = new Map<string, string[]>();
  // Appended in place: a member list repeats `address` once per member filtered (up to 200 on every poll).
  for (const [k, v] of query) {
    const values = byKey.get(k);
    if (values) values.push(v);
    else byKey.set(k, [v]);
  }
  return [...byKey.keys()]
    .sort(byCodeUnits)
    .flatMap((k) => {
      const key = percentEncode(k);
      return (byKey.get(k) as string[]).sort(byCodeUnits).map((v) => `${key}=${percentEncode(v)}`);
    })
    .join('&');
}

/** Gateways drop header names with `_`, so the Go SDK never signs them; neither do we. */
export function isSignableHeader(name: string): boolean {
  return !name.includes('_');
}

/** `name:value\n` per signed header (lower-case names sorted, values trimmed) and the sorted names. */
export function canonicalHeaders(headers: Readonly<Record<string, string>>): {
  canonical: string;
  signedHeaders: string[];
} {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!isSignableHeader(lower)) continue;
    values.set(lower, values.has(lower) ? `${values.get(lower)},${value.trim()}` : value.trim());
  }
  const signedHeaders = [...values.keys()].sort(byCodeUnits);
  return { canonical: signedHeaders.map((name) => `${name}:${values.get(name)}\n`).join(''), signedHeaders };
}

export function hashedPayload(body: string | Uint8Array): string {
  return sha256Hex(body);
}

/** Method, URI, query, headers (ending in `\n`, so a blank line follows), signed names, payload hash. */
export function canonicalRequest(parts: {
  method: string;
  uri: string;
  query: string;
  headers: string;
  signedHeaders: readonly string[];
  payloadHash: string;
}): string {
  return [parts.method, parts.uri, parts.query, parts.headers, parts.signedHeaders.join(';'), parts.payloadHash].join(
    '\n',
  );
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${SDK_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

export function sdkSignature(secretKey: string, toSign: string): string {
  return hmacSha256Hex(secretKey, toSign);
}

export function authorizationHeader(accessKey: string, signedHeaders: readonly string[], signature: string): string {
  return `${SDK_ALGORITHM} Access=${accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
}

/** Signs one attempt: adds X-Sdk-Date (and X-Security-Token), signs every signable header, adds Authorization. */
export function signSdkHmacSha256(request: SdkRequest, credentials: HuaweiAkSk, date: Date): SignedSdkRequest {
  const sdkDate = formatSdkDate(date);
  const headers: Record<string, string> = { ...request.headers, 'X-Sdk-Date': sdkDate };
  if (credentials.securityToken !== undefined && credentials.securityToken !== '')
    headers['X-Security-Token'] = credentials.securityToken;
  const { canonical, signedHeaders } = canonicalHeaders(headers);
  const payloadHash = hashedPayload(request.body);
  const cr = canonicalRequest({
    method: request.method,
    uri: canonicalUri(request.path),
    query: canonicalQueryString(request.query),
    headers: canonical,
    signedHeaders,
    payloadHash,
  });
  const sts = stringToSign(sdkDate, cr);
  const signature = sdkSignature(credentials.secretKey, sts);
  headers.Authorization = authorizationHeader(credentials.accessKey, signedHeaders, signature);
  return { headers, canonicalRequest: cr, stringToSign: sts, signature, signedHeaders };
}
