// Reading GWLB answers: JSON bodies, the error shape {RequestId, HostId, Code, Message, Recommend}, request ids
// and x-acs-retry-after (alibaba-gwlb.md §3.5).
import { ProviderError } from '../errors.js';
import { parseJsonObject, text, type Json } from '../json.js';
import { jsonSuccess, type HttpResponse } from '../transport.js';

const PROVIDER = 'alibaba-gwlb' as const;

/** The request id: the body's `RequestId` (any case), else the `x-acs-request-id` header. */
export function alibabaRequestId(
  body: Json | undefined,
  headers: Readonly<Record<string, string>>,
): string | undefined {
  return text(body?.RequestId) ?? text(body?.requestId) ?? text(headers['x-acs-request-id']);
}

/**
 * `x-acs-retry-after` as milliseconds: a positive integer. The vendor's TS core hands the integer unchanged to a
 * retry delay it caps at 120 000 ms, so the unit is milliseconds there; we read it the same way.
 */
export function alibabaRetryAfterMs(headers: Readonly<Record<string, string>>): number | undefined {
  const raw = headers['x-acs-retry-after'];
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
  const n = Number(raw);
  return n > 0 ? n : undefined;
}

/** A non-2xx answer as a ProviderError; a body that is not the documented JSON still yields one, classified by status. */
export function alibabaError(action: string, res: HttpResponse): ProviderError {
  const body = parseJsonObject(res.body);
  const code = text(body?.Code) ?? text(body?.code) ?? `HTTP.${res.status}`;
  const message =
    text(body?.Message) ??
    text(body?.message) ??
    (body ? 'the error answer has no Message' : `a non-JSON answer of ${res.body.length} bytes`);
  return new ProviderError({
    provider: PROVIDER,
    action,
    httpStatus: res.status,
    code,
    providerMessage: message,
    requestId: alibabaRequestId(body, res.headers),
    retryAfterMs: alibabaRetryAfterMs(res.headers),
  });
}

/** A 2xx answer's JSON body and request id; anything else is a malformed answer (retryable: the call may have applied). */
export function alibabaSuccess(action: string, res: HttpResponse): { body: Json; requestId: string } {
  return jsonSuccess(PROVIDER, action, res, alibabaRequestId);
}
