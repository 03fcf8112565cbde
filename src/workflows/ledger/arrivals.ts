// Requests arriving and leaving early: a submission (admitted while the coordinator has room), a cancellation, a
// request that closed unheard, and the listing that turns a request's servers into claims on the queue.
import { type OwnedMessage, type Server, type ServerStatus, type SubmitMessage } from '../../domain/index.js';
import { dedupeServers } from '../../registry/index.js';
import type { Ledger } from './ledger.js';
import { admit, endRequest, fetching, hasEnded, isAdmitted, isConfirmed, markListed } from './lifecycle.js';
import { MAX_HELD_BYTES, type AppliedFailure, type Ask, type QueuedServer, type RequestEntry } from './model.js';

/** Failures no change to this group can get past: every live request fails with them. */
export const GROUP_WIDE: readonly string[] = ['ServerGroupNotFound', 'AuthenticationFailed'];

/** How submissions are taken. */
export interface SubmitRules {
  /**
   * Whether a submission from another run of a live request takes its entry over (the request was reset: Temporal
   * runs one run of a workflow id at a time, so the earlier run is closed). Its adds stay the request's own.
   */
  readonly rebind: () => boolean;
  /** Whether what a request's messages say waits for the request to confirm it (an Ask). */
  readonly confirm: () => boolean;
  /** Most bytes of request servers held at once (a lone request is always held): MAX_HELD_BYTES unless said. */
  readonly held?: () => number;
}

const NO_RULES: SubmitRules = { rebind: () => false, confirm: () => false };

const heldMax = (rules: SubmitRules) => rules.held?.() ?? MAX_HELD_BYTES;

/** A request's submission (or its resend). Returns why it was ignored, or undefined when taken. */
export function submit(
  ledger: Ledger,
  message: SubmitMessage,
  now: number,
  rules: SubmitRules = NO_RULES,
): string | undefined {
  const { runId } = message.requester;
  const existing = ledger.request(message.requester.workflowId);
  if (existing) return resubmit(ledger, existing, message, rules);
  const options = message.request.options;
  // Its servers' count alone (since 0.4): they are fetched from the request once admitted.
  const { pages } = message;
  const servers = pages ? [] : serversOf(ledger, message);
  const bytes = pages ? pages.bytes : JSON.stringify(servers).length;
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
    requested: pages ? pages.count : servers.length,
    bytes,
    stage: fits(ledger, bytes, rules) ? { kind: 'to-list', servers } : { kind: 'awaiting-room' },
    ...(pages ? { pages: true as const } : {}),
    added: [],
    alreadyPresent: [],
    shared: [],
    statuses: {},
    toConfirm: [],
    unconfirmed: [],
    chunks: 0,
    requestIds: [],
    told: { at: now },
    ...(rules.confirm() ? { asks: [{ what: 'submission' as const, runId, nonce: message.nonce, keys: [] }] } : {}),
  });
  return undefined;
}

/**
 * A submission for a request the ledger holds: from a new run of it (a reset: it takes the entry over, once
 * confirmed), a rival of its unconfirmed one (kept aside, and asked about), or a repeat (admitted if room came).
 */
function resubmit(
  ledger: Ledger,
  existing: RequestEntry,
  message: SubmitMessage,
  rules: SubmitRules,
): string | undefined {
  const { runId } = message.requester;
  const sameRun = existing.runId === runId;
  if (!sameRun && !hasEnded(existing) && sameRequest(ledger, existing, message) && rules.rebind()) {
    if (!rules.confirm()) rebind(existing, runId, message.nonce);
    else if (!existing.asks?.some((a) => a.what === 'run' && a.runId === runId && a.nonce === message.nonce))
      existing.asks = [...(existing.asks ?? []), { what: 'run', runId, nonce: message.nonce, keys: [] }];
    return undefined;
  }
  // Its run's submission not confirmed yet, under another nonce: one of the two was forged, and the request's answer
  // tells which (a forgery that came first must not shut the request's own out): the coordinator keeps this one
  // aside as a rival, and asks about it too.
  if (sameRun && existing.nonce !== message.nonce && !isConfirmed(existing) && rules.confirm()) {
    if (!existing.asks!.some((a) => a.what === 'submission' && a.nonce === message.nonce))
      existing.asks!.push({ what: 'submission', runId, nonce: message.nonce, keys: [], rival: true });
    return 'rival';
  }
  if (existing.nonce !== message.nonce || !sameRun) return 'another run of that request is live here: ignored';
  // A repeat of a delivered submission, one for a request that ended meanwhile, or still no room (asked again in turn).
  if (existing.stage.kind === 'awaiting-room' && fits(ledger, existing.bytes, rules))
    admit(existing, existing.pages ? [] : serversOf(ledger, message));
  return undefined;
}

/** The entry is now run `runId`'s, with its nonce: told everything again. */
function rebind(request: RequestEntry, runId: string, nonce: string): void {
  request.runId = runId;
  request.nonce = nonce;
  request.told = { at: request.told.at };
}

/** What live requests are to confirm, each with its request's workflow id. */
export function asksDue(ledger: Ledger): { workflowId: string; ask: Ask }[] {
  return ledger.live.flatMap((request) => (request.asks ?? []).map((ask) => ({ workflowId: request.id, ask })));
}

/**
 * A request answered an ask: `yes` applies what its message said; `legacy` (a request older than 0.4, which cannot
 * be asked) is taken as yes for a submission only; `no` drops it, and a submission nobody confirms leaves the ledger
 * untold (nothing of it was done). Returns what happened, for the log.
 */
export function answered(ledger: Ledger, workflowId: string, ask: Ask, answer: 'yes' | 'no' | 'legacy'): string {
  const request = ledger.request(workflowId);
  const pending = request?.asks?.find(
    (a) => a.what === ask.what && a.runId === ask.runId && a.nonce === ask.nonce && a.keys.length === ask.keys.length,
  );
  if (!request || !pending) return 'no such ask';
  request.asks = request.asks!.filter((a) => a !== pending);
  if (request.asks.length === 0) request.asks = undefined;
  const yes = answer === 'yes' || (answer === 'legacy' && ask.what === 'submission');
  if (ask.what === 'submission') {
    if (yes && ask.rival) {
      // The rival was the request's own: the entry (made from the forgery) goes, and the rival takes its place.
      ledger.leave(new Set([workflowId]));
      return 'rival confirmed';
    }
    if (yes) {
      request.asks = request.asks?.filter((a) => a.what !== 'submission');
      if (request.asks?.length === 0) request.asks = undefined;
      return 'submission confirmed';
    }
    // Refused: the entry goes once none of its run's submissions is left to ask about.
    if (!request.asks?.some((a) => a.what === 'submission')) ledger.leave(new Set([workflowId]));
    return 'submission refused: its requester did not confirm it';
  }
  // A claim of what it owns holds for the run that made it only; a new run's ask names the run it is about.
  if (!yes || (ask.what === 'owned' && request.runId !== ask.runId)) return `${ask.what} refused`;
  if (ask.what === 'run') {
    rebind(request, ask.runId, ask.nonce);
    return 'new run confirmed';
  }
  applyOwned(ledger, request, ask.keys);
  return 'owned confirmed';
}

/** A submission asks for what `request` asked for: the same number of the same servers (their bytes as JSON). */
function sameRequest(ledger: Ledger, request: RequestEntry, message: SubmitMessage): boolean {
  if (message.pages) return message.pages.count === request.requested && message.pages.bytes === request.bytes;
  const servers = serversOf(ledger, message);
  return servers.length === request.requested && JSON.stringify(servers).length === request.bytes;
}

function serversOf(ledger: Ledger, message: SubmitMessage): Server[] {
  return dedupeServers(ledger.provider, message.request.servers).unique as Server[];
}

const heldBytes = (ledger: Ledger) => ledger.live.filter(isAdmitted).reduce((n, request) => n + request.bytes, 0);

function fits(ledger: Ledger, bytes: number, rules: SubmitRules): boolean {
  const held = heldBytes(ledger);
  return held === 0 || held + bytes <= heldMax(rules);
}

/**
 * Requests waiting for room whose turn has come (oldest first, while they fit): one that submitted its servers' count
 * alone is admitted (its servers are fetched from it); the others are returned, to be asked to resend.
 */
export function admissionsDue(ledger: Ledger, rules: SubmitRules = NO_RULES): RequestEntry[] {
  const due: RequestEntry[] = [];
  let held = heldBytes(ledger);
  for (const request of ledger.live) {
    if (request.stage.kind !== 'awaiting-room' || !isConfirmed(request)) continue;
    if (held !== 0 && held + request.bytes > heldMax(rules)) break;
    held += request.bytes;
    if (request.pages) admit(request, []);
    else due.push(request);
  }
  return due;
}

/**
 * Request `id`'s run `closed` could not be told anything, and `open` is its workflow's run now (it was reset): the
 * entry is `open`'s, with what its adds created. Returns whether it was rebound.
 */
export function rebindRun(ledger: Ledger, id: string, closed: string, open: string): boolean {
  const request = ledger.request(id);
  if (!request || request.runId !== closed || open === closed || hasEnded(request)) return false;
  request.runId = open;
  request.told = { at: request.told.at };
  return true;
}

/**
 * A request says which servers lbflow sent for it (an earlier incarnation of the coordinator, or an earlier run of
 * it), and that it hears `sending`. Listed ones are its own: reported added, rolled back on failure. Returns why it was
 * ignored, or undefined.
 */
export function own(ledger: Ledger, message: OwnedMessage, rules: SubmitRules = NO_RULES): string | undefined {
  const request = ledger.request(message.requester.workflowId);
  if (!request || request.nonce !== message.nonce || request.runId !== message.requester.runId)
    return 'no such live request here: ignored';
  if (rules.confirm()) {
    const { runId } = message.requester;
    request.asks = [...(request.asks ?? []), { what: 'owned', runId, nonce: message.nonce, keys: message.keys }];
    return undefined;
  }
  applyOwned(ledger, request, message.keys);
  return undefined;
}

/** What a request owns, as it said (and, since 0.4, confirmed): it hears `sending`, and listed keys are its own. */
function applyOwned(ledger: Ledger, request: RequestEntry, keys: readonly string[]): void {
  request.hears = true;
  if (request.opts.dryRun || hasEnded(request) || keys.length === 0) return;
  if (request.stage.kind === 'to-list' || request.stage.kind === 'awaiting-room') {
    request.stage = { ...request.stage, owned: [...(request.stage.owned ?? []), ...keys] };
    return;
  }
  // Listed already (the message came after the list): what was found present and no live request created is its own.
  const mine = new Set(keys);
  const taken = request.alreadyPresent.filter((k) => mine.has(k) && ledger.state.createdBy[k] === undefined);
  if (taken.length === 0) return;
  const moved = new Set(taken);
  request.alreadyPresent.splice(
    0,
    request.alreadyPresent.length,
    ...request.alreadyPresent.filter((k) => !moved.has(k)),
  );
  for (const k of taken) ownAdded(ledger, request, k);
}

/** `key`, in the group, is `request`'s own: its add created it (in an earlier incarnation or run). */
function ownAdded(ledger: Ledger, request: RequestEntry, key: string): void {
  request.added.push(key);
  ledger.state.createdBy[key] = request.id;
  if (!request.toConfirm.includes(key)) request.toConfirm.push(key);
}

/** A cancellation from the request itself (its nonce proves it). */
export function cancel(ledger: Ledger, requestId: string, nonce: string): string | undefined {
  const request = ledger.request(requestId);
  if (!request || request.nonce !== nonce) return 'no such live request here: ignored';
  // It says lbflow added servers for it before (another incarnation): only a list tells which are in the group, so
  // it ends once listed, and its rollback removes them too.
  const stage = request.stage;
  const owns = (stage.kind === 'to-list' || stage.kind === 'awaiting-room') && (stage.owned?.length ?? 0) > 0;
  const claims = request.asks?.some((a) => a.what === 'owned' && a.keys.length > 0) === true;
  if ((stage.kind === 'to-list' || stage.kind === 'awaiting-room') && (owns || claims)) {
    request.cancelAfterList = true;
    return undefined;
  }
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

/**
 * Requests whose servers need the group listed before they can be planned: confirmed, all their servers in, and no
 * claim of what they own waiting for its answer (listed before it, those servers would be taken as already present).
 */
export function toList(ledger: Ledger): (RequestEntry & { stage: { kind: 'to-list' } })[] {
  return ledger.live.filter(
    (request): request is RequestEntry & { stage: { kind: 'to-list' } } =>
      request.stage.kind === 'to-list' &&
      isConfirmed(request) &&
      !fetching(request) &&
      !request.asks?.some((a) => a.what === 'owned'),
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
    const owned = new Set(request.stage.owned ?? []);
    for (const server of request.stage.servers) claim(ledger, request, server, { present, removing, queue, owned });
    markListed(request);
    if (request.cancelAfterList) endRequest(ledger, request, { kind: 'cancelled' });
  }
}

interface Seen {
  readonly present: ReadonlyMap<string, string>;
  readonly removing: ReadonlySet<string>;
  readonly queue: Map<string, QueuedServer>;
  /** What lbflow sent for this request before: listed, it is its own. */
  readonly owned: ReadonlySet<string>;
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
    request.statuses[key] = listed;
    if (!dry && seen.owned.has(key)) ownAdded(ledger, request, key);
    else request.alreadyPresent.push(key);
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
