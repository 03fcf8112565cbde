// A request's life in the ledger, one transition per function: awaiting-room → to-list → adding → ended, and an
// ended request's rollback: due → removing → over (or none). Every other module changes a request's stage only here.
import type { Ledger } from './ledger.js';
import type { Ending, RequestEntry, Rollback, Stage } from './model.js';
import type { Server } from '../../domain/index.js';

type Ended = Extract<Stage, { kind: 'ended' }>;

export function endedStage(request: RequestEntry): Ended | undefined {
  return request.stage.kind === 'ended' ? request.stage : undefined;
}

/** The status of a server lbflow added that a read found gone: it left the group without lbflow removing it. */
export const LEFT_GROUP = 'left-group';

/** Whether the request confirmed its submission: until then nothing of it is listed, added or told. */
export const isConfirmed = (request: RequestEntry): boolean => !request.asks?.some((a) => a.what === 'submission');

export const hasEnded = (request: RequestEntry): boolean => request.stage.kind === 'ended';

/** Whether an admitted request's servers are still being fetched from it (it is listed once all are in). */
export function fetching(request: RequestEntry): boolean {
  return request.pages === true && request.stage.kind === 'to-list' && request.stage.servers.length < request.requested;
}

/** Whether its servers were taken in (they count against what the coordinator holds). */
export function isAdmitted(request: RequestEntry): boolean {
  return request.stage.kind === 'ended' ? request.stage.admitted : request.stage.kind !== 'awaiting-room';
}

/** Its rollback is under way, or due with servers of its own to remove. */
export function isRollingBack(request: RequestEntry): boolean {
  const rollback = endedStage(request)?.rollback;
  return rollback?.kind === 'removing' || (rollback?.kind === 'due' && request.added.length > 0);
}

/** awaiting-room → to-list: room was found for its servers. */
export function admit(request: RequestEntry, servers: Server[]): void {
  if (request.stage.kind === 'awaiting-room') request.stage = { kind: 'to-list', servers, owned: request.stage.owned };
}

/** to-list: the servers fetched from it so far (since 0.4, a page at a time). */
export function takePage(request: RequestEntry, servers: Server[]): void {
  if (request.stage.kind === 'to-list') request.stage = { ...request.stage, servers };
}

/** to-list → adding: the group was listed for its servers. */
export function markListed(request: RequestEntry): void {
  if (request.stage.kind === 'to-list') request.stage = { kind: 'adding' };
}

/** adding: a separate read is to confirm its earlier chunks, or (undefined) no longer. */
export function setConfirmRead(request: RequestEntry, confirmRead?: { keys: string[]; deadline: number }): void {
  if (request.stage.kind === 'adding') request.stage = { ...request.stage, confirmRead };
}

/** adding: its last wait starts now, with its own deadline (once: a wait read again keeps it). */
export function finalWaitOf(request: RequestEntry, now: number): { deadline: number } | undefined {
  if (request.stage.kind !== 'adding') return undefined;
  if (!request.stage.finalWait)
    request.stage = { ...request.stage, finalWait: { deadline: now + request.opts.timeoutMs } };
  return request.stage.finalWait;
}

/** Any live stage → ended. Its queued servers leave the queue (unless someone else wants them); its reads stop. */
export function endRequest(ledger: Ledger, request: RequestEntry, ending: Ending): void {
  if (request.stage.kind === 'ended') return;
  const mayRollBack = ending.kind !== 'completed' && request.opts.rollback && !request.opts.dryRun;
  const rollback: Rollback = mayRollBack ? { kind: 'due' } : { kind: 'none' };
  request.stage = {
    kind: 'ended',
    ending,
    admitted: isAdmitted(request),
    rollback,
    chunksPlanned: ledger.plannedChunks(request),
  };
  for (const queued of ledger.state.queue)
    if (!queued.inFlight) queued.claimants = queued.claimants.filter((c) => c !== request.id);
  ledger.dropUnclaimed();
}

/**
 * due → none, removing or over: once no change of its own is in flight, what it created is known. What another
 * request asked for while it lived is kept; the rest is to be removed.
 */
export function decideRollback(ledger: Ledger, request: RequestEntry): void {
  const ended = endedStage(request);
  if (ended?.rollback.kind !== 'due' || ledger.hasInFlight(request)) return;
  if (request.added.length === 0) return setRollback(request, { kind: 'none' });
  const keep = new Set(request.shared);
  const kept = request.added.filter((k) => keep.has(k));
  // What a read found gone (removed by someone else) is not removed again.
  const left = request.added.filter((k) => !keep.has(k) && request.statuses[k] !== LEFT_GROUP);
  setRollback(
    request,
    left.length > 0 ? { kind: 'removing', left, removed: [], kept } : { kind: 'over', removed: [], kept },
  );
}

/** removing: these were removed; over once nothing is left. */
export function rolledBack(request: RequestEntry, keys: readonly string[]): void {
  const rollback = endedStage(request)?.rollback;
  if (rollback?.kind !== 'removing') return;
  const gone = new Set(keys);
  const left = rollback.left.filter((k) => !gone.has(k));
  const removed = [...rollback.removed, ...keys];
  setRollback(
    request,
    left.length > 0 ? { ...rollback, left, removed } : { kind: 'over', removed, kept: rollback.kept },
  );
}

/** removing → over: what is left another request now asks for, so it is kept. */
export function keptForOthers(request: RequestEntry, keep: ReadonlySet<string>): void {
  const rollback = endedStage(request)?.rollback;
  if (rollback?.kind !== 'removing') return;
  const kept = [...rollback.kept, ...rollback.left.filter((k) => keep.has(k) && !rollback.kept.includes(k))];
  setRollback(request, { kind: 'over', removed: rollback.removed, kept });
}

/** removing → over, stopped: a removal failed, and the report says what is still in the group. */
export function rollbackStopped(request: RequestEntry, error: string): void {
  const rollback = endedStage(request)?.rollback;
  if (rollback?.kind !== 'removing') return;
  setRollback(request, { kind: 'over', removed: rollback.removed, kept: rollback.kept, error });
}

function setRollback(request: RequestEntry, rollback: Rollback): void {
  if (request.stage.kind === 'ended') request.stage = { ...request.stage, rollback };
}
