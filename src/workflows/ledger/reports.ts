// What requests and operators are told: each request's phase and progress while it lives, and its outcome once it
// ended with nothing in flight and its rollback over.
import {
  compact,
  countStates,
  withRollbackStopped,
  type FailureDetails,
  type Phase,
  type Progress,
  type RequestUpdate,
} from '../../domain/index.js';
import type { Ledger } from './ledger.js';
import { decideRollback, endedStage, isConfirmed, isRollingBack } from './lifecycle.js';
import type { RequestEntry } from './model.js';

export interface Telling {
  readonly request: RequestEntry;
  readonly update: RequestUpdate;
}

/** What to tell the requests that are done: final progress first where due, then outcomes. */
export interface Endings {
  /** Final progress of failed or cancelled requests, to be delivered before their outcome is sent. */
  readonly finals: Telling[];
  readonly outcomes: Telling[];
}

export interface EndingRules {
  /**
   * Whether a failed or cancelled request is told its final progress (its chunks, which its outcome does not count,
   * and its servers as the rollback left them) before its outcome, when it was not told it yet.
   */
  readonly finalProgress: () => boolean;
  /** Requests whose final progress is on its way: their outcome waits until it arrived (signals keep no order). */
  readonly delivering: ReadonlySet<string>;
}

/**
 * What to tell the requests that ended and have nothing in flight and no rollback left. Each whose outcome is sent
 * leaves the ledger with it; the servers it created stop being its own.
 */
export function takeEndings(ledger: Ledger, rules: EndingRules): Endings {
  for (const request of ledger.live) decideRollback(ledger, request);
  const done = ledger.live.filter((request) => {
    const kind = endedStage(request)?.rollback.kind;
    return (kind === 'none' || kind === 'over') && !ledger.hasInFlight(request) && !rules.delivering.has(request.id);
  });
  const finals: Telling[] = [];
  const outcomes: Telling[] = [];
  // One that never confirmed its submission leaves untold: nothing of it was done.
  ledger.leave(new Set(done.filter((request) => !isConfirmed(request)).map((request) => request.id)));
  for (const request of done.filter(isConfirmed)) {
    const last = finalProgress(ledger, request);
    if (last && rules.finalProgress()) {
      request.told = { phase: last.progress.phase, progress: JSON.stringify(last.progress), at: request.told.at };
      finals.push({ request, update: last });
    } else outcomes.push({ request, update: outcomeOf(request) });
  }
  ledger.leave(new Set(outcomes.map((o) => o.request.id)));
  return { finals, outcomes };
}

function outcomeOf(request: RequestEntry): RequestUpdate {
  const ended = endedStage(request)!;
  const statuses = compact(request.statuses, request.requested);
  const { ending, rollback } = ended;
  if (ending.kind === 'completed') {
    const { added, alreadyPresent, requestIds, chunks } = request;
    return { kind: 'completed', nonce: request.nonce, added, alreadyPresent, statuses, requestIds, chunks };
  }
  const rolled = rollback.kind === 'over' ? { rolledBack: rollback.removed, keptForOthers: rollback.kept } : {};
  const report = { added: request.added, alreadyPresent: request.alreadyPresent, ...rolled };
  if (ending.kind === 'cancelled') return { kind: 'cancelled', nonce: request.nonce, report, statuses };
  const details = { ...ending.details, type: ending.type!, ...report } as FailureDetails & Record<string, unknown>;
  const stopped = rollback.kind === 'over' ? rollback.error : undefined;
  const message = stopped === undefined ? ending.message! : withRollbackStopped(ending.message!, stopped);
  return { kind: 'failed', nonce: request.nonce, message, details, statuses };
}

/** A failed or cancelled request's final progress, if it was not told it yet. */
function finalProgress(
  ledger: Ledger,
  request: RequestEntry,
): Extract<RequestUpdate, { kind: 'progress' }> | undefined {
  if (endedStage(request)?.ending.kind === 'completed') return undefined;
  const progress = progressOf(ledger, request);
  if (JSON.stringify(progress) === request.told.progress) return undefined;
  return { kind: 'progress', nonce: request.nonce, progress };
}

export function phaseOf(ledger: Ledger, request: RequestEntry): Phase {
  const ended = endedStage(request);
  if (ended)
    return isRollingBack(request) ? 'rolling-back' : ended.ending.kind === 'completed' ? 'completed' : 'failed';
  if (request.stage.kind !== 'adding') return 'listing';
  if (ledger.hasInFlight(request)) return 'adding';
  if (ledger.hasQueued(request)) return ledger.blocking(request).length > 0 ? 'waiting' : 'adding';
  return 'waiting';
}

export function progressOf(ledger: Ledger, request: RequestEntry): Progress {
  const seen = Object.values(request.statuses);
  const counted = countStates(
    ledger.readiness,
    request.opts.waitFor,
    seen,
    Math.max(0, request.requested - seen.length),
  );
  return {
    phase: phaseOf(ledger, request),
    chunksDone: request.chunks,
    chunksTotal: ledger.plannedChunks(request),
    requested: request.requested,
    added: request.added.length,
    alreadyPresent: request.alreadyPresent.length,
    ...counted,
  };
}

/**
 * A request hears of its progress while it lives, and after its end while its rollback is still to do; one that has
 * not confirmed its submission hears nothing (its requester may not exist, or be another workflow).
 */
const hearsProgress = (request: RequestEntry) =>
  isConfirmed(request) && (!endedStage(request) || isRollingBack(request));

/** Progress messages due: a phase change at most every `phaseEveryMs`, counts at most every `everyMs`, never twice the same. */
export function progressDue(ledger: Ledger, now: number, everyMs: number, phaseEveryMs: number): Telling[] {
  const due: Telling[] = [];
  for (const request of ledger.live) {
    if (!hearsProgress(request)) continue;
    const phase = phaseOf(ledger, request);
    // `told.at` starts at the submission: a request that ends within its first interval hears only its outcome.
    if (now - request.told.at < (phase === request.told.phase ? everyMs : phaseEveryMs)) continue;
    const progress = progressOf(ledger, request);
    const said = JSON.stringify(progress);
    if (said === request.told.progress) continue;
    request.told = { phase, progress: said, at: now };
    due.push({ request: request, update: { kind: 'progress', nonce: request.nonce, progress } });
  }
  return due;
}

/** When a phase change held back by `progressDue` is due at the latest (none: undefined), so the coordinator can wake for it. */
export function phaseChangeDueAt(ledger: Ledger, phaseEveryMs: number): number | undefined {
  let at: number | undefined;
  for (const request of ledger.live) {
    if (!hearsProgress(request) || phaseOf(ledger, request) === request.told.phase) continue;
    at = Math.min(at ?? Infinity, request.told.at + phaseEveryMs);
  }
  return at;
}
