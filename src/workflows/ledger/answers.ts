// A change's answer applied to the ledger: who created what, who was told it was there, what a lost answer left in
// the group, how a failed add is split until its failure is pinned on the requests whose server it is, and a
// rollback's removals.
import {
  quotaFigures,
  quotaMessage,
  spreadOver,
  type FailureType,
  type ServerStatus,
  type Uniform,
} from '../../domain/index.js';
import { failAll, GROUP_WIDE } from './arrivals.js';
import type { Ledger } from './ledger.js';
import { endRequest, hasEnded, rollbackStopped, rolledBack, setConfirmRead } from './lifecycle.js';
import type { AddChange, AppliedFailure, QueuedServer, RemoveChange } from './model.js';
import { confirm, timedOut } from './reads.js';

/** Failures a request's own server can cause: the change is split so they fail only whose server it is. */
const ISOLATED: readonly FailureType[] = ['BackendNotFound', 'BackendConflict', 'ProviderRejected', 'QuotaExceeded'];

/** The add was answered: who created what, who was told it was there, and the confirmation it carried. */
export function applyAdded(
  l: Ledger,
  change: AddChange,
  outcomes: Uniform<string>,
  confirmed: Uniform<string> | undefined,
  requestIds: readonly string[],
  now: number,
): void {
  const carried = l.carriedBy(change);
  const outcome = spreadOver(outcomes, change.keys);
  const chunkKeys = new Map<string, string[]>();
  for (const q of carried) {
    const result = outcome.get(q.key);
    if (q.dry) {
      for (const c of q.claimants) {
        const r = l.request(c);
        if (r) r.statuses[q.key] = 'dry-run';
      }
      continue;
    }
    // `existed` on a server the coordinator found absent: its own earlier attempt, whose answer was lost.
    if (result !== 'accepted' && result !== 'added' && result !== 'existed') continue;
    attribute(l, q);
    for (const c of q.claimants) chunkKeys.set(c, [...(chunkKeys.get(c) ?? []), q.key]);
  }
  // Whoever holds a claim now (requests may have joined while the change was in flight), and the confirmed request.
  const involved = new Set([
    ...carried.flatMap((q) => q.claimants),
    ...(change.confirm ? [change.confirm.request] : []),
  ]);
  for (const id of involved) {
    const r = l.request(id);
    if (!r) continue;
    r.requestIds.push(...requestIds);
    const keys = chunkKeys.get(id);
    if (keys && !hasEnded(r)) r.unconfirmed.push({ index: r.chunks, keys, at: now });
    if (keys || carried.some((q) => q.claimants.includes(id))) r.chunks++;
  }
  if (change.confirm && confirmed) confirm(l, change.confirm.request, spreadOver(confirmed, change.confirm.keys));
  l.unqueue(carried);
}

/** A server this change put in the group: the first claimant's add created it, the others were told it is there. */
function attribute(l: Ledger, q: QueuedServer): void {
  const [creatorId, ...others] = q.claimants;
  const creator = l.request(creatorId!);
  if (creator) {
    creator.added.push(q.key);
    creator.statuses[q.key] = 'added';
    creator.toConfirm.push(q.key);
    l.state.createdBy[q.key] = creator.id;
    if (others.length > 0) l.share(creator.id, q.key);
  }
  for (const o of others) {
    const r = l.request(o);
    if (!r) continue;
    r.alreadyPresent.push(q.key);
    r.statuses[q.key] = 'added';
    r.toConfirm.push(q.key);
  }
}

/** What a list found in the group of a change whose answer was lost is this change's own: no server is in the group that no report lists. */
function attributeFound(l: Ledger, change: AddChange, found: ReadonlySet<string>): void {
  const applied = l.carriedBy(change).filter((q) => !q.dry && found.has(q.key));
  for (const q of applied) attribute(l, q);
  l.unqueue(applied);
}

/** A chunk sent after others in one activity got no answer: it is queued again, less what a list found of it. */
export function applyUnanswered(l: Ledger, change: AddChange, found: ReadonlySet<string>): void {
  attributeFound(l, change, found);
  l.release(l.carriedBy(change));
}

/** The add gave the writer up before sending (its request's earlier chunk not ready in the slice, or never). */
export function applyNotSent(
  l: Ledger,
  change: AddChange,
  timedOutNow: boolean,
  stragglers: readonly ServerStatus[],
  requestIds: readonly string[],
): void {
  l.release(l.carriedBy(change));
  const wait = change.confirm;
  const r = wait && l.request(wait.request);
  if (!wait || !r || hasEnded(r)) return;
  r.requestIds.push(...requestIds);
  if (timedOutNow) timedOut(l, r, stragglers);
  else setConfirmRead(r, { keys: wait.keys, deadline: wait.deadline });
}

/**
 * The add failed for good. A failure a server can cause splits the change (by request, then in halves) until it
 * is pinned on the requests whose server it is; a group-wide one fails every live request; anything else fails
 * the requests in the change. `found`: servers of the change a list found in the group after it failed.
 */
export function applyAddFailed(
  l: Ledger,
  change: AddChange,
  failure: AppliedFailure,
  found: ReadonlySet<string> = new Set(),
): void {
  attributeFound(l, change, found);
  const carried = l.carriedBy(change);
  if (GROUP_WIDE.includes(failure.type)) {
    l.release(carried);
    return failAll(l, failure);
  }
  const sets = new Set(carried.map((q) => [...q.claimants].sort().join('\n')));
  if (ISOLATED.includes(failure.type) && sets.size > 1 && carried.length > 1) return split(l, change, carried);
  const claimants = new Set(carried.flatMap((q) => q.claimants));
  l.release(carried);
  for (const id of claimants) {
    const r = l.request(id);
    if (!r || hasEnded(r)) continue;
    if (failure.type !== 'QuotaExceeded') {
      endRequest(l, r, { kind: 'failed', ...failure });
      continue;
    }
    const quota = quotaFigures(failure.message, carried.length, r.requested, failure.details.quota);
    const message = quotaMessage(failure.message, quota);
    endRequest(l, r, { kind: 'failed', ...failure, message, details: { ...failure.details, quota } });
  }
}

/** Split a failed change: by the request that owns each server (arrival order) when there are several, else in halves. */
function split(l: Ledger, change: AddChange, carried: QueuedServer[]): void {
  const owners = [...new Set(carried.map((q) => q.claimants[0]!))];
  const half = Math.ceil(carried.length / 2);
  const parts: QueuedServer[][] =
    owners.length > 1
      ? owners.map((o) => carried.filter((q) => q.claimants[0] === o))
      : [carried.slice(0, half), carried.slice(half)];
  const fresh = parts.map(() => l.state.splitSeq++);
  parts.forEach((part, n) => {
    for (const q of part) q.split = fresh[n];
  });
  l.state.splits = [...fresh, ...l.state.splits.filter((s) => s !== change.split)];
  l.release(carried);
}

/** A removal of a rollback was answered and its servers are gone. */
export function applyRemoved(l: Ledger, change: RemoveChange, requestIds: readonly string[]): void {
  const r = l.request(change.request);
  if (!r) return;
  r.requestIds.push(...requestIds);
  rolledBack(r, change.keys);
  for (const k of change.keys) {
    r.statuses[k] = 'removed';
    if (l.state.createdBy[k] === r.id) delete l.state.createdBy[k];
  }
}

/** A removal failed: the rollback stops there, and the report says what is still in the group. */
export function applyRemoveFailed(l: Ledger, change: RemoveChange, failure: AppliedFailure): void {
  const r = l.request(change.request);
  if (r) rollbackStopped(r, failure.message);
}
