// The coordinator as an explicit state machine over one state record (state.ts: the ledger, the change in flight,
// the list in flight, the reads). Effects (effects.ts) report back by events; only `run`'s loop changes the state,
// as named steps: wait for work, apply what happened (transitions.ts), take the messages, continue as new when due,
// and start what may start. No callback changes the state: each only queues an event.
import type { ChangeOwner } from '../../activities/contract.js';
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  log,
  patched,
  workflowInfo,
  type WorkflowInfo,
} from '@temporalio/workflow';
import {
  FILTERED_LIST_MAX,
  firstIssue,
  serverCount,
  TIMINGS,
  type CoordinatorMessage,
  type GroupView,
} from '../../domain/index.js';
import { coordinationSchemas, groupLabel } from '../../registry/index.js';
import {
  Ledger,
  CARRIED_BYTES_1MB,
  MAX_CARRIED_BYTES,
  admissionsDue,
  fetchDue,
  asksDue,
  followingWrites,
  fromCarried,
  hasEnded,
  nextWrite,
  ownersOf,
  phaseChangeDueAt,
  progressDue,
  readsDue,
  takeEndings,
  toCarried,
  toList,
  type Change,
  type Read,
} from '../ledger/index.js';
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
  CARRY_UNDER_1MB,
  FINAL_PROGRESS,
  HISTORY_BYTES,
  IDLE_VERSION_CHECK,
  JUNK_BYTES,
  SHED_JUNK,
  type CarriedState,
  type CoordinatorState,
  type Flight,
} from './state.js';
import { confirmAsks, fetchPage } from './requesters.js';
import { applyEvent, submitRules, takeMessage } from './transitions.js';
import { changeSummary, groupView, Shown } from './view.js';

export class GroupCoordinator {
  readonly #state: CoordinatorState;
  readonly #inbox: CoordinatorMessage[] = [];
  readonly #events: Event[] = [];
  /** Look again with no message or event: at the start, and after an ending that may free the writer. */
  #again = true;
  /** A big message was refused: this run's history holds it, and the next run would not. */
  #junk = false;
  readonly #shown = new Shown();
  readonly #emit: Emit = (event) => {
    this.#events.push(event);
  };

  constructor(
    readonly info: WorkflowInfo,
    carried: CarriedState | undefined,
  ) {
    this.#state = {
      ledger: carried && new Ledger(fromCarried(carried.ledger), info.firstExecutionRunId),
      exitWhenIdle: carried?.exitWhenIdle === true,
      flight: undefined,
      listing: undefined,
      reads: new Map(),
      readSeq: 0,
      telling: 0,
      delivering: new Set(),
      phaseWake: false,
      held: false,
      carryCheckedAt: -Infinity,
      confirming: false,
      fetching: false,
      rivals: new Map(),
    };
  }

  /** A message arrived (the signal handler): kept for the loop, or refused when malformed. */
  hear(raw: unknown): void {
    const parsed = coordinationSchemas().CoordinatorMessageSchema.safeParse(raw);
    if (parsed.success) {
      this.#inbox.push(parsed.data);
      return;
    }
    // Temporal wrote it into this run's history before the coordinator saw it: a big one is shed by continuing as new.
    const bytes = JSON.stringify(raw)?.length ?? 0;
    if (bytes >= JUNK_BYTES) this.#junk = this.#again = true;
    log.warn('coordinator refused a malformed message', { reason: firstIssue(parsed.error), bytes });
  }

  /** The `group` query's answer. */
  view(): GroupView {
    return groupView(this.#state.ledger, this.info.firstExecutionRunId, this.#state.flight);
  }

  /** Runs until the group is idle (undefined: exit) or its ledger is to continue in a new run (the state to carry). */
  async run(): Promise<CarriedState | undefined> {
    for (;;) {
      if (!(await this.#waitForWork())) return undefined;
      this.#again = false;
      this.#applyEvents();
      this.#takeMessages();
      const ledger = this.#state.ledger;
      if (!ledger) continue;
      const carry = this.#carryDue(ledger);
      if (carry === 'not-yet') continue;
      if (carry === 'now') return this.#handOver(ledger);
      this.#step(ledger);
    }
  }

  #hasWork(): boolean {
    return this.#again || this.#inbox.length > 0 || this.#events.length > 0;
  }

  #busy(): boolean {
    return (
      this.#state.flight !== undefined ||
      this.#state.listing !== undefined ||
      this.#state.reads.size > 0 ||
      this.#state.telling > 0 ||
      this.#state.confirming ||
      this.#state.fetching
    );
  }

  /** Waits for a message, an event or a look again; false when the coordinator is to exit (idle, nothing came). */
  async #waitForWork(): Promise<boolean> {
    const idle = () => this.#state.ledger?.idle ?? true;
    if (this.#hasWork() || this.#busy() || !idle()) {
      await condition(() => this.#hasWork());
      return true;
    }
    const woke = this.#state.exitWhenIdle ? false : await this.#idleWait();
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
    for (const event of this.#events.splice(0)) applyEvent(this.#state, event);
  }

  /** The messages that arrived, in order. */
  #takeMessages(): void {
    for (const message of this.#inbox.splice(0)) takeMessage(this.#state, message, this.info);
  }

  /**
   * Whether to hand the ledger to a new run: when Temporal suggests it, the history is long or big, or the deployment's
   * current version changed (an upgrade or a rollback, docs/upgrading.md: this run stays pinned to its version, the
   * next starts on the current one). 'not-yet' while a change, a list or a message is in flight (nothing new starts);
   * 'stay' when not due, or when the state is too big to carry (it is weighed again some events later).
   */
  #carryDue(ledger: Ledger): 'now' | 'not-yet' | 'stay' {
    const current = workflowInfo();
    const due =
      current.continueAsNewSuggested ||
      current.historyLength >= TIMINGS.coordinatorMaxEvents ||
      current.targetWorkerDeploymentVersionChanged ||
      (current.historySize >= TIMINGS.coordinatorMaxHistoryBytes && patched(HISTORY_BYTES)) ||
      (this.#junk && patched(SHED_JUNK));
    if (!due || current.historyLength < this.#state.carryCheckedAt + CARRY_RECHECK_EVENTS) return 'stay';
    const s = this.#state;
    if (s.flight || s.listing || s.telling > 0 || s.confirming || s.fetching) return 'not-yet';
    // A state too big to carry (one request of 10,000 long Huawei entries) stays in this run, whose history has
    // room for tens of thousands of events more.
    const size = JSON.stringify(toCarried(ledger.state)).length;
    if (size <= CARRIED_BYTES_1MB || (size <= MAX_CARRIED_BYTES && !patched(CARRY_UNDER_1MB))) return 'now';
    this.#state.carryCheckedAt = current.historyLength;
    log.warn('coordinator state too big to continue as new yet: running on in this run', {
      bytes: size,
      events: current.historyLength,
    });
    return 'stay';
  }

  /** Reads are only reads: stop them and let the next run start them again (their deadlines are absolute). */
  async #handOver(ledger: Ledger): Promise<CarriedState> {
    for (const read of this.#state.reads.values()) read.scope.cancel();
    await Promise.all([...this.#state.reads.values()].map((read) => read.done));
    await condition(allHandlersFinished);
    this.#applyEvents();
    this.#takeMessages();
    return { v: 1, ledger: toCarried(ledger.state), ...(this.#state.exitWhenIdle ? { exitWhenIdle: true } : {}) };
  }

  /** One pass: start what may start, tell requests what is due, show the state. */
  #step(ledger: Ledger): void {
    const now = Date.now();
    // A read no live request waits on any more is stopped.
    for (const { read, scope } of this.#state.reads.values())
      if (read.entries.every((e) => !ledger.request(e.request) || hasEnded(ledger.request(e.request)!))) scope.cancel();
    for (const request of admissionsDue(ledger, submitRules))
      this.#tell({ id: request.id, runId: request.runId }, { kind: 'resend', nonce: request.nonce });
    const page = this.#state.fetching ? undefined : fetchDue(ledger);
    if (page) {
      this.#state.fetching = true;
      const { request, offset } = page;
      fetchPage({ id: request.id, runId: request.runId, nonce: request.nonce, offset }, request.requested, this.#emit);
    }
    const asks = this.#state.confirming ? [] : asksDue(ledger);
    if (asks.length > 0) {
      this.#state.confirming = true;
      confirmAsks(asks, this.#emit);
    }
    this.#startListing(ledger);
    if (!this.#state.flight) this.#startNextWrite(ledger, now);
    const reading = new Set([...this.#state.reads.values()].flatMap(({ read }) => read.entries.map((e) => e.request)));
    for (const read of readsDue(ledger, now, reading)) this.#startRead(ledger, read);
    const { finals, outcomes } = takeEndings(ledger, {
      finalProgress: () => patched(FINAL_PROGRESS),
      delivering: this.#state.delivering,
    });
    for (const { request } of finals) this.#state.delivering.add(request.id);
    for (const { request, update } of [...finals, ...outcomes])
      this.#tell({ id: request.id, runId: request.runId }, update);
    for (const { request, update } of progressDue(ledger, now, TIMINGS.progressEveryMs, TIMINGS.progressPhaseMs))
      this.#tell({ id: request.id, runId: request.runId }, update);
    // A phase change held back must not wait for the next answer (a long read may be minutes away): one timer for it.
    const phaseDue = phaseChangeDueAt(ledger, TIMINGS.progressPhaseMs);
    if (phaseDue !== undefined && !this.#state.phaseWake) {
      this.#state.phaseWake = true;
      wakeAt(phaseDue, this.#emit);
    }
    // An ending may free the writer's next change (a rollback) or room for a waiting request: look again.
    if (outcomes.length > 0 && !this.#state.flight) this.#again = true;
    this.#shown.update(ledger, this.#state.flight);
  }

  #target(ledger: Ledger): Target {
    return { group: ledger.state.group, identity: (s) => ledger.identity(s) };
  }

  #tell(to: { id: string; runId: string }, update: Parameters<typeof tell>[1]): void {
    this.#state.telling++;
    tell(to, update, this.#emit);
  }

  #startListing(ledger: Ledger): void {
    const due = toList(ledger);
    if (this.#state.listing || due.length === 0) return;
    const ids = due.map((request) => request.id);
    const servers = due.flatMap((request) => request.stage.servers.map((s) => ledger.identity(s)));
    // Past the filter's size the activity reads the whole group, and answers only for these servers: the answer is
    // never bigger than the question, however big the group (before 0.4 it answered every member).
    const filtered = servers.length <= FILTERED_LIST_MAX;
    const current = this.#state.flight?.change;
    this.#state.listing = { ids, created: new Set(), removed: new Set(current?.kind === 'remove' ? current.keys : []) };
    const who = due.length === 1 ? requestName(ids[0]!) : `${due.length} requests`;
    const summary = `list ${filtered ? `${serverCount(servers.length)} of ` : ''}${groupLabel(ledger.state.group)} for ${who}`;
    void listGroup(this.#target(ledger), servers, summary, this.#emit);
  }

  /**
   * The writer's next change. A chunk that is not full waits once for the list in flight of requests that just
   * arrived (a burst's first add would otherwise leave with the first request alone); no timer, and a lone request
   * never waits.
   */
  #startNextWrite(ledger: Ledger, now: number): void {
    const next = nextWrite(ledger, now, this.#state.listing !== undefined && !this.#state.held);
    if (next?.kind === 'held') this.#state.held = true;
    else if (next) {
      this.#state.held = false;
      this.#startWrite(ledger, next);
    }
  }

  #startWrite(ledger: Ledger, change: Change): void {
    if (change.kind === 'remove' && this.#state.listing)
      for (const k of change.keys) this.#state.listing.removed.add(k);
    // A group that takes back-to-back changes gets the full chunks due after this one in the same activity.
    const following =
      change.kind === 'add' && ledger.readiness.backToBack
        ? followingWrites(ledger, change, TIMINGS.chunksPerAdd - 1)
        : [];
    const flight: Flight = { change, following, summary: changeSummary(ledger, change, following) };
    this.#shown.changeStarted(ledger, flight);
    // Who each add is for, as the ledger says now (the add tells them before it calls the provider).
    const owners = new Map<string, ChangeOwner[]>();
    for (const c of [change, ...following])
      if (c.kind === 'add')
        owners.set(
          c.token,
          ownersOf(ledger, c).map(({ request, keys }) => ({
            workflowId: request.id,
            runId: request.runId,
            nonce: request.nonce,
            keys,
          })),
        );
    void write(this.#target(ledger), change, following, flight.summary, this.#emit, owners);
    this.#state.flight = flight;
  }

  #startRead(ledger: Ledger, read: Read): void {
    const scope = new CancellationScope();
    const id = this.#state.readSeq++;
    const done = readServers(this.#target(ledger), read, id, scope, this.#emit);
    this.#state.reads.set(id, { read, scope, done });
  }
}
