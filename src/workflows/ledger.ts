// The group coordinator's state and rules, with no Temporal in them: who asked for each server, whose add created
// it, what goes in the next change, and what each request is told. Plain JSON, so it crosses continue-as-new as is;
// deterministic, so the coordinator replays. The coordinator (coordinator.ts) runs the activities this plans.
import {
  changeToken,
  countStates,
  serverCount,
  dedupeServers,
  identityKey,
  identityOf,
  memberReady,
  type FailureDetails,
  type FailureType,
  type GroupRef,
  type IdentityOf,
  type Phase,
  type Progress,
  type Provider,
  type RequestUpdate,
  type Server,
  type ServerStatus,
  type SubmitMessage,
  type Uniform,
  type WaitFor,
} from '../domain/index.js';

/** The parts of a request's options the coordinator plans with. */
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

/** One chunk a request took part in, whose servers are not all confirmed ready yet. */
interface Part {
  readonly index: number;
  keys: string[];
  /** Workflow time the chunk's add was answered: its confirmation deadline counts from here. */
  readonly at: number;
}

interface Ending {
  readonly kind: 'completed' | 'failed' | 'cancelled';
  readonly type?: FailureType;
  readonly message?: string;
  readonly details?: Partial<FailureDetails>;
}

export interface RequestEntry {
  readonly id: string;
  readonly runId: string;
  readonly nonce: string;
  readonly arrival: number;
  readonly opts: RequestOptions;
  /** Unique servers requested. */
  readonly requested: number;
  /** The request's servers as JSON bytes: what holding it costs the coordinator's state. */
  readonly bytes: number;
  admitted: boolean;
  /** Servers not turned into intents yet (until the group is listed for them). */
  servers?: Server[] | undefined;
  listed: boolean;
  added: string[];
  alreadyPresent: string[];
  /** Keys this request's adds created that another request asked for while this one lived: a rollback keeps them. */
  shared: string[];
  statuses: Record<string, string>;
  /** Keys it waits to see ready (added, or created for it by another request's add), not confirmed yet. */
  toConfirm: string[];
  parts: Part[];
  partCount: number;
  /** A separate read confirms its earlier chunks (the add that tried gave the writer up). */
  confirmRead?: { keys: string[]; deadline: number } | undefined;
  /** Its last wait, once nothing of it is queued or in flight. */
  finalWait?: { deadline: number } | undefined;
  requestIds: string[];
  end?: Ending | undefined;
  /** Rollback still to do: keys to remove. */
  removal?: string[] | undefined;
  rolledBack: string[];
  keptForOthers: string[];
  rollbackError?: string | undefined;
  sentPhase?: Phase | undefined;
  /** What the last progress message said, so an unchanged one is not sent again. */
  sentProgress?: string | undefined;
  sentAt: number;
}

/** A server some live request wants added (or dry-run checked), in arrival order; sent once for all who want it. */
interface Intent {
  readonly key: string;
  readonly dry: boolean;
  readonly server: Server;
  /** Request ids, in the order they asked; the first one's add creates it. */
  claimants: string[];
  inflight: boolean;
  /** Set when a failed change was split: pieces go alone, in order, before anything else. */
  piece?: number | undefined;
}

export interface LedgerState {
  readonly v: 1;
  readonly group: GroupRef;
  /** Next change sequence: ClientTokens never repeat within an incarnation (see `changeToken`). */
  seq: number;
  arrivals: number;
  pieceSeq: number;
  pieces: number[];
  requests: RequestEntry[];
  intents: Intent[];
  /** Key → id of the live request whose add created it. */
  createdBy: Record<string, string>;
}

export type WriteOp =
  | {
      readonly kind: 'add';
      readonly token: string;
      readonly dry: boolean;
      readonly keys: string[];
      readonly servers: Server[];
      readonly requests: string[];
      readonly piece?: number | undefined;
      readonly pollMs: number;
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
  | {
      readonly kind: 'remove';
      readonly token: string;
      readonly request: string;
      readonly keys: string[];
      readonly servers: IdentityOf<Provider>[];
      readonly waitFor: WaitFor;
    };

/** One request's part of a read: the servers it waits for, until its own deadline. */
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
export interface ReadOp {
  readonly entries: ReadEntry[];
  readonly keys: string[];
  readonly servers: IdentityOf<Provider>[];
  readonly sets: number[];
  readonly waitFor: WaitFor;
  readonly pollMs: number;
  readonly deadline: number;
}

/** A failure as the coordinator applies it: catalogue type, message, provider details. */
/** What the activity learnt of a quota refusal: the group's count, and the quota where it read the quota API. */
export interface KnownQuota {
  readonly groupHolds?: number | undefined;
  readonly limit?: number | undefined;
  readonly fits?: number | undefined;
}

/**
 * What a quota refusal means for a request: how many servers it asked for, how many the refused change carried,
 * and the quota, what the group holds and how many more fit: as the activity read them from the quota API (Huawei),
 * else from the provider's message where it gives its usage ("usage 310/300", the count the change would have made:
 * Alibaba).
 */
export function quotaFigures(
  message: string,
  change: number,
  requested: number,
  known: KnownQuota = {},
): NonNullable<FailureDetails['quota']> {
  const counted = known.groupHolds;
  if (counted !== undefined && known.limit !== undefined && known.fits !== undefined)
    return { requested, change, limit: known.limit, groupHolds: counted, fits: known.fits };
  const m = /usage (\d+)\/(\d+)/.exec(message);
  // What the group holds: counted by the activity when it could list the group, else the usage less the change.
  const groupHolds = counted ?? (m ? Math.max(0, Number(m[1]) - change) : undefined);
  if (!m) return groupHolds === undefined ? { requested, change } : { requested, change, groupHolds };
  const limit = Number(m[2]);
  const holds = groupHolds as number;
  return { requested, change, limit, groupHolds: holds, fits: Math.max(0, limit - holds) };
}

/** The quota figures as a sentence for the failure message, which is what the Web UI shows first. */
function quotaSentence(q: NonNullable<FailureDetails['quota']>): string {
  const asked = `this request asked for ${serverCount(q.requested)}`;
  if (q.limit === undefined || q.fits === undefined)
    return `(${q.groupHolds === undefined ? '' : `The group holds ${q.groupHolds}; `}${asked}; the provider did not state its quota.)`;
  return `(The group holds ${q.groupHolds} of its quota of ${q.limit}; ${asked}, ${q.fits === 0 ? 'none fits' : `${q.fits} fit`}.)`;
}

export interface AppliedFailure {
  readonly type: FailureType;
  readonly message: string;
  readonly details: Partial<FailureDetails>;
}

/** Failures a request's own server can cause: the change is split so they fail only whose server it is. */
const ISOLATED: readonly FailureType[] = ['BackendNotFound', 'BackendConflict', 'ProviderRejected', 'QuotaExceeded'];
/** Failures no change to this group can get past: every live request fails with them. */
const GROUP_WIDE: readonly FailureType[] = ['ServerGroupNotFound', 'AuthenticationFailed'];

/**
 * Most bytes of request servers (as JSON) the coordinator holds at once; a lone request is always held. Its state
 * at its largest (every server an intent, then added, with a status and a wait) measured 2.6 times the servers'
 * bytes, and it must cross continue-as-new under Temporal's 2 MB payload limit (MAX_CARRIED_BYTES): 600 KB of
 * servers is about 1.6 MB of state.
 */
export const MAX_HELD_BYTES = 600_000;

/** The largest state a coordinator hands to its next run; past it, it runs on in the same run (see coordinator.ts). */
export const MAX_CARRIED_BYTES = 1_800_000;

export function emptyLedger(group: GroupRef): LedgerState {
  return { v: 1, group, seq: 0, arrivals: 0, pieceSeq: 0, pieces: [], requests: [], intents: [], createdBy: {} };
}

const without = (list: string[], drop: ReadonlySet<string>) => list.filter((k) => !drop.has(k));

export class Ledger {
  readonly #byId = new Map<string, RequestEntry>();
  /** The last `nextWrite` held an unfull chunk back for requests still being listed. */
  held = false;

  constructor(
    readonly state: LedgerState,
    readonly incarnation: string,
  ) {
    for (const r of state.requests) this.#byId.set(r.id, r);
  }

  get provider(): Provider {
    return this.state.group.provider;
  }

  request(id: string): RequestEntry | undefined {
    return this.#byId.get(id);
  }

  get live(): readonly RequestEntry[] {
    return this.state.requests;
  }

  key(server: Server): string {
    return identityKey(this.provider, server);
  }

  identity(server: Server): IdentityOf<Provider> {
    return identityOf(this.provider, server);
  }

  /** Nothing live, nothing queued: the coordinator may exit (or continue as new with an empty state). */
  get idle(): boolean {
    return this.state.requests.length === 0 && this.state.intents.length === 0;
  }

  // ------------------------------------------------------------------ arrivals

  /** A request's submission (or its resend). Returns why it was ignored, or undefined when taken. */
  submit(message: SubmitMessage, now: number): string | undefined {
    const existing = this.#byId.get(message.requester.workflowId);
    if (existing) {
      if (existing.nonce !== message.nonce || existing.runId !== message.requester.runId)
        return 'another run of that request is live here: ignored';
      if (existing.admitted) return undefined; // a repeat of a delivered submission
      if (!this.#fits(existing.bytes)) return undefined; // still no room: it is asked again in turn
      existing.admitted = true;
      existing.servers = this.#serversOf(message);
      return undefined;
    }
    const o = message.request.options;
    const servers = this.#serversOf(message);
    const bytes = JSON.stringify(servers).length;
    const entry: RequestEntry = {
      id: message.requester.workflowId,
      runId: message.requester.runId,
      nonce: message.nonce,
      arrival: this.state.arrivals++,
      opts: {
        maxChunkSize: o.maxChunkSize,
        dryRun: o.dryRun,
        waitFor: o.waitFor,
        pollMs: Math.round(o.pollIntervalSeconds * 1000),
        timeoutMs: o.availabilityTimeoutSeconds * 1000,
        ahead: o.chunksAhead ?? 0,
        rollback: o.onFailure === 'rollback',
      },
      requested: servers.length,
      bytes,
      admitted: this.#fits(bytes),
      listed: false,
      added: [],
      alreadyPresent: [],
      shared: [],
      statuses: {},
      toConfirm: [],
      parts: [],
      partCount: 0,
      requestIds: [],
      rolledBack: [],
      keptForOthers: [],
      sentAt: now,
    };
    if (entry.admitted) entry.servers = servers;
    this.state.requests.push(entry);
    this.#byId.set(entry.id, entry);
    return undefined;
  }

  #serversOf(message: SubmitMessage): Server[] {
    return dedupeServers(this.provider, message.request.servers).unique as Server[];
  }

  #fits(bytes: number): boolean {
    const held = this.state.requests.filter((r) => r.admitted).reduce((n, r) => n + r.bytes, 0);
    return held === 0 || held + bytes <= MAX_HELD_BYTES;
  }

  /** Requests waiting for room whose turn has come (oldest first, while they fit): ask them to resend. */
  admissionsDue(): RequestEntry[] {
    const due: RequestEntry[] = [];
    let held = this.state.requests.filter((r) => r.admitted).reduce((n, r) => n + r.bytes, 0);
    for (const r of this.state.requests) {
      if (r.admitted || r.end) continue;
      if (held !== 0 && held + r.bytes > MAX_HELD_BYTES) break;
      held += r.bytes;
      due.push(r);
    }
    return due;
  }

  /** A cancellation from the request itself (its nonce proves it). */
  cancel(requestId: string, nonce: string): string | undefined {
    const r = this.#byId.get(requestId);
    if (!r || r.nonce !== nonce) return 'no such live request here: ignored';
    if (r.end) return undefined;
    this.#end(r, { kind: 'cancelled' });
    return undefined;
  }

  /**
   * A request that can no longer be told anything (its workflow closed without a cancellation reaching the
   * coordinator: terminated, or timed out): it ends as cancelled, so nothing more of it is sent and, with rollback,
   * what its adds created is removed. Its run id must match, so a new run of the same workflow id is not touched.
   */
  abandon(requestId: string, runId: string): boolean {
    const r = this.#byId.get(requestId);
    if (!r || r.runId !== runId || r.end) return false;
    this.#end(r, { kind: 'cancelled' });
    return true;
  }

  /** Requests whose servers need the group listed before they can be planned. */
  toList(): RequestEntry[] {
    return this.state.requests.filter((r) => r.admitted && !r.listed && !r.end && r.servers !== undefined);
  }

  /**
   * The listing for `ids` came back: each server is joined to a live request's intent, found created by a live
   * request, found in the group (already present), or queued as a new intent. The coordinator's own records win
   * over the listing; a server being removed counts as absent, so it is added back after its removal.
   */
  applyListing(
    ids: readonly string[],
    members: readonly ServerStatus[],
    requestIds: readonly string[],
    removing: ReadonlySet<string>,
  ): void {
    const present = new Map(members.map((m) => [m.key, m.status]));
    // Intents by mode and key: a 10,000-server request would otherwise search the queue once per server.
    const queue = new Map<string, Intent>();
    for (const i of this.state.intents) if (!queue.has(`${i.dry} ${i.key}`)) queue.set(`${i.dry} ${i.key}`, i);
    for (const id of ids) {
      const r = this.#byId.get(id);
      if (!r || r.listed || r.end || !r.servers) continue;
      r.requestIds.push(...requestIds);
      for (const server of r.servers) this.#claim(r, server, present, removing, queue);
      r.listed = true;
      r.servers = undefined;
    }
  }

  #claim(
    r: RequestEntry,
    server: Server,
    present: ReadonlyMap<string, string>,
    removing: ReadonlySet<string>,
    queue: Map<string, Intent>,
  ): void {
    const key = this.key(server);
    const dry = r.opts.dryRun;
    const intent = queue.get(`${dry} ${key}`);
    if (intent) {
      if (!dry) for (const other of intent.claimants) this.#share(other, key);
      intent.claimants.push(r.id);
      return;
    }
    const creator = removing.has(key) ? undefined : this.state.createdBy[key];
    if (creator !== undefined) {
      if (!dry) this.#share(creator, key);
      r.alreadyPresent.push(key);
      const status = this.#byId.get(creator)?.statuses[key];
      r.statuses[key] = status ?? 'added';
      if (!dry) r.toConfirm.push(key);
      return;
    }
    const listed = removing.has(key) ? undefined : present.get(key);
    if (listed !== undefined) {
      r.alreadyPresent.push(key);
      r.statuses[key] = listed;
      return;
    }
    const queued: Intent = { key, dry, server, claimants: [r.id], inflight: false };
    this.state.intents.push(queued);
    queue.set(`${dry} ${key}`, queued);
  }

  /** `key` of live request `id` is also wanted by another request: a rollback of `id` must keep it. */
  #share(id: string, key: string): void {
    const r = this.#byId.get(id);
    if (r && !r.shared.includes(key)) r.shared.push(key);
  }

  /** The listing failed: the requests it was for fail with the listing's failure. */
  failListing(ids: readonly string[], failure: AppliedFailure): void {
    if (GROUP_WIDE.includes(failure.type)) return this.#failAll(failure);
    for (const id of ids) {
      const r = this.#byId.get(id);
      if (r && !r.end) this.#end(r, { kind: 'failed', ...failure });
    }
  }

  // ------------------------------------------------------------------ the writer

  #hasInflight(r: RequestEntry): boolean {
    return this.state.intents.some((i) => i.inflight && i.claimants.includes(r.id));
  }

  #hasQueued(r: RequestEntry): boolean {
    return this.state.intents.some((i) => i.claimants.includes(r.id));
  }

  /** Earlier chunks of `r` that must be confirmed ready before another of its servers is sent. */
  /** Its chunks that must be confirmed before its next one is sent; `inFlight`: its chunks sent and not answered yet. */
  #blocking(r: RequestEntry, inFlight = 0): Part[] {
    if (r.opts.dryRun) return [];
    const limit = r.partCount + inFlight - 1 - r.opts.ahead;
    return r.parts.filter((p) => p.index <= limit);
  }

  #limitOf(intent: Intent): number {
    return Math.min(...intent.claimants.map((c) => this.#byId.get(c)?.opts.maxChunkSize ?? 200));
  }

  #pollOf(intents: readonly Intent[]): number {
    return Math.min(...intents.flatMap((i) => i.claimants).map((c) => this.#byId.get(c)?.opts.pollMs ?? 1000));
  }

  /**
   * The next change, or undefined when nothing can be written now: a rollback's removal first, then the pieces of a
   * split change in order, then a chunk of queued servers in arrival order (one mode, at most the smallest
   * maxChunkSize of the requests in it), and when every queued server waits for an earlier chunk of its request,
   * that request's next chunk with the wait folded in. With `holdUnfull`, a chunk that is not full is held back
   * (undefined, and `held` says so) while requests that arrived are not listed yet: they may fill it.
   */
  nextWrite(now: number, holdUnfull = false): WriteOp | undefined {
    this.held = false;
    this.#startRollbacks();
    const removal = this.state.requests.find((r) => r.removal && r.removal.length > 0);
    if (removal) {
      // Kept: what another request asked for while this one lived, including requests that arrived and are not
      // listed yet (their servers are known; the list would only say these are there). A dry run asks for nothing.
      const keep = new Set(removal.shared);
      for (const r of this.state.requests) {
        if (r === removal || r.end || !r.servers || r.opts.dryRun) continue;
        for (const server of r.servers) keep.add(this.key(server));
      }
      const keys = removal.removal!.filter((k) => !keep.has(k)).slice(0, removal.opts.maxChunkSize);
      if (keys.length === 0) {
        removal.keptForOthers.push(
          ...removal.removal!.filter((k) => keep.has(k) && !removal.keptForOthers.includes(k)),
        );
        removal.removal = undefined;
        return this.nextWrite(now);
      }
      const servers = keys.map((k) => identityFromKey(this.provider, k));
      return {
        kind: 'remove',
        token: changeToken(this.incarnation, 'r', this.state.seq++),
        request: removal.id,
        keys,
        servers,
        waitFor: removal.opts.waitFor,
      };
    }
    const pending = this.state.intents.filter((i) => !i.inflight);
    for (const piece of this.state.pieces) {
      const chosen = pending.filter((i) => i.piece === piece);
      if (chosen.length > 0) return this.#addOp(chosen, piece);
    }
    const open = pending.filter((i) => i.piece === undefined && this.#gateOpen(i.claimants[0]!));
    const first = open[0];
    if (first) {
      const chosen: Intent[] = [];
      let limit = Infinity;
      for (const i of open) {
        if (i.dry !== first.dry) continue;
        const next = Math.min(limit, this.#limitOf(i));
        if (chosen.length + 1 > next) break;
        limit = next;
        chosen.push(i);
      }
      // Requests that arrived but are not listed yet could fill this chunk: with `holdUnfull`, wait for them.
      if (holdUnfull && chosen.length < limit && this.state.requests.some((r) => !r.end && !r.listed)) {
        this.held = true;
        return undefined;
      }
      return this.#addOp(chosen);
    }
    // Every queued server waits on an earlier chunk of its request: send the oldest such request's next chunk once
    // its earlier chunk is ready, waiting inside the add (a slice, then a separate read takes the wait over).
    for (const r of this.state.requests) {
      if (r.end || r.confirmRead) continue;
      const owned = pending.filter((i) => i.piece === undefined && i.claimants[0] === r.id);
      if (owned.length === 0) continue;
      const blocking = this.#blocking(r);
      if (blocking.length === 0) continue;
      const chosen: Intent[] = [];
      let limit = Infinity;
      for (const i of owned) {
        const next = Math.min(limit, this.#limitOf(i));
        if (chosen.length + 1 > next) break;
        limit = next;
        chosen.push(i);
      }
      const keys = blocking.flatMap((p) => p.keys);
      const deadline = Math.min(...blocking.map((p) => p.at)) + r.opts.timeoutMs;
      return this.#addOp(chosen, undefined, {
        request: r.id,
        keys,
        servers: keys.map((k) => identityFromKey(this.provider, k)),
        waitFor: r.opts.waitFor,
        deadline,
      });
    }
    return undefined;
  }

  #gateOpen(id: string, inFlight = 0): boolean {
    const r = this.#byId.get(id);
    // A chunk in flight is unconfirmed: more than chunksAhead of them and the next must wait.
    return (
      r !== undefined &&
      !r.end &&
      (inFlight === 0 || inFlight <= r.opts.ahead) &&
      this.#blocking(r, inFlight).length === 0
    );
  }

  /**
   * Full chunks to send right after `first` in the same activity, for a group that takes the next change as soon as
   * the last is answered: each the chunk `nextWrite` would choose once those before it were answered, and only while
   * nothing would be waited for in between (after a plain add, not a piece of a split change, a dry run or a wait;
   * no request past its chunksAhead). A chunk that is not full is left for `nextWrite`, where requests arriving
   * meanwhile may fill it.
   */
  followingWrites(first: WriteOp, max: number): Extract<WriteOp, { kind: 'add' }>[] {
    const following: Extract<WriteOp, { kind: 'add' }>[] = [];
    if (first.kind !== 'add' || first.dry || first.confirm || first.piece !== undefined) return following;
    // `first` came from nextWrite, which takes a removal or a split piece before any plain chunk: none is due.
    while (following.length < max) {
      const sent = [first, ...following];
      const inFlight = (id: string) => sent.filter((op) => op.requests.includes(id)).length;
      const chosen: Intent[] = [];
      let limit = Infinity;
      for (const i of this.state.intents) {
        if (i.inflight || i.dry || i.piece !== undefined || !this.#gateOpen(i.claimants[0]!, inFlight(i.claimants[0]!)))
          continue;
        const next = Math.min(limit, this.#limitOf(i));
        if (chosen.length + 1 > next) break;
        limit = next;
        chosen.push(i);
      }
      if (chosen.length === 0 || chosen.length < limit) break;
      following.push(this.#addOp(chosen));
    }
    return following;
  }

  #addOp(
    chosen: Intent[],
    piece?: number,
    confirm?: Extract<WriteOp, { kind: 'add' }>['confirm'],
  ): Extract<WriteOp, { kind: 'add' }> {
    for (const i of chosen) i.inflight = true;
    return {
      kind: 'add',
      token: changeToken(this.incarnation, 'a', this.state.seq++),
      dry: chosen[0]!.dry,
      keys: chosen.map((i) => i.key),
      servers: chosen.map((i) => i.server),
      requests: [...new Set(chosen.flatMap((i) => i.claimants))],
      piece,
      pollMs: this.#pollOf(chosen),
      confirm,
    };
  }

  #opIntents(op: Extract<WriteOp, { kind: 'add' }>): Intent[] {
    const keys = new Set(op.keys);
    return this.state.intents.filter((i) => i.inflight && i.dry === op.dry && keys.has(i.key));
  }

  #release(intents: readonly Intent[]): void {
    for (const i of intents) i.inflight = false;
    this.#dropUnclaimed();
  }

  #dropUnclaimed(): void {
    this.state.intents = this.state.intents.filter((i) => i.claimants.length > 0);
    const used = new Set(this.state.intents.map((i) => i.piece));
    this.state.pieces = this.state.pieces.filter((p) => used.has(p));
  }

  /** The add was answered: who created what, who was told it was there, and the confirmation it carried. */
  applyAdded(
    op: Extract<WriteOp, { kind: 'add' }>,
    outcomes: Uniform<string>,
    confirmed: Uniform<string> | undefined,
    requestIds: readonly string[],
    now: number,
  ): void {
    const intents = this.#opIntents(op);
    const outcome = spreadOver(outcomes, op.keys);
    const partKeys = new Map<string, string[]>();
    for (const i of intents) {
      const result = outcome.get(i.key);
      if (i.dry) {
        for (const c of i.claimants) {
          const r = this.#byId.get(c);
          if (r) r.statuses[i.key] = 'dry-run';
        }
        continue;
      }
      // `existed` on a server the coordinator found absent: its own earlier attempt, whose answer was lost.
      if (result !== 'accepted' && result !== 'added' && result !== 'existed') continue;
      this.#attribute(i);
      for (const c of i.claimants) {
        const keys = partKeys.get(c);
        if (keys) keys.push(i.key);
        else partKeys.set(c, [i.key]);
      }
    }
    // Whoever holds a claim now (requests may have joined while the change was in flight), and the confirmed request.
    const involved = new Set([...intents.flatMap((i) => i.claimants), ...(op.confirm ? [op.confirm.request] : [])]);
    for (const id of involved) {
      const r = this.#byId.get(id);
      if (!r) continue;
      r.requestIds.push(...requestIds);
      const keys = partKeys.get(id);
      if (keys && !r.end) r.parts.push({ index: r.partCount, keys, at: now });
      if (keys || intents.some((i) => i.claimants.includes(id))) r.partCount++;
    }
    if (op.confirm && confirmed) this.#confirm(op.confirm.request, spreadOver(confirmed, op.confirm.keys));
    const answered = new Set(intents);
    this.state.intents = this.state.intents.filter((i) => !answered.has(i));
    this.#dropUnclaimed();
  }

  /** A server this change put in the group: the first claimant's add created it, the others were told it is there. */
  #attribute(i: Intent): void {
    const [creatorId, ...others] = i.claimants;
    const creator = this.#byId.get(creatorId!);
    if (creator) {
      creator.added.push(i.key);
      creator.statuses[i.key] = 'added';
      creator.toConfirm.push(i.key);
      this.state.createdBy[i.key] = creator.id;
      if (others.length > 0) this.#share(creator.id, i.key);
    }
    for (const o of others) {
      const r = this.#byId.get(o);
      if (!r) continue;
      r.alreadyPresent.push(i.key);
      r.statuses[i.key] = 'added';
      r.toConfirm.push(i.key);
    }
  }

  /**
   * A chunk sent after others in one activity got no answer: it is queued again, but what a list found of it in the
   * group (`found`: the change applied and its answer lost) is this change's own, so that no server is in the group
   * that no report lists.
   */
  applyUnanswered(op: Extract<WriteOp, { kind: 'add' }>, found: ReadonlySet<string>): void {
    const applied = this.#opIntents(op).filter((i) => !i.dry && found.has(i.key));
    for (const i of applied) this.#attribute(i);
    const done = new Set(applied);
    this.state.intents = this.state.intents.filter((i) => !done.has(i));
    this.#release(this.#opIntents(op));
  }

  /** The add gave the writer up before sending (its request's earlier chunk not ready in the slice, or never). */
  applyNotSent(
    op: Extract<WriteOp, { kind: 'add' }>,
    timedOut: boolean,
    stragglers: readonly ServerStatus[],
    requestIds: readonly string[],
  ): void {
    this.#release(this.#opIntents(op));
    const confirm = op.confirm;
    if (!confirm) return;
    const r = this.#byId.get(confirm.request);
    if (!r || r.end) return;
    r.requestIds.push(...requestIds);
    if (timedOut) {
      this.#timedOut(r, stragglers);
    } else {
      r.confirmRead = { keys: confirm.keys, deadline: confirm.deadline };
    }
  }

  /**
   * The add failed for good. A failure a server can cause splits the change (by request, then in halves) until it
   * is pinned on the requests whose server it is; a group-wide one fails every live request; anything else fails
   * the requests in the change. `found`: servers of the change a list found in the group after it failed.
   */
  applyAddFailed(
    op: Extract<WriteOp, { kind: 'add' }>,
    failure: AppliedFailure,
    found: ReadonlySet<string> = new Set(),
  ): void {
    // What a list found in the group after all (a change applied whose answers were all lost): this change's own.
    const applied = this.#opIntents(op).filter((i) => !i.dry && found.has(i.key));
    for (const i of applied) this.#attribute(i);
    const done = new Set(applied);
    this.state.intents = this.state.intents.filter((i) => !done.has(i));
    const intents = this.#opIntents(op);
    if (GROUP_WIDE.includes(failure.type)) {
      this.#release(intents);
      return this.#failAll(failure);
    }
    const sets = new Set(intents.map((i) => [...i.claimants].sort().join('\n')));
    if (!ISOLATED.includes(failure.type) || sets.size <= 1 || intents.length <= 1) {
      const claimants = new Set(intents.flatMap((i) => i.claimants));
      this.#release(intents);
      for (const id of claimants) {
        const r = this.#byId.get(id);
        if (!r || r.end) continue;
        if (failure.type !== 'QuotaExceeded') {
          this.#end(r, { kind: 'failed', ...failure });
          continue;
        }
        const quota = quotaFigures(failure.message, intents.length, r.requested, failure.details.quota);
        this.#end(r, {
          kind: 'failed',
          ...failure,
          message: `${failure.message} ${quotaSentence(quota)}`,
          details: { ...failure.details, quota },
        });
      }
      return;
    }
    // Split: by the request that owns each server (arrival order) when there are several, else in halves.
    const owners = [...new Set(intents.map((i) => i.claimants[0]!))];
    const groups: Intent[][] =
      owners.length > 1
        ? owners.map((o) => intents.filter((i) => i.claimants[0] === o))
        : [intents.slice(0, Math.ceil(intents.length / 2)), intents.slice(Math.ceil(intents.length / 2))];
    const fresh = groups.map(() => this.state.pieceSeq++);
    groups.forEach((g, n) => {
      for (const i of g) i.piece = fresh[n];
    });
    this.state.pieces = [...fresh, ...this.state.pieces.filter((p) => p !== op.piece)];
    this.#release(intents);
  }

  // ------------------------------------------------------------------ readers

  /**
   * Reads to start now: separate confirmations, and each request's last wait once nothing of it is queued; the
   * entries due together with the same `waitFor` and poll interval share one read. `running`: requests in a read.
   */
  readsDue(now: number, running: ReadonlySet<string>): ReadOp[] {
    const entries: { entry: ReadEntry; r: RequestEntry }[] = [];
    for (const r of this.state.requests) {
      if (r.end || !r.listed) continue;
      if (running.has(r.id)) continue;
      if (r.confirmRead) {
        const keys = r.confirmRead.keys.filter((k) => r.toConfirm.includes(k));
        if (keys.length === 0) {
          r.confirmRead = undefined;
          continue;
        }
        entries.push({ entry: { kind: 'confirm', request: r.id, keys, deadline: r.confirmRead.deadline }, r });
        continue;
      }
      if (this.#hasQueued(r)) continue;
      if (r.toConfirm.length === 0) {
        this.#end(r, { kind: 'completed' });
        continue;
      }
      r.finalWait ??= { deadline: now + r.opts.timeoutMs };
      entries.push({
        entry: { kind: 'final', request: r.id, keys: [...r.toConfirm], deadline: r.finalWait.deadline },
        r,
      });
    }
    const reads = new Map<string, { entries: ReadEntry[]; waitFor: WaitFor; pollMs: number }>();
    for (const { entry, r } of entries) {
      const like = `${r.opts.waitFor} ${r.opts.pollMs}`;
      const read = reads.get(like) ?? { entries: [], waitFor: r.opts.waitFor, pollMs: r.opts.pollMs };
      read.entries.push(entry);
      reads.set(like, read);
    }
    return [...reads.values()].map(({ entries: es, waitFor, pollMs }) => {
      const keys = es.flatMap((e) => e.keys);
      return {
        entries: es,
        keys,
        servers: keys.map((k) => identityFromKey(this.provider, k)),
        sets: es.map((e) => e.keys.length),
        waitFor,
        pollMs,
        deadline: Math.min(...es.map((e) => e.deadline)),
      };
    });
  }

  /**
   * A read's answer: the statuses of its servers, when an entry's servers were all ready or (`timedOut`) at its
   * earliest deadline. Each entry confirms what is ready; an entry whose servers are all confirmed is done, one past
   * its deadline fails with its stragglers, and any other is read again.
   */
  applyRead(op: ReadOp, statuses: Uniform<string>, requestIds: readonly string[], timedOut: boolean): void {
    const byKey = spreadOver(statuses, op.keys);
    for (const e of op.entries) {
      const r = this.#byId.get(e.request);
      if (!r || r.end) continue;
      r.requestIds.push(...requestIds);
      const ready = new Map<string, string>();
      const stragglers: ServerStatus[] = [];
      for (const key of e.keys) {
        const status = byKey.get(key) ?? 'absent';
        if (memberReady(this.provider, status, r.opts.waitFor)) ready.set(key, status);
        else stragglers.push({ key, status });
      }
      this.#confirm(r.id, ready);
      if (stragglers.length > 0) {
        if (timedOut && e.deadline <= op.deadline) this.#timedOut(r, stragglers);
        continue;
      }
      if (e.kind === 'confirm') r.confirmRead = undefined;
      else if (r.toConfirm.length === 0 && !this.#hasQueued(r)) this.#end(r, { kind: 'completed' });
    }
  }

  /** A read failed for another reason (the provider): its requests fail with it. */
  applyReadFailed(op: ReadOp, failure: AppliedFailure): void {
    if (GROUP_WIDE.includes(failure.type)) return this.#failAll(failure);
    for (const e of op.entries) {
      const r = this.#byId.get(e.request);
      if (r && !r.end) this.#end(r, { kind: 'failed', ...failure });
    }
  }

  #confirm(id: string, statuses: ReadonlyMap<string, string>): void {
    const r = this.#byId.get(id);
    if (!r) return;
    for (const [k, status] of statuses) r.statuses[k] = status;
    const done = new Set(statuses.keys());
    r.toConfirm = without(r.toConfirm, done);
    for (const p of r.parts) p.keys = without(p.keys, done);
    r.parts = r.parts.filter((p) => p.keys.length > 0);
  }

  #timedOut(r: RequestEntry, stragglers: readonly ServerStatus[]): void {
    for (const s of stragglers) r.statuses[s.key] = s.status;
    const shown = stragglers
      .slice(0, 10)
      .map((s) => `${s.key} (${s.status})`)
      .join(', ');
    this.#end(r, {
      kind: 'failed',
      type: 'AvailabilityTimeout',
      message: `${stragglers.length} servers did not become ready in time: ${shown}${stragglers.length > 10 ? ', …' : ''}`,
      details: { stragglers: [...stragglers] },
    });
  }

  // ------------------------------------------------------------------ endings

  #failAll(failure: AppliedFailure): void {
    for (const r of this.state.requests) if (!r.end) this.#end(r, { kind: 'failed', ...failure });
  }

  /** A request stops: its queued servers leave the queue (unless someone else wants them); reads are dropped. */
  #end(r: RequestEntry, ending: Ending): void {
    r.end = ending;
    r.confirmRead = undefined;
    r.finalWait = undefined;
    r.servers = undefined;
    for (const i of this.state.intents) if (!i.inflight) i.claimants = i.claimants.filter((c) => c !== r.id);
    this.#dropUnclaimed();
  }

  /** Rollbacks that may start: the request's in-flight change was answered, so what it created is known. */
  #startRollbacks(): void {
    for (const r of this.state.requests) {
      if (
        !r.end ||
        r.end.kind === 'completed' ||
        r.removal ||
        r.rolledBack.length > 0 ||
        r.keptForOthers.length > 0 ||
        r.rollbackError
      )
        continue;
      if (!r.opts.rollback || r.opts.dryRun || this.#hasInflight(r) || r.added.length === 0) continue;
      const keep = new Set(r.shared);
      r.keptForOthers = r.added.filter((k) => keep.has(k));
      r.removal = r.added.filter((k) => !keep.has(k));
      if (r.removal.length === 0) r.removal = undefined;
    }
  }

  /** A removal of a rollback was answered and its servers are gone. */
  applyRemoved(op: Extract<WriteOp, { kind: 'remove' }>, requestIds: readonly string[]): void {
    const r = this.#byId.get(op.request);
    if (!r) return;
    r.requestIds.push(...requestIds);
    const removed = new Set(op.keys);
    r.removal = r.removal ? without(r.removal, removed) : undefined;
    if (r.removal?.length === 0) r.removal = undefined;
    for (const k of op.keys) {
      r.rolledBack.push(k);
      r.statuses[k] = 'removed';
      if (this.state.createdBy[k] === r.id) delete this.state.createdBy[k];
    }
  }

  /** A removal failed: the rollback stops there, and the report says what is still in the group. */
  applyRemoveFailed(op: Extract<WriteOp, { kind: 'remove' }>, failure: AppliedFailure): void {
    const r = this.#byId.get(op.request);
    if (!r) return;
    r.rollbackError = `rollback stopped: ${failure.message}`;
    r.removal = undefined;
  }

  /**
   * The outcomes ready to send: requests that ended and have nothing in flight or left to remove. Each leaves the
   * ledger with its message; the servers it created stop being its own.
   */
  takeOutcomes(): { request: RequestEntry; update: RequestUpdate }[] {
    this.#startRollbacks();
    const done = this.state.requests.filter(
      (r) => r.end && !this.#hasInflight(r) && !r.removal && (r.end.kind === 'completed' || !this.#rollbackPending(r)),
    );
    if (done.length === 0) return [];
    const out = done.map((r) => ({ request: r, update: this.#outcome(r) }));
    const gone = new Set(done.map((r) => r.id));
    this.state.requests = this.state.requests.filter((r) => !gone.has(r.id));
    for (const r of done) this.#byId.delete(r.id);
    for (const [k, id] of Object.entries(this.state.createdBy)) if (gone.has(id)) delete this.state.createdBy[k];
    for (const i of this.state.intents) i.claimants = i.claimants.filter((c) => !gone.has(c));
    this.#dropUnclaimed();
    return out;
  }

  #rollbackPending(r: RequestEntry): boolean {
    return (
      r.opts.rollback &&
      !r.opts.dryRun &&
      r.added.length > 0 &&
      r.rolledBack.length === 0 &&
      r.keptForOthers.length === 0 &&
      !r.rollbackError
    );
  }

  #outcome(r: RequestEntry): RequestUpdate {
    const statuses = compact(r.statuses);
    const end = r.end!;
    if (end.kind === 'completed') {
      return {
        kind: 'completed',
        nonce: r.nonce,
        added: r.added,
        alreadyPresent: r.alreadyPresent,
        statuses,
        requestIds: r.requestIds,
        chunks: r.partCount,
      };
    }
    const rolled =
      r.opts.rollback && !r.opts.dryRun && r.added.length > 0
        ? { rolledBack: r.rolledBack, keptForOthers: r.keptForOthers }
        : {};
    const base = { added: r.added, alreadyPresent: r.alreadyPresent, ...rolled };
    if (end.kind === 'cancelled') return { kind: 'cancelled', nonce: r.nonce, report: base, statuses };
    const details = { ...end.details, type: end.type!, ...base } as FailureDetails;
    const message = r.rollbackError ? `${end.message} (${r.rollbackError})` : end.message!;
    return {
      kind: 'failed',
      nonce: r.nonce,
      message,
      details: details as typeof details & Record<string, unknown>,
      statuses,
    };
  }

  // ------------------------------------------------------------------ what requests and operators see

  phaseOf(r: RequestEntry): Phase {
    if (r.end)
      return r.removal || this.#rollbackPending(r)
        ? 'rolling-back'
        : r.end.kind === 'completed'
          ? 'completed'
          : 'failed';
    if (!r.listed) return 'listing';
    if (this.#hasInflight(r)) return 'adding';
    if (this.#hasQueued(r)) return this.#blocking(r).length > 0 ? 'waiting' : 'adding';
    return 'waiting';
  }

  progressOf(r: RequestEntry): Progress {
    const seen = Object.values(r.statuses);
    const counted = countStates(
      this.state.group.provider,
      r.opts.waitFor,
      seen,
      Math.max(0, r.requested - seen.length),
    );
    const queued = this.state.intents.filter((i) => !i.inflight && i.claimants[0] === r.id).length;
    return {
      phase: this.phaseOf(r),
      chunksDone: r.partCount,
      chunksTotal:
        r.partCount +
        Math.ceil(queued / r.opts.maxChunkSize) +
        (this.#hasInflight(r) ? 1 : 0) +
        (r.servers ? Math.ceil(r.servers.length / r.opts.maxChunkSize) : 0),
      requested: r.requested,
      added: r.added.length,
      alreadyPresent: r.alreadyPresent.length,
      ...counted,
    };
  }

  /** Progress messages due: a phase change at most every `phaseEveryMs`, counts at most every `everyMs`, never twice the same. */
  progressDue(now: number, everyMs: number, phaseEveryMs: number): { request: RequestEntry; update: RequestUpdate }[] {
    const due: { request: RequestEntry; update: RequestUpdate }[] = [];
    for (const r of this.state.requests) {
      if (!this.#hearsProgress(r)) continue;
      const phase = this.phaseOf(r);
      // `sentAt` starts at the submission: a request that ends within its first interval hears only its outcome.
      if (now - r.sentAt < (phase === r.sentPhase ? everyMs : phaseEveryMs)) continue;
      const progress = this.progressOf(r);
      const said = JSON.stringify(progress);
      if (said === r.sentProgress) continue;
      r.sentPhase = phase;
      r.sentProgress = said;
      r.sentAt = now;
      due.push({ request: r, update: { kind: 'progress', nonce: r.nonce, progress } });
    }
    return due;
  }

  /** When a phase change held back by `progressDue` is due at the latest (none: undefined), so the coordinator can wake for it. */
  phaseChangeDueAt(phaseEveryMs: number): number | undefined {
    let at: number | undefined;
    for (const r of this.state.requests) {
      if (!this.#hearsProgress(r)) continue;
      if (this.phaseOf(r) === r.sentPhase) continue;
      at = Math.min(at ?? Infinity, r.sentAt + phaseEveryMs);
    }
    return at;
  }

  /** A request hears of its progress while it lives, and after its end while its rollback is still to do. */
  #hearsProgress(r: RequestEntry): boolean {
    return !r.end || this.#rollbackPending(r) || r.removal !== undefined;
  }

  /** Servers waiting to be sent: all of them, or those `r` asked for first. */
  queued(r?: RequestEntry): number {
    return (
      this.state.intents.filter((i) => !i.inflight && (r === undefined || i.claimants[0] === r.id)).length +
      (r?.servers?.length ?? 0)
    );
  }
}

/** A key back to the identity a list filter or a removal takes: `Type:id:port`, `address:port`, `[v6]:port`. */
export function identityFromKey(provider: Provider, key: string): IdentityOf<Provider> {
  const cut = key.lastIndexOf(':');
  const port = Number(key.slice(cut + 1));
  const head = key.slice(0, cut);
  if (provider === 'alibaba-gwlb') {
    const colon = head.indexOf(':');
    return { serverType: head.slice(0, colon), serverId: head.slice(colon + 1), port };
  }
  const address = head.startsWith('[') && head.endsWith(']') ? head.slice(1, -1) : head;
  return { address, protocolPort: port };
}

/** Per-key values from a compact answer, for the keys (in order) it was about. */
export function spreadOver<T extends string>(u: Uniform<T>, keys: readonly string[]): Map<string, T> {
  return new Map('all' in u ? keys.map((k) => [k, u.all] as const) : u.each.map((e) => [e.key, e.value] as const));
}

/** A status record, compact: `{ all }` when every server has the same status. */
export function compact(statuses: Record<string, string>): Uniform<string> {
  const values = Object.values(statuses);
  const first = values[0];
  if (first !== undefined && values.every((v) => v === first)) return { all: first };
  return { each: Object.entries(statuses).map(([key, value]) => ({ key, value })) };
}
