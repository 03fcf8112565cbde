// The group coordinator's state and rules, with no Temporal in them: who asked for each server, whose add created
// it, what goes in the next change, and what each request is told. This class holds the state (model.ts) and the
// questions every rule asks of it; the rules are functions over it, one module per moment: arrivals.ts (submit,
// list), writer.ts (the next change), answers.ts (a change's answer), reads.ts (waiting for servers to be ready),
// reports.ts (progress and outcomes), lifecycle.ts (a request's stages). Deterministic, so the coordinator replays.
import {
  MAX_SERVERS_PER_CALL,
  TIMINGS,
  type IdentityOf,
  type Provider,
  type Readiness,
  type Server,
} from '../../domain/index.js';
import { identityKey, identityOf } from '../../registry/index.js';
import { definitionOf } from '../../registry/index.js';
import type { AddChange, LedgerState, QueuedServer, RequestEntry, UnconfirmedChunk } from './model.js';

export class Ledger {
  readonly #byId = new Map<string, RequestEntry>();

  constructor(
    readonly state: LedgerState,
    /** First run id of this coordinator incarnation: what its ClientTokens carry. */
    readonly incarnation: string,
  ) {
    for (const request of state.requests) this.#byId.set(request.id, request);
  }

  get provider(): Provider {
    return this.state.group.provider;
  }

  /** The provider's words for a member's state. */
  get readiness(): Readiness {
    return definitionOf(this.provider).readiness;
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
  enter(request: RequestEntry): void {
    this.state.requests.push(request);
    this.#byId.set(request.id, request);
  }

  /** Reported requests leave: the servers they created stop being theirs, their claims go. */
  leave(gone: ReadonlySet<string>): void {
    this.state.requests = this.state.requests.filter((request) => !gone.has(request.id));
    for (const id of gone) this.#byId.delete(id);
    for (const [k, id] of Object.entries(this.state.createdBy)) if (gone.has(id)) delete this.state.createdBy[k];
    for (const queued of this.state.queue) queued.claimants = queued.claimants.filter((c) => !gone.has(c));
    this.dropUnclaimed();
  }

  /** Servers waiting to be sent: all of them, or those `r` asked for first (its servers not listed yet included). */
  queued(request?: RequestEntry): number {
    const waiting = this.state.queue.filter(
      (queued) => !queued.inFlight && (request === undefined || queued.claimants[0] === request.id),
    ).length;
    return waiting + (request ? listingCount(request) : 0);
  }

  /** The chunks a request's servers take: those sent, in flight, and still to send (at its own chunk size). */
  plannedChunks(request: RequestEntry): number {
    if (request.stage.kind === 'ended' && request.stage.chunksPlanned !== undefined)
      return Math.max(request.stage.chunksPlanned, request.chunks);
    const queued = this.state.queue.filter((queued) => !queued.inFlight && queued.claimants[0] === request.id).length;
    const listing = listingCount(request);
    const size = request.opts.maxChunkSize;
    return request.chunks + Math.ceil(queued / size) + (this.hasInFlight(request) ? 1 : 0) + Math.ceil(listing / size);
  }

  hasInFlight(request: RequestEntry): boolean {
    return this.state.queue.some((queued) => queued.inFlight && queued.claimants.includes(request.id));
  }

  hasQueued(request: RequestEntry): boolean {
    return this.state.queue.some((queued) => queued.claimants.includes(request.id));
  }

  /** Its chunks that must be confirmed before its next one is sent; `inFlight`: its chunks sent and not answered yet. */
  blocking(request: RequestEntry, inFlight = 0): UnconfirmedChunk[] {
    if (request.opts.dryRun) return [];
    const limit = request.chunks + inFlight - 1 - request.opts.ahead;
    return request.unconfirmed.filter((c) => c.index <= limit);
  }

  /** The smallest maxChunkSize of the requests that want a queued server: the most a chunk holding it may hold. */
  limitOf(queued: QueuedServer): number {
    return Math.min(...queued.claimants.map((c) => this.#byId.get(c)?.opts.maxChunkSize ?? MAX_SERVERS_PER_CALL));
  }

  /** The shortest poll interval of the requests that want these servers. */
  pollOf(queued: readonly QueuedServer[]): number {
    return Math.min(
      ...queued
        .flatMap((queued) => queued.claimants)
        .map((c) => this.#byId.get(c)?.opts.pollMs ?? TIMINGS.retryFloorMs),
    );
  }

  /** The queued servers a change in flight carries. */
  carriedBy(change: AddChange): QueuedServer[] {
    const keys = new Set(change.keys);
    return this.state.queue.filter((queued) => queued.inFlight && queued.dry === change.dry && keys.has(queued.key));
  }

  /** Servers a change carried go back to the queue (those nobody wants any more leave it). */
  release(queued: readonly QueuedServer[]): void {
    for (const server of queued) server.inFlight = false;
    this.dropUnclaimed();
  }

  /** Servers answered for good leave the queue. */
  unqueue(answered: readonly QueuedServer[]): void {
    const done = new Set(answered);
    this.state.queue = this.state.queue.filter((queued) => !done.has(queued));
    this.dropUnclaimed();
  }

  dropUnclaimed(): void {
    this.state.queue = this.state.queue.filter((queued) => queued.claimants.length > 0);
    const used = new Set(this.state.queue.map((queued) => queued.split));
    this.state.splits = this.state.splits.filter((s) => used.has(s));
  }

  /** `key` of live request `id` is also wanted by another request: a rollback of `id` must keep it. */
  share(id: string, key: string): void {
    const request = this.#byId.get(id);
    if (request && !request.shared.includes(key)) request.shared.push(key);
  }
}

/** The servers of a request waiting to be listed: all it asked for while they are fetched from it (since 0.4). */
function listingCount(request: RequestEntry): number {
  if (request.stage.kind !== 'to-list') return 0;
  return request.pages ? request.requested : request.stage.servers.length;
}
