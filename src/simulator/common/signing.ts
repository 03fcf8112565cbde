// The building blocks both providers' request signatures share, as pure functions: RFC 3986 encoding, SHA-256,
// HMAC-SHA256, the signed-header list and the `name:value\n` header block, the `Name=value, …` Authorization
// fields, and a constant-time comparison. Each provider's canonical request (which values are sorted, how the
// path and query are canonicalised) stays in its own signature.ts.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 percent-encoding of UTF-8: everything but A–Z a–z 0–9 - _ . ~, uppercase hex (space → %20, `*` → %2A). */
export function rfc3986Encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Lowercase hex HMAC-SHA256. */
export function hmacSha256Hex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** Orders strings by UTF-16 code units (what `Array.prototype.sort()` does without a comparator). */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A request as a canonical request sees it. */
export interface CanonicalRequestInput {
  method: string;
  /** The request path as received. */
  path: string;
  query: ReadonlyArray<readonly [string, string]>;
  /** Lowercase header names to their values. */
  headers: ReadonlyMap<string, readonly string[]>;
  signedHeaders: readonly string[];
  /** Lowercase hex SHA-256 of the body bytes (or the provider's unsigned-payload marker). */
  payloadHash: string;
}

/** The signed header names sorted and joined by `;`. */
export function signedHeaderList(signedHeaders: readonly string[]): string {
  return [...signedHeaders].sort(byCodeUnits).join(';');
}

/** `name:value\n` for each signed header, names sorted; `value` renders a header's values (provider-specific). */
export function headerBlock(signedHeaders: readonly string[], value: (name: string) => string): string {
  return [...signedHeaders]
    .sort(byCodeUnits)
    .map((name) => `${name}:${value(name)}\n`)
    .join('');
}

/** The `Name=value` fields after the scheme, split at `,` and trimmed; undefined when a field has no name. */
export function authorizationFields(text: string): Map<string, string> | undefined {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return fields;
}

/** A SignedHeaders field (`a;b`) as lowercase names, empty ones dropped. */
export function splitSignedHeaders(signed: string): string[] {
  return signed
    .split(';')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

/** Constant-time comparison of two signatures as text. */
export function sameSignature(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}
