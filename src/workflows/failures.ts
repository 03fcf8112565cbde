// Whatever stopped a change or a wait, as the catalogue type, a message and the provider's details.
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import {
  isFailureType,
  notReadyMessage,
  NOT_READY,
  type FailureDetails,
  type FailureType,
  type ServerStatus,
} from '../domain/index.js';
import type { AppliedFailure } from './ledger/index.js';

export function findApplicationFailure(error: unknown): ApplicationFailure | undefined {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ApplicationFailure) return e;
  }
  return undefined;
}

/** The catalogue type, message and provider details of an activity's failure: the failure as the ledger applies it. */
export function describeFailure(error: unknown): AppliedFailure {
  const app = findApplicationFailure(error);
  const provider = (app?.details?.[0] ?? {}) as Record<string, unknown>;
  const fromProvider: Partial<FailureDetails> = {
    ...(typeof provider.provider === 'string' ? { provider: provider.provider as FailureDetails['provider'] } : {}),
    ...(typeof provider.code === 'string' ? { code: provider.code } : {}),
    ...(typeof provider.httpStatus === 'number' ? { httpStatus: provider.httpStatus } : {}),
    ...(typeof provider.requestId === 'string' ? { requestId: provider.requestId } : {}),
    ...(typeof provider.action === 'string' ? { action: provider.action } : {}),
    ...(typeof (provider.quota as { groupHolds?: unknown } | undefined)?.groupHolds === 'number'
      ? { quota: provider.quota as FailureDetails['quota'] }
      : {}),
  };
  if (app?.type === NOT_READY.servers) {
    const stragglers = (provider.stragglers as ServerStatus[] | undefined) ?? [];
    return { type: 'AvailabilityTimeout', message: notReadyMessage(stragglers), details: { stragglers } };
  }
  if (app?.type === NOT_READY.group) {
    return {
      type: 'ProviderUnavailable',
      message: `the server group never became ready for a change (${String(provider.status)})`,
      details: {},
    };
  }
  if (app && isFailureType(app.type)) return { type: app.type, message: app.message, details: fromProvider };
  const timeout = error instanceof ActivityFailure && error.cause instanceof TimeoutFailure;
  const message = timeout
    ? 'the provider did not answer in time'
    : error instanceof Error
      ? error.message
      : String(error);
  return { type: 'ProviderUnavailable', message, details: fromProvider };
}

/** A typed, non-retryable failure of a workflow: the catalogue type and the details a caller reads. */
export function workflowFailure(
  type: FailureType,
  message: string,
  details: FailureDetails,
  cause?: Error,
): ApplicationFailure {
  const failure = ApplicationFailure.create({
    type,
    message,
    details: [details],
    nonRetryable: true,
    ...(cause ? { cause } : {}),
  });
  // The type, message and details say what happened; the sandbox's stack would only bury them in the Web UI.
  failure.stack = '';
  return failure;
}
