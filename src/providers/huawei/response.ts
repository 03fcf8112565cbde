// Reading ELB v3 answers: JSON bodies, the three error shapes ({error_code,error_msg}, {code,message}, nested
// {error:{code,message}}), X-Request-Id, and Retry-After on 429 (huawei-elb.md §3.1, §3.3, §5).
import { ProviderError } from '../errors.js';
import { parseJsonObject, text, type Json } from '../json.js';
import { jsonSuccess, type HttpResponse } from '../transport.js';

const PROVIDER = 'huawei-elb' as const;

/** "Retry after 2 to 5 seconds" (Huawei's advice for APIGW.0308): used when a 429 carries no Retry-After. */
export const DOCUMENTED_THROTTLE_WAIT_MS = 2_000;

/** The code and message of an error body in any of the three shapes, searching nested objects as the Go SDK does. */
export function huaweiErrorFields(body: Json | undefined, depth = 0): { code?: string; message?: string } {
  if (!body || depth > 3) return {};
  const code = text(body.error_code) ?? text(body.code);
  const message = text(body.error_msg) ?? text(body.message);
  if (code !== undefined) return message === undefined ? { code } : { code, message };
  for (const value of Object.values(body)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const inner = huaweiErrorFields(value as Json, depth + 1);
      if (inner.code !== undefined) return inner;
    }
  }
  return message === undefined ? {} : { message };
}

/** X-Request-Id, else the body's `request_id`. */
export function huaweiRequestId(body: Json | undefined, headers: Readonly<Record<string, string>>): string | undefined {
  return text(headers['x-request-id']) ?? text(body?.request_id);
}

/** Retry-After (seconds or an HTTP date) in ms; on a 429 without one, the documented 2 s. */
export function huaweiRetryAfterMs(
  status: number,
  headers: Readonly<Record<string, string>>,
  now: number,
): number | undefined {
  const raw = headers['retry-after']?.trim();
  if (raw !== undefined && raw !== '') {
    if (/^\d+$/.test(raw)) return Number(raw) * 1000;
    const at = Date.parse(raw);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  return status === 429 ? DOCUMENTED_THROTTLE_WAIT_MS : undefined;
}

export function huaweiError(action: string, res: HttpResponse, now: number): ProviderError {
  const body = parseJsonObject(res.body);
  const { code, message } = huaweiErrorFields(body);
  return new ProviderError({
    provider: PROVIDER,
    action,
    httpStatus: res.status,
    code: code ?? `HTTP.${res.status}`,
    providerMessage:
      message ?? (body ? 'the error answer has no message' : `a non-JSON answer of ${res.body.length} bytes`),
    requestId: huaweiRequestId(body, res.headers),
    retryAfterMs: huaweiRetryAfterMs(res.status, res.headers, now),
  });
}

export function huaweiSuccess(action: string, res: HttpResponse): { body: Json; requestId: string } {
  return jsonSuccess(PROVIDER, action, res, huaweiRequestId);
}
