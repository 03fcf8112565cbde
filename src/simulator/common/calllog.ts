// The call log: every provider call with its outcome, and counts per action and per ClientToken (bounded).
import { BoundedMap } from './bounded.js';

/** What a call did to the simulated world. */
export type CallOutcome =
  | 'applied' // a change was made
  | 'replayed' // a ClientToken replay: the stored answer, no change
  | 'read' // a read
  | 'dryRun' // a dry run that passed
  | 'rejected' // an error answer, no change
  | 'dropped'; // the connection was reset (before or after a commit: see `committed`)

export interface CallEntry {
  seq: number;
  /** Wall-clock time the call arrived. */
  at: string;
  /** Simulated time the call was handled. */
  simAt: string;
  action: string;
  method: string;
  path: string;
  status: number;
  code?: string;
  requestId: string;
  clientToken?: string;
  accessKeyId?: string;
  outcome: CallOutcome;
  /** True when the change was applied (also for a commit-then-drop whose answer was lost). */
  committed: boolean;
  faults: string[];
  durationMs: number;
}

export interface ActionCounts {
  calls: number;
  byStatus: Record<string, number>;
  byOutcome: Partial<Record<CallOutcome, number>>;
}

export interface ClientTokenCounts {
  /** The action of the first call with this token. */
  action: string;
  calls: number;
  /** How many calls with this token changed the world: at most 1 when idempotency holds. */
  committed: number;
  replayed: number;
  rejected: number;
  requestIds: string[];
}

const MAX_REQUEST_IDS_PER_TOKEN = 10;

export class CallLog {
  #entries: CallEntry[] = [];
  #start = 0;
  #seq = 0;
  #byAction = new Map<string, ActionCounts>();
  #byToken: BoundedMap<string, ClientTokenCounts>;

  constructor(
    readonly capacity = 10_000,
    tokenCapacity = 20_000,
  ) {
    this.#byToken = new BoundedMap(tokenCapacity);
  }

  record(entry: Omit<CallEntry, 'seq'>): CallEntry {
    const full: CallEntry = { seq: ++this.#seq, ...entry };
    if (this.#entries.length < this.capacity) this.#entries.push(full);
    else {
      this.#entries[this.#start] = full;
      this.#start = (this.#start + 1) % this.capacity;
    }
    let counts = this.#byAction.get(entry.action);
    if (!counts) {
      // Actions are a closed list per provider plus "unknown"; no cap needed beyond this guard.
      if (this.#byAction.size >= 1000) this.#byAction.clear();
      counts = { calls: 0, byStatus: {}, byOutcome: {} };
      this.#byAction.set(entry.action, counts);
    }
    counts.calls++;
    counts.byStatus[entry.status] = (counts.byStatus[entry.status] ?? 0) + 1;
    counts.byOutcome[entry.outcome] = (counts.byOutcome[entry.outcome] ?? 0) + 1;
    if (entry.clientToken !== undefined) {
      const key = entry.clientToken;
      const t = this.#byToken.get(key) ?? {
        action: entry.action,
        calls: 0,
        committed: 0,
        replayed: 0,
        rejected: 0,
        requestIds: [],
      };
      t.calls++;
      if (entry.committed) t.committed++;
      if (entry.outcome === 'replayed') t.replayed++;
      if (entry.outcome === 'rejected') t.rejected++;
      if (t.requestIds.length < MAX_REQUEST_IDS_PER_TOKEN) t.requestIds.push(entry.requestId);
      this.#byToken.set(key, t);
    }
    return full;
  }

  /** Entries oldest first, filtered; `limit` keeps the newest. */
  entries(filter: { action?: string; clientToken?: string; limit?: number } = {}): CallEntry[] {
    const ordered = [...this.#entries.slice(this.#start), ...this.#entries.slice(0, this.#start)];
    const matching = ordered.filter(
      (e) =>
        (filter.action === undefined || e.action === filter.action) &&
        (filter.clientToken === undefined || e.clientToken === filter.clientToken),
    );
    return filter.limit === undefined ? matching : matching.slice(Math.max(0, matching.length - filter.limit));
  }

  counts(): {
    total: number;
    byAction: Record<string, ActionCounts>;
    byClientToken: Record<string, ClientTokenCounts>;
  } {
    const byClientToken: Record<string, ClientTokenCounts> = {};
    for (const [key, value] of this.#byToken.entries()) byClientToken[key] = value;
    return { total: this.#seq, byAction: Object.fromEntries(this.#byAction), byClientToken };
  }

  clear(): void {
    this.#entries = [];
    this.#start = 0;
    this.#seq = 0;
    this.#byAction.clear();
    this.#byToken.clear();
  }
}
