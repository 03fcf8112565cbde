// The coordinator's ledger as data: each request with its stage in one tagged union, the queue of servers to send,
// and the changes and reads the ledger plans. Plain JSON (the coordinator hands it to its next run through carried.ts).
import type {
  FailureDetails,
  FailureType,
  GroupRef,
  IdentityOf,
  Phase,
  Provider,
  Server,
  WaitFor,
} from '../../domain/index.js';

/** The options of a request the coordinator plans with. */
export interface RequestOptions {
  readonly maxChunkSize: number;
  readonly dryRun: boolean;
  readonly waitFor: WaitFor;
  readonly pollMs: number;
  readonly timeoutMs: number;
  /** chunksAhead: how many of its chunks may be in the group unconfirmed before its next one is sent. */
  readonly ahead: number;
  readonly rollback: boolean;
}

/** A request's share of one chunk sent, whose servers are not all confirmed ready yet. */
export interface UnconfirmedChunk {
  /** Which of the request's chunks it was (0 for its first). */
  readonly index: number;
  keys: string[];
  /** Workflow time the chunk's add was answered: its confirmation deadline counts from here. */
  readonly at: number;
}

/** How a request ended. */
export interface Ending {
  readonly kind: 'completed' | 'failed' | 'cancelled';
  readonly type?: FailureType;
  readonly message?: string;
  readonly details?: Partial<FailureDetails>;
}

/** Where an ended request's rollback is: each kind one moment of it. */
export type Rollback =
  /** Nothing to roll back: it completed, did not ask for a rollback, was a dry run, or created nothing. */
  | { readonly kind: 'none' }
  /** It asked for a rollback: decided once no change of its own is in flight (what it created is known then). */
  | { readonly kind: 'due' }
  /** Removal changes under way: `left` still to remove, `kept` because another request asked for them. */
  | { readonly kind: 'removing'; readonly left: string[]; readonly removed: string[]; readonly kept: string[] }
  /** Over: all removed or kept, or (`error`) stopped part way. */
  | { readonly kind: 'over'; readonly removed: string[]; readonly kept: string[]; readonly error?: string };

/** A request's stage: each kind one state of its life, each transition one function of lifecycle.ts. */
export type Stage =
  /** The coordinator held all it may: its servers are asked for again in turn (`owned`: as in `to-list`). */
  | { readonly kind: 'awaiting-room'; readonly owned?: string[] | undefined }
  /**
   * Admitted: its servers wait for the group to be listed for them. `owned`: servers lbflow sent for it before (an
   * earlier incarnation, an earlier run): those listed are its own.
   */
  | { readonly kind: 'to-list'; readonly servers: Server[]; readonly owned?: string[] | undefined }
  /** Listed: its servers are queued, sent, or waited for. */
  | {
      readonly kind: 'adding';
      /** A separate read confirms its earlier chunks (the add that tried gave the writer up). */
      readonly confirmRead?: { readonly keys: string[]; readonly deadline: number } | undefined;
      /** Its last wait, once nothing of it is queued or in flight. */
      readonly finalWait?: { readonly deadline: number } | undefined;
    }
  /** Ended: it is reported once nothing of it is in flight and its rollback is over. */
  | {
      readonly kind: 'ended';
      readonly ending: Ending;
      readonly admitted: boolean;
      readonly rollback: Rollback;
      /** The chunks it had planned when it ended: what its progress counts against from then on. */
      readonly chunksPlanned?: number | undefined;
    };

/**
 * Something a request's message said that the coordinator acts on only once the request confirmed it (since 0.4): its
 * submission (nothing of it is listed or added before), what it owns, or that a new run of it takes its place.
 */
export interface Ask {
  readonly what: 'submission' | 'owned' | 'run';
  readonly runId: string;
  readonly nonce: string;
  readonly keys: string[];
  /** A second submission of the same run under another nonce, kept aside by the coordinator until it is answered. */
  readonly rival?: true;
}

/** What a request has been told, so an unchanged progress is not sent again. */
export interface Told {
  readonly phase?: Phase | undefined;
  readonly progress?: string | undefined;
  /** When it was last told; starts at its submission. */
  readonly at: number;
}

export interface RequestEntry {
  readonly id: string;
  /** Its run and nonce: a new run of the same request (a reset) takes the entry over with its own. */
  runId: string;
  nonce: string;
  /** It hears `sending` (it said what it owns, since 0.4): each add tells it which servers are sent for it. */
  hears?: boolean | undefined;
  /** What its messages said that it has not confirmed yet (since 0.4). */
  asks?: Ask[] | undefined;
  /**
   * It submitted its servers' count alone (since 0.4): admitted, its servers are fetched from it in pages (`to-list`
   * holds those fetched so far) and listed once all are in.
   */
  pages?: true | undefined;
  /** Cancelled while what it owns was not listed yet: it ends once listed (since 0.4). */
  cancelAfterList?: true | undefined;
  readonly arrival: number;
  readonly opts: RequestOptions;
  /** Unique servers requested. */
  readonly requested: number;
  /** The request's servers as JSON bytes: what holding it costs the coordinator's state. */
  readonly bytes: number;
  stage: Stage;
  /** Keys its adds created. */
  readonly added: string[];
  /** Keys it asked for that were in the group already, or that another request's add created. */
  readonly alreadyPresent: string[];
  /** Keys its adds created that another request asked for while this one lived: a rollback keeps them. */
  readonly shared: string[];
  readonly statuses: Record<string, string>;
  /** Keys it waits to see ready (added, or created for it by another request's add), not confirmed yet. */
  toConfirm: string[];
  unconfirmed: UnconfirmedChunk[];
  /** Chunks its servers went in. */
  chunks: number;
  readonly requestIds: string[];
  told: Told;
}

/** A server some live request wants added (or dry-run checked), in arrival order; sent once for all who want it. */
export interface QueuedServer {
  readonly key: string;
  readonly dry: boolean;
  readonly server: Server;
  /** Request ids, in the order they asked; the first one's add creates it. */
  claimants: string[];
  inFlight: boolean;
  /** Set when a failed change was split: the splits go alone, in order, before anything else. */
  split?: number | undefined;
}

export interface LedgerState {
  readonly group: GroupRef;
  /** Next change sequence: ClientTokens never repeat within an incarnation (see `changeToken`). */
  seq: number;
  arrivals: number;
  splitSeq: number;
  /** The splits of failed changes still to send, in the order they go. */
  splits: number[];
  requests: RequestEntry[];
  queue: QueuedServer[];
  /** Key → id of the live request whose add created it. */
  readonly createdBy: Record<string, string>;
}

/** An add change: one chunk (or a dry run of one), for the requests whose servers it holds. */
export interface AddChange {
  readonly kind: 'add';
  readonly token: string;
  readonly dry: boolean;
  readonly keys: string[];
  readonly servers: Server[];
  readonly requests: string[];
  readonly split?: number | undefined;
  readonly pollMs: number;
  /** The wait for a request's earlier chunks folded into this add (they must be ready before it is sent). */
  readonly confirm?:
    | {
        readonly request: string;
        readonly keys: string[];
        readonly servers: IdentityOf<Provider>[];
        readonly waitFor: WaitFor;
        readonly deadline: number;
      }
    | undefined;
}

/** A remove change: one step of a request's rollback. */
export interface RemoveChange {
  readonly kind: 'remove';
  readonly token: string;
  readonly request: string;
  readonly keys: string[];
  readonly servers: IdentityOf<Provider>[];
  readonly waitFor: WaitFor;
}

/** One write to the group. */
export type Change = AddChange | RemoveChange;

/** One request's entry in a read: the servers it waits for, until its own deadline. */
export interface ReadEntry {
  readonly kind: 'confirm' | 'final';
  readonly request: string;
  readonly keys: string[];
  readonly deadline: number;
}

/**
 * One wait for the servers of every request due for one at the same moment with the same `waitFor` and poll
 * interval (usually the requests of one chunk, whose servers settle together): one activity, one answer to apply,
 * however many requests shared the chunk. `keys` are the entries' keys one after another (`sets` counts each
 * entry's), so a key two requests wait for is there twice; the wait ends when any entry's servers are all ready
 * (that request need not wait for the others) or at the earliest deadline.
 */
export interface Read {
  readonly entries: ReadEntry[];
  readonly keys: string[];
  readonly servers: IdentityOf<Provider>[];
  readonly sets: number[];
  readonly waitFor: WaitFor;
  readonly pollMs: number;
  readonly deadline: number;
}

/** A failure as the coordinator applies it: catalogue type, message, provider details. */
export interface AppliedFailure {
  readonly type: FailureType;
  readonly message: string;
  readonly details: Partial<FailureDetails>;
}

/**
 * Most bytes of request servers (as JSON) the coordinator holds at once; a lone request is always held. Its state
 * at its largest (every server queued, then added, with a status and a wait) measured 2.6 times the servers'
 * bytes, and it must cross continue-as-new under Temporal's 2 MB payload limit (MAX_CARRIED_BYTES): 600 KB of
 * servers is about 1.6 MB of state.
 */
export const MAX_HELD_BYTES = 600_000;

/** The largest state a coordinator hands to its next run; past it, it runs on in the same run (see coordinator). */
export const MAX_CARRIED_BYTES = 1_800_000;

/**
 * Since 0.4 (CARRY_UNDER_1MB): no payload over 1 MB, the carried state included. 350 KB of servers is about 0.9 MB of
 * state at its largest (2.6 times), and a lone request bigger than that is carried once its state is that small again.
 */
export const HELD_BYTES_1MB = 350_000;
export const CARRIED_BYTES_1MB = 1_000_000;

export function emptyLedger(group: GroupRef): LedgerState {
  return { group, seq: 0, arrivals: 0, splitSeq: 0, splits: [], requests: [], queue: [], createdBy: {} };
}
