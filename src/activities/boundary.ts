// The provider-call boundary of every activity: heartbeats while a call is in flight, the activity's abort
// signal passed to the call, and provider failures turned into typed Temporal failures here and nowhere else.
import { activityInfo, cancellationSignal, Context, heartbeat } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory, type MetricCounter } from '@temporalio/common';
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

/**
 * At most this many stragglers ride on a poll's failure. The Web UI shows it as the activity's last failure, and
 * Temporal replaces a last failure over its limit (a few KB) with "Failure exceeds size limit.": a poll carries
 * counts and the first few, never the whole list (the wait's answer and the final failure carry that).
 */
export const POLL_SHOWS_STRAGGLERS = 5;

/** What a poll's failure shows: counts by status and the first few stragglers instead of all of them. */
export function pollDetails(details: Record<string, unknown>): Record<string, unknown> {
  const { stragglers, requestIds, ...rest } = details as {
    stragglers?: { key: string; status: string }[];
    requestIds?: string[];
  };
  const shown: Record<string, unknown> = { ...rest };
  if (stragglers !== undefined) {
    const byStatus: Record<string, number> = {};
    for (const s of stragglers) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
    shown.notReady = stragglers.length;
    shown.byStatus = byStatus;
    shown.first = stragglers.slice(0, POLL_SHOWS_STRAGGLERS);
  }
  if (requestIds !== undefined && requestIds.length > 0) shown.lastRequestId = requestIds[requestIds.length - 1];
  return shown;
}

/**
 * A poll that is not done yet: retryable, and benign so it logs at debug level and counts no failure metric. It
 * is not an error, so it carries no stack trace, only its short message and small details.
 */
export function notReady(type: string, message: string, details: Record<string, unknown>): ApplicationFailure {
  const failure = ApplicationFailure.create({
    type,
    message,
    details: [pollDetails(details)],
    category: ApplicationFailureCategory.BENIGN,
  });
  failure.stack = '';
  return failure;
}

/**
 * Counts one readiness check on the worker's metrics endpoint (`lbflow_polls`): `result` is `ready`, or the
 * not-ready type (`ServersNotReady`, `GroupNotReady`).
 */
export function countPoll(provider: string, result: string): void {
  // One counter per activity execution (its context's meter carries the activity's tags), not one per check.
  const meter = Context.current().metricMeter;
  let counter = pollCounters.get(meter);
  if (counter === undefined) {
    counter = meter.createCounter(
      'lbflow_polls',
      'checks',
      'Readiness checks of servers and groups, by provider and result (ready, ServersNotReady, GroupNotReady)',
    );
    pollCounters.set(meter, counter);
  }
  counter.add(1, { provider, result });
}

const pollCounters = new WeakMap<object, MetricCounter>();
