// Huawei Cloud SDK-HMAC-SHA256 (AK/SK) signing, as pure functions (huawei-elb.md §4.2): canonical URI with a
// trailing slash, sorted query with repeated keys, signed headers, and the SHA-256 of the exact body bytes.
import {
  authorizationFields,
  byCodeUnits,
  headerBlock,
  hmacSha256Hex,
  rfc3986Encode,
  sha256Hex,
  signedHeaderList,
  splitSignedHeaders,
  type CanonicalRequestInput,
} from '../common/signing.js';

export { sameSignature, sha256Hex } from '../common/signing.js';

export const SDK_ALGORITHM = 'SDK-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** Percent-encodes everything but A–Z a–z 0–9 - _ . ~ (UTF-8, uppercase hex). */
export const sdkEncode = rfc3986Encode;

/** Each path segment decoded and encoded again, joined by `/`, and always a trailing `/`. */
export function canonicalUri(path: string): string {
  const uri = path
    .split('/')
    .map((segment) => sdkEncode(decodeURIComponent(segment)))
    .join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** Keys sorted, values of a repeated key sorted, each encoded: `k=v` joined by `&`. */
export function canonicalQueryString(pairs: ReadonlyArray<readonly [string, string]>): string {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of pairs) byKey.set(k, [...(byKey.get(k) ?? []), v]);
  return [...byKey.keys()]
    .sort(byCodeUnits)
    .flatMap((k) => [...(byKey.get(k) as string[])].sort(byCodeUnits).map((v) => `${sdkEncode(k)}=${sdkEncode(v)}`))
    .join('&');
}

/** `name:value\n` for each signed header (lowercase names, sorted, values trimmed and kept in the order received). */
export function canonicalHeaders(
  headers: ReadonlyMap<string, readonly string[]>,
  signedHeaders: readonly string[],
): string {
  return headerBlock(signedHeaders, (name) => (headers.get(name) ?? []).map((v) => v.trim()).join(','));
}

export type SdkRequest = CanonicalRequestInput;

export function canonicalRequest(r: SdkRequest): string {
  return [
    r.method,
    canonicalUri(r.path),
    canonicalQueryString(r.query),
    canonicalHeaders(r.headers, r.signedHeaders),
    signedHeaderList(r.signedHeaders),
    r.payloadHash,
  ].join('\n');
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${SDK_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

export function sign(secretKey: string, toSign: string): string {
  return hmacSha256Hex(secretKey, toSign);
}

export interface SdkAuthorization {
  access: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`; undefined when malformed. */
export function parseAuthorization(header: string): SdkAuthorization | undefined {
  if (!header.startsWith(`${SDK_ALGORITHM} `)) return undefined;
  const fields = authorizationFields(header.slice(SDK_ALGORITHM.length + 1));
  if (!fields) return undefined;
  const access = fields.get('Access');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!access || !signed || !signature) return undefined;
  return { access, signedHeaders: splitSignedHeaders(signed), signature };
}

/** `YYYYMMDDTHHMMSSZ` as milliseconds, or undefined. */
export function parseSdkDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const at = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(at) ? undefined : at;
}
