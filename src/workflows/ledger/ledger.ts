// The group coordinator's state and rules, with no Temporal in them: who asked for each server, whose add created
// it, what goes in the next change, and what each request is told. This class holds the state (model.ts) and the
// questions every rule asks of it; the rules are functions over it, one module per moment: arrivals.ts (submit,
// list), writer.ts (the next change), answers.ts (a change's answer), reads.ts (waiting for servers to be ready),
// reports.ts (progress and outcomes), lifecycle.ts (a request's stages). Deterministic, so the coordinator replays.
import {
  identityKey,
  identityOf,
  MAX_SERVERS_PER_CALL,
  TIMINGS,
  type IdentityOf,
  type Provider,
  type Server,
} from '../../domain/index.js';
import type { AddChange, LedgerState, QueuedServer, RequestEntry, UnconfirmedChunk } from './model.js';

export class Ledger {
  readonly #byId = new Map<string, RequestEntry>();

  constructor(
    readonly state: LedgerState,
    /** First run id of this coordinator incarnation: what its ClientTokens carry. */
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

  /** Requests in arrival order, from their submission until they are reported. */
  get live(): readonly RequestEntry[] {
    return this.state.requests;
  }

  /** Nothing live, nothing queued: the coordinator may exit (or continue as new with an empty state). */
  get idle(): boolean {
    return this.state.requests.length === 0 && this.state.queue.length === 0;
  }

  key(server: Server): string {
    return identityKey(this.provider, server);
  }

  identity(server: Server): IdentityOf<Provider> {
    return identityOf(this.provider, server);
  }

  /** A new request joins, last in arrival order. */
  enter(r: RequestEntry): void {
    this.state.requests.push(r);
    this.#byId.set(r.id, r);
  }

  /** Reported requests leave: the servers they created stop being theirs, their claims go. */
  leave(gone: ReadonlySet<string>): void {
    this.state.requests = this.state.requests.filter((r) => !gone.has(r.id));
    for (const id of gone) this.#byId.delete(id);
    for (const [k, id] of Object.entries(this.state.createdBy)) if (gone.has(id)) delete this.state.createdBy[k];
    for (const q of this.state.queue) q.claimants = q.claimants.filter((c) => !gone.has(c));
    this.dropUnclaimed();
  }

  /** Servers waiting to be sent: all of them, or those `r` asked for first (its servers not listed yet included). */
  queued(r?: RequestEntry): number {
    const waiting = this.state.queue.filter((q) => !q.inFlight && (r === undefined || q.claimants[0] === r.id)).length;
    return waiting + (r?.stage.kind === 'to-list' ? r.stage.servers.length : 0);
  }

  /** The chunks a request's servers take: those sent, in flight, and still to send (at its own chunk size). */
  plannedChunks(r: RequestEntry): number {
    if (r.stage.kind === 'ended' && r.stage.chunksPlanned !== undefined)
      return Math.max(r.stage.chunksPlanned, r.chunks);
    const queued = this.state.queue.filter((q) => !q.inFlight && q.claimants[0] === r.id).length;
    const listing = r.stage.kind === 'to-list' ? r.stage.servers.length : 0;
    const size = r.opts.maxChunkSize;
    return r.chunks + Math.ceil(queued / size) + (this.hasInFlight(r) ? 1 : 0) + Math.ceil(listing / size);
  }

  hasInFlight(r: RequestEntry): boolean {
    return this.state.queue.some((q) => q.inFlight && q.claimants.includes(r.id));
  }

  hasQueued(r: RequestEntry): boolean {
    return this.state.queue.some((q) => q.claimants.includes(r.id));
  }

  /** Its chunks that must be confirmed before its next one is sent; `inFlight`: its chunks sent and not answered yet. */
  blocking(r: RequestEntry, inFlight = 0): UnconfirmedChunk[] {
    if (r.opts.dryRun) return [];
    const limit = r.chunks + inFlight - 1 - r.opts.ahead;
    return r.unconfirmed.filter((c) => c.index <= limit);
  }

  /** The smallest maxChunkSize of the requests that want a queued server: the most a chunk holding it may hold. */
  limitOf(q: QueuedServer): number {
    return Math.min(...q.claimants.map((c) => this.#byId.get(c)?.opts.maxChunkSize ?? MAX_SERVERS_PER_CALL));
  }

  /** The shortest poll interval of the requests that want these servers. */
  pollOf(queued: readonly QueuedServer[]): number {
    return Math.min(
      ...queued.flatMap((q) => q.claimants).map((c) => this.#byId.get(c)?.opts.pollMs ?? TIMINGS.retryFloorMs),
    );
  }

  /** The queued servers a change in flight carries. */
  carriedBy(change: AddChange): QueuedServer[] {
    const keys = new Set(change.keys);
    return this.state.queue.filter((q) => q.inFlight && q.dry === change.dry && keys.has(q.key));
  }

  /** Servers a change carried go back to the queue (those nobody wants any more leave it). */
  release(queued: readonly QueuedServer[]): void {
    for (const q of queued) q.inFlight = false;
    this.dropUnclaimed();
  }

  /** Servers answered for good leave the queue. */
  unqueue(answered: readonly QueuedServer[]): void {
    const done = new Set(answered);
    this.state.queue = this.state.queue.filter((q) => !done.has(q));
    this.dropUnclaimed();
  }

  dropUnclaimed(): void {
    this.state.queue = this.state.queue.filter((q) => q.claimants.length > 0);
    const used = new Set(this.state.queue.map((q) => q.split));
    this.state.splits = this.state.splits.filter((s) => used.has(s));
  }

  /** `key` of live request `id` is also wanted by another request: a rollback of `id` must keep it. */
  share(id: string, key: string): void {
    const r = this.#byId.get(id);
    if (r && !r.shared.includes(key)) r.shared.push(key);
  }
}
