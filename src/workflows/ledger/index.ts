// The coordinator's ledger: its state (model.ts), how it crosses continue-as-new (carried.ts), and its rules.
export * from './model.js';
export { Ledger } from './ledger.js';
export { toCarried, fromCarried, type CarriedLedger, type CarriedRequest } from './carried.js';
export {
  submit,
  own,
  answered,
  asksDue,
  rebindRun,
  admissionsDue,
  cancel,
  abandon,
  toList,
  applyListing,
  failListing,
  type SubmitRules,
} from './arrivals.js';
export { fetchDue, applyFetched } from './pages.js';
export { nextWrite, followingWrites, ownersOf, type HeldBack } from './writer.js';
export {
  applyAdded,
  applyUnanswered,
  applyNotSent,
  applyAddFailed,
  applyAddConflict,
  applyRemoved,
  applyRemoveFailed,
} from './answers.js';
export { readsDue, applyRead, applyReadFailed } from './reads.js';
export {
  takeEndings,
  phaseOf,
  progressOf,
  progressDue,
  phaseChangeDueAt,
  type EndingRules,
  type Endings,
  type Telling,
} from './reports.js';
export { hasEnded, isAdmitted, isConfirmed, endedStage } from './lifecycle.js';
