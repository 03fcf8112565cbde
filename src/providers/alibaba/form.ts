// RPC parameters as a form body: GWLB's `style: flat` (Servers.1.ServerId, ServerIds.1, HealthCheckConfig.X),
// encoded as the vendor SDK encodes it (Node querystring), keys in the order given.

export type FlatPairs = Array<[string, string]>;

type Flattenable =
  string | number | boolean | null | undefined | readonly Flattenable[] | { readonly [key: string]: Flattenable };

/**
 * Flattens nested parameters: array element i (1-based) of `Servers` → `Servers.i.Field`; a string array →
 * `ServerIds.i`; an object → `Name.Field`. null/undefined are skipped but still take their index; booleans and
 * numbers become text. Keys keep insertion order.
 */
export function flattenParams(params: { readonly [key: string]: Flattenable }, prefix = ''): FlatPairs {
  const out: FlatPairs = [];
  const walk = (value: Flattenable, key: string): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      value.forEach((item: Flattenable, i: number) => walk(item, `${key}.${i + 1}`));
    } else if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, `${key}.${k}`);
    } else out.push([key, String(value)]);
  };
  for (const [k, v] of Object.entries(params)) walk(v, prefix === '' ? k : `${prefix}.${k}`);
  return out;
}

/** Node querystring's escape (= encodeURIComponent): space → %20, `!'()*` kept, UTF-8 otherwise. */
export function formEscape(value: string): string {
  return encodeURIComponent(value);
}

/** `k=v&k=v`, in the order given: the exact bytes sent and hashed. */
export function encodeForm(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${formEscape(k)}=${formEscape(v)}`).join('&');
}
