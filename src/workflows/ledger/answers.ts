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
  ledger: Ledger,
  change: AddChange,
  outcomes: Uniform<string>,
  confirmed: Uniform<string> | undefined,
  requestIds: readonly string[],
  now: number,
): void {
  const carried = ledger.carriedBy(change);
  const outcome = spreadOver(outcomes, change.keys);
  const chunkKeys = new Map<string, string[]>();
  for (const queued of carried) {
    const result = outcome.get(queued.key);
    if (queued.dry) {
      for (const c of queued.claimants) {
        const request = ledger.request(c);
        if (request) request.statuses[queued.key] = 'dry-run';
      }
      continue;
    }
    // In the group before this change (it existed at the change's first call): put there by someone else since the list.
    if (result === 'present') {
      present(ledger, queued, 'existed');
      continue;
    }
    // `existed` on a server the coordinator found absent: its own earlier attempt, whose answer was lost.
    if (result !== 'accepted' && result !== 'added' && result !== 'existed') continue;
    attribute(ledger, queued);
    for (const c of queued.claimants) chunkKeys.set(c, [...(chunkKeys.get(c) ?? []), queued.key]);
  }
  // Whoever holds a claim now (requests may have joined while the change was in flight), and the confirmed request.
  const involved = new Set([
    ...carried.flatMap((queued) => queued.claimants),
    ...(change.confirm ? [change.confirm.request] : []),
  ]);
  for (const id of involved) {
    const request = ledger.request(id);
    if (!request) continue;
    request.requestIds.push(...requestIds);
    const keys = chunkKeys.get(id);
    if (keys && !hasEnded(request)) request.unconfirmed.push({ index: request.chunks, keys, at: now });
    if (keys || carried.some((queued) => queued.claimants.includes(id))) request.chunks++;
  }
  if (change.confirm && confirmed) confirm(ledger, change.confirm.request, spreadOver(confirmed, change.confirm.keys));
  ledger.unqueue(carried);
}

/** A server this change put in the group: the first claimant's add created it, the others were told it is there. */
function attribute(ledger: Ledger, queued: QueuedServer): void {
  const [creatorId, ...others] = queued.claimants;
  const creator = ledger.request(creatorId!);
  if (creator) {
    creator.added.push(queued.key);
    creator.statuses[queued.key] = 'added';
    creator.toConfirm.push(queued.key);
    ledger.state.createdBy[queued.key] = creator.id;
    if (others.length > 0) ledger.share(creator.id, queued.key);
  }
  for (const other of others) {
    const request = ledger.request(other);
    if (!request) continue;
    request.alreadyPresent.push(queued.key);
    request.statuses[queued.key] = 'added';
    request.toConfirm.push(queued.key);
  }
}

/** A queued server found in the group, not put there by lbflow: each request that asked for it is told it is there. */
function present(ledger: Ledger, queued: QueuedServer, status: string): void {
  for (const id of queued.claimants) {
    const request = ledger.request(id);
    if (!request) continue;
    request.alreadyPresent.push(queued.key);
    request.statuses[queued.key] = status;
  }
}

/**
 * The add was refused as a conflict, and a list found some of its servers in the group: someone else put them there
 * since the coordinator's list. They are reported present; the rest are queued again. Nothing found: the conflict is
 * the servers' own, and the change fails as any other.
 */
export function applyAddConflict(
  ledger: Ledger,
  change: AddChange,
  failure: AppliedFailure,
  listed: ReadonlyMap<string, string>,
): void {
  const carried = ledger.carriedBy(change);
  const found = carried.filter((queued) => !queued.dry && listed.has(queued.key));
  if (found.length === 0) return applyAddFailed(ledger, change, failure);
  for (const queued of found) present(ledger, queued, listed.get(queued.key)!);
  ledger.unqueue(found);
  ledger.release(ledger.carriedBy(change));
}

/** What a list found in the group of a change whose answer was lost is this change's own: no server is in the group that no report lists. */
function attributeFound(ledger: Ledger, change: AddChange, found: ReadonlySet<string>): void {
  const applied = ledger.carriedBy(change).filter((queued) => !queued.dry && found.has(queued.key));
  for (const queued of applied) attribute(ledger, queued);
  ledger.unqueue(applied);
}

/** A chunk sent after others in one activity got no answer: it is queued again, less what a list found of it. */
export function applyUnanswered(ledger: Ledger, change: AddChange, found: ReadonlySet<string>): void {
  attributeFound(ledger, change, found);
  ledger.release(ledger.carriedBy(change));
}

/** The add gave the writer up before sending (its request's earlier chunk not ready in the slice, or never). */
export function applyNotSent(
  ledger: Ledger,
  change: AddChange,
  timedOutNow: boolean,
  stragglers: readonly ServerStatus[],
  requestIds: readonly string[],
): void {
  ledger.release(ledger.carriedBy(change));
  const wait = change.confirm;
  const request = wait && ledger.request(wait.request);
  if (!wait || !request || hasEnded(request)) return;
  request.requestIds.push(...requestIds);
  if (timedOutNow) timedOut(ledger, request, stragglers);
  else setConfirmRead(request, { keys: wait.keys, deadline: wait.deadline });
}

/**
 * The add failed for good. A failure a server can cause splits the change (by request, then in halves) until it
 * is pinned on the requests whose server it is; a group-wide one fails every live request; anything else fails
 * the requests in the change. `found`: servers of the change a list found in the group after it failed.
 */
export function applyAddFailed(
  ledger: Ledger,
  change: AddChange,
  failure: AppliedFailure,
  found: ReadonlySet<string> = new Set(),
): void {
  attributeFound(ledger, change, found);
  const carried = ledger.carriedBy(change);
  if (GROUP_WIDE.includes(failure.type)) {
    ledger.release(carried);
    return failAll(ledger, failure);
  }
  const sets = new Set(carried.map((queued) => [...queued.claimants].sort().join('\n')));
  if (ISOLATED.includes(failure.type) && sets.size > 1 && carried.length > 1) return split(ledger, change, carried);
  const claimants = new Set(carried.flatMap((queued) => queued.claimants));
  ledger.release(carried);
  for (const id of claimants) {
    const request = ledger.request(id);
    if (!request || hasEnded(request)) continue;
    if (failure.type !== 'QuotaExceeded') {
      endRequest(ledger, request, { kind: 'failed', ...failure });
      continue;
    }
    const quota = quotaFigures(failure.message, carried.length, request.requested, failure.details.quota);
    const message = quotaMessage(failure.message, quota);
    endRequest(ledger, request, { kind: 'failed', ...failure, message, details: { ...failure.details, quota } });
  }
}

/** Split a failed change: by the request that owns each server (arrival order) when there are several, else in halves. */
function split(ledger: Ledger, change: AddChange, carried: QueuedServer[]): void {
  const owners = [...new Set(carried.map((queued) => queued.claimants[0]!))];
  const half = Math.ceil(carried.length / 2);
  const splits: QueuedServer[][] =
    owners.length > 1
      ? owners.map((owner) => carried.filter((queued) => queued.claimants[0] === owner))
      : [carried.slice(0, half), carried.slice(half)];
  const fresh = splits.map(() => ledger.state.splitSeq++);
  splits.forEach((servers, n) => {
    for (const queued of servers) queued.split = fresh[n];
  });
  ledger.state.splits = [...fresh, ...ledger.state.splits.filter((s) => s !== change.split)];
  ledger.release(carried);
}

/** A removal of a rollback was answered and its servers are gone. */
export function applyRemoved(ledger: Ledger, change: RemoveChange, requestIds: readonly string[]): void {
  const request = ledger.request(change.request);
  if (!request) return;
  request.requestIds.push(...requestIds);
  rolledBack(request, change.keys);
  for (const k of change.keys) {
    request.statuses[k] = 'removed';
    if (ledger.state.createdBy[k] === request.id) delete ledger.state.createdBy[k];
  }
}

/** A removal failed: the rollback stops there, and the report says what is still in the group. */
export function applyRemoveFailed(ledger: Ledger, change: RemoveChange, failure: AppliedFailure): void {
  const request = ledger.request(change.request);
  if (request) rollbackStopped(request, failure.message);
}
