// For other teams' workflows: run lbflow as a child workflow. Import this module (workflow-safe) from your
// workflow code; your worker does not need lbflow's activities, only the `lbflow` task queue needs an lbflow worker.
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  executeChild,
  type ChildWorkflowOptions,
} from '@temporalio/workflow';
import {
  isFailureType,
  TASK_QUEUE,
  TIMINGS,
  WORKFLOW_TYPE,
  type AddServersRequestInput,
  type AddServersResult,
  type FailureDetails,
  type FailureType,
} from '../domain/index.js';
import { addServersWorkflowId, requestSummary } from '../registry/index.js';

export { TASK_QUEUE, WORKFLOW_TYPE } from '../domain/index.js';
export { addServersWorkflowId } from '../registry/index.js';
export type {
  AddServersRequestInput,
  AddServersResult,
  FailureDetails,
  FailureType,
  Progress,
} from '../domain/index.js';

export interface ChildOptions extends Omit<ChildWorkflowOptions, 'workflowId' | 'taskQueue' | 'args'> {
  /** Deterministic key for this step (e.g. `${workflowInfo().workflowId}-step-3`): it makes the child's workflow id. */
  readonly requestKey: string;
  readonly taskQueue?: string;
}

/** Runs `addServersToServerGroup` as a child and returns its result; a failure is a ChildWorkflowFailure (see `lbflowFailure`). */
export function addServersAsChild(request: AddServersRequestInput, options: ChildOptions): Promise<AddServersResult> {
  const { requestKey, taskQueue, ...rest } = options;
  return executeChild(WORKFLOW_TYPE, {
    workflowTaskTimeout: TIMINGS.workflowTaskTimeoutMs,
    staticSummary: requestSummary(request as Parameters<typeof requestSummary>[0]),
    ...rest,
    taskQueue: taskQueue ?? TASK_QUEUE,
    workflowId: addServersWorkflowId(request as { provider: string; region: string }, requestKey),
    args: [request],
  }) as Promise<AddServersResult>;
}

/** The catalogue type and details of a failed lbflow child, read from the failure's `type`, or undefined for anything else. */
export function lbflowFailure(error: unknown): { type: FailureType; details: FailureDetails | undefined } | undefined {
  const cause = error instanceof ChildWorkflowFailure ? error.cause : error;
  if (!(cause instanceof ApplicationFailure) || !isFailureType(cause.type)) return undefined;
  const first = cause.details?.[0];
  return {
    type: cause.type,
    details: typeof first === 'object' && first !== null ? (first as FailureDetails) : undefined,
  };
}
