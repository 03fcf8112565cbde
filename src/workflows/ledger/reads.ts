// Waiting for servers to be ready, beside the writer: a request's separate confirmation of its earlier chunks, and
// its last wait once nothing of it is queued. Requests due at the same moment with the same wait share one read.
import {
  identityFromKey,
  memberReady,
  notReadyMessage,
  spreadOver,
  type ServerStatus,
  type Uniform,
  type WaitFor,
} from '../../domain/index.js';
import { failAll, GROUP_WIDE } from './arrivals.js';
import type { Ledger } from './ledger.js';
import { endRequest, finalWaitOf, setConfirmRead } from './lifecycle.js';
import type { AppliedFailure, Read, ReadEntry, RequestEntry } from './model.js';

/**
 * Reads to start now: separate confirmations, and each request's last wait once nothing of it is queued; the
 * entries due together with the same `waitFor` and poll interval share one read. `running`: requests in a read.
 */
export function readsDue(l: Ledger, now: number, running: ReadonlySet<string>): Read[] {
  const entries: { entry: ReadEntry; r: RequestEntry }[] = [];
  for (const r of l.live) {
    if (r.stage.kind !== 'adding' || running.has(r.id)) continue;
    const entry = entryOf(l, r, now);
    if (entry) entries.push({ entry, r });
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
      servers: keys.map((k) => identityFromKey(l.provider, k)),
      sets: es.map((e) => e.keys.length),
      waitFor,
      pollMs,
      deadline: Math.min(...es.map((e) => e.deadline)),
    };
  });
}

/** What a listed request waits for now, if anything; a request with nothing left to wait for completes here. */
function entryOf(l: Ledger, r: RequestEntry, now: number): ReadEntry | undefined {
  if (r.stage.kind !== 'adding') return undefined;
  const confirmRead = r.stage.confirmRead;
  if (confirmRead) {
    const keys = confirmRead.keys.filter((k) => r.toConfirm.includes(k));
    if (keys.length > 0) return { kind: 'confirm', request: r.id, keys, deadline: confirmRead.deadline };
    setConfirmRead(r, undefined);
    return undefined;
  }
  if (l.hasQueued(r)) return undefined;
  if (r.toConfirm.length === 0) {
    endRequest(l, r, { kind: 'completed' });
    return undefined;
  }
  const wait = finalWaitOf(r, now)!;
  return { kind: 'final', request: r.id, keys: [...r.toConfirm], deadline: wait.deadline };
}

/**
 * A read's answer: the statuses of its servers, when an entry's servers were all ready or (`timedOut`) at its
 * earliest deadline. Each entry confirms what is ready; an entry whose servers are all confirmed is done, one past
 * its deadline fails with its stragglers, and any other is read again.
 */
export function applyRead(
  l: Ledger,
  read: Read,
  statuses: Uniform<string>,
  requestIds: readonly string[],
  timedOutNow: boolean,
): void {
  const byKey = spreadOver(statuses, read.keys);
  for (const e of read.entries) {
    const r = l.request(e.request);
    if (r?.stage.kind !== 'adding') continue;
    r.requestIds.push(...requestIds);
    const ready = new Map<string, string>();
    const stragglers: ServerStatus[] = [];
    for (const key of e.keys) {
      const status = byKey.get(key) ?? 'absent';
      if (memberReady(l.provider, status, r.opts.waitFor)) ready.set(key, status);
      else stragglers.push({ key, status });
    }
    confirm(l, r.id, ready);
    if (stragglers.length > 0) {
      if (timedOutNow && e.deadline <= read.deadline) timedOut(l, r, stragglers);
      continue;
    }
    if (e.kind === 'confirm') setConfirmRead(r, undefined);
    else if (r.toConfirm.length === 0 && !l.hasQueued(r)) endRequest(l, r, { kind: 'completed' });
  }
}

/** A read failed for another reason (the provider): its requests fail with it. */
export function applyReadFailed(l: Ledger, read: Read, failure: AppliedFailure): void {
  if (GROUP_WIDE.includes(failure.type)) return failAll(l, failure);
  for (const e of read.entries) {
    const r = l.request(e.request);
    if (r) endRequest(l, r, { kind: 'failed', ...failure });
  }
}

/** Servers of request `id` seen ready: they are confirmed. */
export function confirm(l: Ledger, id: string, statuses: ReadonlyMap<string, string>): void {
  const r = l.request(id);
  if (!r) return;
  for (const [k, status] of statuses) r.statuses[k] = status;
  const done = new Set(statuses.keys());
  r.toConfirm = r.toConfirm.filter((k) => !done.has(k));
  for (const c of r.unconfirmed) c.keys = c.keys.filter((k) => !done.has(k));
  r.unconfirmed = r.unconfirmed.filter((c) => c.keys.length > 0);
}

/** Its servers did not become ready before its deadline: it fails, naming them. */
export function timedOut(l: Ledger, r: RequestEntry, stragglers: readonly ServerStatus[]): void {
  for (const s of stragglers) r.statuses[s.key] = s.status;
  endRequest(l, r, {
    kind: 'failed',
    type: 'AvailabilityTimeout',
    message: notReadyMessage(stragglers),
    details: { stragglers: [...stragglers] },
  });
}
