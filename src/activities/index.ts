// Thin activities: choose the provider client, make one call (or one page-through), and turn its failures
// into typed Temporal failures. Polling is done by the retry policy: a "not ready" throw per attempt.
import { setTimeout as delay } from 'node:timers/promises';
import { activityInfo, cancellationSignal, heartbeat, sleep } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import {
  identityKey,
  memberReady,
  NOT_READY,
  type AlibabaServer,
  type GroupRef,
  type HuaweiServer,
  type IdentityOf,
  type Provider,
  type ServerStatus,
  type WaitFor,
} from '../domain/index.js';
import type { LoadBalancerProvider, ServerChange } from '../providers/index.js';
import { toTemporalFailure } from './failures.js';


/** What the activities need from the worker: one client per provider, built from the worker's own credentials. */
export interface ActivityDependencies {
  providerFor(provider: Provider): LoadBalancerProvider;
}

export interface ListedGroup {
  /** Every member of the group, with its provider status. */
  readonly members: ServerStatus[];
  readonly requestIds: string[];
}

export interface ChunkInput {
  readonly group: GroupRef;
  readonly servers: AlibabaServer[] | HuaweiServer[];
  /** Alibaba ClientToken for this chunk: the same on every attempt. */
  readonly idempotencyKey: string;
  readonly dryRun: boolean;
}

/**
 * Per-server results, compact for history: `{ all }` when every server came out the same (the common case: a
 * 10,000-server run then records 50 short results instead of 10,000 keys twice), else one entry per server.
 */
export type Uniform<T extends string> = { readonly all: T } | { readonly each: { readonly key: string; readonly value: T }[] };

function uniform<T extends string>(items: readonly { key: string; value: T }[]): Uniform<T> {
  const first = items[0]?.value;
  return first !== undefined && items.every((i) => i.value === first) ? { all: first } : { each: items.map(({ key, value }) => ({ key, value })) };
}

export interface ChunkResult {
  readonly outcomes: Uniform<ServerChange['outcome']>;
  readonly requestIds: string[];
}

/**
 * One chunk's add with the wait that must come before it, in one activity so a chunk costs one activity in
 * history: each attempt first checks that an earlier chunk's servers are ready (`confirm`) and that the group
 * accepts a change; while not, it throws "not ready" and the retry policy polls, as the waits do.
 */
export interface AddChunkInput extends ChunkInput, Polling {
  /** Servers of an earlier chunk that must be ready by `waitFor` before this add is sent. */
  readonly confirm?: { readonly servers: IdentityOf<Provider>[]; readonly waitFor: WaitFor };
}

/** How a wait polls: see `pollUntilReady`. */
export interface Polling {
  /** The request's poll interval. */
  readonly pollMs?: number;
  /** How long the wait may last from the activity's first schedule; then "not ready" is final. */
  readonly waitTimeoutMs?: number;
}

/**
 * Temporal spaces retry attempts at least a second apart (observed on the dev server, whatever the policy or
 * nextRetryDelay says), so a shorter poll interval polls inside the attempt, heartbeating, for this long before
 * leaving the rest to the retry policy. Attempts stay well inside the 60 s start-to-close timeout.
 */
export const IN_ATTEMPT_POLLING_MS = 30_000;
const RETRY_FLOOR_MS = 1_000;

export interface AddChunkResult extends ChunkResult {
  /** Statuses of the `confirm` servers when they were found ready. */
  readonly confirmed?: Uniform<string>;
}

/** Backoff between retries of a refused or failed add (the waits before it poll at the request's interval). */
export const ADD_RETRY = { initialMs: 1_000, coefficient: 1.5, maximumMs: 10_000 } as const;

export interface WaitServersInput extends Polling {
  readonly group: GroupRef;
  /** Identities of the servers to wait for (the chunks no add has confirmed yet). */
  readonly servers: IdentityOf<Provider>[];
  readonly waitFor: WaitFor;
}

export interface WaitServersResult {
  readonly statuses: Uniform<string>;
  readonly requestIds: string[];
}

/** How often an activity heartbeats while a provider call is in flight (well inside the workflow's heartbeatTimeout). */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * Runs one provider call with the activity's abort signal, converting its failures at the boundary. It
 * heartbeats while the call is in flight, so a dead worker is noticed within the heartbeat timeout and a
 * cancellation reaches the call (Temporal delivers cancellation only to activities that heartbeat).
 */
async function call<T>(fn: (signal: AbortSignal) => Promise<T>, retry: { attempt?: number; delayMs?: number; details?: unknown } = {}): Promise<T> {
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
function notReady(type: string, message: string, details: unknown, final = false): ApplicationFailure {
  return ApplicationFailure.create({ type, message, details: [details], category: ApplicationFailureCategory.BENIGN, nonRetryable: final });
}

/**
 * Above this many servers a wait lists the whole group (pages of up to 1,000/2,000) instead of filtering (at most
 * 200 ids or addresses a call): 10,000 servers are 5–10 pages, not 50 filtered calls.
 */
export const FILTERED_LIST_MAX = 1_000;

/**
 * A wait's servers, read by `check()`: each check lists only the servers not seen ready yet in this attempt
 * (filtered to them when they are few), so polling 1,000 servers that settle over a second does not re-read the
 * ones already done. A server seen ready stays counted as ready for the rest of the attempt.
 */
function readinessOf(provider: LoadBalancerProvider<Provider>, group: GroupRef, servers: IdentityOf<Provider>[], waitFor: WaitFor) {
  const keyed = servers.map((server) => ({ server, key: identityKey(group.provider, server as never) }));
  const ready = new Map<string, string>();
  return async (details?: unknown) => {
    const pending = keyed.filter((k) => !ready.has(k.key));
    const filter = pending.length <= FILTERED_LIST_MAX ? { servers: pending.map((k) => k.server) as never } : {};
    const listed = pending.length === 0 ? { members: [], requestIds: [] } : await call((signal) => provider.listServers(group as never, { signal, ...filter }), { details });
    const byKey = new Map(listed.members.map((m) => [m.key, m.status]));
    for (const k of pending) {
      const status = byKey.get(k.key) ?? 'absent';
      if (memberReady(group.provider, status, waitFor)) ready.set(k.key, status);
    }
    const statuses = keyed.map((k) => ({ key: k.key, status: ready.get(k.key) ?? byKey.get(k.key) ?? 'absent' }));
    return { statuses, stragglers: statuses.filter((st) => !ready.has(st.key)), requestIds: listed.requestIds };
  };
}

/** A check that is not satisfied yet: what `pollUntilReady` throws when it stops polling. */
class Pending {
  constructor(
    readonly type: string,
    readonly message: string,
    readonly details: unknown,
  ) {}
}

/**
 * Runs `check` until it answers something other than Pending. Below Temporal's one-second retry floor it polls in
 * place at `pollMs` for up to IN_ATTEMPT_POLLING_MS; otherwise (and then) it throws "not ready" for the retry policy
 * to poll on, final once the wait has lasted `waitTimeoutMs` since the activity's first schedule (server time, so the
 * bound holds on the time-skipping server too, where intervals are whole seconds and nothing polls in place).
 */
async function pollUntilReady<T>(p: Polling, check: () => Promise<T | Pending>): Promise<T> {
  const info = activityInfo();
  const attemptStarted = Date.now();
  const pollMs = p.pollMs ?? RETRY_FLOOR_MS;
  const inPlaceUntil = pollMs < RETRY_FLOOR_MS ? attemptStarted + IN_ATTEMPT_POLLING_MS : attemptStarted;
  for (;;) {
    const asked = Date.now();
    const answer = await check();
    if (!(answer instanceof Pending)) return answer;
    const waitedMs = info.currentAttemptScheduledTimestampMs - info.scheduledTimestampMs + (Date.now() - attemptStarted);
    const final = p.waitTimeoutMs !== undefined && waitedMs >= p.waitTimeoutMs;
    if (final || Date.now() + pollMs > inPlaceUntil) throw notReady(answer.type, answer.message, answer.details, final);
    // One poll per interval: the time the check took counts towards it.
    await sleep(Math.max(0, asked + pollMs - Date.now()));
  }
}

/**
 * Whose add to a group goes next, in this worker. Runs adding to one group take turns from "the group is ready" to
 * the add's answer, so two of them never race for one Available window (the loser's add would be refused, and
 * counted). Across workers they still may; the refusal is then retried as before.
 */
export class GroupTurns {
  readonly #tails = new Map<string, Promise<void>>();

  /** Waits up to `waitMs` for the group's turn: how to give it back, and whether someone went first; undefined on timeout. */
  async take(key: string, waitMs: number): Promise<{ release: () => void; waited: boolean } | undefined> {
    const previous = this.#tails.get(key);
    let open!: () => void;
    const mine = new Promise<void>((resolve) => (open = resolve));
    const tail = (previous ?? Promise.resolve()).then(() => mine);
    this.#tails.set(key, tail);
    const release = () => {
      open();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
    if (!previous) return { release, waited: false };
    const timer = new AbortController();
    const got = await Promise.race([previous.then(() => true), delay(waitMs, false, { signal: timer.signal }).catch(() => false)]);
    timer.abort();
    if (got) return { release, waited: true };
    release();
    return undefined;
  }
}

/** Longest wait for a group's turn before the attempt polls again (well inside the 15 s heartbeat timeout). */
export const TURN_WAIT_MS = 10_000;

/** Adds tried so far across this activity's attempts, kept in heartbeat details (polling attempts do not count). */
function addsTriedBefore(): number {
  const details = activityInfo().heartbeatDetails as { adds?: unknown } | undefined;
  return typeof details?.adds === 'number' ? details.adds : 0;
}

export function createActivities(deps: ActivityDependencies) {
  const client = (group: GroupRef) => deps.providerFor(group.provider) as LoadBalancerProvider<Provider>;
  const turns = new GroupTurns();

  return {
    /** Lists every member of the group (all pages). */
    async listGroupServers(group: GroupRef): Promise<ListedGroup> {
      const listed = await call((signal) => client(group).listServers(group as never, { signal }));
      return { members: listed.members.map((m) => ({ key: m.key, status: m.status })), requestIds: listed.requestIds };
    },

    /** Succeeds when the group accepts a change; otherwise throws GroupNotReady for the retry policy to poll. */
    async waitGroupReady(group: GroupRef): Promise<{ status: string; requestIds: string[] }> {
      const readiness = await call((signal) => client(group).groupReadiness(group as never, { signal }));
      if (!readiness.ready) {
        throw notReady(NOT_READY.group, `the group is ${readiness.status}, not ready for a change`, { status: readiness.status });
      }
      return { status: readiness.status, requestIds: readiness.requestIds };
    },

    /**
     * Adds one chunk (≤ 200 servers) with the chunk's idempotency key, once the `confirm` servers are ready and the
     * group accepts a change (a dry run checks neither). The same key on every attempt, so a retry after a lost
     * answer replays (Alibaba ClientToken) or answers `existed` (Huawei).
     */
    async addChunk(input: AddChunkInput): Promise<AddChunkResult> {
      const { group } = input;
      const provider = client(group);
      // Heartbeats carry the count on, so a polling attempt does not reset it.
      const tried = { adds: addsTriedBefore() };
      const confirmReadiness = input.confirm ? readinessOf(provider, group, input.confirm.servers, input.confirm.waitFor) : undefined;
      const before = input.dryRun
        ? { requestIds: [] as string[] }
        : await pollUntilReady(input, async () => {
            // Both are reads and both must hold: ask at once, so a poll costs the slower of the two.
            const [ready, readiness] = await Promise.all([
              confirmReadiness?.(tried),
              call((signal) => provider.groupReadiness(group as never, { signal }), { details: tried }),
            ]);
            if (ready && ready.stragglers.length > 0) {
              const n = ready.stragglers.length;
              return new Pending(NOT_READY.servers, `${n} of ${ready.statuses.length} servers of an earlier chunk are not ${input.confirm?.waitFor} yet`, { stragglers: ready.stragglers });
            }
            if (!readiness.ready) return new Pending(NOT_READY.group, `the group is ${readiness.status}, not ready for a change`, { status: readiness.status });
            const turn = await turns.take(JSON.stringify(group), TURN_WAIT_MS);
            if (!turn) return new Pending(NOT_READY.group, 'another run is adding to this group', { status: 'Busy' });
            if (turn.waited) {
              // Another run's add went first: the group is configuring it now, most likely.
              const again = await call((signal) => provider.groupReadiness(group as never, { signal }), { details: tried }).catch((error: unknown) => {
                turn.release();
                throw error;
              });
              if (!again.ready) {
                turn.release();
                return new Pending(NOT_READY.group, `the group is ${again.status}, not ready for a change`, { status: again.status });
              }
            }
            const requestIds = [...(ready?.requestIds ?? []), ...readiness.requestIds];
            return { requestIds, release: turn.release, ...(ready ? { confirmed: uniform(ready.statuses.map((s) => ({ key: s.key, value: s.status }))) } : {}) };
          });
      const adds = tried.adds + 1;
      const delayMs = Math.min(ADD_RETRY.initialMs * ADD_RETRY.coefficient ** (adds - 1), ADD_RETRY.maximumMs);
      const result = await call(
        (signal) => provider.addServers(group as never, input.servers as never, { idempotencyKey: input.idempotencyKey, dryRun: input.dryRun, signal }),
        { attempt: adds, delayMs, details: { adds } },
      ).finally(() => ('release' in before ? before.release() : undefined));
      return {
        outcomes: uniform(result.servers.map(({ key, outcome }) => ({ key, value: outcome }))),
        requestIds: [...before.requestIds, ...result.requestIds],
        ...('confirmed' in before && before.confirmed ? { confirmed: before.confirmed } : {}),
      };
    },

    /** Removes one chunk (≤ 200 servers): the rollback of what a run added. */
    async removeChunk(input: ChunkInput): Promise<ChunkResult> {
      const result = await call((signal) =>
        client(input.group).removeServers(input.group as never, input.servers as never, {
          idempotencyKey: input.idempotencyKey,
          dryRun: false,
          signal,
        }),
      );
      return { outcomes: uniform(result.servers.map(({ key, outcome }) => ({ key, value: outcome }))), requestIds: result.requestIds };
    },

    /** Succeeds when every server is ready by `waitFor`; otherwise throws ServersNotReady naming the stragglers. */
    async waitServersReady(input: WaitServersInput): Promise<WaitServersResult> {
      const readiness = readinessOf(client(input.group), input.group, input.servers, input.waitFor);
      return pollUntilReady(input, async () => {
        const ready = await readiness();
        if (ready.stragglers.length > 0) {
          return new Pending(NOT_READY.servers, `${ready.stragglers.length} of ${ready.statuses.length} servers are not ${input.waitFor} yet`, { stragglers: ready.stragglers });
        }
        return { statuses: uniform(ready.statuses.map((s) => ({ key: s.key, value: s.status }))), requestIds: ready.requestIds };
      });
    },

    /** Succeeds when none of the servers is listed any more; otherwise throws ServersNotReady (rollback's wait). */
    async waitServersGone(input: WaitServersInput): Promise<WaitServersResult> {
      const { group } = input;
      const listed = await call((signal) => client(group).listServers(group as never, { signal, servers: input.servers as never }));
      const remaining = listed.members.map((m) => ({ key: m.key, status: m.status }));
      if (remaining.length > 0) {
        throw notReady(NOT_READY.servers, `${remaining.length} servers are still in the group`, { stragglers: remaining });
      }
      return { statuses: { each: [] }, requestIds: listed.requestIds };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
