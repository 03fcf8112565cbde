// The writer's next change: a rollback's removal first, then the splits of a failed change in order, then a chunk of
// queued servers in arrival order, and when every queued server waits for an earlier chunk of its request, that
// request's next chunk with the wait folded in.
import { changeToken, fillChunk, isFull } from '../../domain/index.js';
import { identityFromKey } from '../../registry/index.js';
import type { Ledger } from './ledger.js';
import { decideRollback, endedStage, hasEnded, keptForOthers } from './lifecycle.js';
import type { AddChange, Change, QueuedServer, RemoveChange, RequestEntry } from './model.js';

/** A chunk that is not full was held back for requests still being listed: they may fill it. */
export interface HeldBack {
  readonly kind: 'held';
}

/**
 * The next change, or undefined when nothing can be written now. With `mayHold`, a chunk that is not full is held
 * back (`held`) while requests that arrived are not listed yet.
 */
export function nextWrite(ledger: Ledger, now: number, mayHold = false): Change | HeldBack | undefined {
  for (const request of ledger.live) decideRollback(ledger, request);
  const removal = nextRemoval(ledger);
  // A rollback found all it had left kept for others: it is over, and the choice starts again without a hold.
  if (removal === 'kept') return nextWrite(ledger, now);
  if (removal) return removal;
  const pending = ledger.state.queue.filter((queued) => !queued.inFlight);
  for (const split of ledger.state.splits) {
    const chosen = pending.filter((queued) => queued.split === split);
    if (chosen.length > 0) return addChange(ledger, chosen, split);
  }
  const open = pending.filter((queued) => queued.split === undefined && gateOpen(ledger, queued.claimants[0]!));
  const first = open[0];
  if (first) {
    const chunk = fillChunk(
      open.filter((queued) => queued.dry === first.dry),
      (queued) => ledger.limitOf(queued),
    );
    // Requests that arrived but are not listed yet could fill this chunk: with `mayHold`, wait for them.
    if (
      mayHold &&
      !isFull(chunk) &&
      ledger.live.some((request) => request.stage.kind === 'awaiting-room' || request.stage.kind === 'to-list')
    )
      return { kind: 'held' };
    return addChange(ledger, chunk.chosen);
  }
  return nextAfterWait(ledger, pending);
}

/** A rollback's next removal: what it created that no other live request asked for, at most a chunk of it. */
function nextRemoval(ledger: Ledger): RemoveChange | 'kept' | undefined {
  const request = ledger.live.find((e) => {
    const rollback = endedStage(e)?.rollback;
    return rollback?.kind === 'removing' && rollback.left.length > 0;
  });
  const rollback = request && endedStage(request)?.rollback;
  if (!request || rollback?.kind !== 'removing') return undefined;
  // Kept: what another request asked for while this one lived, including requests that arrived and are not
  // listed yet (their servers are known; the list would only say these are there). A dry run asks for nothing.
  const keep = new Set(request.shared);
  for (const other of ledger.live) {
    if (other === request || other.stage.kind !== 'to-list' || other.opts.dryRun) continue;
    for (const server of other.stage.servers) keep.add(ledger.key(server));
  }
  const keys = rollback.left.filter((k) => !keep.has(k)).slice(0, request.opts.maxChunkSize);
  if (keys.length === 0) {
    keptForOthers(request, keep);
    return 'kept';
  }
  return {
    kind: 'remove',
    token: changeToken(ledger.incarnation, 'r', ledger.state.seq++),
    request: request.id,
    keys,
    servers: keys.map((k) => identityFromKey(ledger.provider, k)),
    waitFor: request.opts.waitFor,
  };
}

/**
 * Every queued server waits on an earlier chunk of its request: the oldest such request's next chunk, sent once its
 * earlier chunk is ready, waiting inside the add (a slice, then a separate read takes the wait over).
 */
function nextAfterWait(ledger: Ledger, pending: readonly QueuedServer[]): AddChange | undefined {
  for (const request of ledger.live) {
    if (request.stage.kind !== 'adding' || request.stage.confirmRead) continue;
    const owned = pending.filter((queued) => queued.split === undefined && queued.claimants[0] === request.id);
    if (owned.length === 0) continue;
    const blocking = ledger.blocking(request);
    if (blocking.length === 0) continue;
    const keys = blocking.flatMap((c) => c.keys);
    return addChange(ledger, fillChunk(owned, (queued) => ledger.limitOf(queued)).chosen, undefined, {
      request: request.id,
      keys,
      servers: keys.map((k) => identityFromKey(ledger.provider, k)),
      waitFor: request.opts.waitFor,
      deadline: Math.min(...blocking.map((c) => c.at)) + request.opts.timeoutMs,
    });
  }
  return undefined;
}

/** Whether request `id` may have another chunk sent; `inFlight`: its chunks sent ahead in the same activity. */
function gateOpen(ledger: Ledger, id: string, inFlight = 0): boolean {
  const request = ledger.request(id);
  // A chunk in flight is unconfirmed: more than chunksAhead of them and the next must wait.
  return (
    request !== undefined &&
    !hasEnded(request) &&
    (inFlight === 0 || inFlight <= request.opts.ahead) &&
    ledger.blocking(request, inFlight).length === 0
  );
}

/**
 * Full chunks to send right after `first` in the same activity, for a group that takes the next change as soon as
 * the last is answered: each the chunk `nextWrite` would choose once those before it were answered, and only while
 * nothing would be waited for in between (after a plain add, not a split, a dry run or a wait; no request past its
 * chunksAhead). A chunk that is not full is left for `nextWrite`, where requests arriving meanwhile may fill it.
 */
export function followingWrites(ledger: Ledger, first: Change, max: number): AddChange[] {
  const following: AddChange[] = [];
  if (first.kind !== 'add' || first.dry || first.confirm || first.split !== undefined) return following;
  // `first` came from nextWrite, which takes a removal or a split before any plain chunk: none is due.
  while (following.length < max) {
    const sent = [first, ...following];
    const inFlight = (id: string) => sent.filter((c) => c.requests.includes(id)).length;
    const open = function* () {
      for (const queued of ledger.state.queue)
        if (
          !queued.inFlight &&
          !queued.dry &&
          queued.split === undefined &&
          gateOpen(ledger, queued.claimants[0]!, inFlight(queued.claimants[0]!))
        )
          yield queued;
    };
    const chunk = fillChunk(open(), (queued) => ledger.limitOf(queued));
    if (!isFull(chunk)) break;
    following.push(addChange(ledger, chunk.chosen));
  }
  return following;
}

/**
 * Who an add is for, among the requests that hear `sending`: each server's first claimant (whose add creates it), with
 * its keys. A dry run is for nobody.
 */
export function ownersOf(ledger: Ledger, change: AddChange): { request: RequestEntry; keys: string[] }[] {
  if (change.dry) return [];
  const owners = new Map<string, string[]>();
  for (const queued of ledger.carriedBy(change)) {
    const first = queued.claimants[0];
    if (first !== undefined && ledger.request(first)?.hears)
      owners.set(first, [...(owners.get(first) ?? []), queued.key]);
  }
  return [...owners].map(([id, keys]) => ({ request: ledger.request(id)!, keys }));
}

function addChange(ledger: Ledger, chosen: QueuedServer[], split?: number, confirm?: AddChange['confirm']): AddChange {
  for (const queued of chosen) queued.inFlight = true;
  return {
    kind: 'add',
    token: changeToken(ledger.incarnation, 'a', ledger.state.seq++),
    dry: chosen[0]!.dry,
    keys: chosen.map((queued) => queued.key),
    servers: chosen.map((queued) => queued.server),
    requests: [...new Set(chosen.flatMap((queued) => queued.claimants))],
    split,
    pollMs: ledger.pollOf(chosen),
    confirm,
  };
}
