// addServersToServerGroup: validate → dedupe → hand the servers to the group's coordinator → follow its word →
// the result, or a typed failure that says exactly what this request added (and, with rollback, removed again).
// The coordinator is the only writer of the group; this workflow never calls a provider itself.
import {
  CancellationScope,
  condition,
  defineQuery,
  isCancellation,
  log,
  metricMeter,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  coordinatorWorkflowId,
  coordinationSchemas,
  countStates,
  dedupeServers,
  firstIssue,
  formatIssues,
  groupIdOf,
  groupLabel,
  progressDetails,
  requestSummary,
  groupRefOf,
  identityKey,
  REPORT_MEMO,
  requestSizeIssue,
  SEARCH_ATTRIBUTES,
  spreadOver,
  PROGRESS_QUERY,
  TIMINGS,
  validateAddServersRequest,
  type AddServersResult,
  type CoordinatorMessage,
  type FailureDetails,
  type RunEnding,
  type Phase,
  type Progress,
  type RequestUpdate,
  type Server,
  type ServerStatus,
} from '../domain/index.js';
import { requestSignal } from './coordinator/workflow.js';
import { workflowFailure } from './failures.js';

export const progressQuery = defineQuery<Progress>(PROGRESS_QUERY);

/** Without a word from the coordinator for this long, the request hands itself over again (a lost or restarted coordinator takes it up). */
const RESUBMIT_AFTER_MS = 600_000;

// A local activity: it only asks Temporal itself (Signal-with-Start), so it runs in the workflow task that decided it,
// with no round trip through the server's activity queue, and the submission (up to 10,000 servers) is not copied
// into this history as an activity input.
const handOverAs = (summary: string) =>
  proxyLocalActivities<Activities>({
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: TIMINGS.addRetryWindowMs,
    retry: {
      initialInterval: TIMINGS.callRetry.initialMs,
      backoffCoefficient: TIMINGS.callRetry.coefficient,
      maximumInterval: TIMINGS.callRetry.maximumMs,
    },
    summary,
  }).handOver;

type Outcome = Extract<RequestUpdate, { kind: 'completed' | 'failed' | 'cancelled' }>;

/**
 * How each request ended, on the worker's metrics endpoint (`lbflow_requests`, `lbflow_servers_added`). The SDK's
 * workflow meter records nothing while a history is replayed, so a run is counted once.
 */
function countEnding(
  provider: string,
  outcome: 'completed' | 'failed' | 'cancelled',
  failureType: string,
  added: number,
): void {
  metricMeter
    .createCounter(
      'lbflow_requests',
      'requests',
      'Requests that ended, by provider, outcome (completed, failed, cancelled) and failure type',
    )
    .add(1, { provider, outcome, failure_type: failureType });
  if (added > 0)
    metricMeter
      .createCounter('lbflow_servers_added', 'servers', 'Servers added to a group by requests, by provider')
      .add(added, { provider });
}

export async function addServersToServerGroup(request: unknown, ...extra: unknown[]): Promise<AddServersResult> {
  if (extra.length > 0)
    refuse(request, [
      {
        path: '',
        message: `addServersToServerGroup takes exactly one argument, the request; got ${extra.length + 1}.`,
      },
    ]);
  const req = validateRequest(request);
  const group = groupRefOf(req);
  const provider = req.provider;
  const servers = dedupeServers(provider, req.servers).unique as Server[];
  const keys = servers.map((s) => identityKey(provider, s));
  const info = workflowInfo();
  const startedAt = new Date().toISOString();

  let progress: Progress = {
    phase: 'listing',
    chunksDone: 0,
    chunksTotal: Math.ceil(servers.length / req.options.maxChunkSize),
    requested: servers.length,
    added: 0,
    alreadyPresent: 0,
    states: { pending: servers.length },
    providerStatuses: {},
  };
  setHandler(progressQuery, () => progress);
  // What the Web UI shows as the run's current details: what it does, and how far it is, as a small table.
  const heading = requestSummary(req);
  let shown = '';
  let ending: RunEnding | undefined;
  const show = () => {
    const details = `${heading}\n\n${progressDetails(progress, ending)}`;
    if (details !== shown) setCurrentDetails((shown = details));
  };
  show();
  // The search attribute follows the coarse phase only (waiting counts as adding).
  let recordedPhase: string = progress.phase;
  const enter = (next: Phase) => {
    const coarse = next === 'waiting' ? 'adding' : next;
    if (coarse !== recordedPhase) {
      recordedPhase = coarse;
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.phase, value: coarse }]);
    }
  };
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.provider, value: provider },
    { key: SEARCH_ATTRIBUTES.region, value: req.region },
    { key: SEARCH_ATTRIBUTES.serverGroupId, value: groupIdOf(group) },
    { key: SEARCH_ATTRIBUTES.phase, value: progress.phase },
  ]);

  // Only the coordinator this request submitted to knows the nonce: anything else signalled here is ignored.
  const nonce = uuid4();
  let outcome: Outcome | undefined;
  let resend = false;
  setHandler(requestSignal, (raw) => {
    const parsed = coordinationSchemas().RequestUpdateSchema.safeParse(raw);
    if (!parsed.success || parsed.data.nonce !== nonce) {
      log.warn('request ignored a message that is not from its coordinator', {
        reason: parsed.success ? 'wrong nonce' : firstIssue(parsed.error),
      });
      return;
    }
    const update = parsed.data;
    if (update.kind === 'progress') {
      const { statusCounts: legacy, states, providerStatuses, ...rest } = update.progress;
      progress = {
        ...rest,
        requested: servers.length,
        states: states ?? {},
        providerStatuses: providerStatuses ?? legacy ?? {},
      };
      enter(progress.phase);
      show();
    } else if (update.kind === 'resend') {
      resend = true;
    } else {
      outcome ??= update;
    }
  });

  const coordinatorId = coordinatorWorkflowId(group, info.taskQueue);
  const requester = { workflowId: info.workflowId, runId: info.runId };
  const submit: CoordinatorMessage = { kind: 'submit', requester, nonce, request: req };
  // A hand-over is not cancellable: once asked, the coordinator must hear of the request, or a cancel could find nothing.
  const handOver = (message: CoordinatorMessage) =>
    handOverAs(`${message.kind === 'cancel' ? 'cancel at' : 'hand over to'} the coordinator of ${groupLabel(group)}`)({
      coordinatorId,
      message,
    });
  const deliver = (message: CoordinatorMessage) => CancellationScope.nonCancellable(() => handOver(message));

  await deliver(submit);
  let cancelled: unknown;
  try {
    while (!outcome) {
      const heard = await condition(() => outcome !== undefined || resend, RESUBMIT_AFTER_MS);
      if (outcome) break;
      resend = false;
      if (!heard) log.warn('no word from the coordinator: handing the request over again', { coordinatorId });
      await deliver(submit);
    }
  } catch (error) {
    if (!isCancellation(error)) throw error;
    cancelled = error;
    // Stop the coordinator's work for this request, and wait for its report (what was added, what was rolled back).
    await CancellationScope.nonCancellable(async () => {
      if (!outcome) await handOver({ kind: 'cancel', requester, nonce });
      if (!(await condition(() => outcome !== undefined, RESUBMIT_AFTER_MS)))
        log.warn('no report from the coordinator after the cancellation', { coordinatorId });
    });
  }

  const statuses = outcome ? spreadOver(outcome.statuses, keys) : new Map<string, string>();
  const serverStatuses = keys.map((k): ServerStatus => ({ key: k, status: statuses.get(k) ?? 'unknown' }));
  if (cancelled !== undefined && outcome?.kind === 'completed') {
    // The run was done before the cancellation reached the coordinator: nothing was stopped or rolled back, so the
    // caller gets the result, not a "cancelled" whose servers all stayed.
    log.info('cancellation came after the run had completed: returning its result', { coordinatorId });
    cancelled = undefined;
  }
  if (cancelled !== undefined) {
    // The SDK's cancellation carries no details: the report goes in the memo, where the client library reads it.
    const report =
      outcome?.kind === 'cancelled' ? outcome.report : outcome?.kind === 'failed' ? outcome.details : undefined;
    upsertMemo({ [REPORT_MEMO]: { added: [], alreadyPresent: [], ...report, type: 'Cancelled' } });
    enter('failed');
    progress = { ...progress, phase: 'failed' };
    show();
    countEnding(provider, 'cancelled', 'Cancelled', report?.added?.length ?? 0);
    throw cancelled;
  }
  if (!outcome || outcome.kind === 'cancelled') {
    countEnding(provider, 'failed', 'ProviderUnavailable', 0);
    throw workflowFailure('ProviderUnavailable', 'the group coordinator stopped this request without a cancellation', {
      type: 'ProviderUnavailable',
      added: [],
      alreadyPresent: [],
    });
  }
  if (outcome.kind === 'failed') {
    enter('failed');
    progress = { ...progress, phase: 'failed' };
    const details = outcome.details as FailureDetails;
    ending = { type: details.type, code: details.code, quota: details.quota };
    show();
    countEnding(provider, 'failed', details.type, details.added?.length ?? 0);
    throw workflowFailure(details.type, outcome.message, details);
  }
  enter('completed');
  countEnding(provider, 'completed', '', req.options.dryRun ? 0 : outcome.added.length);
  progress = {
    ...progress,
    phase: 'completed',
    chunksDone: outcome.chunks,
    chunksTotal: outcome.chunks,
    added: outcome.added.length,
    alreadyPresent: outcome.alreadyPresent.length,
    ...countStates(
      provider,
      req.options.waitFor,
      serverStatuses.map((s) => s.status),
    ),
  };
  show();
  return {
    provider,
    dryRun: req.options.dryRun,
    added: outcome.added,
    alreadyPresent: outcome.alreadyPresent,
    servers: serverStatuses,
    requestIds: outcome.requestIds,
    timings: { startedAt, finishedAt: new Date().toISOString(), chunks: outcome.chunks },
  };
}

/** Fails the run as ValidationError; `LbPhase` says `failed` like every other terminal run (the client set `validating`). */
function refuse(request: unknown, issues: { path: string; message: string }[]): never {
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.phase, value: 'failed' }]);
  const provider = (request as { provider?: unknown } | null)?.provider;
  countEnding(
    provider === 'alibaba-gwlb' || provider === 'huawei-elb' ? provider : 'unknown',
    'failed',
    'ValidationError',
    0,
  );
  throw workflowFailure('ValidationError', formatIssues(issues), {
    type: 'ValidationError',
    added: [],
    alreadyPresent: [],
    issues,
  });
}

function validateRequest(request: unknown) {
  // The client's size rule, for callers that start the workflow directly (the input came from JSON: no cycles).
  const size = requestSizeIssue(request);
  if (size) refuse(request, [size]);
  const checked = validateAddServersRequest(request);
  if (!checked.ok) refuse(request, checked.issues);
  return checked.request;
}
