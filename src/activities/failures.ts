// The one boundary where provider failures become Temporal failures: catalogue type, retryability, details.
import { ApplicationFailure } from '@temporalio/common';
import { isProviderError, type ProviderError } from '../providers/index.js';

/** The provider answer behind a failure, as it travels in `ApplicationFailure.details[0]` (never credentials). */
export function providerDetails(error: ProviderError) {
  return {
    provider: error.provider,
    action: error.action,
    code: error.code,
    httpStatus: error.httpStatus,
    requestId: error.requestId,
    message: error.providerMessage,
    disposition: error.disposition,
  };
}

/**
 * A ProviderError as an ApplicationFailure whose `type` is its catalogue failure type: transient dispositions
 * stay retryable (honouring the provider's retry-after, and a bounded attempt count where the table sets one);
 * everything else fails at once. Anything else (an abort, a bug) passes through unchanged.
 */
export function toTemporalFailure(error: unknown, attempt: number): unknown {
  if (!isProviderError(error)) return error;
  const transient =
    error.disposition === 'retryable' ||
    error.disposition === 'throttled' ||
    error.disposition === 'wait-for-group' ||
    error.disposition === 'resign';
  const exhausted = error.maxAttempts !== undefined && attempt >= error.maxAttempts;
  return ApplicationFailure.create({
    type: error.failureType,
    message: error.message,
    details: [providerDetails(error)],
    nonRetryable: !transient || exhausted,
    nextRetryDelay: transient && error.retryAfterMs !== undefined ? error.retryAfterMs : undefined,
  });
}
