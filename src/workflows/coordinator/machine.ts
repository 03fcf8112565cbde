// The coordinator as an explicit state machine: its state is the fields below (the ledger, the change in flight, the
// list in flight, the reads); effects (effects.ts) report back by events, and only `run`'s loop changes the state, as
// named steps: wait for work, apply what happened, take the messages, continue as new when due, and decide what to
// start. No callback changes a field: each only queues an event.
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  log,
  patched,
  upsertSearchAttributes,
  workflowInfo,
  type WorkflowInfo,
} from '@temporalio/workflow';
import {
  BACK_TO_BACK_CHANGES,
  coordinationSchemas,
  coordinatorWorkflowId,
  FILTERED_LIST_MAX,
  firstIssue,
  groupIdOf,
  groupLabel,
  groupRefOf,
  SEARCH_ATTRIBUTES,
  serverCount,
  TIMINGS,
  type CoordinatorMessage,
  type GroupView,
  type SubmitMessage,
} from '../../domain/index.js';
import * as ledger from '../ledger/index.js';
import { emptyLedger, Ledger, MAX_CARRIED_BYTES, type Change, type Read } from '../ledger/index.js';
import {
  listGroup,
  readServers,
  requestName,
  tell,
  wakeAt,
  write,
  type Emit,
  type Event,
  type Target,
} from './effects.js';
import {
  CARRY_RECHECK_EVENTS,
  FINAL_PROGRESS,
  IDLE_VERSION_CHECK,
  type CarriedState,
  type Listing,
  type ReadInFlight,
} from './state.js';
import { changeSummary, groupView, Shown, type Flight } from './view.js';

export class GroupCoordinator {
  #ledger: Ledger | undefined;
  #exitWhenIdle: boolean;
  readonly #inbox: CoordinatorMessage[] = [];
  readonly #events: Event[] = [];
  /** Look again with no message or event: at the start, and after an ending that may free the writer. */
  #again = true;
  #flight: Flight | undefined;
  #listing: Listing | undefined;
  readonly #reads = new Map<number, ReadInFlight>();
  #readSeq = 0;
  /** Messages to requests not answered yet. */
  #telling = 0;
  #phaseWake = false;
  /** An unfull chunk was held back once for the list in flight: the next one goes. */
  #held = false;
  /** History length at which the state was last found too big to carry. */
  #carryCheckedAt = -Infinity;
  readonly #shown = new Shown();
  readonly #emit: Emit = (event) => {
    this.#events.push(event);
  };

  constructor(
    readonly info: WorkflowInfo,
    carried: CarriedState | undefined,
  ) {
    this.#ledger = carried && new Ledger(ledger.fromCarried(carried.ledger), info.firstExecutionRunId);
    this.#exitWhenIdle = carried?.exitWhenIdle === true;
  }

  /** A message arrived (the signal handler): kept for the loop, or refused when malformed. */
  hear(raw: unknown): void {
    const parsed = coordinationSchemas().CoordinatorMessageSchema.safeParse(raw);
    if (parsed.success) this.#inbox.push(parsed.data);
    else log.warn('coordinator refused a malformed message', { reason: firstIssue(parsed.error) });
  }

  /** The `group` query's answer. */
  view(): GroupView {
    return groupView(this.#ledger, this.info.firstExecutionRunId, this.#flight);
  }

  /** Runs until the group is idle (undefined: exit) or its ledger is to continue in a new run (the state to carry). */
  async run(): Promise<CarriedState | undefined> {
    for (;;) {
      if (!(await this.#waitForWork())) return undefined;
      this.#again = false;
      this.#applyEvents();
      this.#takeMessages();
      const l = this.#ledger;
      if (!l) continue;
      const carry = this.#carryDue(l);
      if (carry === 'not-yet') continue;
      if (carry === 'now') return this.#handOver(l);
      this.#step(l);
    }
  }

  #hasWork(): boolean {
    return this.#again || this.#inbox.length > 0 || this.#events.length > 0;
  }

  #busy(): boolean {
    return this.#flight !== undefined || this.#listing !== undefined || this.#reads.size > 0 || this.#telling > 0;
  }

  /** Waits for a message, an event or a look again; false when the coordinator is to exit (idle, nothing came). */
  async #waitForWork(): Promise<boolean> {
    const idle = () => this.#ledger?.idle ?? true;
    if (this.#hasWork() || this.#busy() || !idle()) {
      await condition(() => this.#hasWork());
      return true;
    }
    const woke = this.#exitWhenIdle ? false : await this.#idleWait();
    if (woke || this.#inbox.length > 0 || !idle()) return true;
    await condition(allHandlersFinished);
    return this.#inbox.length > 0;
  }

  /**
   * Waits for work for up to the idle time: true when some came. A new current version of the worker deployment
   * ends the wait early (false): an idle run leaves, and the next request starts one on the current version.
   */
  async #idleWait(): Promise<boolean> {
    const work = () => this.#hasWork();
    if (!patched(IDLE_VERSION_CHECK)) return condition(work, TIMINGS.coordinatorIdleMs);
    const until = Date.now() + TIMINGS.coordinatorIdleMs;
    for (let left = TIMINGS.coordinatorIdleMs; left > 0; left = until - Date.now()) {
      if (await condition(work, Math.min(left, TIMINGS.coordinatorVersionCheckMs))) return true;
      if (workflowInfo().targetWorkerDeploymentVersionChanged) return false;
    }
    return false;
  }

  /** What the effects reported since the last look, applied in the order it happened. */
  #applyEvents(): void {
    for (const event of this.#events.splice(0)) this.#apply(event);
  }

  #apply(event: Event): void {
    const l = this.#ledger!;
    switch (event.kind) {
      case 'listed':
        return this.#applyListing(l, event.listed.members, event.listed.requestIds);
      case 'list-failed':
        return ledger.failListing(l, this.#listing?.ids ?? [], event.failure);
      case 'list-done':
        this.#listing = undefined;
        return;
      case 'added':
        ledger.applyAdded(l, event.change, event.outcomes, event.confirmed, event.requestIds, Date.now());
        if (this.#listing && !event.change.dry) for (const key of event.change.keys) this.#listing.created.add(key);
        return;
      case 'unanswered':
        return ledger.applyUnanswered(l, event.change, event.found);
      case 'not-sent':
        return ledger.applyNotSent(l, event.change, event.timedOut, event.stragglers, event.requestIds);
      case 'add-failed':
        return ledger.applyAddFailed(l, event.change, event.failure, event.found);
      case 'removed':
        return ledger.applyRemoved(l, event.change, event.requestIds);
      case 'remove-failed':
        return ledger.applyRemoveFailed(l, event.change, event.failure);
      case 'write-done':
        this.#flight = undefined;
        return;
      case 'read':
        return ledger.applyRead(
          l,
          event.read,
          event.ready.statuses,
          event.ready.requestIds,
          event.ready.timedOut === true,
        );
      case 'read-failed':
        return ledger.applyReadFailed(l, event.read, event.failure);
      case 'read-done':
        this.#reads.delete(event.id);
        return;
      case 'untold':
        return this.#untold(l, event);
      case 'told':
        this.#telling--;
        return;
      case 'phase-due':
        this.#phaseWake = false;
        return;
    }
  }

  /** The list came back: what the coordinator's own changes did while it was read overrides what it saw. */
  #applyListing(l: Ledger, listed: readonly { key: string; status: string }[], requestIds: string[]): void {
    const listing = this.#listing!;
    const seen = new Set(listed.map((m) => m.key));
    const members = [...listed];
    for (const key of listing.created) if (!seen.has(key)) members.push({ key, status: 'added' });
    ledger.applyListing(l, listing.ids, members, requestIds, listing.removed);
  }

  /**
   * Temporal refuses a signal only to a workflow that is closed: one that ended without telling us (terminated,
   * timed out) must not have its queued servers added for nobody.
   */
  #untold(l: Ledger, event: Extract<Event, { kind: 'untold' }>): void {
    const abandoned = ledger.abandon(l, event.to.id, event.to.runId);
    log.warn(
      abandoned
        ? 'a request closed without a cancellation: its queued servers are dropped'
        : 'a request could not be told (it has ended)',
      { request: event.to.id, kind: event.update.kind, error: event.error },
    );
  }

  /** The messages that arrived: submissions join the ledger (the first one names the group), cancellations end their request. */
  #takeMessages(): void {
    for (const message of this.#inbox.splice(0)) {
      if (message.kind === 'submit') this.#submit(message);
      else if (message.kind === 'exit-when-idle') this.#exitWhenIdle = true;
      else {
        const l = this.#ledger;
        const refused = l
          ? ledger.cancel(l, message.requester.workflowId, message.nonce)
          : 'no request is live here: ignored';
        if (refused) log.warn(`coordinator: ${refused}`, { request: message.requester.workflowId });
      }
    }
  }

  #submit(message: SubmitMessage): void {
    const group = groupRefOf(message.request);
    // The group's own coordinator only (its id names the group; the task queue suffix is not checked, so replay works).
    const own = coordinatorWorkflowId(group);
    const id = this.info.workflowId;
    const sameGroup = (l: Ledger) => JSON.stringify(l.state.group) === JSON.stringify(group);
    if ((id !== own && !id.startsWith(`${own}@`)) || (this.#ledger && !sameGroup(this.#ledger))) {
      log.warn('coordinator refused a submission for another group', { request: message.requester.workflowId });
      return;
    }
    if (!this.#ledger) {
      this.#ledger = new Ledger(emptyLedger(group), this.info.firstExecutionRunId);
      upsertSearchAttributes([
        { key: SEARCH_ATTRIBUTES.provider, value: group.provider },
        { key: SEARCH_ATTRIBUTES.region, value: group.region },
        { key: SEARCH_ATTRIBUTES.serverGroupId, value: groupIdOf(group) },
        { key: SEARCH_ATTRIBUTES.phase, value: 'coordinating' },
      ]);
    }
    const refused = ledger.submit(this.#ledger, message, Date.now());
    if (refused) log.warn(`coordinator: ${refused}`, { request: message.requester.workflowId });
  }

  /**
   * Whether to hand the ledger to a new run: when Temporal suggests it, the history is long, or the deployment's
   * current version changed (an upgrade or a rollback, docs/upgrading.md: this run stays pinned to its version, the
   * next starts on the current one). 'not-yet' while a change, a list or a message is in flight (nothing new starts);
   * 'stay' when not due, or when the state is too big to carry (it is weighed again some events later).
   */
  #carryDue(l: Ledger): 'now' | 'not-yet' | 'stay' {
    const current = workflowInfo();
    const due =
      current.continueAsNewSuggested ||
      current.historyLength >= TIMINGS.coordinatorMaxEvents ||
      current.targetWorkerDeploymentVersionChanged;
    if (!due || current.historyLength < this.#carryCheckedAt + CARRY_RECHECK_EVENTS) return 'stay';
    if (this.#flight || this.#listing || this.#telling > 0) return 'not-yet';
    // A state too big to carry (one request of 10,000 long Huawei entries) stays in this run, whose history has
    // room for tens of thousands of events more.
    const size = JSON.stringify(ledger.toCarried(l.state)).length;
    if (size <= MAX_CARRIED_BYTES) return 'now';
    this.#carryCheckedAt = current.historyLength;
    log.warn('coordinator state too big to continue as new yet: running on in this run', {
      bytes: size,
      events: current.historyLength,
    });
    return 'stay';
  }

  /** Reads are only reads: stop them and let the next run start them again (their deadlines are absolute). */
  async #handOver(l: Ledger): Promise<CarriedState> {
    for (const r of this.#reads.values()) r.scope.cancel();
    await Promise.all([...this.#reads.values()].map((r) => r.done));
    await condition(allHandlersFinished);
    this.#applyEvents();
    this.#takeMessages();
    return { v: 1, ledger: ledger.toCarried(l.state), ...(this.#exitWhenIdle ? { exitWhenIdle: true } : {}) };
  }

  /** One pass: start what may start, tell requests what is due, show the state. */
  #step(l: Ledger): void {
    const now = Date.now();
    // A read no live request waits on any more is stopped.
    for (const { read, scope } of this.#reads.values())
      if (read.entries.every((e) => !l.request(e.request) || ledger.hasEnded(l.request(e.request)!))) scope.cancel();
    for (const r of ledger.admissionsDue(l))
      this.#tell({ id: r.id, runId: r.runId }, { kind: 'resend', nonce: r.nonce });
    this.#startListing(l);
    if (!this.#flight) this.#startNextWrite(l, now);
    const reading = new Set([...this.#reads.values()].flatMap((r) => r.read.entries.map((e) => e.request)));
    for (const read of ledger.readsDue(l, now, reading)) this.#startRead(l, read);
    const outcomes = ledger.takeOutcomes(l);
    for (const { request, update, last } of outcomes) {
      if (last && patched(FINAL_PROGRESS)) this.#tell({ id: request.id, runId: request.runId }, last);
      this.#tell({ id: request.id, runId: request.runId }, update);
    }
    for (const { request, update } of ledger.progressDue(l, now, TIMINGS.progressEveryMs, TIMINGS.progressPhaseMs))
      this.#tell({ id: request.id, runId: request.runId }, update);
    // A phase change held back must not wait for the next answer (a long read may be minutes away): one timer for it.
    const phaseDue = ledger.phaseChangeDueAt(l, TIMINGS.progressPhaseMs);
    if (phaseDue !== undefined && !this.#phaseWake) {
      this.#phaseWake = true;
      wakeAt(phaseDue, this.#emit);
    }
    // An ending may free the writer's next change (a rollback) or room for a waiting request: look again.
    if (outcomes.length > 0 && !this.#flight) this.#again = true;
    this.#shown.update(l, this.#flight);
  }

  #target(l: Ledger): Target {
    return { group: l.state.group, identity: (s) => l.identity(s) };
  }

  #tell(to: { id: string; runId: string }, update: Parameters<typeof tell>[1]): void {
    this.#telling++;
    tell(to, update, this.#emit);
  }

  #startListing(l: Ledger): void {
    const due = ledger.toList(l);
    if (this.#listing || due.length === 0) return;
    const ids = due.map((r) => r.id);
    const servers = due.flatMap((r) => r.stage.servers.map((s) => l.identity(s)));
    // Past the filter's size the activity lists the whole group: sending the identities would only grow history.
    const filtered = servers.length <= FILTERED_LIST_MAX;
    const current = this.#flight?.change;
    this.#listing = { ids, created: new Set(), removed: new Set(current?.kind === 'remove' ? current.keys : []) };
    const who = due.length === 1 ? requestName(ids[0]!) : `${due.length} requests`;
    const summary = `list ${filtered ? `${serverCount(servers.length)} of ` : ''}${groupLabel(l.state.group)} for ${who}`;
    void listGroup(this.#target(l), filtered ? servers : undefined, summary, this.#emit);
  }

  /**
   * The writer's next change. A chunk that is not full waits once for the list in flight of requests that just
   * arrived (a burst's first add would otherwise leave with the first request alone); no timer, and a lone request
   * never waits.
   */
  #startNextWrite(l: Ledger, now: number): void {
    const next = ledger.nextWrite(l, now, this.#listing !== undefined && !this.#held);
    if (next?.kind === 'held') this.#held = true;
    else if (next) {
      this.#held = false;
      this.#startWrite(l, next);
    }
  }

  #startWrite(l: Ledger, change: Change): void {
    if (change.kind === 'remove' && this.#listing) for (const k of change.keys) this.#listing.removed.add(k);
    // A group that takes back-to-back changes gets the full chunks due after this one in the same activity.
    const following =
      change.kind === 'add' && BACK_TO_BACK_CHANGES[l.provider]
        ? ledger.followingWrites(l, change, TIMINGS.chunksPerAdd - 1)
        : [];
    const flight: Flight = { change, following, summary: changeSummary(l, change, following) };
    this.#shown.changeStarted(l, flight);
    void write(this.#target(l), change, following, flight.summary, this.#emit);
    this.#flight = flight;
  }

  #startRead(l: Ledger, read: Read): void {
    const scope = new CancellationScope();
    const id = this.#readSeq++;
    const done = readServers(this.#target(l), read, id, scope, this.#emit);
    this.#reads.set(id, { read, scope, done });
  }
}
