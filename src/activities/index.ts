// Thin activities: choose the provider client, make one call (or one page-through, or one bounded wait), and turn
// its failures into typed Temporal failures at the boundary. Only the group coordinator calls add and remove.
import { activityInfo, getClient } from '@temporalio/activity';
import type { WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import {
  ABSENT,
  CONFIRM_QUERY,
  COORDINATOR_SIGNAL,
  COORDINATOR_WORKFLOW_TYPE,
  GROUP_QUERY,
  NOT_READY,
  SERVERS_QUERY,
  REQUEST_SIGNAL,
  TASK_QUEUE,
  TIMINGS,
  WORKFLOW_TYPE,
  type ConfirmAsk,
  type GroupRef,
  type GroupView,
  type ServersAsk,
  type Server,
  type IdentityOf,
  type Provider,
} from '../domain/index.js';
import { coordinatorSummary, definitionOf, groupRefOf, identityKey } from '../registry/index.js';
import type { GroupQuota, LoadBalancerProvider, ServerChange } from '../providers/index.js';
import { call, countPoll, notReady } from './boundary.js';
import type {
  ActivityDependencies,
  AddAnswer,
  AddChunkInput,
  AddChunkResult,
  AddOutcome,
  ChangeOwner,
  ConfirmInput,
  FetchedServers,
  FetchServersInput,
  HandedOver,
  ChunkInput,
  ChunkResult,
  GoneInput,
  HandOverInput,
  ListedGroup,
  ListGroupInput,
  Uniform,
  Watched,
  WaitServersInput,
  WaitServersResult,
} from './contract.js';
import {
  FILTERED_LIST_MAX,
  Pending,
  pollUntil,
  readinessOf,
  someSetReady,
  uniform,
  type Readiness,
} from './polling.js';

export type * from './contract.js';
export { HEARTBEAT_INTERVAL_MS } from './boundary.js';
export { FILTERED_LIST_MAX, IN_ATTEMPT_POLLING_MS } from './polling.js';

/** The workflow types that submit to a coordinator: an lbflow request. */
const REQUESTER_TYPES: readonly string[] = [WORKFLOW_TYPE];

/** Backoff between retries of a refused or failed add (the waits before it poll at the request's interval). */
export const ADD_RETRY = TIMINGS.addRetry;

/** Adds tried so far across this activity's attempts, kept in heartbeat details (polling attempts do not count). */
function addsTriedBefore(): number {
  const details = activityInfo().heartbeatDetails as { adds?: unknown } | undefined;
  return typeof details?.adds === 'number' ? details.adds : 0;
}

export function createActivities(deps: ActivityDependencies) {
  const client = (group: GroupRef) => deps.providerFor(group.provider) as LoadBalancerProvider<Provider>;

  return {
    /**
     * Hands a request's message to its group's coordinator, starting the coordinator if none runs (Signal-with-Start
     * on the coordinator's fixed id: Temporal runs at most one per id, and a running one is only signalled, whatever
     * its task queue). Retried until delivered; the coordinator ignores a repeat. While a coordinator an earlier
     * release started for this task queue alone (`…@<queue>`) still runs, the message goes to it instead: the requests
     * of this queue keep one writer while that release drains.
     */
    async handOver(input: HandOverInput): Promise<HandedOver> {
      const { taskQueue } = activityInfo();
      const workflows = getClient().workflow;
      const delivered = async (coordinatorId: string, runId: string): Promise<HandedOver> => {
        // The rest go to the coordinator's current run (the same chain, unless it closed in between: then the request's
        // watch sees it closed, and hands everything over again).
        for (const message of input.then ?? [])
          await workflows.getHandle(coordinatorId).signal(COORDINATOR_SIGNAL, message);
        const { raw } = await workflows.getHandle(coordinatorId, runId).describe();
        return { coordinatorId, incarnation: raw.workflowExecutionInfo?.firstRunId || runId };
      };
      if (!input.coordinatorId.includes('@') && taskQueue !== TASK_QUEUE) {
        // A release before 0.4 started it, and its code may still run it: the servers go in the message.
        const legacy = workflows.getHandle(`${input.coordinatorId}@${taskQueue}`);
        if (await legacy.signal(COORDINATOR_SIGNAL, input.inline ?? input.message).then(() => true, notRunning))
          return delivered(legacy.workflowId, (await legacy.describe()).runId);
      }
      const started = await workflows.signalWithStart(COORDINATOR_WORKFLOW_TYPE, {
        workflowId: input.coordinatorId,
        taskQueue,
        workflowTaskTimeout: TIMINGS.workflowTaskTimeoutMs,
        args: [],
        signal: COORDINATOR_SIGNAL,
        signalArgs: [input.message],
        ...(input.message.kind === 'submit'
          ? { staticSummary: coordinatorSummary(groupRefOf(input.message.request)) }
          : {}),
      });
      // A submission of the servers' count alone reached a coordinator that does not fetch them (an earlier release's
      // code runs it, as after a rollback): it refused that one, and takes this one.
      if (input.inline && !(await fetchesPages(input.coordinatorId)))
        await workflows.getHandle(input.coordinatorId).signal(COORDINATOR_SIGNAL, input.inline);
      return delivered(input.coordinatorId, started.signaledRunId);
    },

    /**
     * A page of a request's servers, asked of the request itself (SERVERS_QUERY) with the nonce it submitted: none when
     * its run is closed or the nonce is not its own (the coordinator drops what it held of it).
     */
    async fetchServers(input: FetchServersInput): Promise<FetchedServers> {
      const handle = getClient().workflow.getHandle(input.workflowId, input.runId);
      if (!(await isOpenRequest(handle))) return {};
      const ask: ServersAsk = { nonce: input.nonce, offset: input.offset, maxBytes: input.maxBytes };
      const page = await handle.query<Server[] | null, [ServersAsk]>(SERVERS_QUERY, ask);
      return Array.isArray(page) ? { servers: page } : {};
    },

    /**
     * Asks each requester whether it sent what the coordinator heard in its name: its run must be open and an lbflow
     * request, and answer `lbflowConfirm` true for that nonce and keys (`legacy`: a request of 0.3.0 or earlier, which
     * has no such query). A requester that cannot be asked now (its worker is away) fails the activity, for the retry
     * policy to ask again: the answers come all at once.
     */
    async confirmRequesters(input: ConfirmInput): Promise<{ answers: ('yes' | 'no' | 'legacy')[] }> {
      const workflows = getClient().workflow;
      const answers = await Promise.all(
        input.asks.map(async ({ workflowId, runId, nonce, keys }): Promise<'yes' | 'no' | 'legacy'> => {
          const handle = workflows.getHandle(workflowId, runId);
          if (!(await isOpenRequest(handle))) return 'no';
          const ask: ConfirmAsk = { nonce, keys };
          return handle.query<boolean, [ConfirmAsk]>(CONFIRM_QUERY, ask).then(
            (yes) => (yes === true ? 'yes' : 'no'),
            (error: unknown) => {
              // Only a request that has no such query is older than 0.4 (the TypeScript SDK's words for it): any other
              // failure, such as a run whose first task has not run yet, is asked again.
              if (error instanceof Error && error.message.includes(`did not register a handler for ${CONFIRM_QUERY}`))
                return 'legacy';
              throw error;
            },
          );
        }),
      );
      return { answers };
    },

    /**
     * The open run of the chain a closed run belongs to, if any: a request the coordinator could not tell was reset
     * (Temporal's reset starts a new run in the same chain, the same first run id). Another workflow started later
     * under the same id is another chain, and no answer.
     */
    async openRun(input: { workflowId: string; closedRunId: string }): Promise<{ runId?: string }> {
      const describe = (runId?: string) =>
        getClient()
          .workflow.getHandle(input.workflowId, runId)
          .describe()
          .catch((error: unknown) => {
            if (error instanceof WorkflowNotFoundError) return undefined;
            throw error;
          });
      const [closed, latest] = await Promise.all([describe(input.closedRunId), describe()]);
      const chain = (d: Awaited<ReturnType<typeof describe>>) => d?.raw.workflowExecutionInfo?.firstRunId || undefined;
      const reset =
        latest?.status.name === 'RUNNING' && latest.runId !== input.closedRunId && chain(latest) === chain(closed);
      return reset && chain(closed) !== undefined ? { runId: latest.runId } : {};
    },

    /**
     * Succeeds once the coordinator incarnation a request was handed to is no longer running (it closed: terminated,
     * failed, timed out, or exited); while it runs, fails benignly for the retry policy to look again.
     */
    async watchCoordinator(input: HandedOver): Promise<Watched> {
      const described = await getClient()
        .workflow.getHandle(input.coordinatorId)
        .describe()
        .catch((error: unknown) => {
          if (error instanceof WorkflowNotFoundError) return undefined;
          throw error;
        });
      const status = described?.status.name ?? 'NOT_FOUND';
      const incarnation = described?.raw.workflowExecutionInfo?.firstRunId || described?.runId;
      if (status !== 'RUNNING' || incarnation !== input.incarnation)
        return { status: status === 'RUNNING' ? 'REPLACED' : status };
      const afterMs = deps.strandedAfterMs ?? TIMINGS.coordinatorStrandedMs;
      const stranded = await strandedOn(described!, afterMs);
      if (!stranded) throw notReady(NOT_READY.coordinator, `the coordinator ${input.coordinatorId} is running`, {});
      const seconds = Math.round(afterMs / 1000);
      await getClient()
        .workflow.getHandle(input.coordinatorId, described!.runId)
        .terminate(
          `lbflow: no worker has served task queue ${stranded} for ${seconds} s, where this coordinator runs; a request on ${activityInfo().taskQueue} takes its group up`,
        )
        .catch((error: unknown) => {
          // Ended meanwhile (another request of it did the same): closed all the same.
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        });
      return { status: 'STRANDED', taskQueue: stranded };
    },

    /**
     * Lists the group's members: with `servers`, only those (the provider's filter when they are few, else every page
     * read here and only the servers asked about answered, so the answer is never bigger than the question however
     * big the group); without, every member.
     */
    async listGroupServers(input: ListGroupInput): Promise<ListedGroup> {
      const { group, servers } = input;
      const filter = servers && servers.length <= FILTERED_LIST_MAX ? { servers: servers } : {};
      const listed = await call((signal) => client(group).listServers(group, { signal, ...filter }));
      const asked = servers && new Set(servers.map((s) => identityKey(group.provider, s)));
      const members = asked ? listed.members.filter((m) => asked.has(m.key)) : listed.members;
      return { members: members.map((m) => ({ key: m.key, status: m.status })), requestIds: listed.requestIds };
    },

    /** Succeeds when the group accepts a change; otherwise throws GroupNotReady for the retry policy to poll. */
    async waitGroupReady(group: GroupRef): Promise<{ status: string; requestIds: string[] }> {
      const readiness = await call((signal) => client(group).groupReadiness(group, { signal }));
      countPoll(group.provider, readiness.ready ? 'ready' : NOT_READY.group);
      if (!readiness.ready) {
        throw notReady(NOT_READY.group, `the group is ${readiness.status}, not ready for a change`, {
          status: readiness.status,
        });
      }
      return { status: readiness.status, requestIds: readiness.requestIds };
    },

    /**
     * Adds one chunk (≤ 200 servers) with the change's idempotency key, once the group accepts a change and the
     * `confirm` servers are ready (a dry run checks neither). The same key on every attempt, so a retry after a lost
     * answer replays (Alibaba ClientToken) or answers `existed` (Huawei). When the confirm wait outlasts its slice
     * or its deadline, nothing is sent and the answer says so.
     */
    async addChunk(input: AddChunkInput): Promise<AddChunkResult> {
      const { group, confirm } = input;
      const provider = client(group);
      // Heartbeats carry the count on, so a polling attempt does not reset it.
      const tried = { adds: addsTriedBefore() };
      const confirmReadiness = confirm ? readinessOf(provider, group, confirm.servers, confirm.waitFor) : undefined;
      const sliceEnd = confirm ? activityInfo().scheduledTimestampMs + confirm.sliceMs : Infinity;
      type Before =
        | { requestIds: string[]; confirmed?: ReturnType<typeof uniform<string>> }
        | Extract<AddChunkResult, { sent: false }>;
      const before: Before = input.dryRun
        ? { requestIds: [] }
        : await pollUntil<Before>(
            group.provider,
            input.pollMs,
            async () => {
              // Both are reads and both must hold: ask at once, so a poll costs the slower of the two.
              const [ready, readiness] = await Promise.all([
                confirmReadiness?.(tried),
                call((signal) => provider.groupReadiness(group, { signal }), { details: tried }),
              ]);
              if (ready && ready.stragglers.length > 0) {
                const n = ready.stragglers.length;
                return new Pending(
                  NOT_READY.servers,
                  `${n} of ${ready.statuses.length} servers of an earlier chunk are not ${confirm?.waitFor} yet`,
                  {
                    stragglers: ready.stragglers,
                    requestIds: ready.requestIds,
                  },
                );
              }
              if (!readiness.ready)
                return new Pending(NOT_READY.group, `the group is ${readiness.status}, not ready for a change`, {
                  status: readiness.status,
                });
              return {
                requestIds: [...(ready?.requestIds ?? []), ...readiness.requestIds],
                ...(ready ? { confirmed: uniform(ready.statuses.map((s) => ({ key: s.key, value: s.status }))) } : {}),
              };
            },
            (pending, now) => {
              if (pending.type !== NOT_READY.servers || !confirm) return undefined;
              const { stragglers, requestIds } = pending.details as { stragglers: []; requestIds: string[] };
              if (now >= confirm.deadlineMs) return { sent: false, timedOut: true, stragglers, requestIds };
              if (now >= sliceEnd) return { sent: false, timedOut: false, stragglers, requestIds };
              return undefined;
            },
          );
      if ('sent' in before) return before;
      const adds = tried.adds + 1;
      const delayMs = Math.min(ADD_RETRY.initialMs * ADD_RETRY.coefficient ** (adds - 1), ADD_RETRY.maximumMs);
      // A server the provider says existed on the change's first call was in the group before it (put there by hand
      // since the list); on a retry it may be this change's own earlier call, whose answer was lost. Only the first
      // attempt is surely the first call: a later one's count of earlier calls (a heartbeat) may not have reached the
      // server before its attempt died, so there `existed` is taken as the change's own, as before 0.4.
      const first = tried.adds === 0 && activityInfo().attempt === 1;
      await tellOwners(input.owners);
      const result = await call(
        (signal) =>
          provider.addServers(group, input.servers, {
            idempotencyKey: input.idempotencyKey,
            dryRun: input.dryRun,
            signal,
          }),
        { attempt: adds, delayMs, details: { adds } },
      ).catch(async (error: unknown) => {
        throw await withGroupCount(error, provider, group);
      });
      // The chunks after it go as soon as each is answered (the group takes back-to-back changes). One that fails or
      // gets no answer ends the run: the coordinator queues it again, after a list says whether it was applied.
      const then: AddAnswer[] = [];
      let thenRefused = false;
      for (const next of input.then ?? []) {
        try {
          await tellOwners(next.owners);
          const answer = await call(
            (signal) =>
              provider.addServers(group, next.servers, { idempotencyKey: next.idempotencyKey, dryRun: false, signal }),
            { details: { adds } },
          );
          then.push({ outcomes: addOutcomes(answer.servers, true), requestIds: answer.requestIds });
        } catch (error) {
          // Refused for good (a 4xx the provider classifies): that chunk was not applied.
          thenRefused = error instanceof ApplicationFailure && error.nonRetryable === true;
          break;
        }
      }
      return {
        sent: true,
        outcomes: addOutcomes(result.servers, first),
        requestIds: [...before.requestIds, ...result.requestIds],
        ...(before.confirmed ? { confirmed: before.confirmed } : {}),
        ...(input.then ? { then } : {}),
        ...(thenRefused ? { thenRefused } : {}),
      };
    },

    /** Removes one chunk (≤ 200 servers): the rollback of what a request's adds created. */
    async removeChunk(input: ChunkInput<IdentityOf<Provider>>): Promise<ChunkResult> {
      const result = await call((signal) =>
        client(input.group).removeServers(input.group, input.servers, {
          idempotencyKey: input.idempotencyKey,
          dryRun: false,
          signal,
        }),
      );
      return {
        outcomes: uniform(result.servers.map(({ key, outcome }) => ({ key, value: outcome }))),
        requestIds: result.requestIds,
      };
    },

    /**
     * Answers every server's status once all are ready by `waitFor`, or one of `sets` is, or one is not in the group
     * at all (lbflow added it: someone removed it, and it will never be ready), or (`timedOut`) at the deadline;
     * until then polls (throwing ServersNotReady for the retry policy when the interval is long).
     */
    async waitServersReady(input: WaitServersInput): Promise<WaitServersResult> {
      const readiness = readinessOf(client(input.group), input.group, input.servers, input.waitFor);
      const sets = input.sets ?? [input.servers.length];
      let last: Readiness | undefined;
      const answer = (ready: Readiness) => ({
        statuses: uniform(ready.statuses.map((s) => ({ key: s.key, value: s.status }))),
        requestIds: ready.requestIds,
      });
      return pollUntil<WaitServersResult>(
        input.group.provider,
        input.pollMs,
        async () => {
          const ready = (last = await readiness());
          const { leaving } = definitionOf(input.group.provider).readiness;
          const gone = ready.stragglers.some((s) => s.status === ABSENT || leaving.includes(s.status));
          if (ready.stragglers.length === 0 || someSetReady(ready, sets) || gone) return answer(ready);
          return new Pending(
            NOT_READY.servers,
            `${ready.stragglers.length} of ${ready.statuses.length} servers are not ${input.waitFor} yet`,
            { stragglers: ready.stragglers, requestIds: ready.requestIds },
          );
        },
        (_pending, now) => (now >= input.deadlineMs && last ? { ...answer(last), timedOut: true } : undefined),
      );
    },

    /** Succeeds when none of the servers is listed any more; otherwise throws ServersNotReady (rollback's wait). */
    async waitServersGone(input: GoneInput): Promise<WaitServersResult> {
      const { group } = input;
      const listed = await call((signal) => client(group).listServers(group, { signal, servers: input.servers }));
      const remaining = listed.members.map((m) => ({ key: m.key, status: m.status }));
      countPoll(group.provider, remaining.length > 0 ? NOT_READY.servers : 'ready');
      if (remaining.length > 0) {
        throw notReady(NOT_READY.servers, `${remaining.length} servers are still in the group`, {
          stragglers: remaining,
        });
      }
      return { statuses: { each: [] }, requestIds: listed.requestIds };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * Tells each request which servers are about to be added for it (`sending`), before the provider is called: should
 * the coordinator be lost with the add's answer, the request still knows what is its own. A request that closed is
 * not told (the coordinator finds that out itself).
 */
async function tellOwners(owners: readonly ChangeOwner[] | undefined): Promise<void> {
  await Promise.all(
    (owners ?? []).map(({ workflowId, runId, nonce, keys }) =>
      getClient()
        .workflow.getHandle(workflowId, runId)
        .signal(REQUEST_SIGNAL, { kind: 'sending', nonce, keys })
        .catch(notRunning),
    ),
  );
}

/** An add's answer per server; `existed` on a change's first call is `present`: in the group before the change. */
function addOutcomes(servers: readonly ServerChange[], first: boolean): Uniform<AddOutcome> {
  return uniform(
    servers.map(({ key, outcome }) => ({
      key,
      value: first && outcome === 'existed' ? ('present' as const) : outcome,
    })),
  );
}

/** gRPC's INVALID_ARGUMENT: what Temporal answers for a run id that is not a UUID. */
const INVALID_ARGUMENT = 3;

/** The gRPC status code behind a client's ServiceError, if any. */
function grpcCodeOf(error: unknown): number | undefined {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Whether the run is open and an lbflow request. No such run (not found, or a run id that is not one at all:
 * INVALID_ARGUMENT) is not; any other failure to describe it is thrown, for the activity's retry.
 */
async function isOpenRequest(handle: WorkflowHandle): Promise<boolean> {
  const described = await handle.describe().catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError || grpcCodeOf(error) === INVALID_ARGUMENT) return undefined;
    throw error;
  });
  return described?.status.name === 'RUNNING' && REQUESTER_TYPES.includes(described.type);
}

/**
 * The task queue of a running workflow nobody serves: a workflow task of it has waited `afterMs` to start, and no worker
 * has polled that queue for workflow tasks for as long. Undefined while it is served (or a task waits less).
 */
async function strandedOn(described: WorkflowExecutionDescription, afterMs: number): Promise<string | undefined> {
  const task = described.raw.pendingWorkflowTask;
  const scheduled = optionalTsToMs(task?.originalScheduledTime ?? task?.scheduledTime);
  if (!task || task.startedTime || scheduled === undefined || Date.now() - scheduled < afterMs) return undefined;
  const client = getClient();
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: described.taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
  });
  const served = (pollers ?? []).some((p) => Date.now() - (optionalTsToMs(p.lastAccessTime) ?? 0) < afterMs);
  return served ? undefined : described.taskQueue;
}

// Temporal's API enums (temporal.api.enums.v1), as numbers: @temporalio/proto is not a dependency of its own here.
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_WORKFLOW = 1;

/** How long a hand-over waits for a coordinator it just started to answer its `group` query (its first task). */
const FIRST_ANSWER_MS = 15_000;

/**
 * Whether the coordinator's code fetches the servers of a submission that carries their count alone (its `group`
 * query says `pages`, since 0.4). One just started answers once its first task ran: asked again until then.
 */
async function fetchesPages(coordinatorId: string): Promise<boolean> {
  const handle = getClient().workflow.getHandle(coordinatorId);
  const until = Date.now() + FIRST_ANSWER_MS;
  for (;;) {
    try {
      const view = await handle.query<GroupView>(GROUP_QUERY);
      return view.pages === true;
    } catch (error) {
      if (Date.now() >= until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** A signal refused because no run of that id is open: false; any other error is thrown (the hand-over is retried). */
function notRunning(error: unknown): false {
  if (error instanceof WorkflowNotFoundError) return false;
  throw error;
}

/**
 * A quota refusal with what the group holds, counted by listing it (exact on both providers), and, where the refusal
 * does not state the quota (Huawei's names it only), the quota read from the provider's quota API, so the request's
 * details can say how many more fit. A count that fails leaves the refusal as it was; a quota read that fails
 * leaves the count alone.
 */
async function withGroupCount(error: unknown, provider: LoadBalancerProvider, group: GroupRef): Promise<unknown> {
  if (!(error instanceof ApplicationFailure) || error.type !== 'QuotaExceeded') return error;
  const listed = await call((signal) => provider.listServers(group, { signal })).catch(() => undefined);
  if (!listed) return error;
  const groupHolds = listed.members.length;
  const stated = provider.groupQuota
    ? await call((signal) => provider.groupQuota!(group, { signal })).catch(() => undefined)
    : undefined;
  const details = (error.details?.[0] ?? {}) as Record<string, unknown>;
  return ApplicationFailure.create({
    type: error.type,
    message: error.message,
    details: [{ ...details, quota: { groupHolds, ...(stated ? quotaRoom(stated, groupHolds) : {}) } }],
    nonRetryable: error.nonRetryable === true,
  });
}

/** The group's quota and how many more servers fit in it: the lesser of the group's room and the account's. */
function quotaRoom(quota: GroupQuota, groupHolds: number): { limit?: number; fits?: number } {
  if (quota.perGroup === undefined) return {};
  const groupRoom = Math.max(0, quota.perGroup - groupHolds);
  return {
    limit: quota.perGroup,
    fits: quota.accountRoom === undefined ? groupRoom : Math.min(groupRoom, quota.accountRoom),
  };
}
