// Following a group's coordinator: hand a submission over, then hear its word until the outcome. Any request
// workflow that hands work to a coordinator follows it this way: only the submission differs.
import {
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyLocalActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  CALL_RETRY_POLICY,
  firstIssue,
  TIMINGS,
  type CoordinatorMessage,
  type Progress,
  type RequestUpdate,
} from '../domain/index.js';
import { coordinationSchemas } from '../registry/index.js';
import { requestSignal } from './coordinator/workflow.js';

/** Without a word from the coordinator for this long, the request hands itself over again (a lost or restarted coordinator takes it up). */
const RESUBMIT_AFTER_MS = 600_000;

// A local activity: it only asks Temporal itself (Signal-with-Start), so it runs in the workflow task that decided it,
// with no round trip through the server's activity queue, and the submission (up to 10,000 servers) is not copied
// into this history as an activity input.
const handOverAs = (summary: string) =>
  proxyLocalActivities<Activities>({
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: TIMINGS.addRetryWindowMs,
    retry: CALL_RETRY_POLICY,
    summary,
  }).handOver;

/** The coordinator's last word on a request. */
export type Outcome = Extract<RequestUpdate, { kind: 'completed' | 'failed' | 'cancelled' }>;

/** How following ended: the outcome the coordinator sent, and the cancellation this run got (undefined: none). */
export interface Followed {
  readonly outcome: Outcome | undefined;
  readonly cancelled: unknown;
}

export interface Follow {
  /** The coordinator's workflow id. */
  readonly coordinatorId: string;
  /** The group in words, for the hand-over's summary. */
  readonly groupLabel: string;
  /** The submission, given who submits and the nonce only its coordinator will know. */
  readonly submission: (requester: { workflowId: string; runId: string }, nonce: string) => CoordinatorMessage;
  /** Each progress message, as it arrives. */
  readonly onProgress: (progress: RequestUpdate & { kind: 'progress' }) => void;
}

/**
 * Hands the submission over, hands it over again when asked (no room yet) or when the coordinator is silent, and
 * returns its outcome. A cancellation of this run is passed on, and its report (what was added, what rolled back)
 * awaited. A hand-over is not cancellable: once asked, the coordinator must hear of the request, or a cancel could
 * find nothing.
 */
export async function followCoordinator(follow: Follow): Promise<Followed> {
  const { coordinatorId } = follow;
  // Only the coordinator this request submitted to knows the nonce: anything else signalled here is ignored.
  const nonce = uuid4();
  const heard = new Hearing(nonce, follow.onProgress);
  setHandler(requestSignal, (raw) => heard.hear(raw));
  const info = workflowInfo();
  const requester = { workflowId: info.workflowId, runId: info.runId };
  const submission = follow.submission(requester, nonce);
  const handOver = (message: CoordinatorMessage) =>
    handOverAs(`${message.kind === 'cancel' ? 'cancel at' : 'hand over to'} the coordinator of ${follow.groupLabel}`)({
      coordinatorId,
      message,
    });
  const deliver = (message: CoordinatorMessage) => CancellationScope.nonCancellable(() => handOver(message));

  await deliver(submission);
  try {
    while (!heard.outcome) {
      const woke = await condition(() => heard.outcome !== undefined || heard.resend, RESUBMIT_AFTER_MS);
      if (heard.outcome) break;
      heard.resend = false;
      if (!woke) log.warn('no word from the coordinator: handing the request over again', { coordinatorId });
      await deliver(submission);
    }
    return { outcome: heard.outcome, cancelled: undefined };
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // Stop the coordinator's work for this request, and wait for its report (what was added, what was rolled back).
    await CancellationScope.nonCancellable(async () => {
      if (!heard.outcome) await handOver({ kind: 'cancel', requester, nonce });
      if (!(await condition(() => heard.outcome !== undefined, RESUBMIT_AFTER_MS)))
        log.warn('no report from the coordinator after the cancellation', { coordinatorId });
    });
    return { outcome: heard.outcome, cancelled: error };
  }
}

/** What the coordinator said so far: its messages are checked (schema and nonce) and kept here. */
class Hearing {
  outcome: Outcome | undefined;
  /** The coordinator asked for the submission again. */
  resend = false;

  constructor(
    readonly nonce: string,
    readonly onProgress: Follow['onProgress'],
  ) {}

  hear(raw: unknown): void {
    const parsed = coordinationSchemas().RequestUpdateSchema.safeParse(raw);
    if (!parsed.success || parsed.data.nonce !== this.nonce) {
      log.warn('request ignored a message that is not from its coordinator', {
        reason: parsed.success ? 'wrong nonce' : firstIssue(parsed.error),
      });
      return;
    }
    const update = parsed.data;
    if (update.kind === 'progress') this.onProgress(update);
    else if (update.kind === 'resend') this.resend = true;
    else this.outcome ??= update;
  }
}

/** The progress a message says, in the current shape (a message of an earlier version carries one mixed map). */
export function progressOfMessage(update: RequestUpdate & { kind: 'progress' }, requested: number): Progress {
  const { statusCounts: legacy, states, providerStatuses, ...rest } = update.progress;
  return { ...rest, requested, states: states ?? {}, providerStatuses: providerStatuses ?? legacy ?? {} };
}
