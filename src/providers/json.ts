// Reading JSON answers the same way for both providers: a body that is not a JSON object reads as undefined.

export type Json = Record<string, unknown>;

/** The body as a JSON object, or undefined when it is empty, not JSON, or not an object. */
export function parseJsonObject(body: Buffer): Json | undefined {
  if (body.length === 0) return undefined;
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** A string field (empty too), else undefined. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A non-empty string field, else undefined. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
