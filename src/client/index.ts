// What services import to run lbflow: start a request, wait for its typed result, read its progress, cancel it.
// Requests are checked here first (rules and size), so a bad one is refused before any workflow starts.
import { createHash } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  PROGRESS_QUERY,
  SEARCH_ATTRIBUTES,
  TASK_QUEUE,
  TIMINGS,
  WORKFLOW_TYPE,
  formatIssues,
  REPORT_MEMO,
  requestKeyIssue,
  requestSizeIssue,
  taskQueueIssue,
  type AddServersRequest,
  type AddServersRequestInput,
  type AddServersResult,
  type Progress,
  type RunReport,
  type ValidationIssue,
} from '../domain/index.js';
import {
  addServersWorkflowId,
  identityKey,
  contractSchemas,
  serverGroupIdOf,
  validateAddServersRequest,
  requestSummary,
} from '../registry/index.js';
import { AddServersCancelledError, toAddServersError, ValidationError } from './errors.js';

export * from './errors.js';
export * from './versions.js';
export { TASK_QUEUE, WORKFLOW_TYPE, SEARCH_ATTRIBUTES } from '../domain/index.js';
export { addServersWorkflowId } from '../registry/index.js';
export type {
  AddServersRequest,
  AddServersRequestInput,
  AddServersResult,
  FailureDetails,
  Progress,
  Phase,
  RunReport,
  ServerStatus,
} from '../domain/index.js';

/** Largest request accepted, as JSON (the domain's rule, checked here before a start and by the workflow). */
export { MAX_REQUEST_BYTES } from '../domain/index.js';

/** Memo key holding the request's content hash, to tell a repeated start from a different request under one id. */
export const REQUEST_HASH_MEMO = 'lbflowRequestHash';

export interface StartOptions {
  /** Default `lbflow`. */
  readonly taskQueue?: string;
  /** Your key for this request (a deploy id); default: a hash of the request's content, so a repeat finds the same run. */
  readonly requestKey?: string;
  /** Check rules and size here before starting (default true); false leaves it to the workflow, which fails as ValidationError. */
  readonly validate?: boolean;
}

export interface AddServersHandle {
  readonly workflowId: string;
  /** The first run's id (stable across continue-as-new). */
  readonly runId: string;
  /** The result, or a typed AddServersError subclass (QuotaExceededError, AvailabilityTimeoutError, …). */
  result(): Promise<AddServersResult>;
  /** The run's progress (the `progress` query, answered by a worker). */
  progress(): Promise<Progress>;
  /** Asks the run to stop before its next chunk; with `onFailure: 'rollback'` it removes what it added. */
  cancel(): Promise<void>;
  readonly workflow: WorkflowHandle;
}

/** A content hash of the parsed request: servers in identity order, so the same set in another order is the same request. */
export function requestHash(request: AddServersRequest): string {
  const servers = [...request.servers]
    .map((s) => [identityKey(request.provider, s as never), s] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const canonical = JSON.stringify({ ...request, servers: servers.map(([, s]) => s) });
  return createHash('sha256').update(canonical).digest('hex');
}

function refused(issues: ValidationIssue[]): ValidationError {
  return new ValidationError({
    message: formatIssues(issues),
    details: { type: 'ValidationError', added: [], alreadyPresent: [], issues },
  });
}

/** Problems with the start options, each named by its option (`taskQueue`, `requestKey`); none means they are usable. */
export function startOptionIssues(options: StartOptions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (options.taskQueue !== undefined) {
    const issue = taskQueueIssue(options.taskQueue);
    if (issue !== undefined) issues.push({ path: 'taskQueue', message: `The task queue ${issue}.` });
  }
  if (options.requestKey !== undefined) {
    const issue = requestKeyIssue(options.requestKey);
    if (issue !== undefined) issues.push({ path: 'requestKey', message: `The request key ${issue}.` });
  }
  return issues;
}

/** Checks a request as the workflow would, plus its size; returns the parsed request or throws ValidationError. */
export function checkAddServersRequest(input: unknown): AddServersRequest {
  let size: ValidationIssue | undefined;
  try {
    size = requestSizeIssue(input);
  } catch (error) {
    throw refused([
      { path: '', message: `The request must be plain JSON data; serialising it failed: ${(error as Error).message}.` },
    ]);
  }
  if (size) throw refused([size]);
  const checked = validateAddServersRequest(input);
  if (!checked.ok) throw refused(checked.issues);
  return checked.request;
}

/** A cancelled run's report, which the run leaves in its memo before it ends (the cancellation itself carries none). */
async function withReport(
  workflow: WorkflowHandle,
  error: AddServersCancelledError,
): Promise<AddServersCancelledError> {
  const memo = (await workflow.describe().catch(() => undefined))?.memo;
  // Read, not trusted: a request of another lbflow version wrote it (docs/upgrading.md).
  const read = contractSchemas().ReportMemoSchema.safeParse(memo?.[REPORT_MEMO]);
  if (!read.success) return error;
  const report = { type: 'Cancelled', ...read.data } as RunReport;
  const summary = `${report.added.length} added${report.rolledBack ? `, ${report.rolledBack.length} rolled back` : ''}${report.keptForOthers?.length ? `, ${report.keptForOthers.length} kept for other requests` : ''}`;
  return new AddServersCancelledError({
    message: `${error.message} (${summary})`,
    details: report,
    workflowId: error.workflowId,
    runId: error.runId,
    cause: error.cause,
  });
}

function handleOf(workflow: WorkflowHandle, runId: string): AddServersHandle {
  const ids = { workflowId: workflow.workflowId, runId };
  return {
    workflowId: workflow.workflowId,
    runId,
    workflow,
    result: async () => {
      try {
        return (await workflow.result()) as AddServersResult;
      } catch (error) {
        const typed = toAddServersError(error, ids);
        throw typed instanceof AddServersCancelledError ? await withReport(workflow, typed) : typed;
      }
    },
    progress: () => workflow.query<Progress>(PROGRESS_QUERY),
    cancel: () => workflow.cancel().then(() => undefined),
  };
}

/**
 * Starts adding servers and returns at once. The workflow id is `lbflow/<provider>/<region>/<group>/<requestKey>`;
 * starting the same request again while it runs attaches to that run instead of starting a second one.
 * Throws ValidationError (nothing started) when the request breaks a rule or is too large.
 */
export async function startAddServers(
  client: Client,
  request: AddServersRequestInput,
  options: StartOptions = {},
): Promise<AddServersHandle> {
  // Even unvalidated, a start needs an object to name its workflow id from.
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw refused([
      {
        path: '',
        message: `The request must be a JSON object; got ${request === null ? 'null' : Array.isArray(request) ? 'an array' : typeof request}.`,
      },
    ]);
  }
  const optionIssues = startOptionIssues(options);
  if (optionIssues.length > 0) throw refused(optionIssues);
  const parsed = options.validate === false ? undefined : checkAddServersRequest(request);
  const raw = request as unknown as { provider: string; region: string; readonly [field: string]: unknown };
  const taskQueue = options.taskQueue ?? TASK_QUEUE;
  const content = parsed ? requestHash(parsed) : createHash('sha256').update(JSON.stringify(request)).digest('hex');
  // The queue is part of what makes two starts the same request: the same servers sent to another queue (other
  // workers) are another request, so they neither attach to this run nor pass as it.
  const hash =
    taskQueue === TASK_QUEUE ? content : createHash('sha256').update(`${taskQueue}\n${content}`).digest('hex');
  const workflowId = addServersWorkflowId(raw, options.requestKey ?? `r-${hash.slice(0, 20)}`);
  const searchable = typeof raw.provider === 'string' && typeof raw.region === 'string' && serverGroupIdOf(raw) !== '';
  const workflow = await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId,
    args: [request],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // A task cut off by a dying worker is taken up by another after 5 s, not Temporal's default 10 s.
    workflowTaskTimeout: TIMINGS.workflowTaskTimeoutMs,
    memo: { [REQUEST_HASH_MEMO]: hash },
    // What the Web UI's list and run page show first: "add 1,000 servers to alibaba-gwlb cn-hangzhou sgp-…".
    ...(searchable ? { staticSummary: requestSummary(raw) } : {}),
    ...(searchable
      ? {
          typedSearchAttributes: [
            { key: SEARCH_ATTRIBUTES.provider, value: raw.provider },
            { key: SEARCH_ATTRIBUTES.region, value: raw.region },
            { key: SEARCH_ATTRIBUTES.serverGroupId, value: serverGroupIdOf(raw) },
            { key: SEARCH_ATTRIBUTES.phase, value: 'validating' },
          ],
        }
      : {}),
  });
  // With USE_EXISTING the start answers with the running run's id when one exists: check that it runs this request.
  const description = await workflow.describe();
  const runningHash = description.memo?.[REQUEST_HASH_MEMO];
  if (runningHash !== undefined && runningHash !== hash) {
    throw refused([
      {
        path: '',
        message: `Workflow ${workflowId} is already running a different request${description.taskQueue !== taskQueue ? ` (on task queue ${JSON.stringify(description.taskQueue)})` : ''}: use another requestKey, or wait for that run to finish.`,
      },
    ]);
  }
  return handleOf(
    client.workflow.getHandle(workflowId, undefined, { firstExecutionRunId: workflow.firstExecutionRunId }),
    workflow.firstExecutionRunId,
  );
}

/** Starts and waits: the result, or a typed AddServersError subclass. */
export async function addServers(
  client: Client,
  request: AddServersRequestInput,
  options: StartOptions = {},
): Promise<AddServersResult> {
  return (await startAddServers(client, request, options)).result();
}

/** Runs the request as a dry run: the provider checks it (Alibaba DryRun; Huawei reads the pool) and nothing changes. */
export async function dryRunAddServers(
  client: Client,
  request: AddServersRequestInput,
  options: StartOptions = {},
): Promise<AddServersResult> {
  const dry = { ...request, options: { ...(request.options ?? {}), dryRun: true } } as AddServersRequestInput;
  return addServers(client, dry, options);
}

/** A handle on a run started elsewhere (by id), to watch, query or cancel it. */
export async function getAddServersHandle(client: Client, workflowId: string): Promise<AddServersHandle> {
  const workflow = client.workflow.getHandle(workflowId);
  const description = await workflow.describe();
  return handleOf(workflow, description.runId);
}
