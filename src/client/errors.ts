// One error class per failure type, read from the ApplicationFailure `type` (never from message text), so
// callers write `catch (e) { if (e instanceof QuotaExceededError) … }` and read `e.details` for what is in the group.
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import {
  isFailureType,
  type FailureDetails,
  type FailureType,
  type RunReport,
  type ValidationIssue,
} from '../domain/index.js';

/** What a failed or stopped run is about, for callers that branch (the CLI's exit codes do). */
export type FailureCategory = 'validation' | 'provider' | 'timeout' | 'cancelled' | 'terminated' | 'unknown';

const CATEGORY: Record<FailureType, FailureCategory> = {
  ValidationError: 'validation',
  ServerGroupNotFound: 'provider',
  BackendNotFound: 'provider',
  BackendConflict: 'provider',
  QuotaExceeded: 'provider',
  AuthenticationFailed: 'provider',
  ProviderRejected: 'provider',
  ProviderUnavailable: 'provider',
  AvailabilityTimeout: 'timeout',
};

export interface AddServersErrorInit {
  readonly message: string;
  readonly details?: RunReport | undefined;
  readonly workflowId?: string | undefined;
  readonly runId?: string | undefined;
  readonly cause?: unknown;
}

/** Base of every lbflow failure a caller sees. `type` is the catalogue type (or Cancelled / Terminated / TimedOut / Unknown). */
export class AddServersError extends Error {
  override name = 'AddServersError';
  readonly type: string = 'Unknown';
  readonly category: FailureCategory = 'unknown';
  /** What this run added, what was already there, stragglers, the provider answer: see FailureDetails (a cancelled run: its report). */
  readonly details: RunReport | undefined;
  readonly workflowId: string | undefined;
  readonly runId: string | undefined;

  constructor(init: AddServersErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.details = init.details;
    this.workflowId = init.workflowId;
    this.runId = init.runId;
  }

  /** Keys this run added before it stopped (empty when nothing was added, or nothing is known). */
  get added(): string[] {
    return this.details?.added ?? [];
  }
}

function typed<T extends FailureType>(type: T) {
  // `ValidationError` is already an error's name; the other types get the suffix (`QuotaExceededError`).
  const name = type.endsWith('Error') ? type : `${type}Error`;
  const C = class extends AddServersError {
    override name = name;
    override readonly type: string = type;
    override readonly category: FailureCategory = CATEGORY[type];
  };
  Object.defineProperty(C, 'name', { value: name });
  return C;
}

/** The request broke a rule: `issues` lists each with its path. Nothing was sent to a provider. */
export class ValidationError extends typed('ValidationError') {
  get issues(): ValidationIssue[] {
    return this.details?.issues ?? [];
  }
}
export class ServerGroupNotFoundError extends typed('ServerGroupNotFound') {}
export class BackendNotFoundError extends typed('BackendNotFound') {}
export class BackendConflictError extends typed('BackendConflict') {}
export class QuotaExceededError extends typed('QuotaExceeded') {}
export class AuthenticationFailedError extends typed('AuthenticationFailed') {}
export class ProviderRejectedError extends typed('ProviderRejected') {}
export class ProviderUnavailableError extends typed('ProviderUnavailable') {}
/** Some servers never became ready in time: `details.stragglers` names them with their last status. */
export class AvailabilityTimeoutError extends typed('AvailabilityTimeout') {}

/**
 * The run was cancelled. `details` is its report, read from the run's memo (Temporal's cancellation carries no
 * details): `added`, `alreadyPresent`, and with rollback `rolledBack` and `keptForOthers`.
 */
export class AddServersCancelledError extends AddServersError {
  override name = 'AddServersCancelledError';
  override readonly type: string = 'Cancelled';
  override readonly category: FailureCategory = 'cancelled';
}

/** The run was terminated by an operator: nothing more was done, not even a rollback. */
export class AddServersTerminatedError extends AddServersError {
  override name = 'AddServersTerminatedError';
  override readonly type: string = 'Terminated';
  override readonly category: FailureCategory = 'terminated';
}

/** The run hit a workflow execution or run timeout set by the caller. */
export class AddServersTimedOutError extends AddServersError {
  override name = 'AddServersTimedOutError';
  override readonly type: string = 'TimedOut';
  override readonly category: FailureCategory = 'timeout';
}

export const ERROR_CLASSES: Record<FailureType, new (init: AddServersErrorInit) => AddServersError> = {
  ValidationError,
  ServerGroupNotFound: ServerGroupNotFoundError,
  BackendNotFound: BackendNotFoundError,
  BackendConflict: BackendConflictError,
  QuotaExceeded: QuotaExceededError,
  AuthenticationFailed: AuthenticationFailedError,
  ProviderRejected: ProviderRejectedError,
  ProviderUnavailable: ProviderUnavailableError,
  AvailabilityTimeout: AvailabilityTimeoutError,
};

/** The FailureDetails of an ApplicationFailure, when its first detail looks like one. */
function detailsOf(failure: ApplicationFailure): FailureDetails | undefined {
  const first = failure.details?.[0];
  return typeof first === 'object' && first !== null && 'type' in first ? (first as FailureDetails) : undefined;
}

/**
 * The typed error for whatever ended a run: a WorkflowFailedError (its cause decides), or the cause itself.
 * Anything that is not a run's failure (a connection error, a bug) is returned unchanged.
 */
export function toAddServersError(
  error: unknown,
  ids: { workflowId?: string | undefined; runId?: string | undefined } = {},
): unknown {
  if (error instanceof AddServersError) return error;
  const cause = error instanceof WorkflowFailedError ? error.cause : error;
  const where = { workflowId: ids.workflowId, runId: ids.runId, cause: error };
  if (cause instanceof ApplicationFailure) {
    const details = detailsOf(cause);
    const Class = isFailureType(cause.type) ? ERROR_CLASSES[cause.type] : undefined;
    if (Class) return new Class({ message: cause.message, details, ...where });
    return Object.assign(new AddServersError({ message: cause.message, details, ...where }), {
      type: cause.type ?? 'Unknown',
    });
  }
  if (cause instanceof CancelledFailure)
    return new AddServersCancelledError({
      message: `the run was cancelled${cause.message ? `: ${cause.message}` : ''}`,
      ...where,
    });
  if (cause instanceof TerminatedFailure)
    return new AddServersTerminatedError({
      message: `the run was terminated${cause.message ? `: ${cause.message}` : ''}`,
      ...where,
    });
  if (cause instanceof TimeoutFailure)
    return new AddServersTimedOutError({ message: `the run timed out (${cause.timeoutType})`, ...where });
  if (error instanceof WorkflowFailedError) return new AddServersError({ message: error.message, ...where });
  return error;
}
