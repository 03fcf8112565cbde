// Requests arriving and leaving early: a submission (admitted while the coordinator has room), a cancellation, a
// request that closed unheard, and the listing that turns a request's servers into claims on the queue.
import { type Server, type ServerStatus, type SubmitMessage } from '../../domain/index.js';
import { dedupeServers } from '../../registry/index.js';
import type { Ledger } from './ledger.js';
import { admit, endRequest, hasEnded, isAdmitted, markListed } from './lifecycle.js';
import { MAX_HELD_BYTES, type AppliedFailure, type QueuedServer, type RequestEntry } from './model.js';

/** Failures no change to this group can get past: every live request fails with them. */
export const GROUP_WIDE: readonly string[] = ['ServerGroupNotFound', 'AuthenticationFailed'];

/** A request's submission (or its resend). Returns why it was ignored, or undefined when taken. */
export function submit(ledger: Ledger, message: SubmitMessage, now: number): string | undefined {
  const existing = ledger.request(message.requester.workflowId);
  if (existing) {
    if (existing.nonce !== message.nonce || existing.runId !== message.requester.runId)
      return 'another run of that request is live here: ignored';
    // A repeat of a delivered submission, one for a request that ended meanwhile, or still no room (asked again in turn).
    if (existing.stage.kind === 'awaiting-room' && fits(ledger, existing.bytes))
      admit(existing, serversOf(ledger, message));
    return undefined;
  }
  const options = message.request.options;
  const servers = serversOf(ledger, message);
  const bytes = JSON.stringify(servers).length;
  ledger.enter({
    id: message.requester.workflowId,
    runId: message.requester.runId,
    nonce: message.nonce,
    arrival: ledger.state.arrivals++,
    opts: {
      maxChunkSize: options.maxChunkSize,
      dryRun: options.dryRun,
      waitFor: options.waitFor,
      pollMs: Math.round(options.pollIntervalSeconds * 1000),
      timeoutMs: options.availabilityTimeoutSeconds * 1000,
      ahead: options.chunksAhead ?? 0,
      rollback: options.onFailure === 'rollback',
    },
    requested: servers.length,
    bytes,
    stage: fits(ledger, bytes) ? { kind: 'to-list', servers } : { kind: 'awaiting-room' },
    added: [],
    alreadyPresent: [],
    shared: [],
    statuses: {},
    toConfirm: [],
    unconfirmed: [],
    chunks: 0,
    requestIds: [],
    told: { at: now },
  });
  return undefined;
}

function serversOf(ledger: Ledger, message: SubmitMessage): Server[] {
  return dedupeServers(ledger.provider, message.request.servers).unique as Server[];
}

const heldBytes = (ledger: Ledger) => ledger.live.filter(isAdmitted).reduce((n, request) => n + request.bytes, 0);

function fits(ledger: Ledger, bytes: number): boolean {
  const held = heldBytes(ledger);
  return held === 0 || held + bytes <= MAX_HELD_BYTES;
}

/** Requests waiting for room whose turn has come (oldest first, while they fit): ask them to resend. */
export function admissionsDue(ledger: Ledger): RequestEntry[] {
  const due: RequestEntry[] = [];
  let held = heldBytes(ledger);
  for (const request of ledger.live) {
    if (request.stage.kind !== 'awaiting-room') continue;
    if (held !== 0 && held + request.bytes > MAX_HELD_BYTES) break;
    held += request.bytes;
    due.push(request);
  }
  return due;
}

/** A cancellation from the request itself (its nonce proves it). */
export function cancel(ledger: Ledger, requestId: string, nonce: string): string | undefined {
  const request = ledger.request(requestId);
  if (!request || request.nonce !== nonce) return 'no such live request here: ignored';
  endRequest(ledger, request, { kind: 'cancelled' });
  return undefined;
}

/**
 * A request that can no longer be told anything (its workflow closed without a cancellation reaching the
 * coordinator: terminated, or timed out): it ends as cancelled, so nothing more of it is sent and, with rollback,
 * what its adds created is removed. Its run id must match, so a new run of the same workflow id is not touched.
 */
export function abandon(ledger: Ledger, requestId: string, runId: string): boolean {
  const request = ledger.request(requestId);
  if (!request || request.runId !== runId || hasEnded(request)) return false;
  endRequest(ledger, request, { kind: 'cancelled' });
  return true;
}

/** Requests whose servers need the group listed before they can be planned. */
export function toList(ledger: Ledger): (RequestEntry & { stage: { kind: 'to-list' } })[] {
  return ledger.live.filter(
    (request): request is RequestEntry & { stage: { kind: 'to-list' } } => request.stage.kind === 'to-list',
  );
}

/**
 * The listing for `ids` came back: each server joins a live request's claim, is found created by a live request,
 * found in the group (already present), or is queued. The coordinator's own records win over the listing; a server
 * being removed counts as absent, so it is added back after its removal.
 */
export function applyListing(
  ledger: Ledger,
  ids: readonly string[],
  members: readonly ServerStatus[],
  requestIds: readonly string[],
  removing: ReadonlySet<string>,
): void {
  const present = new Map(members.map((m) => [m.key, m.status]));
  // Queued servers by mode and key: a 10,000-server request would otherwise search the queue once per server.
  const queue = new Map<string, QueuedServer>();
  for (const queued of ledger.state.queue)
    if (!queue.has(`${queued.dry} ${queued.key}`)) queue.set(`${queued.dry} ${queued.key}`, queued);
  for (const id of ids) {
    const request = ledger.request(id);
    if (request?.stage.kind !== 'to-list') continue;
    request.requestIds.push(...requestIds);
    for (const server of request.stage.servers) claim(ledger, request, server, { present, removing, queue });
    markListed(request);
  }
}

interface Seen {
  readonly present: ReadonlyMap<string, string>;
  readonly removing: ReadonlySet<string>;
  readonly queue: Map<string, QueuedServer>;
}

function claim(ledger: Ledger, request: RequestEntry, server: Server, seen: Seen): void {
  const key = ledger.key(server);
  const dry = request.opts.dryRun;
  const queued = seen.queue.get(`${dry} ${key}`);
  if (queued) {
    if (!dry) for (const other of queued.claimants) ledger.share(other, key);
    queued.claimants.push(request.id);
    return;
  }
  const creator = seen.removing.has(key) ? undefined : ledger.state.createdBy[key];
  if (creator !== undefined) {
    if (!dry) ledger.share(creator, key);
    request.alreadyPresent.push(key);
    request.statuses[key] = ledger.request(creator)?.statuses[key] ?? 'added';
    if (!dry) request.toConfirm.push(key);
    return;
  }
  const listed = seen.removing.has(key) ? undefined : seen.present.get(key);
  if (listed !== undefined) {
    request.alreadyPresent.push(key);
    request.statuses[key] = listed;
    return;
  }
  const fresh: QueuedServer = { key, dry, server, claimants: [request.id], inFlight: false };
  ledger.state.queue.push(fresh);
  seen.queue.set(`${dry} ${key}`, fresh);
}

/** The listing failed: the requests it was for fail with the listing's failure. */
export function failListing(ledger: Ledger, ids: readonly string[], failure: AppliedFailure): void {
  if (GROUP_WIDE.includes(failure.type)) return failAll(ledger, failure);
  for (const id of ids) {
    const request = ledger.request(id);
    if (request) endRequest(ledger, request, { kind: 'failed', ...failure });
  }
}

/** A failure no change to the group gets past: every live request fails with it. */
export function failAll(ledger: Ledger, failure: AppliedFailure): void {
  for (const request of ledger.live) endRequest(ledger, request, { kind: 'failed', ...failure });
}
