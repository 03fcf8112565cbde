// The writer's next change: a rollback's removal first, then the splits of a failed change in order, then a chunk of
// queued servers in arrival order, and when every queued server waits for an earlier chunk of its request, that
// request's next chunk with the wait folded in.
import { changeToken, fillChunk, identityFromKey, isFull } from '../../domain/index.js';
import type { Ledger } from './ledger.js';
import { decideRollback, endedStage, hasEnded, keptForOthers } from './lifecycle.js';
import type { AddChange, Change, QueuedServer, RemoveChange } from './model.js';

/** A chunk that is not full was held back for requests still being listed: they may fill it. */
export interface HeldBack {
  readonly kind: 'held';
}

/**
 * The next change, or undefined when nothing can be written now. With `mayHold`, a chunk that is not full is held
 * back (`held`) while requests that arrived are not listed yet.
 */
export function nextWrite(l: Ledger, now: number, mayHold = false): Change | HeldBack | undefined {
  for (const r of l.live) decideRollback(l, r);
  const removal = nextRemoval(l);
  // A rollback found all it had left kept for others: it is over, and the choice starts again without a hold.
  if (removal === 'kept') return nextWrite(l, now);
  if (removal) return removal;
  const pending = l.state.queue.filter((q) => !q.inFlight);
  for (const split of l.state.splits) {
    const chosen = pending.filter((q) => q.split === split);
    if (chosen.length > 0) return addChange(l, chosen, split);
  }
  const open = pending.filter((q) => q.split === undefined && gateOpen(l, q.claimants[0]!));
  const first = open[0];
  if (first) {
    const chunk = fillChunk(
      open.filter((q) => q.dry === first.dry),
      (q) => l.limitOf(q),
    );
    // Requests that arrived but are not listed yet could fill this chunk: with `mayHold`, wait for them.
    if (mayHold && !isFull(chunk) && l.live.some((r) => r.stage.kind === 'awaiting-room' || r.stage.kind === 'to-list'))
      return { kind: 'held' };
    return addChange(l, chunk.chosen);
  }
  return nextAfterWait(l, pending);
}

/** A rollback's next removal: what it created that no other live request asked for, at most a chunk of it. */
function nextRemoval(l: Ledger): RemoveChange | 'kept' | undefined {
  const r = l.live.find((e) => {
    const rollback = endedStage(e)?.rollback;
    return rollback?.kind === 'removing' && rollback.left.length > 0;
  });
  const rollback = r && endedStage(r)?.rollback;
  if (!r || rollback?.kind !== 'removing') return undefined;
  // Kept: what another request asked for while this one lived, including requests that arrived and are not
  // listed yet (their servers are known; the list would only say these are there). A dry run asks for nothing.
  const keep = new Set(r.shared);
  for (const other of l.live) {
    if (other === r || other.stage.kind !== 'to-list' || other.opts.dryRun) continue;
    for (const server of other.stage.servers) keep.add(l.key(server));
  }
  const keys = rollback.left.filter((k) => !keep.has(k)).slice(0, r.opts.maxChunkSize);
  if (keys.length === 0) {
    keptForOthers(r, keep);
    return 'kept';
  }
  return {
    kind: 'remove',
    token: changeToken(l.incarnation, 'r', l.state.seq++),
    request: r.id,
    keys,
    servers: keys.map((k) => identityFromKey(l.provider, k)),
    waitFor: r.opts.waitFor,
  };
}

/**
 * Every queued server waits on an earlier chunk of its request: the oldest such request's next chunk, sent once its
 * earlier chunk is ready, waiting inside the add (a slice, then a separate read takes the wait over).
 */
function nextAfterWait(l: Ledger, pending: readonly QueuedServer[]): AddChange | undefined {
  for (const r of l.live) {
    if (r.stage.kind !== 'adding' || r.stage.confirmRead) continue;
    const owned = pending.filter((q) => q.split === undefined && q.claimants[0] === r.id);
    if (owned.length === 0) continue;
    const blocking = l.blocking(r);
    if (blocking.length === 0) continue;
    const keys = blocking.flatMap((c) => c.keys);
    return addChange(l, fillChunk(owned, (q) => l.limitOf(q)).chosen, undefined, {
      request: r.id,
      keys,
      servers: keys.map((k) => identityFromKey(l.provider, k)),
      waitFor: r.opts.waitFor,
      deadline: Math.min(...blocking.map((c) => c.at)) + r.opts.timeoutMs,
    });
  }
  return undefined;
}

/** Whether request `id` may have another chunk sent; `inFlight`: its chunks sent ahead in the same activity. */
function gateOpen(l: Ledger, id: string, inFlight = 0): boolean {
  const r = l.request(id);
  // A chunk in flight is unconfirmed: more than chunksAhead of them and the next must wait.
  return (
    r !== undefined &&
    !hasEnded(r) &&
    (inFlight === 0 || inFlight <= r.opts.ahead) &&
    l.blocking(r, inFlight).length === 0
  );
}

/**
 * Full chunks to send right after `first` in the same activity, for a group that takes the next change as soon as
 * the last is answered: each the chunk `nextWrite` would choose once those before it were answered, and only while
 * nothing would be waited for in between (after a plain add, not a split, a dry run or a wait; no request past its
 * chunksAhead). A chunk that is not full is left for `nextWrite`, where requests arriving meanwhile may fill it.
 */
export function followingWrites(l: Ledger, first: Change, max: number): AddChange[] {
  const following: AddChange[] = [];
  if (first.kind !== 'add' || first.dry || first.confirm || first.split !== undefined) return following;
  // `first` came from nextWrite, which takes a removal or a split before any plain chunk: none is due.
  while (following.length < max) {
    const sent = [first, ...following];
    const inFlight = (id: string) => sent.filter((c) => c.requests.includes(id)).length;
    const open = function* () {
      for (const q of l.state.queue)
        if (!q.inFlight && !q.dry && q.split === undefined && gateOpen(l, q.claimants[0]!, inFlight(q.claimants[0]!)))
          yield q;
    };
    const chunk = fillChunk(open(), (q) => l.limitOf(q));
    if (!isFull(chunk)) break;
    following.push(addChange(l, chunk.chosen));
  }
  return following;
}

function addChange(l: Ledger, chosen: QueuedServer[], split?: number, confirm?: AddChange['confirm']): AddChange {
  for (const q of chosen) q.inFlight = true;
  return {
    kind: 'add',
    token: changeToken(l.incarnation, 'a', l.state.seq++),
    dry: chosen[0]!.dry,
    keys: chosen.map((q) => q.key),
    servers: chosen.map((q) => q.server),
    requests: [...new Set(chosen.flatMap((q) => q.claimants))],
    split,
    pollMs: l.pollOf(chosen),
    confirm,
  };
}
