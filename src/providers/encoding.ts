// Byte-level helpers both signers share: RFC 3986 percent-encoding, SHA-256 and HMAC-SHA256 in lower-case hex.
import { createHash, createHmac } from 'node:crypto';

const UNRESERVED = /^[A-Za-z0-9._~-]*$/;

/** A query as key/value pairs in the caller's order; keys may repeat (Huawei's `address` filter). */
export type QueryPairs = ReadonlyArray<readonly [string, string]>;

/**
 * RFC 3986: everything but `A-Z a-z 0-9 - _ . ~` as UTF-8 `%XX` (upper-case hex), so a space is `%20` and
 * `*` is `%2A`. encodeURIComponent leaves `!'()*` alone, hence the second pass.
 */
export function percentEncode(value: string): string {
  // Most values (addresses, ids, ports) are unreserved already: a list of 200 members signs 400 of them per poll.
  if (UNRESERVED.test(value)) return value;
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256Hex(key: string, data: string): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

/** Orders strings by UTF-16 code units, the order `Array.prototype.sort` uses and both vendors' Node SDKs sign with. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Key, then value: a total order for query pairs, so repeated keys sort too. */
export function byKeyThenValue(a: readonly [string, string], b: readonly [string, string]): number {
  return byCodeUnits(a[0], b[0]) || byCodeUnits(a[1], b[1]);
}
