// What the coordinator does outside itself, each as one async function that reports back by events: list the group,
// write one change (an add, with the chunks sent after it, or a rollback's removal), read servers until ready, tell
// a request. An effect never touches the coordinator's state: the coordinator applies its events, in order (machine.ts).
import {
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  sleep,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { ChangeOwner, ListedGroup, WaitServersResult } from '../../activities/contract.js';
import {
  CALL_RETRY_POLICY,
  REQUEST_SIGNAL,
  serverCount,
  TIMINGS,
  type GroupRef,
  type IdentityOf,
  type Provider,
  type RequestUpdate,
  type Server,
  type ServerStatus,
  type Uniform,
} from '../../domain/index.js';
import { groupLabel } from '../../registry/index.js';
import { describeFailure } from '../failures.js';
import type { AddChange, AppliedFailure, Ask, Read, RemoveChange } from '../ledger/index.js';
import { CONFLICT_RELIST, REBIND_RESET_REQUEST } from './state.js';

/** What an effect reports, in the order it happened; `*-done` frees what the effect held (the writer, the lister, …). */
export type Event =
  | { readonly kind: 'listed'; readonly listed: ListedGroup }
  | { readonly kind: 'list-failed'; readonly failure: AppliedFailure }
  | { readonly kind: 'list-done' }
  | {
      readonly kind: 'added';
      readonly change: AddChange;
      readonly outcomes: Uniform<string>;
      readonly confirmed: Uniform<string> | undefined;
      readonly requestIds: string[];
    }
  | { readonly kind: 'unanswered'; readonly change: AddChange; readonly found: ReadonlySet<string> }
  | {
      readonly kind: 'not-sent';
      readonly change: AddChange;
      readonly timedOut: boolean;
      readonly stragglers: ServerStatus[];
      readonly requestIds: string[];
    }
  | {
      readonly kind: 'add-failed';
      readonly change: AddChange;
      readonly failure: AppliedFailure;
      readonly found: ReadonlySet<string>;
    }
  | {
      readonly kind: 'add-conflict';
      readonly change: AddChange;
      readonly failure: AppliedFailure;
      readonly present: ReadonlyMap<string, string>;
    }
  | { readonly kind: 'removed'; readonly change: RemoveChange; readonly requestIds: string[] }
  | { readonly kind: 'remove-failed'; readonly change: RemoveChange; readonly failure: AppliedFailure }
  | { readonly kind: 'write-done' }
  | { readonly kind: 'read'; readonly read: Read; readonly ready: WaitServersResult }
  | { readonly kind: 'read-failed'; readonly read: Read; readonly failure: AppliedFailure }
  | { readonly kind: 'read-done'; readonly id: number }
  | {
      readonly kind: 'untold';
      readonly to: Recipient;
      readonly update: RequestUpdate;
      readonly error: string;
      /** The request's workflow's open run, when another than `to.runId` (it was reset). */
      readonly openRun?: string | undefined;
    }
  | { readonly kind: 'told'; readonly to: Recipient; readonly update: RequestUpdate }
  | { readonly kind: 'phase-due' }
  | {
      readonly kind: 'answered';
      readonly asks: { workflowId: string; ask: Ask }[];
      readonly answers: ('yes' | 'no' | 'legacy')[];
    }
  | { readonly kind: 'confirm-done' }
  | { readonly kind: 'fetched'; readonly page: Page; readonly servers: Server[] | undefined }
  | { readonly kind: 'fetch-done' };

/** A page of a request's servers, asked for: whose, under which nonce, from which of them. */
export interface Page {
  readonly id: string;
  readonly runId: string;
  readonly nonce: string;
  readonly offset: number;
}

export type Emit = (event: Event) => void;

/** A request's workflow, as the coordinator tells it something. */
export interface Recipient {
  readonly id: string;
  readonly runId: string;
}

/** What effects need of the group: which it is, and a server's identity (what a list filter or removal takes). */
export interface Target {
  readonly group: GroupRef;
  readonly identity: (server: Server) => IdentityOf<Provider>;
}

/**
 * Activity options, per poll interval: Temporal polls by retrying at the interval (at least its 1 s floor). The
 * summary is what the Web UI shows for the activity ("chunk 3/5 of request-… · 200 servers · alibaba-gwlb …").
 */
function pollingAs(pollMs: number, scheduleToCloseMs: number, summary: string) {
  const options: ActivityOptions = {
    startToCloseTimeout: TIMINGS.startToCloseMs,
    heartbeatTimeout: TIMINGS.heartbeatTimeoutMs,
    scheduleToCloseTimeout: Math.max(scheduleToCloseMs, TIMINGS.startToCloseMs),
    retry: { initialInterval: Math.max(TIMINGS.retryFloorMs, pollMs), backoffCoefficient: 1 },
    summary,
  };
  return proxyActivities<Activities>(options);
}

/** Provider calls that are not polls: bounded retries with backoff. */
export function callsAs(summary: string) {
  return proxyActivities<Activities>({
    startToCloseTimeout: TIMINGS.startToCloseMs,
    heartbeatTimeout: TIMINGS.heartbeatTimeoutMs,
    scheduleToCloseTimeout: TIMINGS.addRetryWindowMs,
    retry: CALL_RETRY_POLICY,
    summary,
  });
}

/** Lists the group (for `servers` only, when given): `listed` or `list-failed`, then `list-done`. */
export function listGroup(target: Target, servers: IdentityOf<Provider>[] | undefined, summary: string, emit: Emit) {
  return callsAs(summary)
    .listGroupServers({ group: target.group, ...(servers ? { servers } : {}) })
    .then(
      (listed) => emit({ kind: 'listed', listed }),
      (error: unknown) => emit({ kind: 'list-failed', failure: describeFailure(error) }),
    )
    .finally(() => emit({ kind: 'list-done' }));
}

/** Who each add is for, by the change's token (the add tells them before it calls the provider). */
export type Owners = ReadonlyMap<string, ChangeOwner[]>;

/** Writes one change, then `write-done`. */
export function write(
  target: Target,
  change: AddChange | RemoveChange,
  following: AddChange[],
  summary: string,
  emit: Emit,
  owners: Owners = new Map(),
) {
  const written =
    change.kind === 'add' ? add(target, change, following, summary, emit, owners) : remove(target, change, emit);
  return written.finally(() => emit({ kind: 'write-done' }));
}

/** Which servers of a change a list found in the group, with their status; empty when the list fails too. */
async function listedOf(target: Target, change: AddChange, why: string): Promise<Map<string, string>> {
  const listed = await callsAs(`look for ${serverCount(change.keys.length)} of ${why} · ${groupLabel(target.group)}`)
    .listGroupServers({ group: target.group, servers: change.servers.map((s) => target.identity(s)) })
    .catch(() => undefined);
  const keys = new Set(change.keys);
  return new Map((listed?.members ?? []).filter((m) => keys.has(m.key)).map((m) => [m.key, m.status]));
}

/** Which servers of a change a list found in the group (its answer was lost): the change's own. */
async function foundOf(target: Target, change: AddChange): Promise<Set<string>> {
  return new Set((await listedOf(target, change, 'a change whose answer was lost')).keys());
}

/** The add activity's input: the change, its confirm wait, the chunks sent after it, and whom each is for. */
function addInput(target: Target, change: AddChange, following: AddChange[], owners: Owners) {
  const ownersOf = (c: AddChange) => {
    const of = owners.get(c.token);
    return of && of.length > 0 ? { owners: of } : {};
  };
  return {
    group: target.group,
    servers: change.servers,
    idempotencyKey: change.token,
    dryRun: change.dry,
    pollMs: change.pollMs,
    ...ownersOf(change),
    ...(change.confirm
      ? {
          confirm: {
            servers: change.confirm.servers,
            waitFor: change.confirm.waitFor,
            deadlineMs: change.confirm.deadline,
            sliceMs: TIMINGS.confirmSliceMs,
          },
        }
      : {}),
    ...(following.length > 0
      ? { then: following.map((f) => ({ servers: f.servers, idempotencyKey: f.token, ...ownersOf(f) })) }
      : {}),
  };
}

async function add(
  target: Target,
  change: AddChange,
  following: AddChange[],
  summary: string,
  emit: Emit,
  owners: Owners,
) {
  const window = change.confirm
    ? change.confirm.deadline - Date.now() + TIMINGS.addRetryWindowMs
    : TIMINGS.addRetryWindowMs;
  try {
    const result = await pollingAs(change.pollMs, window, summary).addChunk(
      addInput(target, change, following, owners),
    );
    if (!result.sent) {
      const { timedOut, stragglers, requestIds } = result;
      emit({ kind: 'not-sent', change, timedOut, stragglers, requestIds });
      for (const f of following) emit({ kind: 'unanswered', change: f, found: new Set() });
      return;
    }
    emit({
      kind: 'added',
      change,
      outcomes: result.outcomes,
      confirmed: result.confirmed,
      requestIds: result.requestIds,
    });
    const answers = result.then ?? [];
    // The first chunk not answered was refused for good (not applied): it goes again alone, and answers for itself.
    const refused = result.thenRefused === true && patched(CONFLICT_RELIST);
    for (const [n, f] of following.entries()) {
      const answer = answers[n];
      if (answer)
        emit({
          kind: 'added',
          change: f,
          outcomes: answer.outcomes,
          confirmed: undefined,
          requestIds: answer.requestIds,
        });
      // Not answered: the first such may have been applied (unless refused); the rest were not sent.
      else
        emit({
          kind: 'unanswered',
          change: f,
          found: n === answers.length && !refused ? await foundOf(target, f) : new Set(),
        });
    }
  } catch (error) {
    await addFailed(target, change, following, describeFailure(error), emit);
  }
}

/** The add failed for good: what it may have left in the group is looked for, and the failure applied. */
async function addFailed(
  target: Target,
  change: AddChange,
  following: AddChange[],
  failure: AppliedFailure,
  emit: Emit,
): Promise<void> {
  // Refused because a server of it is in the group already (put there by hand since the list, as GWLB's
  // Conflict.Server says): look, and what is there is reported present; the rest go again.
  if (failure.type === 'BackendConflict' && !change.dry && patched(CONFLICT_RELIST)) {
    const present = await listedOf(target, change, 'a change refused as a conflict');
    if (present.size > 0) {
      for (const f of following) emit({ kind: 'unanswered', change: f, found: new Set() });
      emit({ kind: 'add-conflict', change, failure, present });
      return;
    }
  }
  // Retries ran out without an answer: the change (and, from an earlier attempt, the chunks after it) may have
  // been applied with its answers lost. Look, so that nothing is in the group that no report lists.
  const lost = !change.dry && failure.type === 'ProviderUnavailable';
  for (const f of following)
    emit({ kind: 'unanswered', change: f, found: lost ? await foundOf(target, f) : new Set() });
  const found = lost ? await foundOf(target, change) : new Set<string>();
  emit({ kind: 'add-failed', change, failure, found });
}

/** A rollback's removal: once the group takes a change, remove, and wait until the servers are gone. */
async function remove(target: Target, change: RemoveChange, emit: Emit) {
  const { group } = target;
  const what = `${serverCount(change.keys.length)} of ${requestName(change.request)} · ${groupLabel(group)}`;
  const waitingAs = (summary: string) => pollingAs(TIMINGS.retryFloorMs, TIMINGS.addRetryWindowMs, summary);
  try {
    const ids: string[] = [];
    ids.push(
      ...(await waitingAs(`wait until the group takes a change · ${groupLabel(group)}`).waitGroupReady(group))
        .requestIds,
    );
    const removal = { group, servers: change.servers, idempotencyKey: change.token, dryRun: false };
    ids.push(...(await callsAs(`roll back ${what}`).removeChunk(removal)).requestIds);
    const gone = { group, servers: change.servers };
    ids.push(...(await waitingAs(`wait until the rolled-back ${what} are gone`).waitServersGone(gone)).requestIds);
    emit({ kind: 'removed', change, requestIds: ids });
  } catch (error) {
    emit({ kind: 'remove-failed', change, failure: describeFailure(error) });
  }
}

/** Reads the servers of `read` until an entry's are all ready or its deadline; cancelled with `scope`. Then `read-done`. */
export function readServers(target: Target, read: Read, id: number, scope: CancellationScope, emit: Emit) {
  const window = read.deadline - Date.now() + TIMINGS.startToCloseMs;
  const who = read.entries.length === 1 ? requestName(read.entries[0]!.request) : `${read.entries.length} requests`;
  const summary = `wait for ${serverCount(read.servers.length)} to be ${read.waitFor} (${who}) · ${groupLabel(target.group)}`;
  return scope
    .run(() =>
      pollingAs(read.pollMs, window, summary).waitServersReady({
        group: target.group,
        servers: read.servers,
        waitFor: read.waitFor,
        pollMs: read.pollMs,
        deadlineMs: read.deadline,
        ...(read.sets.length > 1 ? { sets: read.sets } : {}),
      }),
    )
    .then(
      (ready) => emit({ kind: 'read', read, ready }),
      (error: unknown) => {
        if (!isCancellation(error)) emit({ kind: 'read-failed', read, failure: describeFailure(error) });
      },
    )
    .finally(() => emit({ kind: 'read-done', id }));
}

/**
 * Tells a request something; `untold` when Temporal refuses (the request's run closed: with its workflow's open run,
 * if it has one, since 0.4), then `told`.
 */
export function tell(to: Recipient, update: RequestUpdate, emit: Emit): void {
  void getExternalWorkflowHandle(to.id, to.runId)
    .signal(REQUEST_SIGNAL, update)
    .catch(async (error: unknown) => {
      const openRun = patched(REBIND_RESET_REQUEST) ? await openRunOf(to) : undefined;
      emit({ kind: 'untold', to, update, error: String(error), openRun });
    })
    .finally(() => emit({ kind: 'told', to, update }));
}

/** The open run of a request's workflow, if another than the one told (it was reset), else undefined. */
async function openRunOf(to: Recipient): Promise<string | undefined> {
  const run = await callsAs(`look for a new run of ${requestName(to.id)}`)
    .openRun({ workflowId: to.id, closedRunId: to.runId })
    .catch(() => undefined);
  return run?.runId !== undefined && run.runId !== to.runId ? run.runId : undefined;
}

/** Wakes the coordinator at `at` for a phase change held back (a long read may be minutes away). */
export function wakeAt(at: number, emit: Emit): void {
  void sleep(Math.max(1, at - Date.now())).then(() => emit({ kind: 'phase-due' }));
}

/** The last part of a request's workflow id (its request key), enough to tell requests apart in a summary. */
export const requestName = (workflowId: string) => workflowId.split('/').at(-1) ?? workflowId;
