// The provider-call boundary of every activity: heartbeats while a call is in flight, the activity's abort
// signal passed to the call, and provider failures turned into typed Temporal failures here and nowhere else.
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { TIMINGS } from '../domain/index.js';
import { toTemporalFailure } from './failures.js';

/** How often an activity heartbeats while a provider call is in flight (well inside the heartbeat timeout). */
export const HEARTBEAT_INTERVAL_MS = TIMINGS.heartbeatIntervalMs;

export interface CallRetry {
  /** The attempt number the provider's bounded retries count (default: the activity's attempt). */
  readonly attempt?: number;
  /** Backoff when the provider names no retry delay. */
  readonly delayMs?: number;
  /** Heartbeat details to carry on to the next attempt. */
  readonly details?: unknown;
}

/**
 * Runs one provider call with the activity's abort signal, converting its failures at the boundary. It
 * heartbeats while the call is in flight, so a dead worker is noticed within the heartbeat timeout and a
 * cancellation reaches the call (Temporal delivers cancellation only to activities that heartbeat).
 */
export async function call<T>(fn: (signal: AbortSignal) => Promise<T>, retry: CallRetry = {}): Promise<T> {
  heartbeat(retry.details);
  const beat = setInterval(() => heartbeat(retry.details), HEARTBEAT_INTERVAL_MS);
  try {
    return await fn(cancellationSignal());
  } catch (error) {
    throw toTemporalFailure(error, retry.attempt ?? activityInfo().attempt, Math.random, retry.delayMs);
  } finally {
    clearInterval(beat);
  }
}

/** A poll that is not done yet: retryable, and benign so it logs at debug level and counts no failure metric. */
export function notReady(type: string, message: string, details: unknown, final = false): ApplicationFailure {
  return ApplicationFailure.create({ type, message, details: [details], category: ApplicationFailureCategory.BENIGN, nonRetryable: final });
}
