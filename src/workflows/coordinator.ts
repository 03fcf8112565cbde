// serverGroupCoordinator: the one writer of a server group. Requests hand their servers over (Signal-with-Start on
// the group's fixed workflow id); the coordinator lists, plans (ledger.ts), runs one add or remove at a time and
// the reads beside it, and tells each request its progress and outcome. It exits when idle and continues as new
// with its ledger, so its history stays bounded however long the group is busy.
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  makeContinueAsNewFunc,
  patched,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  metricMeter,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  BACK_TO_BACK_CHANGES,
  COORDINATOR_SIGNAL,
  coordinationSchemas,
  count,
  groupLabel,
  serverCount,
  FILTERED_LIST_MAX,
  coordinatorWorkflowId,
  firstIssue,
  GROUP_QUERY,
  groupIdOf,
  groupRefOf,
  REQUEST_SIGNAL,
  SEARCH_ATTRIBUTES,
  TIMINGS,
  type CoordinatorMessage,
  type GroupRef,
  type GroupView,
  type RequestUpdate,
} from '../domain/index.js';
import { describeFailure } from './failures.js';
import { emptyLedger, Ledger, MAX_CARRIED_BYTES, type LedgerState, type ReadOp, type WriteOp } from './ledger.js';

/**
 * Since 0.2.0 an idle coordinator looks every TIMINGS.coordinatorVersionCheckMs whether the deployment's current
 * version changed, and exits if so. A patch: a run recorded by 0.1.0 waited with one timer, and replays as it did.
 */
const IDLE_VERSION_CHECK = 'lbflow-0.2-idle-version-check';

/** Events between two weighings of a state found too big to continue as new with. */
const CARRY_RECHECK_EVENTS = 500;

export const coordinatorSignal = defineSignal<[unknown]>(COORDINATOR_SIGNAL);
export const requestSignal = defineSignal<[unknown]>(REQUEST_SIGNAL);
export const groupQuery = defineQuery<GroupView>(GROUP_QUERY);

/** What a coordinator hands to its next run: only it can, by continuing as new. */
export interface CarriedState {
  readonly v: 1;
  readonly ledger: LedgerState;
  /** An exit-when-idle heard by an earlier run still holds. */
  readonly exitWhenIdle?: boolean;
}

/**
 * A coordinator run is pinned to the worker version it started on, so it is never replayed by code of another
 * version; each next run starts on the deployment's current version (AUTO_UPGRADE is the first task's behavior only:
 * the run then pins itself again). What one version hands the next, the carried state, is read by both (docs/upgrading.md).
 */
const continueOnCurrentVersion = (state: CarriedState) =>
  makeContinueAsNewFunc<typeof serverGroupCoordinator>({ initialVersioningBehavior: 'AUTO_UPGRADE' })(state);

function validationFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'ValidationError',
    message,
    nonRetryable: true,
    details: [{ type: 'ValidationError', added: [], alreadyPresent: [], issues: [{ path: '', message }] }],
  });
}

const sameGroup = (a: GroupRef, b: GroupRef) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Activity options, per poll interval: Temporal polls by retrying at the interval (at least its 1 s floor). The
 * summary is what the Web UI shows for the activity ("chunk 3/5 of r-… · 200 servers · alibaba-gwlb …").
 */
function activitiesFor(pollMs: number, scheduleToCloseMs: number, summary: string) {
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
function callsAs(summary: string) {
  return proxyActivities<Activities>({
    startToCloseTimeout: TIMINGS.startToCloseMs,
    heartbeatTimeout: TIMINGS.heartbeatTimeoutMs,
    scheduleToCloseTimeout: TIMINGS.addRetryWindowMs,
    retry: {
      initialInterval: TIMINGS.callRetry.initialMs,
      backoffCoefficient: TIMINGS.callRetry.coefficient,
      maximumInterval: TIMINGS.callRetry.maximumMs,
    },
    summary,
  });
}

/** The last part of a request's workflow id (its request key), enough to tell requests apart in a summary. */
const requestName = (workflowId: string) => workflowId.split('/').at(-1) ?? workflowId;

/** "chunk 3/5 of r-… · 200 servers · alibaba-gwlb cn-hangzhou sgp-…", or "2 chunks for 3 requests · …" when shared. */
function addSummary(
  l: Ledger,
  op: Extract<WriteOp, { kind: 'add' }>,
  following: readonly Extract<WriteOp, { kind: 'add' }>[],
): string {
  const chunks = 1 + following.length;
  const n = op.keys.length + following.reduce((sum, f) => sum + f.keys.length, 0);
  const requests = [...new Set([...op.requests, ...following.flatMap((f) => f.requests)])];
  const only = requests.length === 1 ? l.request(requests[0] as string) : undefined;
  let which = `${chunks === 1 ? 'a chunk' : `${chunks} chunks`} for ${requests.length} requests`;
  if (only) {
    const p = l.progressOf(only);
    which = `chunk ${p.chunksDone + 1}${chunks > 1 ? `–${p.chunksDone + chunks}` : ''}/${p.chunksTotal} of ${requestName(only.id)}`;
  }
  return `${op.dry ? 'dry run · ' : ''}${which} · ${serverCount(n)} · ${groupLabel(l.state.group)}`;
}

/** The coordinator's live details: what is queued, in flight and live, as a Markdown table. */
function coordinatorDetails(queued: number, inFlight: string, live: number): string {
  return [
    '| | |',
    '|---|---|',
    `| **queued** | ${serverCount(queued)} |`,
    `| **in flight** | ${inFlight} |`,
    `| **live requests** | ${count(live)} |`,
  ].join('\n');
}

export async function serverGroupCoordinator(...input: unknown[]): Promise<void> {
  const info = workflowInfo();
  let ledger: Ledger | undefined;
  let exitWhenIdle = false;
  if (info.continuedFromExecutionRunId === undefined) {
    // A fresh start takes nothing: the ledger (who created which server) comes only from the coordinator's own continue-as-new.
    if (input.length > 0)
      throw validationFailure(
        `serverGroupCoordinator takes no input when started (it gets its state only from its own continue-as-new); got ${input.length} argument(s).`,
      );
  } else {
    const carried = coordinationSchemas().CarriedStateFrameSchema.safeParse(input[0]);
    if (!carried.success)
      throw validationFailure(
        `serverGroupCoordinator was continued with a malformed state: ${firstIssue(carried.error)}`,
      );
    const state = carried.data as unknown as CarriedState;
    ledger = new Ledger(state.ledger, info.firstExecutionRunId);
    exitWhenIdle = state.exitWhenIdle === true;
  }

  const inbox: CoordinatorMessage[] = [];
  let dirty = true;
  const wake = () => {
    dirty = true;
  };
  setHandler(coordinatorSignal, (raw) => {
    const parsed = coordinationSchemas().CoordinatorMessageSchema.safeParse(raw);
    if (!parsed.success) {
      log.warn('coordinator refused a malformed message', { reason: firstIssue(parsed.error) });
      return;
    }
    inbox.push(parsed.data);
  });

  /** The change in flight, and the chunks sent after it in the same activity (a group that takes back-to-back changes). */
  let writing:
    { op: WriteOp; following: Extract<WriteOp, { kind: 'add' }>[]; done: Promise<void>; summary: string } | undefined;
  let listing: { ids: string[]; created: Set<string>; removed: Set<string> } | undefined;
  const reads = new Map<number, { op: ReadOp; scope: CancellationScope; done: Promise<void> }>();
  let readSeq = 0;
  const reading = () => new Set([...reads.values()].flatMap((r) => r.op.entries.map((e) => e.request)));
  let sending = 0;
  let phaseTimer = false;
  let heldOnce = false;
  // The worker's metrics (the SDK records nothing while replaying): servers waiting for a change, and each change's size.
  const queueDepth = metricMeter.createGauge(
    'lbflow_group_queue_depth',
    'int',
    'servers',
    "Servers queued for a group's next changes, by provider and server group",
  );
  const changeServers = metricMeter.createHistogram(
    'lbflow_change_servers',
    'int',
    'servers',
    'Servers per add change (coalesced across requests), by provider',
  );
  let shownDepth = -1;
  let shownDetails = '';
  /** History length at which the state was last found too big to carry. */
  let carryCheckedAt = -Infinity;

  setHandler(groupQuery, (): GroupView => {
    const op = writing?.op;
    return {
      group: ledger?.state.group ?? ({ provider: 'alibaba-gwlb', region: '', serverGroupId: '' } as GroupRef),
      incarnation: info.firstExecutionRunId,
      seq: ledger?.state.seq ?? 0,
      queued: ledger?.queued() ?? 0,
      inFlight:
        op && writing
          ? {
              kind: op.kind === 'remove' ? 'remove' : op.dry ? 'dry-run' : 'add',
              servers: op.keys.length + writing.following.reduce((n, f) => n + f.keys.length, 0),
              chunks: 1 + writing.following.length,
              requests:
                op.kind === 'remove'
                  ? [op.request]
                  : [...new Set([...op.requests, ...writing.following.flatMap((f) => f.requests)])],
              token: op.token,
            }
          : undefined,
      requests: (ledger?.live ?? []).map((r) => ({
        workflowId: r.id,
        phase: ledger!.phaseOf(r),
        requested: r.requested,
        queued: ledger!.queued(r),
        added: r.added.length,
        alreadyPresent: r.alreadyPresent.length,
      })),
      awaitingAdmission: (ledger?.live ?? []).filter((r) => !r.admitted).length,
    };
  });

  const send = (to: { id: string; runId: string }, update: RequestUpdate) => {
    sending++;
    getExternalWorkflowHandle(to.id, to.runId)
      .signal(requestSignal, update)
      .catch((error: unknown) => {
        // Temporal refuses a signal only to a workflow that is closed: one that ended without telling us (terminated,
        // timed out) must not have its queued servers added for nobody.
        const abandoned = ledger?.abandon(to.id, to.runId) ?? false;
        log.warn(
          abandoned
            ? 'a request closed without a cancellation: its queued servers are dropped'
            : 'a request could not be told (it has ended)',
          {
            request: to.id,
            kind: update.kind,
            error: String(error),
          },
        );
      })
      .finally(() => {
        sending--;
        wake();
      });
  };

  /** The messages that arrived: submissions join the ledger (the first one names the group), cancellations end their request. */
  const drainInbox = () => {
    for (const message of inbox.splice(0)) {
      if (message.kind === 'submit') {
        const group = groupRefOf(message.request);
        // The group's own coordinator only (its id names the group; the task queue suffix is not checked, so replay works).
        const own = coordinatorWorkflowId(group);
        if (
          (info.workflowId !== own && !info.workflowId.startsWith(`${own}@`)) ||
          (ledger && !sameGroup(ledger.state.group, group))
        ) {
          log.warn('coordinator refused a submission for another group', { request: message.requester.workflowId });
          continue;
        }
        if (!ledger) {
          ledger = new Ledger(emptyLedger(group), info.firstExecutionRunId);
          upsertSearchAttributes([
            { key: SEARCH_ATTRIBUTES.provider, value: group.provider },
            { key: SEARCH_ATTRIBUTES.region, value: group.region },
            { key: SEARCH_ATTRIBUTES.serverGroupId, value: groupIdOf(group) },
            { key: SEARCH_ATTRIBUTES.phase, value: 'coordinating' },
          ]);
        }
        const refused = ledger.submit(message, Date.now());
        if (refused) log.warn(`coordinator: ${refused}`, { request: message.requester.workflowId });
      } else if (message.kind === 'exit-when-idle') {
        exitWhenIdle = true;
      } else {
        const refused =
          ledger?.cancel(message.requester.workflowId, message.nonce) ?? 'no request is live here: ignored';
        if (refused) log.warn(`coordinator: ${refused}`, { request: message.requester.workflowId });
      }
    }
  };

  const startListing = (l: Ledger) => {
    const due = l.toList();
    if (listing || due.length === 0) return;
    const ids = due.map((r) => r.id);
    const servers = due.flatMap((r) => (r.servers ?? []).map((s) => l.identity(s)));
    // Past the filter's size the activity lists the whole group: sending the identities would only grow history.
    const filter = servers.length <= FILTERED_LIST_MAX ? { servers } : {};
    const current = writing?.op;
    listing = { ids, created: new Set(), removed: new Set(current?.kind === 'remove' ? current.keys : []) };
    const seen = listing;
    callsAs(
      `list ${'servers' in filter ? `${serverCount(servers.length)} of ` : ''}${groupLabel(l.state.group)} for ${due.length === 1 ? requestName(ids[0] as string) : `${due.length} requests`}`,
    )
      .listGroupServers({ group: l.state.group, ...filter })
      .then(
        (listed) => {
          // Changes answered while the list was read are the coordinator's own: they override what the list saw.
          const members = [...listed.members];
          for (const key of seen.created)
            if (!members.some((m) => m.key === key)) members.push({ key, status: 'added' });
          l.applyListing(ids, members, listed.requestIds, seen.removed);
        },
        (error: unknown) => l.failListing(ids, describeFailure(error)),
      )
      .finally(() => {
        listing = undefined;
        wake();
      });
  };

  const startWrite = (l: Ledger, op: WriteOp) => {
    if (op.kind === 'remove' && listing) for (const k of op.keys) listing.removed.add(k);
    // A group that takes back-to-back changes gets the full chunks due after this one in the same activity.
    const following =
      op.kind === 'add' && BACK_TO_BACK_CHANGES[l.state.group.provider]
        ? l.followingWrites(op, TIMINGS.chunksPerAdd - 1)
        : [];
    if (op.kind === 'add' && !op.dry) {
      // How well requests coalesce: the servers each change carries (up to 200 per chunk, chunks back to back summed).
      changeServers.record(op.keys.length + following.reduce((n, f) => n + f.keys.length, 0), {
        provider: l.state.group.provider,
      });
    }
    // Named once, when it starts: the activity's summary, and the "in flight" of the coordinator's details.
    const summary =
      op.kind === 'add'
        ? addSummary(l, op, following)
        : `roll back ${serverCount(op.keys.length)} of ${requestName(op.request)}`;
    const done = (op.kind === 'add' ? add(l, op, following, summary) : remove(l, op)).finally(() => {
      writing = undefined;
      wake();
    });
    writing = { op, following, done, summary };
  };

  /** Whether a list found these servers of a change in the group (its answer was lost); empty when the list fails too. */
  const foundOf = async (l: Ledger, op: Extract<WriteOp, { kind: 'add' }>): Promise<Set<string>> => {
    const listed = await callsAs(
      `look for ${serverCount(op.keys.length)} of a change whose answer was lost · ${groupLabel(l.state.group)}`,
    )
      .listGroupServers({ group: l.state.group, servers: op.servers.map((s) => l.identity(s)) })
      .catch(() => undefined);
    const keys = new Set(op.keys);
    return new Set((listed?.members ?? []).map((m) => m.key).filter((k) => keys.has(k)));
  };

  const add = async (
    l: Ledger,
    op: Extract<WriteOp, { kind: 'add' }>,
    following: Extract<WriteOp, { kind: 'add' }>[],
    summary: string,
  ) => {
    const now = Date.now();
    const window = op.confirm ? op.confirm.deadline - now + TIMINGS.addRetryWindowMs : TIMINGS.addRetryWindowMs;
    const created = (o: Extract<WriteOp, { kind: 'add' }>) => {
      if (listing && !o.dry) for (const key of o.keys) listing.created.add(key);
    };
    try {
      const result = await activitiesFor(op.pollMs, window, summary).addChunk({
        group: l.state.group,
        servers: op.servers,
        idempotencyKey: op.token,
        dryRun: op.dry,
        pollMs: op.pollMs,
        ...(op.confirm
          ? {
              confirm: {
                servers: op.confirm.servers,
                waitFor: op.confirm.waitFor,
                deadlineMs: op.confirm.deadline,
                sliceMs: TIMINGS.confirmSliceMs,
              },
            }
          : {}),
        ...(following.length > 0
          ? { then: following.map((f) => ({ servers: f.servers, idempotencyKey: f.token })) }
          : {}),
      });
      if (result.sent) {
        l.applyAdded(op, result.outcomes, result.confirmed, result.requestIds, Date.now());
        created(op);
        const answers = result.then ?? [];
        for (const [n, f] of following.entries()) {
          const answer = answers[n];
          if (answer) {
            l.applyAdded(f, answer.outcomes, undefined, answer.requestIds, Date.now());
            created(f);
          } else {
            // Not answered: the first such may have been applied; the rest were not sent.
            l.applyUnanswered(f, n === answers.length ? await foundOf(l, f) : new Set());
          }
        }
      } else {
        l.applyNotSent(op, result.timedOut, result.stragglers, result.requestIds);
        for (const f of following) l.applyUnanswered(f, new Set());
      }
    } catch (error) {
      const failure = describeFailure(error);
      // Retries ran out without an answer: the change (and, from an earlier attempt, the chunks after it) may have
      // been applied with its answers lost. Look, so that nothing is in the group that no report lists.
      const lost = !op.dry && failure.type === 'ProviderUnavailable';
      for (const f of following) l.applyUnanswered(f, lost ? await foundOf(l, f) : new Set());
      const found = lost ? await foundOf(l, op) : new Set<string>();
      l.applyAddFailed(op, failure, found);
    }
  };

  const remove = async (l: Ledger, op: Extract<WriteOp, { kind: 'remove' }>) => {
    const group = l.state.group;
    const what = `${serverCount(op.keys.length)} of ${requestName(op.request)} · ${groupLabel(group)}`;
    try {
      const ids: string[] = [];
      ids.push(
        ...(
          await activitiesFor(
            TIMINGS.retryFloorMs,
            TIMINGS.addRetryWindowMs,
            `wait until the group takes a change · ${groupLabel(group)}`,
          ).waitGroupReady(group)
        ).requestIds,
      );
      ids.push(
        ...(
          await callsAs(`roll back ${what}`).removeChunk({
            group,
            servers: op.servers,
            idempotencyKey: op.token,
            dryRun: false,
          })
        ).requestIds,
      );
      ids.push(
        ...(
          await activitiesFor(
            TIMINGS.retryFloorMs,
            TIMINGS.addRetryWindowMs,
            `wait until the rolled-back ${what} are gone`,
          ).waitServersGone({ group, servers: op.servers })
        ).requestIds,
      );
      l.applyRemoved(op, ids);
    } catch (error) {
      l.applyRemoveFailed(op, describeFailure(error));
    }
  };

  const startRead = (l: Ledger, op: ReadOp) => {
    const scope = new CancellationScope();
    const window = op.deadline - Date.now() + TIMINGS.startToCloseMs;
    const id = readSeq++;
    const done = scope
      .run(() =>
        activitiesFor(
          op.pollMs,
          window,
          `wait for ${serverCount(op.servers.length)} to be ${op.waitFor} (${op.entries.length === 1 ? requestName(op.entries[0]!.request) : `${op.entries.length} requests`}) · ${groupLabel(l.state.group)}`,
        ).waitServersReady({
          group: l.state.group,
          servers: op.servers,
          waitFor: op.waitFor,
          pollMs: op.pollMs,
          deadlineMs: op.deadline,
          ...(op.sets.length > 1 ? { sets: op.sets } : {}),
        }),
      )
      .then(
        (ready) => l.applyRead(op, ready.statuses, ready.requestIds, ready.timedOut === true),
        (error: unknown) => {
          if (!isCancellation(error)) l.applyReadFailed(op, describeFailure(error));
        },
      )
      .finally(() => {
        reads.delete(id);
        wake();
      });
    reads.set(id, { op, scope, done });
  };

  /** One pass: take the messages, start what may start, tell requests what is due. */
  const step = (l: Ledger) => {
    const now = Date.now();
    // A read no live request waits on any more is stopped.
    for (const read of reads.values())
      if (read.op.entries.every((e) => !l.request(e.request) || l.request(e.request)?.end)) read.scope.cancel();
    for (const r of l.admissionsDue()) send({ id: r.id, runId: r.runId }, { kind: 'resend', nonce: r.nonce });
    startListing(l);
    if (!writing) {
      // A chunk that is not full waits once for the list in flight of requests that just arrived (a burst's first add
      // would otherwise leave with the first request alone); no timer, and a lone request never waits.
      const op = l.nextWrite(now, listing !== undefined && !heldOnce);
      if (op) {
        heldOnce = false;
        startWrite(l, op);
      } else if (l.held) heldOnce = true;
    }
    for (const op of l.readsDue(now, reading())) startRead(l, op);
    const outcomes = l.takeOutcomes();
    for (const { request, update } of outcomes) send({ id: request.id, runId: request.runId }, update);
    for (const { request, update } of l.progressDue(now, TIMINGS.progressEveryMs, TIMINGS.progressPhaseMs))
      send({ id: request.id, runId: request.runId }, update);
    // A phase change held back must not wait for the next answer (a long read may be minutes away): one timer for it.
    const phaseDue = l.phaseChangeDueAt(TIMINGS.progressPhaseMs);
    if (phaseDue !== undefined && !phaseTimer) {
      phaseTimer = true;
      void sleep(Math.max(1, phaseDue - now)).then(() => {
        phaseTimer = false;
        wake();
      });
    }
    // An ending may free the writer's next change (a rollback) or room for a waiting request: look again.
    if (outcomes.length > 0 && !writing) dirty = true;
    const depth = l.queued();
    const details = coordinatorDetails(
      depth,
      writing ? writing.summary.split(' · ').slice(0, 2).join(' · ') : '–',
      l.live.length,
    );
    if (details !== shownDetails) setCurrentDetails((shownDetails = details));
    if (depth !== shownDepth)
      queueDepth.set((shownDepth = depth), {
        provider: l.state.group.provider,
        server_group: groupIdOf(l.state.group),
      });
  };

  const busy = () => writing !== undefined || listing !== undefined || reads.size > 0 || sending > 0;

  /**
   * Waits for work for up to the idle time: true when some came. A new current version of the worker deployment
   * ends the wait early (false): an idle run leaves, and the next request starts one on the current version.
   */
  const idleWait = async (): Promise<boolean> => {
    const work = () => inbox.length > 0 || dirty;
    if (!patched(IDLE_VERSION_CHECK)) return condition(work, TIMINGS.coordinatorIdleMs);
    const until = Date.now() + TIMINGS.coordinatorIdleMs;
    for (let left = TIMINGS.coordinatorIdleMs; left > 0; left = until - Date.now()) {
      if (await condition(work, Math.min(left, TIMINGS.coordinatorVersionCheckMs))) return true;
      if (workflowInfo().targetWorkerDeploymentVersionChanged) return false;
    }
    return false;
  };

  for (;;) {
    if (inbox.length === 0 && !dirty && !busy() && (ledger?.idle ?? true)) {
      const woke = exitWhenIdle ? false : await idleWait();
      if (!woke && inbox.length === 0 && (ledger?.idle ?? true)) {
        await condition(allHandlersFinished);
        if (inbox.length === 0) return;
      }
    } else {
      await condition(() => dirty || inbox.length > 0);
    }
    dirty = false;
    drainInbox();
    if (!ledger) continue;

    const current = workflowInfo();
    if (
      (current.continueAsNewSuggested ||
        current.historyLength >= TIMINGS.coordinatorMaxEvents ||
        current.targetWorkerDeploymentVersionChanged) &&
      current.historyLength >= carryCheckedAt + CARRY_RECHECK_EVENTS
    ) {
      // Start nothing new; once the change and the list in flight are answered, hand the ledger to a new run. A new
      // current version of the worker deployment (an upgrade or a rollback, docs/upgrading.md) is such a moment too:
      // this run stays pinned to the version it started on, and its next run starts on the current one.
      if (writing || listing || sending > 0) continue;
      // A state too big to carry (one request of 10,000 long Huawei entries) stays in this run, whose history has
      // room for tens of thousands of events more; it is weighed again some events later.
      const size = JSON.stringify(ledger.state).length;
      if (size > MAX_CARRIED_BYTES) {
        carryCheckedAt = current.historyLength;
        log.warn('coordinator state too big to continue as new yet: running on in this run', {
          bytes: size,
          events: current.historyLength,
        });
        step(ledger);
        continue;
      }
      // Reads are only reads: stop them and let the next run start them again (their deadlines are absolute).
      for (const read of reads.values()) read.scope.cancel();
      await Promise.all([...reads.values()].map((r) => r.done));
      await condition(allHandlersFinished);
      drainInbox();
      const state: CarriedState = { v: 1, ledger: ledger.state, ...(exitWhenIdle ? { exitWhenIdle } : {}) };
      await continueOnCurrentVersion(state);
    }
    step(ledger);
  }
}
