// The coordinator's own records beside its ledger: what it carries to its next run, and what is in flight.
import type { CancellationScope } from '@temporalio/workflow';
import type { SubmitMessage } from '../../domain/index.js';
import type { AddChange, CarriedLedger, Change, Ledger, Read } from '../ledger/index.js';

/**
 * Since 0.2.0 an idle coordinator looks every TIMINGS.coordinatorVersionCheckMs whether the deployment's current
 * version changed, and exits if so. A patch: a run recorded by 0.1.0 waited with one timer, and replays as it did.
 */
export const IDLE_VERSION_CHECK = 'lbflow-0.2-idle-version-check';

/**
 * Since 0.3.0 a request that failed or was cancelled is told its final progress (its chunks, and its servers as
 * the rollback left them) before its outcome, when it differs from what it was last told; the outcome waits until
 * that message arrived, since Temporal keeps no order between two signals. A patch: runs recorded before sent the
 * outcome alone, and replay as they did.
 */
export const FINAL_PROGRESS = 'lbflow-0.3-final-progress';

/**
 * Since 0.4 a coordinator whose credentials the provider refused exits as soon as it is idle: its group has one
 * coordinator whatever the task queue, and one of a deployment whose keys fail would otherwise hold the group for its
 * idle time, failing the requests of every other deployment. A patch: runs recorded before waited out the idle time.
 */
export const EXIT_AFTER_AUTH_FAILURE = 'lbflow-0.4-exit-after-auth-failure';

/**
 * Since 0.4 an add refused because a server of it is in the group already (GWLB's Conflict.Server: added by hand
 * between the list and the add) lists the change's servers: those there are reported present, the rest go again. A
 * chunk sent after another in one activity and refused for good is known not applied, and is not looked for. A
 * patch: runs recorded before failed the change's requests with BackendConflict.
 */
export const CONFLICT_RELIST = 'lbflow-0.4-conflict-relist';

/**
 * Since 0.4 a server lbflow added that a read finds gone from the group (removed by someone else) ends its request at
 * once, naming it, instead of being waited for until the deadline; a rollback leaves it alone. A patch: runs recorded
 * before waited, and replay as they did.
 */
export const NOTICE_GONE = 'lbflow-0.4-notice-gone';

/**
 * Since 0.4 a coordinator also continues as new once its history passes TIMINGS.coordinatorMaxHistoryBytes, whatever
 * the server suggests. A patch: runs recorded before went on until the server's suggestion or the event count.
 */
export const HISTORY_BYTES = 'lbflow-0.4-history-bytes';

/**
 * Since 0.4 a submission from another run of a live request that asks for the same servers (the request was reset:
 * Temporal runs one run of a workflow id at a time) takes the request's entry over, and with it what its adds created.
 * A patch: runs recorded before ignored it.
 */
export const REBIND_RESET_REQUEST = 'lbflow-0.4-rebind-reset-request';

/**
 * Since 0.4 the coordinator acts on a submission (and on what a request says it owns, or that a new run of it takes
 * its place) only once the request itself confirmed it: the `lbflowConfirm` query, asked of the requester's run, must
 * answer true for that nonce. A submission naming a workflow that does not exist, is not an lbflow request, or did not
 * send it is dropped untold. A patch: runs recorded before acted at once.
 */
export const CONFIRM_REQUESTERS = 'lbflow-0.4-confirm-requesters';

/**
 * Since 0.4 a coordinator that refused a message of JUNK_BYTES or more continues as new as soon as nothing is in
 * flight: Temporal records a signal in the history before the workflow sees it (up to its 2 MiB blob limit), so a
 * refused one still weighs on the run; the next run starts without it. A patch: runs recorded before went on.
 */
export const SHED_JUNK = 'lbflow-0.4-shed-junk';

/**
 * Since 0.4 no payload over 1 MB: the coordinator holds at most HELD_BYTES_1MB of request servers at once (a lone
 * request always), and hands over a state of at most CARRIED_BYTES_1MB (a bigger one runs on, and is weighed again).
 * A patch: runs recorded before held and carried up to MAX_HELD_BYTES and MAX_CARRIED_BYTES.
 */
export const CARRY_UNDER_1MB = 'lbflow-0.4-carry-under-1mb';

/** A refused message this big (as JSON) makes the coordinator continue as new (SHED_JUNK). */
export const JUNK_BYTES = 64 * 1024;

/** Events between two weighings of a state found too big to continue as new with. */
export const CARRY_RECHECK_EVENTS = 500;

/** What a coordinator hands to its next run: only it can, by continuing as new. */
export interface CarriedState {
  readonly v: 1;
  readonly ledger: CarriedLedger;
  /** An exit-when-idle heard by an earlier run still holds. */
  readonly exitWhenIdle?: boolean;
}

/** The list in flight, and the coordinator's own changes answered while it was read: they win over what it saw. */
export interface Listing {
  readonly ids: string[];
  readonly created: Set<string>;
  readonly removed: Set<string>;
}

export interface ReadInFlight {
  readonly read: Read;
  readonly scope: CancellationScope;
  readonly done: Promise<void>;
}

/** The change in flight: the change, the chunks sent after it in the same activity, and its name. */
export interface Flight {
  readonly change: Change;
  readonly following: AddChange[];
  readonly summary: string;
}

/** The coordinator's state: one record, changed only by its loop (machine.ts, transitions.ts). */
export interface CoordinatorState {
  /** Undefined until the first submission names the group. */
  ledger: Ledger | undefined;
  /** Exit as soon as idle (asked before a deploy, or when a test ends). */
  exitWhenIdle: boolean;
  flight: Flight | undefined;
  listing: Listing | undefined;
  readonly reads: Map<number, ReadInFlight>;
  readSeq: number;
  /** Messages to requests not answered yet. */
  telling: number;
  /** Requests whose final progress is on its way: their outcome goes once it arrived. */
  readonly delivering: Set<string>;
  /** A timer is set for a phase change held back. */
  phaseWake: boolean;
  /** An unfull chunk was held back once for the list in flight: the next one goes. */
  held: boolean;
  /** History length at which the state was last found too big to carry. */
  carryCheckedAt: number;
  /** Requests are being asked to confirm what their messages said. */
  confirming: boolean;
  /** A page of a request's servers is being fetched from it (since 0.4). */
  fetching: boolean;
  /**
   * Second submissions of a run not confirmed yet, under another nonce, by nonce: the request's answer tells which
   * was its own. Not carried: one lost to a continue-as-new is handed over again by its request.
   */
  readonly rivals: Map<string, SubmitMessage>;
}
