// The one boundary where provider failures become Temporal failures: catalogue type, retryability, details.
import { ApplicationFailure } from '@temporalio/common';
import { isProviderError, type ProviderError } from '../providers/index.js';
import { TIMINGS } from '../domain/index.js';

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
 * everything else fails at once; `defaultDelayMs` is the caller's backoff when the provider names no delay.
 * Anything else (an abort, a bug) passes through unchanged.
 */
export function toTemporalFailure(
  error: unknown,
  attempt: number,
  random: () => number = Math.random,
  defaultDelayMs?: number,
): unknown {
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
    nextRetryDelay: transient ? (retryDelayMs(error, random) ?? defaultDelayMs) : undefined,
  });
}

/**
 * The provider's own retry-after when it gives one. A busy group gets a random delay instead: writers that
 * lost the same race would otherwise all come back at the same instant, and only one can win each round.
 */
function retryDelayMs(error: ProviderError, random: () => number): number | undefined {
  if (error.retryAfterMs !== undefined) return error.retryAfterMs;
  if (error.disposition === 'wait-for-group')
    return Math.round(GROUP_BUSY_DELAY_MS.min + random() * (GROUP_BUSY_DELAY_MS.max - GROUP_BUSY_DELAY_MS.min));
  return undefined;
}

/** Spread of the retry after a change was refused because another change is configuring the group. */
export const GROUP_BUSY_DELAY_MS = TIMINGS.groupBusyDelayMs;
