// Requests arriving and leaving early: a submission (admitted while the coordinator has room), a cancellation, a
// request that closed unheard, and the listing that turns a request's servers into claims on the queue.
import { dedupeServers, type Server, type ServerStatus, type SubmitMessage } from '../../domain/index.js';
import type { Ledger } from './ledger.js';
import { admit, endRequest, hasEnded, isAdmitted, markListed } from './lifecycle.js';
import { MAX_HELD_BYTES, type AppliedFailure, type QueuedServer, type RequestEntry } from './model.js';

/** Failures no change to this group can get past: every live request fails with them. */
export const GROUP_WIDE: readonly string[] = ['ServerGroupNotFound', 'AuthenticationFailed'];

/** A request's submission (or its resend). Returns why it was ignored, or undefined when taken. */
export function submit(l: Ledger, message: SubmitMessage, now: number): string | undefined {
  const existing = l.request(message.requester.workflowId);
  if (existing) {
    if (existing.nonce !== message.nonce || existing.runId !== message.requester.runId)
      return 'another run of that request is live here: ignored';
    // A repeat of a delivered submission, one for a request that ended meanwhile, or still no room (asked again in turn).
    if (existing.stage.kind === 'awaiting-room' && fits(l, existing.bytes)) admit(existing, serversOf(l, message));
    return undefined;
  }
  const o = message.request.options;
  const servers = serversOf(l, message);
  const bytes = JSON.stringify(servers).length;
  l.enter({
    id: message.requester.workflowId,
    runId: message.requester.runId,
    nonce: message.nonce,
    arrival: l.state.arrivals++,
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
    stage: fits(l, bytes) ? { kind: 'to-list', servers } : { kind: 'awaiting-room' },
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

function serversOf(l: Ledger, message: SubmitMessage): Server[] {
  return dedupeServers(l.provider, message.request.servers).unique as Server[];
}

const heldBytes = (l: Ledger) => l.live.filter(isAdmitted).reduce((n, r) => n + r.bytes, 0);

function fits(l: Ledger, bytes: number): boolean {
  const held = heldBytes(l);
  return held === 0 || held + bytes <= MAX_HELD_BYTES;
}

/** Requests waiting for room whose turn has come (oldest first, while they fit): ask them to resend. */
export function admissionsDue(l: Ledger): RequestEntry[] {
  const due: RequestEntry[] = [];
  let held = heldBytes(l);
  for (const r of l.live) {
    if (r.stage.kind !== 'awaiting-room') continue;
    if (held !== 0 && held + r.bytes > MAX_HELD_BYTES) break;
    held += r.bytes;
    due.push(r);
  }
  return due;
}

/** A cancellation from the request itself (its nonce proves it). */
export function cancel(l: Ledger, requestId: string, nonce: string): string | undefined {
  const r = l.request(requestId);
  if (!r || r.nonce !== nonce) return 'no such live request here: ignored';
  endRequest(l, r, { kind: 'cancelled' });
  return undefined;
}

/**
 * A request that can no longer be told anything (its workflow closed without a cancellation reaching the
 * coordinator: terminated, or timed out): it ends as cancelled, so nothing more of it is sent and, with rollback,
 * what its adds created is removed. Its run id must match, so a new run of the same workflow id is not touched.
 */
export function abandon(l: Ledger, requestId: string, runId: string): boolean {
  const r = l.request(requestId);
  if (!r || r.runId !== runId || hasEnded(r)) return false;
  endRequest(l, r, { kind: 'cancelled' });
  return true;
}

/** Requests whose servers need the group listed before they can be planned. */
export function toList(l: Ledger): (RequestEntry & { stage: { kind: 'to-list' } })[] {
  return l.live.filter((r): r is RequestEntry & { stage: { kind: 'to-list' } } => r.stage.kind === 'to-list');
}

/**
 * The listing for `ids` came back: each server joins a live request's claim, is found created by a live request,
 * found in the group (already present), or is queued. The coordinator's own records win over the listing; a server
 * being removed counts as absent, so it is added back after its removal.
 */
export function applyListing(
  l: Ledger,
  ids: readonly string[],
  members: readonly ServerStatus[],
  requestIds: readonly string[],
  removing: ReadonlySet<string>,
): void {
  const present = new Map(members.map((m) => [m.key, m.status]));
  // Queued servers by mode and key: a 10,000-server request would otherwise search the queue once per server.
  const queue = new Map<string, QueuedServer>();
  for (const q of l.state.queue) if (!queue.has(`${q.dry} ${q.key}`)) queue.set(`${q.dry} ${q.key}`, q);
  for (const id of ids) {
    const r = l.request(id);
    if (r?.stage.kind !== 'to-list') continue;
    r.requestIds.push(...requestIds);
    for (const server of r.stage.servers) claim(l, r, server, { present, removing, queue });
    markListed(r);
  }
}

interface Seen {
  readonly present: ReadonlyMap<string, string>;
  readonly removing: ReadonlySet<string>;
  readonly queue: Map<string, QueuedServer>;
}

function claim(l: Ledger, r: RequestEntry, server: Server, seen: Seen): void {
  const key = l.key(server);
  const dry = r.opts.dryRun;
  const queued = seen.queue.get(`${dry} ${key}`);
  if (queued) {
    if (!dry) for (const other of queued.claimants) l.share(other, key);
    queued.claimants.push(r.id);
    return;
  }
  const creator = seen.removing.has(key) ? undefined : l.state.createdBy[key];
  if (creator !== undefined) {
    if (!dry) l.share(creator, key);
    r.alreadyPresent.push(key);
    r.statuses[key] = l.request(creator)?.statuses[key] ?? 'added';
    if (!dry) r.toConfirm.push(key);
    return;
  }
  const listed = seen.removing.has(key) ? undefined : seen.present.get(key);
  if (listed !== undefined) {
    r.alreadyPresent.push(key);
    r.statuses[key] = listed;
    return;
  }
  const fresh: QueuedServer = { key, dry, server, claimants: [r.id], inFlight: false };
  l.state.queue.push(fresh);
  seen.queue.set(`${dry} ${key}`, fresh);
}

/** The listing failed: the requests it was for fail with the listing's failure. */
export function failListing(l: Ledger, ids: readonly string[], failure: AppliedFailure): void {
  if (GROUP_WIDE.includes(failure.type)) return failAll(l, failure);
  for (const id of ids) {
    const r = l.request(id);
    if (r) endRequest(l, r, { kind: 'failed', ...failure });
  }
}

/** A failure no change to the group gets past: every live request fails with it. */
export function failAll(l: Ledger, failure: AppliedFailure): void {
  for (const r of l.live) endRequest(l, r, { kind: 'failed', ...failure });
}
