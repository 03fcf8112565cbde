// Thin activities: choose the provider client, make one call (or one page-through), and turn its failures
// into typed Temporal failures. Polling is done by the retry policy: a "not ready" throw per attempt.
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
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

export interface WaitServersInput {
  readonly group: GroupRef;
  /** Identities of the servers to wait for (at most one chunk). */
  readonly servers: IdentityOf<Provider>[];
  readonly waitFor: WaitFor;
  /** Also wait until the group accepts the next change, so the next chunk's add is not refused. */
  readonly thenGroupReady?: boolean;
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
async function call<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  heartbeat();
  const beat = setInterval(() => heartbeat(), HEARTBEAT_INTERVAL_MS);
  try {
    return await fn(cancellationSignal());
  } catch (error) {
    throw toTemporalFailure(error, activityInfo().attempt);
  } finally {
    clearInterval(beat);
  }
}

/** A poll that is not done yet: retryable, and benign so it logs at debug level and counts no failure metric. */
function notReady(type: string, message: string, details: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, details: [details], category: ApplicationFailureCategory.BENIGN });
}

export function createActivities(deps: ActivityDependencies) {
  const client = (group: GroupRef) => deps.providerFor(group.provider) as LoadBalancerProvider<Provider>;

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

    /** Adds one chunk (≤ 200 servers) with the chunk's idempotency key. */
    async addChunk(input: ChunkInput): Promise<ChunkResult> {
      const result = await call((signal) =>
        client(input.group).addServers(input.group as never, input.servers as never, {
          idempotencyKey: input.idempotencyKey,
          dryRun: input.dryRun,
          signal,
        }),
      );
      return { outcomes: uniform(result.servers.map(({ key, outcome }) => ({ key, value: outcome }))), requestIds: result.requestIds };
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
      const { group } = input;
      const listed = await call((signal) => client(group).listServers(group as never, { signal, servers: input.servers as never }));
      const byKey = new Map(listed.members.map((m) => [m.key, m.status]));
      const servers = input.servers.map((s) => {
        const key = identityKey(group.provider, s as never);
        return { key, status: byKey.get(key) ?? 'absent' };
      });
      const stragglers = servers.filter((s) => !memberReady(group.provider, s.status, input.waitFor));
      if (stragglers.length > 0) {
        throw notReady(NOT_READY.servers, `${stragglers.length} of ${servers.length} servers are not ${input.waitFor} yet`, { stragglers });
      }
      const requestIds = [...listed.requestIds];
      if (input.thenGroupReady) {
        const readiness = await call((signal) => client(group).groupReadiness(group as never, { signal }));
        requestIds.push(...readiness.requestIds);
        if (!readiness.ready) {
          throw notReady(NOT_READY.group, `the servers are ready but the group is ${readiness.status}`, { status: readiness.status });
        }
      }
      return { statuses: uniform(servers.map((s) => ({ key: s.key, value: s.status }))), requestIds };
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
