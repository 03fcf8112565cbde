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
import { decideRollback, endedStage, isRollingBack } from './lifecycle.js';
import type { RequestEntry } from './model.js';

export interface Telling {
  readonly request: RequestEntry;
  readonly update: RequestUpdate;
}

/** An outcome to send, and before a failed or cancelled one, the request's last progress when it was not told yet. */
export interface Outcome extends Telling {
  readonly last?: RequestUpdate | undefined;
}

/**
 * The outcomes ready to send: requests that ended and have nothing in flight and no rollback left. Each leaves the
 * ledger with its message; the servers it created stop being its own.
 */
export function takeOutcomes(l: Ledger): Outcome[] {
  for (const r of l.live) decideRollback(l, r);
  const done = l.live.filter((r) => {
    const kind = endedStage(r)?.rollback.kind;
    return (kind === 'none' || kind === 'over') && !l.hasInFlight(r);
  });
  if (done.length === 0) return [];
  const out = done.map((r) => ({ request: r, update: outcomeOf(r), last: lastProgress(l, r) }));
  l.leave(new Set(done.map((r) => r.id)));
  return out;
}

function outcomeOf(r: RequestEntry): RequestUpdate {
  const ended = endedStage(r)!;
  const statuses = compact(r.statuses, r.requested);
  const { ending, rollback } = ended;
  if (ending.kind === 'completed') {
    const { added, alreadyPresent, requestIds, chunks } = r;
    return { kind: 'completed', nonce: r.nonce, added, alreadyPresent, statuses, requestIds, chunks };
  }
  const rolled = rollback.kind === 'over' ? { rolledBack: rollback.removed, keptForOthers: rollback.kept } : {};
  const report = { added: r.added, alreadyPresent: r.alreadyPresent, ...rolled };
  if (ending.kind === 'cancelled') return { kind: 'cancelled', nonce: r.nonce, report, statuses };
  const details = { ...ending.details, type: ending.type!, ...report } as FailureDetails & Record<string, unknown>;
  const stopped = rollback.kind === 'over' ? rollback.error : undefined;
  const message = stopped === undefined ? ending.message! : withRollbackStopped(ending.message!, stopped);
  return { kind: 'failed', nonce: r.nonce, message, details, statuses };
}

/** A failed or cancelled request's final progress (its chunks among them, which its outcome does not count), if new to it. */
function lastProgress(l: Ledger, r: RequestEntry): RequestUpdate | undefined {
  if (endedStage(r)?.ending.kind === 'completed') return undefined;
  const progress = progressOf(l, r);
  return JSON.stringify(progress) === r.told.progress ? undefined : { kind: 'progress', nonce: r.nonce, progress };
}

export function phaseOf(l: Ledger, r: RequestEntry): Phase {
  const ended = endedStage(r);
  if (ended) return isRollingBack(r) ? 'rolling-back' : ended.ending.kind === 'completed' ? 'completed' : 'failed';
  if (r.stage.kind !== 'adding') return 'listing';
  if (l.hasInFlight(r)) return 'adding';
  if (l.hasQueued(r)) return l.blocking(r).length > 0 ? 'waiting' : 'adding';
  return 'waiting';
}

export function progressOf(l: Ledger, r: RequestEntry): Progress {
  const seen = Object.values(r.statuses);
  const counted = countStates(l.provider, r.opts.waitFor, seen, Math.max(0, r.requested - seen.length));
  return {
    phase: phaseOf(l, r),
    chunksDone: r.chunks,
    chunksTotal: l.plannedChunks(r),
    requested: r.requested,
    added: r.added.length,
    alreadyPresent: r.alreadyPresent.length,
    ...counted,
  };
}

/** A request hears of its progress while it lives, and after its end while its rollback is still to do. */
const hearsProgress = (r: RequestEntry) => !endedStage(r) || isRollingBack(r);

/** Progress messages due: a phase change at most every `phaseEveryMs`, counts at most every `everyMs`, never twice the same. */
export function progressDue(l: Ledger, now: number, everyMs: number, phaseEveryMs: number): Telling[] {
  const due: Telling[] = [];
  for (const r of l.live) {
    if (!hearsProgress(r)) continue;
    const phase = phaseOf(l, r);
    // `told.at` starts at the submission: a request that ends within its first interval hears only its outcome.
    if (now - r.told.at < (phase === r.told.phase ? everyMs : phaseEveryMs)) continue;
    const progress = progressOf(l, r);
    const said = JSON.stringify(progress);
    if (said === r.told.progress) continue;
    r.told = { phase, progress: said, at: now };
    due.push({ request: r, update: { kind: 'progress', nonce: r.nonce, progress } });
  }
  return due;
}

/** When a phase change held back by `progressDue` is due at the latest (none: undefined), so the coordinator can wake for it. */
export function phaseChangeDueAt(l: Ledger, phaseEveryMs: number): number | undefined {
  let at: number | undefined;
  for (const r of l.live) {
    if (!hearsProgress(r) || phaseOf(l, r) === r.told.phase) continue;
    at = Math.min(at ?? Infinity, r.told.at + phaseEveryMs);
  }
  return at;
}
