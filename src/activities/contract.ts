// The activities' contract with the workflows: what each takes and answers. Workflows import these as types only.
import type {
  CoordinatorMessage,
  GroupRef,
  IdentityOf,
  Provider,
  Server,
  ServerStatus,
  Uniform,
  WaitFor,
} from '../domain/index.js';
import type { LoadBalancerProvider, ServerChange } from '../providers/index.js';

export type { Uniform };

/** What the activities need from the worker: one client per provider, built from the worker's own credentials. */
export interface ActivityDependencies {
  providerFor(provider: Provider): LoadBalancerProvider;
  /** How long a coordinator's task queue goes unserved before a request takes it as stranded (TIMINGS.coordinatorStrandedMs). */
  readonly strandedAfterMs?: number;
}

export interface ListGroupInput {
  readonly group: GroupRef;
  /** Only these servers (the answer holds no other member, however big the group); absent: every member. */
  readonly servers?: IdentityOf<Provider>[];
}

export interface ListedGroup {
  /** The members listed, with their provider status. */
  readonly members: ServerStatus[];
  readonly requestIds: string[];
}

/** One change of up to 200 servers: servers to add (`Server`) or identities to remove. */
export interface ChunkInput<S = Server> {
  readonly group: GroupRef;
  readonly servers: S[];
  /** Alibaba ClientToken for this change: the same on every attempt. */
  readonly idempotencyKey: string;
  readonly dryRun: boolean;
  /**
   * Requests to tell (`sending`) which of these servers are added for them, before the provider is called: a request
   * whose coordinator is then lost still knows what is its own.
   */
  readonly owners?: ChangeOwner[];
}

export interface ChunkResult {
  readonly outcomes: Uniform<ServerChange['outcome']>;
  readonly requestIds: string[];
}

/** A wait for servers to be ready, bounded by an absolute deadline in Temporal's time (ms since the epoch). */
export interface ReadyWait {
  readonly servers: IdentityOf<Provider>[];
  readonly waitFor: WaitFor;
  /** Past this the wait is over: the servers not ready then are stragglers. */
  readonly deadlineMs: number;
}

/**
 * One change's add, with the waits that must come before it, in one activity so a chunk costs one activity in
 * history: each attempt checks that the group accepts a change and, with `confirm`, that an earlier chunk of one
 * request is ready; the retry policy polls while not.
 */
export interface AddChunkInput extends ChunkInput {
  /** The request's poll interval. */
  readonly pollMs: number;
  /** Servers of an earlier chunk of the request(s) in this one that must be ready before it is sent. */
  readonly confirm?: ReadyWait & {
    /** Give the wait up (not sent, not failed) after this long from the activity's first schedule, so the writer is free again. */
    readonly sliceMs: number;
  };
  /**
   * More chunks to add right after this one, in order, without checking the group again in between: only for a
   * group that takes back-to-back changes (its provider's `readiness.backToBack`), never with `confirm` or `dryRun`.
   */
  readonly then?: { readonly servers: Server[]; readonly idempotencyKey: string; readonly owners?: ChangeOwner[] }[];
}

/** What an add answers per server: the provider's outcome, or `present` (it said the server existed on the change's first call). */
export type AddOutcome = ServerChange['outcome'] | 'present';

/** One add's answer. */
export interface AddAnswer {
  readonly outcomes: Uniform<AddOutcome>;
  readonly requestIds: string[];
}

export type AddChunkResult =
  | (AddAnswer & {
      readonly sent: true;
      readonly confirmed?: Uniform<string>;
      /** The answers to `then`, in order: fewer when one failed or got no answer (it and those after it were not answered). */
      readonly then?: AddAnswer[];
      /** The first `then` chunk not answered was refused for good (not applied), not lost. */
      readonly thenRefused?: true;
    })
  | {
      readonly sent: false;
      readonly timedOut: boolean;
      readonly stragglers: ServerStatus[];
      readonly requestIds: string[];
    };

export interface WaitServersInput extends ReadyWait {
  readonly group: GroupRef;
  readonly pollMs: number;
  /**
   * The servers are several requests' sets one after another, this many each: the wait ends as soon as one set is
   * all ready, so that request is not held for the others. Absent: one set.
   */
  readonly sets?: number[];
}

export interface WaitServersResult {
  /** Every server's status, in the input's order. */
  readonly statuses: Uniform<string>;
  readonly requestIds: string[];
  /** The deadline passed with some set not all ready. */
  readonly timedOut?: true;
}

export interface GoneInput {
  readonly group: GroupRef;
  readonly servers: IdentityOf<Provider>[];
}

export interface HandOverInput {
  /** The coordinator's workflow id (`coordinatorWorkflowId`, or `queueCoordinatorWorkflowId` for a run of 0.3.0 or earlier). */
  readonly coordinatorId: string;
  readonly message: CoordinatorMessage;
  /** Messages to deliver right after it, in order, to the same coordinator. */
  readonly then?: CoordinatorMessage[];
  /**
   * The same submission with its servers in it, for a coordinator that does not fetch them (`message` carries their
   * count only: `pages`): one an earlier release runs, which refuses `pages`.
   */
  readonly inline?: CoordinatorMessage;
}

/** A page of a request's servers, asked of the request (SERVERS_QUERY) by its coordinator. */
export interface FetchServersInput {
  readonly workflowId: string;
  readonly runId: string;
  readonly nonce: string;
  readonly offset: number;
  readonly maxBytes: number;
}

/** The page, or no `servers`: the run is closed, or did not send that nonce. */
export interface FetchedServers {
  readonly servers?: Server[];
}

/** What requests are asked to confirm: for each, its run, the nonce the message carried, and keys it says are its own. */
export interface ConfirmInput {
  readonly asks: {
    readonly workflowId: string;
    readonly runId: string;
    readonly nonce: string;
    readonly keys: string[];
  }[];
}

/**
 * How a watched coordinator incarnation ended: its status when it closed (`REPLACED`: another incarnation runs), or
 * `STRANDED` when the request ended it because no worker serves its task queue (`taskQueue`).
 */
export interface Watched {
  readonly status: string;
  readonly taskQueue?: string;
}

/** Where a hand-over was delivered: the coordinator's workflow id and its incarnation (the chain's first run id). */
export interface HandedOver {
  readonly coordinatorId: string;
  readonly incarnation: string;
}

/** Who a change's servers are being added for: the first request to ask for each, told before the provider is called. */
export interface ChangeOwner {
  readonly workflowId: string;
  readonly runId: string;
  readonly nonce: string;
  readonly keys: string[];
}
