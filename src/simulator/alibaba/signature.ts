// Alibaba Cloud request signatures, as pure functions (no I/O, no clock): ACS3-HMAC-SHA256 (V3) and the RPC
// HMAC-SHA1 scheme (V2), from alibaba-gwlb.md §5. The front feeds them the bytes and headers it received.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** RFC 3986 percent-encoding: space → %20, `*` → %2A, `~` kept (encodeURIComponent leaves !'()* alone). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const byKeyThenValue = (a: readonly [string, string], b: readonly [string, string]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** Query pairs sorted by name (then value), each side percent-encoded, `name=value` joined by `&`; "" when none. */
export function canonicalQueryString(pairs: ReadonlyArray<readonly [string, string]>): string {
  return [...pairs].sort(byKeyThenValue).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
}

/** `name:value\n` for each signed header, sorted; values trimmed, several values sorted and joined by `,`. */
export function canonicalHeaders(headers: ReadonlyMap<string, readonly string[]>, signedHeaders: readonly string[]): string {
  return [...signedHeaders]
    .sort()
    .map((name) => `${name}:${[...(headers.get(name) ?? [])].map((v) => v.trim()).sort().join(',')}\n`)
    .join('');
}

export interface V3Request {
  method: string;
  /** The request path as received ("/" for RPC). */
  path: string;
  query: ReadonlyArray<readonly [string, string]>;
  /** Lowercase header names to their values. */
  headers: ReadonlyMap<string, readonly string[]>;
  signedHeaders: readonly string[];
  /** Lowercase hex SHA-256 of the body bytes. */
  payloadHash: string;
}

export function canonicalRequestV3(r: V3Request): string {
  return [r.method, r.path, canonicalQueryString(r.query), canonicalHeaders(r.headers, r.signedHeaders), [...r.signedHeaders].sort().join(';'), r.payloadHash].join('\n');
}

export function stringToSignV3(canonicalRequest: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
}

export function signV3(secret: string, stringToSign: string): string {
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

export interface V3Authorization {
  algorithm: string;
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=a;b,Signature=hex`; undefined when malformed. */
export function parseAuthorizationV3(header: string): V3Authorization | undefined {
  const space = header.indexOf(' ');
  if (space <= 0) return undefined;
  const algorithm = header.slice(0, space);
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || signed === undefined || !signature) return undefined;
  return { algorithm, accessKeyId, signedHeaders: signed.split(';').map((h) => h.trim().toLowerCase()).filter(Boolean), signature };
}

/** `METHOD&%2F&percentEncode(sorted, encoded params)`: every parameter but Signature, query and body together. */
export function stringToSignV2(method: string, params: ReadonlyArray<readonly [string, string]>): string {
  const canonical = [...params].sort(byKeyThenValue).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
  return `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

export function signV2(secret: string, stringToSign: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

/** Constant-time comparison of two signatures as text. */
export function sameSignature(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `yyyy-MM-ddTHH:mm:ssZ` (V2 also sends milliseconds sometimes); undefined when malformed. */
export function parseAcsDate(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}
