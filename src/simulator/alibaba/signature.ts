// Alibaba Cloud request signatures, as pure functions (no I/O, no clock): ACS3-HMAC-SHA256 (V3) and the RPC
// HMAC-SHA1 scheme (V2), from alibaba-gwlb.md §5. The front feeds them the bytes and headers it received.
import { createHmac } from 'node:crypto';
import {
  authorizationFields,
  headerBlock,
  hmacSha256Hex,
  rfc3986Encode,
  sha256Hex,
  signedHeaderList,
  splitSignedHeaders,
  type CanonicalRequestInput,
} from '../common/signing.js';

export { sameSignature, sha256Hex } from '../common/signing.js';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** RFC 3986 percent-encoding: space → %20, `*` → %2A, `~` kept (encodeURIComponent leaves !'()* alone). */
export const percentEncode = rfc3986Encode;

const byKeyThenValue = (a: readonly [string, string], b: readonly [string, string]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** Query pairs sorted by name (then value), each side percent-encoded, `name=value` joined by `&`; "" when none. */
export function canonicalQueryString(pairs: ReadonlyArray<readonly [string, string]>): string {
  return [...pairs]
    .sort(byKeyThenValue)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
}

/** `name:value\n` for each signed header, sorted; values trimmed, several values sorted and joined by `,`. */
export function canonicalHeaders(
  headers: ReadonlyMap<string, readonly string[]>,
  signedHeaders: readonly string[],
): string {
  return headerBlock(signedHeaders, (name) =>
    [...(headers.get(name) ?? [])]
      .map((v) => v.trim())
      .sort()
      .join(','),
  );
}

/** The path is taken as received ("/" for RPC); the payload hash is the lowercase hex SHA-256 of the body bytes. */
export type V3Request = CanonicalRequestInput;

export function canonicalRequestV3(r: V3Request): string {
  return [
    r.method,
    r.path,
    canonicalQueryString(r.query),
    canonicalHeaders(r.headers, r.signedHeaders),
    signedHeaderList(r.signedHeaders),
    r.payloadHash,
  ].join('\n');
}

export function stringToSignV3(canonicalRequest: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
}

export function signV3(secret: string, stringToSign: string): string {
  return hmacSha256Hex(secret, stringToSign);
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
  const fields = authorizationFields(header.slice(space + 1));
  if (!fields) return undefined;
  const accessKeyId = fields.get('Credential');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || signed === undefined || !signature) return undefined;
  return { algorithm, accessKeyId, signedHeaders: splitSignedHeaders(signed), signature };
}

/** `METHOD&%2F&percentEncode(sorted, encoded params)`: every parameter but Signature, query and body together. */
export function stringToSignV2(method: string, params: ReadonlyArray<readonly [string, string]>): string {
  const canonical = [...params]
    .sort(byKeyThenValue)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  return `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

export function signV2(secret: string, stringToSign: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

/** `yyyy-MM-ddTHH:mm:ssZ` (V2 also sends milliseconds sometimes); undefined when malformed. */
export function parseAcsDate(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}
