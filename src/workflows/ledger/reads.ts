// Waiting for servers to be ready, beside the writer: a request's separate confirmation of its earlier chunks, and
// its last wait once nothing of it is queued. Requests due at the same moment with the same wait share one read.
import {
  ABSENT,
  goneMessage,
  memberReady,
  notReadyMessage,
  spreadOver,
  type ServerStatus,
  type Uniform,
  type WaitFor,
} from '../../domain/index.js';
import { identityFromKey } from '../../registry/index.js';
import { failAll, GROUP_WIDE } from './arrivals.js';
import type { Ledger } from './ledger.js';
import { endRequest, finalWaitOf, LEFT_GROUP, setConfirmRead } from './lifecycle.js';
import type { AppliedFailure, Read, ReadEntry, RequestEntry } from './model.js';

/**
 * Reads to start now: separate confirmations, and each request's last wait once nothing of it is queued; the
 * entries due together with the same `waitFor` and poll interval share one read. `running`: requests in a read.
 */
export function readsDue(ledger: Ledger, now: number, running: ReadonlySet<string>): Read[] {
  const entries: { entry: ReadEntry; request: RequestEntry }[] = [];
  for (const request of ledger.live) {
    if (request.stage.kind !== 'adding' || running.has(request.id)) continue;
    const entry = entryOf(ledger, request, now);
    if (entry) entries.push({ entry, request });
  }
  const reads = new Map<string, { entries: ReadEntry[]; waitFor: WaitFor; pollMs: number }>();
  for (const { entry, request } of entries) {
    const like = `${request.opts.waitFor} ${request.opts.pollMs}`;
    const read = reads.get(like) ?? { entries: [], waitFor: request.opts.waitFor, pollMs: request.opts.pollMs };
    read.entries.push(entry);
    reads.set(like, read);
  }
  return [...reads.values()].map(({ entries: es, waitFor, pollMs }) => {
    const keys = es.flatMap((e) => e.keys);
    return {
      entries: es,
      keys,
      servers: keys.map((k) => identityFromKey(ledger.provider, k)),
      sets: es.map((e) => e.keys.length),
      waitFor,
      pollMs,
      deadline: Math.min(...es.map((e) => e.deadline)),
    };
  });
}

/** What a listed request waits for now, if anything; a request with nothing left to wait for completes here. */
function entryOf(ledger: Ledger, request: RequestEntry, now: number): ReadEntry | undefined {
  if (request.stage.kind !== 'adding') return undefined;
  const confirmRead = request.stage.confirmRead;
  if (confirmRead) {
    const keys = confirmRead.keys.filter((k) => request.toConfirm.includes(k));
    if (keys.length > 0) return { kind: 'confirm', request: request.id, keys, deadline: confirmRead.deadline };
    setConfirmRead(request, undefined);
    return undefined;
  }
  if (ledger.hasQueued(request)) return undefined;
  if (request.toConfirm.length === 0) {
    endRequest(ledger, request, { kind: 'completed' });
    return undefined;
  }
  const wait = finalWaitOf(request, now)!;
  return { kind: 'final', request: request.id, keys: [...request.toConfirm], deadline: wait.deadline };
}

/**
 * A read's answer: the statuses of its servers, when an entry's servers were all ready or (`timedOut`) at its
 * earliest deadline. Each entry confirms what is ready; an entry whose servers are all confirmed is done, one past
 * its deadline fails with its stragglers, and any other is read again.
 */
export function applyRead(
  ledger: Ledger,
  read: Read,
  statuses: Uniform<string>,
  requestIds: readonly string[],
  timedOutNow: boolean,
  rules: ReadRules = { noticeGone: () => false },
): void {
  const byKey = spreadOver(statuses, read.keys);
  for (const e of read.entries) {
    const request = ledger.request(e.request);
    if (request?.stage.kind !== 'adding') continue;
    request.requestIds.push(...requestIds);
    const ready = new Map<string, string>();
    const stragglers: ServerStatus[] = [];
    for (const key of e.keys) {
      const status = byKey.get(key) ?? ABSENT;
      if (memberReady(ledger.readiness, status, request.opts.waitFor)) ready.set(key, status);
      else stragglers.push({ key, status });
    }
    confirm(ledger, request.id, ready);
    const gone = stragglers
      .filter((s) => s.status === ABSENT || ledger.readiness.leaving.includes(s.status))
      .map((s) => s.key);
    if (gone.length > 0 && rules.noticeGone()) {
      leftGroup(ledger, request, gone, stragglers);
      continue;
    }
    if (stragglers.length > 0) {
      if (timedOutNow && e.deadline <= read.deadline) timedOut(ledger, request, stragglers);
      continue;
    }
    if (e.kind === 'confirm') setConfirmRead(request, undefined);
    else if (request.toConfirm.length === 0 && !ledger.hasQueued(request))
      endRequest(ledger, request, { kind: 'completed' });
  }
}

/** How a read's answer is applied. */
export interface ReadRules {
  /**
   * Whether a server a request waits for (lbflow added it) that a read finds absent or leaving (Removing, …) ends the request at once: it
   * left the group without lbflow removing it, and will never be ready.
   */
  readonly noticeGone: () => boolean;
}

/**
 * Servers lbflow added for this request left the group without lbflow removing them: it fails now, naming them
 * (its `added` still lists what its adds created). A rollback does not try to remove them again.
 */
function leftGroup(ledger: Ledger, request: RequestEntry, gone: readonly string[], stragglers: ServerStatus[]): void {
  const left = new Set(gone);
  const said = stragglers.map((s) => (left.has(s.key) ? { key: s.key, status: LEFT_GROUP } : s));
  for (const s of said) request.statuses[s.key] = s.status;
  endRequest(ledger, request, {
    kind: 'failed',
    type: 'AvailabilityTimeout',
    message: goneMessage(gone, stragglers.length - gone.length),
    details: { stragglers: said },
  });
}

/** A read failed for another reason (the provider): its requests fail with it. */
export function applyReadFailed(ledger: Ledger, read: Read, failure: AppliedFailure): void {
  if (GROUP_WIDE.includes(failure.type)) return failAll(ledger, failure);
  for (const e of read.entries) {
    const request = ledger.request(e.request);
    if (request) endRequest(ledger, request, { kind: 'failed', ...failure });
  }
}

/** Servers of request `id` seen ready: they are confirmed. */
export function confirm(ledger: Ledger, id: string, statuses: ReadonlyMap<string, string>): void {
  const request = ledger.request(id);
  if (!request) return;
  for (const [k, status] of statuses) request.statuses[k] = status;
  const done = new Set(statuses.keys());
  request.toConfirm = request.toConfirm.filter((k) => !done.has(k));
  for (const c of request.unconfirmed) c.keys = c.keys.filter((k) => !done.has(k));
  request.unconfirmed = request.unconfirmed.filter((c) => c.keys.length > 0);
}

/** Its servers did not become ready before its deadline: it fails, naming them. */
export function timedOut(ledger: Ledger, request: RequestEntry, stragglers: readonly ServerStatus[]): void {
  for (const s of stragglers) request.statuses[s.key] = s.status;
  endRequest(ledger, request, {
    kind: 'failed',
    type: 'AvailabilityTimeout',
    message: notReadyMessage(stragglers),
    details: { stragglers: [...stragglers] },
  });
}
