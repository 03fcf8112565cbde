// Every provider failure as one error type, classified by the domain's one table; transport failures and aborts too.
import { type Disposition, type FailureType, type Provider } from '../domain/index.js';
import { classifyProviderError } from '../registry/index.js';

/** What a provider client knows about one failed call. */
export interface ProviderErrorInit {
  readonly provider: Provider;
  /** The API action: `AddServersToServerGroup`, `BatchCreateMembers`, … */
  readonly action: string;
  /** HTTP status of the answer; 0 when there was none (transport failure, or refused before sending). */
  readonly httpStatus: number;
  /** The provider's code, or `Transport.*` / `Client.*` for failures with no provider answer. */
  readonly code: string;
  /** The provider's message as it came (no credentials ever reach it). */
  readonly providerMessage: string;
  readonly requestId?: string | undefined;
  /** The provider asked to wait this long before retrying. */
  readonly retryAfterMs?: number | undefined;
  readonly cause?: unknown;
}

/**
 * A failed provider call: what the provider said, and what to do about it (`disposition`) and which failure it
 * becomes (`failureType`), both from the domain's `classifyProviderError`.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly provider: Provider;
  readonly action: string;
  readonly httpStatus: number;
  readonly code: string;
  readonly providerMessage: string;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly disposition: Disposition;
  readonly failureType: FailureType;
  /** Bounded attempts, when the table says so. */
  readonly maxAttempts: number | undefined;
  /** Which rule classified it (`code X`, `family X*`, `HTTP n`, `transport`). */
  readonly basis: string;

  constructor(init: ProviderErrorInit) {
    const status = init.httpStatus > 0 ? `HTTP ${init.httpStatus}` : 'no HTTP answer';
    const request = init.requestId ? ` (request ${init.requestId})` : '';
    super(
      `${init.provider} ${init.action} failed: ${init.code} [${status}]: ${init.providerMessage}${request}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.provider = init.provider;
    this.action = init.action;
    this.httpStatus = init.httpStatus;
    this.code = init.code;
    this.providerMessage = init.providerMessage;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    const c = classifyProviderError({
      provider: init.provider,
      httpStatus: init.httpStatus,
      code: init.code,
      message: init.providerMessage,
    });
    this.disposition = c.disposition;
    this.failureType = c.failureType;
    this.maxAttempts = c.maxAttempts;
    this.basis = c.basis;
  }

  /** Plain fields for logs and ApplicationFailure details (no cause, no stack). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      provider: this.provider,
      action: this.action,
      httpStatus: this.httpStatus,
      code: this.code,
      message: this.providerMessage,
      requestId: this.requestId,
      retryAfterMs: this.retryAfterMs,
      disposition: this.disposition,
      failureType: this.failureType,
      maxAttempts: this.maxAttempts,
      basis: this.basis,
    };
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}

export const TRANSPORT_CODES = {
  connectionRefused: 'Transport.ConnectionRefused',
  connectionReset: 'Transport.ConnectionReset',
  timeout: 'Transport.Timeout',
  dns: 'Transport.DnsFailure',
  malformedResponse: 'Transport.MalformedResponse',
  other: 'Transport.Error',
} as const;

/** The client refused to send (a bug in the caller: too many servers, a bad ClientToken); classified by the table as HTTP 0. */
export const CLIENT_INVALID_REQUEST = 'Client.InvalidRequest';

export function invalidRequest(provider: Provider, action: string, message: string): ProviderError {
  return new ProviderError({ provider, action, httpStatus: 0, code: CLIENT_INVALID_REQUEST, providerMessage: message });
}

/** A transport failure (no usable answer): the domain's `Transport.*` family makes it retryable ProviderUnavailable. */
export function transportError(
  provider: Provider,
  action: string,
  code: string,
  message: string,
  cause?: unknown,
  httpStatus = 0,
  requestId?: string,
): ProviderError {
  return new ProviderError({ provider, action, httpStatus, code, providerMessage: message, requestId, cause });
}

/** The abort to rethrow: the signal's own reason (Temporal's cancellation), or a standard AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}
