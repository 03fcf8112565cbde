// A request's life in the ledger, one transition per function: awaiting-room → to-list → adding → ended, and an
// ended request's rollback: due → removing → over (or none). Every other module changes a request's stage only here.
import type { Ledger } from './ledger.js';
import type { Ending, RequestEntry, Rollback, Stage } from './model.js';
import type { Server } from '../../domain/index.js';

type Ended = Extract<Stage, { kind: 'ended' }>;

export function endedStage(r: RequestEntry): Ended | undefined {
  return r.stage.kind === 'ended' ? r.stage : undefined;
}

export const hasEnded = (r: RequestEntry): boolean => r.stage.kind === 'ended';

/** Whether its servers were taken in (they count against what the coordinator holds). */
export function isAdmitted(r: RequestEntry): boolean {
  return r.stage.kind === 'ended' ? r.stage.admitted : r.stage.kind !== 'awaiting-room';
}

/** Its rollback is under way, or due with servers of its own to remove. */
export function isRollingBack(r: RequestEntry): boolean {
  const rollback = endedStage(r)?.rollback;
  return rollback?.kind === 'removing' || (rollback?.kind === 'due' && r.added.length > 0);
}

/** awaiting-room → to-list: room was found for its servers. */
export function admit(r: RequestEntry, servers: Server[]): void {
  if (r.stage.kind === 'awaiting-room') r.stage = { kind: 'to-list', servers };
}

/** to-list → adding: the group was listed for its servers. */
export function markListed(r: RequestEntry): void {
  if (r.stage.kind === 'to-list') r.stage = { kind: 'adding' };
}

/** adding: a separate read is to confirm its earlier chunks, or (undefined) no longer. */
export function setConfirmRead(r: RequestEntry, confirmRead?: { keys: string[]; deadline: number }): void {
  if (r.stage.kind === 'adding') r.stage = { ...r.stage, confirmRead };
}

/** adding: its last wait starts now, with its own deadline (once: a wait read again keeps it). */
export function finalWaitOf(r: RequestEntry, now: number): { deadline: number } | undefined {
  if (r.stage.kind !== 'adding') return undefined;
  if (!r.stage.finalWait) r.stage = { ...r.stage, finalWait: { deadline: now + r.opts.timeoutMs } };
  return r.stage.finalWait;
}

/** Any live stage → ended. Its queued servers leave the queue (unless someone else wants them); its reads stop. */
export function endRequest(l: Ledger, r: RequestEntry, ending: Ending): void {
  if (r.stage.kind === 'ended') return;
  const mayRollBack = ending.kind !== 'completed' && r.opts.rollback && !r.opts.dryRun;
  const rollback: Rollback = mayRollBack ? { kind: 'due' } : { kind: 'none' };
  r.stage = { kind: 'ended', ending, admitted: isAdmitted(r), rollback, chunksPlanned: l.plannedChunks(r) };
  for (const q of l.state.queue) if (!q.inFlight) q.claimants = q.claimants.filter((c) => c !== r.id);
  l.dropUnclaimed();
}

/**
 * due → none, removing or over: once no change of its own is in flight, what it created is known. What another
 * request asked for while it lived is kept; the rest is to be removed.
 */
export function decideRollback(l: Ledger, r: RequestEntry): void {
  const ended = endedStage(r);
  if (ended?.rollback.kind !== 'due' || l.hasInFlight(r)) return;
  if (r.added.length === 0) return setRollback(r, { kind: 'none' });
  const keep = new Set(r.shared);
  const kept = r.added.filter((k) => keep.has(k));
  const left = r.added.filter((k) => !keep.has(k));
  setRollback(r, left.length > 0 ? { kind: 'removing', left, removed: [], kept } : { kind: 'over', removed: [], kept });
}

/** removing: these were removed; over once nothing is left. */
export function rolledBack(r: RequestEntry, keys: readonly string[]): void {
  const rollback = endedStage(r)?.rollback;
  if (rollback?.kind !== 'removing') return;
  const gone = new Set(keys);
  const left = rollback.left.filter((k) => !gone.has(k));
  const removed = [...rollback.removed, ...keys];
  setRollback(r, left.length > 0 ? { ...rollback, left, removed } : { kind: 'over', removed, kept: rollback.kept });
}

/** removing → over: what is left another request now asks for, so it is kept. */
export function keptForOthers(r: RequestEntry, keep: ReadonlySet<string>): void {
  const rollback = endedStage(r)?.rollback;
  if (rollback?.kind !== 'removing') return;
  const kept = [...rollback.kept, ...rollback.left.filter((k) => keep.has(k) && !rollback.kept.includes(k))];
  setRollback(r, { kind: 'over', removed: rollback.removed, kept });
}

/** removing → over, stopped: a removal failed, and the report says what is still in the group. */
export function rollbackStopped(r: RequestEntry, error: string): void {
  const rollback = endedStage(r)?.rollback;
  if (rollback?.kind !== 'removing') return;
  setRollback(r, { kind: 'over', removed: rollback.removed, kept: rollback.kept, error });
}

function setRollback(r: RequestEntry, rollback: Rollback): void {
  if (r.stage.kind === 'ended') r.stage = { ...r.stage, rollback };
}
