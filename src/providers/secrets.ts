// Credentials that do not leak: secrets stay readable by the signer, but JSON, util.inspect, spreading and
// structuredClone never show them.
import { inspect } from 'node:util';

export const REDACTED = '[redacted]';

/** Values shorter than this are not masked (real keys and tokens are far longer; short ones would mask words). */
export const MIN_MASKED_LENGTH = 8;

/**
 * A function that replaces every one of `secrets` (at least MIN_MASKED_LENGTH long) in a text by [redacted],
 * longest first so a secret that contains another is masked whole. The list is prepared once.
 */
export function secretMasker(secrets: readonly string[]): (text: string) => string {
  const masked = [...new Set(secrets)].filter((v) => v.length >= MIN_MASKED_LENGTH).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of masked) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
}

/** A URL's user name and password (`scheme://user:password@host`) replaced by [redacted]. */
export function maskUserinfo(text: string): string {
  return text.replace(/(\/\/)[^/?#\s]*@/g, `$1${REDACTED}@`);
}

/**
 * A frozen copy of `value` whose `secretKeys` are non-enumerable (so `JSON.stringify`, `{...x}`, `Object.keys`
 * and `structuredClone` skip them) and whose `toJSON` / `util.inspect` show them as `[redacted]`.
 */
export function guardSecrets<T extends object>(
  label: string,
  value: T,
  secretKeys: readonly (keyof T & string)[],
): Readonly<T> {
  const out = {} as T;
  const redacted: Record<string, unknown> = {};
  for (const key of Object.keys(value) as (keyof T & string)[]) {
    const secret = secretKeys.includes(key);
    const v = value[key];
    if (v === undefined) continue;
    Object.defineProperty(out, key, { value: v, enumerable: !secret, writable: false, configurable: false });
    redacted[key] = secret ? REDACTED : v;
  }
  Object.defineProperty(out, 'toJSON', { value: () => ({ ...redacted }), enumerable: false });
  Object.defineProperty(out, inspect.custom, { value: () => `${label} ${inspect(redacted)}`, enumerable: false });
  Object.defineProperty(out, 'toString', { value: () => `${label} ${JSON.stringify(redacted)}`, enumerable: false });
  return Object.freeze(out);
}
