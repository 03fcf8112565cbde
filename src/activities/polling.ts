// Waiting without growing history: a check per poll, in place below Temporal's one-second retry floor, otherwise a
// "not ready" throw per attempt for the retry policy to poll on. Deadlines are in Temporal's time, so they hold on
// the time-skipping server too.
import { activityInfo, sleep } from '@temporalio/activity';
import {
  ABSENT,
  FILTERED_LIST_MAX,
  memberReady,
  TIMINGS,
  type GroupRef,
  type IdentityOf,
  type Provider,
  type ServerStatus,
  type WaitFor,
} from '../domain/index.js';
import { identityKey } from '../registry/index.js';
import type { LoadBalancerProvider } from '../providers/index.js';
import { definitionOf } from '../registry/index.js';
import { call, countPoll, notReady } from './boundary.js';

export const IN_ATTEMPT_POLLING_MS = TIMINGS.inAttemptPollingMs;
export { FILTERED_LIST_MAX };

/** Per-server values, compact for history (see `Uniform`). */
export function uniform<T extends string>(
  items: readonly { key: string; value: T }[],
): { all: T } | { each: { key: string; value: T }[] } {
  const first = items[0]?.value;
  return first !== undefined && items.every((i) => i.value === first)
    ? { all: first }
    : { each: items.map(({ key, value }) => ({ key, value })) };
}

export interface Readiness {
  readonly statuses: ServerStatus[];
  readonly stragglers: ServerStatus[];
  readonly requestIds: string[];
}

/**
 * A wait's servers, read by the returned check: each check lists only the servers not seen ready yet in this attempt
 * (filtered to them when they are few), so polling 1,000 servers that settle over a second does not re-read the
 * ones already done. A server seen ready stays counted as ready for the rest of the attempt.
 */
export function readinessOf(
  provider: LoadBalancerProvider<Provider>,
  group: GroupRef,
  servers: IdentityOf<Provider>[],
  waitFor: WaitFor,
) {
  const keyed = servers.map((server) => ({ server, key: identityKey(group.provider, server) }));
  const ready = new Map<string, string>();
  return async (details?: unknown): Promise<Readiness> => {
    const seen = new Set<string>();
    const pending = keyed.filter((k) => !ready.has(k.key) && !seen.has(k.key) && seen.add(k.key));
    const filter = pending.length <= FILTERED_LIST_MAX ? { servers: pending.map((k) => k.server) } : {};
    const listed =
      pending.length === 0
        ? { members: [], requestIds: [] }
        : await call((signal) => provider.listServers(group, { signal, ...filter }), { details });
    const byKey = new Map(listed.members.map((m) => [m.key, m.status]));
    for (const k of pending) {
      const status = byKey.get(k.key) ?? ABSENT;
      if (memberReady(definitionOf(group.provider).readiness, status, waitFor)) ready.set(k.key, status);
    }
    const statuses = keyed.map((k) => ({ key: k.key, status: ready.get(k.key) ?? byKey.get(k.key) ?? ABSENT }));
    return { statuses, stragglers: statuses.filter((st) => !ready.has(st.key)), requestIds: listed.requestIds };
  };
}

/** Whether one of the consecutive sets (their sizes, in `statuses` order) has no straggler. */
export function someSetReady(ready: Readiness, sets: readonly number[]): boolean {
  const waiting = new Set(ready.stragglers.map((s) => s.key));
  let at = 0;
  for (const size of sets) {
    const set = ready.statuses.slice(at, at + size);
    at += size;
    if (set.length > 0 && set.every((s) => !waiting.has(s.key))) return true;
  }
  return false;
}

/** A check that is not satisfied yet. */
export class Pending {
  constructor(
    readonly type: string,
    readonly message: string,
    readonly details: unknown,
  ) {}
}

/** Temporal's time now, as this attempt sees it: the attempt's scheduled time plus what has passed since it started. */
function serverClock(): () => number {
  const scheduled = activityInfo().currentAttemptScheduledTimestampMs;
  const started = Date.now();
  return () => scheduled + (Date.now() - started);
}

/**
 * Runs `check` until it answers something other than Pending, or until `stop` (given the Pending and Temporal's time)
 * answers or throws. Below the retry floor it polls in place at `pollMs` for up to IN_ATTEMPT_POLLING_MS; otherwise
 * (and then) it throws the Pending as "not ready" for the retry policy to poll on.
 */
export async function pollUntil<T>(
  provider: string,
  pollMs: number,
  check: () => Promise<T | Pending>,
  stop: (pending: Pending, nowMs: number) => T | undefined,
): Promise<T> {
  const now = serverClock();
  const attemptStarted = Date.now();
  const inPlaceUntil = pollMs < TIMINGS.retryFloorMs ? attemptStarted + IN_ATTEMPT_POLLING_MS : attemptStarted;
  for (;;) {
    const asked = Date.now();
    const answer = await check();
    countPoll(provider, answer instanceof Pending ? answer.type : 'ready');
    if (!(answer instanceof Pending)) return answer;
    const stopped = stop(answer, now());
    if (stopped !== undefined) return stopped;
    if (Date.now() + pollMs > inPlaceUntil)
      throw notReady(answer.type, answer.message, answer.details as Record<string, unknown>);
    // One poll per interval: the time the check took counts towards it.
    await sleep(Math.max(0, asked + pollMs - Date.now()));
  }
}
