// addServersToServerGroup: validate → dedupe → hand the servers to the group's coordinator → follow its word →
// the result, or a typed failure that says exactly what this request added (and, with rollback, removed again).
// The coordinator is the only writer of the group; this workflow never calls a provider itself.
import { log, patched, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  formatIssues,
  INLINE_SUBMISSION_BYTES,
  REPORT_MEMO,
  requestSizeIssue,
  SEARCH_ATTRIBUTES,
  spreadOver,
  type AddServersRequest,
  type AddServersResult,
  type CoordinatorMessage,
  type FailureDetails,
  type Server,
} from '../domain/index.js';
import {
  coordinatorWorkflowId,
  dedupeServers,
  groupLabel,
  groupRefOf,
  identityKey,
  PROVIDERS,
  queueCoordinatorWorkflowId,
  validateAddServersRequest,
} from '../registry/index.js';
import { workflowFailure } from './failures.js';
import { followCoordinator, progressOfMessage, type Follow, type Followed, type Outcome } from './follow.js';
import { countEnding, RequestView } from './request-view.js';

export { progressQuery } from './request-view.js';

/**
 * Since 0.4 a request hands its servers to its group's one coordinator whatever its task queue; before, a request on
 * a queue other than `lbflow` had a coordinator of its queue's own (`…@<queue>`), and replays as it did.
 */
export const ONE_COORDINATOR_PER_GROUP = 'lbflow-0.4-one-coordinator-per-group';

export async function addServersToServerGroup(request: unknown, ...extra: unknown[]): Promise<AddServersResult> {
  const req = validate(request, extra);
  const group = groupRefOf(req);
  const servers = dedupeServers(req.provider, req.servers).unique as Server[];
  const startedAt = new Date().toISOString();
  const view = new RequestView(req, group, servers.length);
  const followed = await followCoordinator({
    coordinatorId: patched(ONE_COORDINATOR_PER_GROUP)
      ? coordinatorWorkflowId(group)
      : queueCoordinatorWorkflowId(group, workflowInfo().taskQueue),
    groupLabel: groupLabel(group),
    ...submissionOf(req, servers),
    onProgress: (update) => view.heard(progressOfMessage(update, servers.length)),
  });
  const keys = servers.map((s) => identityKey(req.provider, s));
  return report(req, keys, view, followed, startedAt);
}

/**
 * Since 0.4 a request whose servers take more than INLINE_SUBMISSION_BYTES submits their count alone, and its
 * coordinator fetches them in pages when it has room: a burst of big requests no longer lands in its history at once.
 * A patch: requests recorded before submitted their servers.
 */
export const PAGED_SUBMISSION = 'lbflow-0.4-paged-submission';

/** The submission: the request itself, or (big, since 0.4) its servers' count, with the request as the fallback. */
function submissionOf(req: AddServersRequest, servers: Server[]): Pick<Follow, 'submission' | 'paged'> {
  const whole = (requester: Requester, nonce: string): CoordinatorMessage => ({
    kind: 'submit',
    requester,
    nonce,
    request: req,
  });
  const bytes = JSON.stringify(servers).length;
  if (bytes <= INLINE_SUBMISSION_BYTES || !patched(PAGED_SUBMISSION)) return { submission: whole };
  // The first server keeps the request whole for its schema; the coordinator fetches every one, from the first.
  const first = req.servers.slice(0, 1) as typeof req.servers;
  return {
    submission: (requester, nonce) => ({
      kind: 'submit',
      requester,
      nonce,
      request: { ...req, servers: first } as AddServersRequest,
      pages: { count: servers.length, bytes },
    }),
    paged: { servers, inline: whole },
  };
}

type Requester = Parameters<Follow['submission']>[0];

/** The request as the schema reads it, or a ValidationError naming every issue (nothing reaches a provider). */
function validate(request: unknown, extra: unknown[]): AddServersRequest {
  if (extra.length > 0)
    refuse(request, [
      {
        path: '',
        message: `addServersToServerGroup takes exactly one argument, the request; got ${extra.length + 1}.`,
      },
    ]);
  // The client's size rule, for callers that start the workflow directly (the input came from JSON: no cycles).
  const size = requestSizeIssue(request);
  if (size) refuse(request, [size]);
  const checked = validateAddServersRequest(request);
  if (!checked.ok) refuse(request, checked.issues);
  return checked.request;
}

/** Fails the run as ValidationError; `LbPhase` says `failed` like every other terminal run (the client set `validating`). */
function refuse(request: unknown, issues: { path: string; message: string }[]): never {
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.phase, value: 'failed' }]);
  const provider = (request as { provider?: unknown } | null)?.provider;
  const known = (PROVIDERS as readonly unknown[]).includes(provider);
  countEnding(known ? (provider as string) : 'unknown', 'failed', 'ValidationError', 0);
  throw workflowFailure('ValidationError', formatIssues(issues), {
    type: 'ValidationError',
    added: [],
    alreadyPresent: [],
    issues,
  });
}

/** The run's ending, from the coordinator's outcome: the result, or the failure the caller reads. */
function report(
  req: AddServersRequest,
  keys: string[],
  view: RequestView,
  { outcome, cancelled }: Followed,
  startedAt: string,
): AddServersResult {
  const statuses = outcome ? spreadOver(outcome.statuses, keys) : new Map<string, string>();
  const seen = keys.map((k) => statuses.get(k) ?? 'unknown');
  if (cancelled !== undefined && outcome?.kind !== 'completed') cancelledRun(view, outcome, seen, cancelled);
  // The run was done before the cancellation reached the coordinator: nothing was stopped or rolled back, so the
  // caller gets the result, not a "cancelled" whose servers all stayed.
  if (cancelled !== undefined) log.info('cancellation came after the run had completed: returning its result');
  if (!outcome || outcome.kind === 'cancelled') stoppedUnasked(view, outcome, seen);
  if (outcome.kind === 'failed') failedRun(view, outcome, seen);
  view.enter('completed');
  view.count('completed', '', req.options.dryRun ? 0 : outcome.added.length);
  view.ended('completed', { ...outcome, statuses: seen });
  view.show();
  return {
    provider: req.provider,
    dryRun: req.options.dryRun,
    added: outcome.added,
    alreadyPresent: outcome.alreadyPresent,
    servers: keys.map((key, n) => ({ key, status: seen[n]! })),
    requestIds: outcome.requestIds,
    timings: { startedAt, finishedAt: new Date().toISOString(), chunks: outcome.chunks },
  };
}

/** Cancelled: the SDK's cancellation carries no details, so the report goes in the memo, where the client reads it. */
function cancelledRun(view: RequestView, outcome: Outcome | undefined, seen: string[], cancelled: unknown): never {
  const report =
    outcome?.kind === 'cancelled' ? outcome.report : outcome?.kind === 'failed' ? outcome.details : undefined;
  const memo = { added: [], alreadyPresent: [], ...report, type: 'Cancelled' };
  upsertMemo({ [REPORT_MEMO]: memo });
  view.enter('failed');
  view.ended('failed', { ...memo, statuses: seen }, { type: 'Cancelled' });
  view.show();
  view.count('cancelled', 'Cancelled', report?.added?.length ?? 0);
  throw cancelled;
}

/** The coordinator stopped this request though it was not cancelled: nothing it reported is known. */
function stoppedUnasked(view: RequestView, outcome: Outcome | undefined, seen: string[]): never {
  const report = outcome?.kind === 'cancelled' ? outcome.report : { added: [], alreadyPresent: [] };
  view.ended('failed', { ...report, statuses: seen }, { type: 'ProviderUnavailable' });
  view.show();
  view.count('failed', 'ProviderUnavailable', 0);
  throw workflowFailure('ProviderUnavailable', 'the group coordinator stopped this request without a cancellation', {
    type: 'ProviderUnavailable',
    added: [],
    alreadyPresent: [],
  });
}

function failedRun(view: RequestView, outcome: Extract<Outcome, { kind: 'failed' }>, seen: string[]): never {
  const details = outcome.details as FailureDetails;
  view.enter('failed');
  view.ended(
    'failed',
    { ...details, statuses: seen },
    { type: details.type, code: details.code, quota: details.quota },
  );
  view.show();
  view.count('failed', details.type, details.added?.length ?? 0);
  throw workflowFailure(details.type, outcome.message, details);
}
