// Following a group's coordinator: hand a submission over, then hear its word until the outcome. Any request
// workflow that hands work to a coordinator follows it this way: only the submission differs.
import {
  CancellationScope,
  condition,
  defineQuery,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, HandedOver } from '../activities/index.js';
import {
  CALL_RETRY_POLICY,
  CONFIRM_QUERY,
  firstIssue,
  SERVERS_QUERY,
  TIMINGS,
  type ConfirmAsk,
  type CoordinatorMessage,
  type Progress,
  type RequestUpdate,
  type ServersAsk,
} from '../domain/index.js';
import { coordinationSchemas } from '../registry/index.js';
import { requestSignal } from './coordinator/workflow.js';

/** The coordinator's question to this request (CONFIRM_QUERY). */
export const confirmQuery = defineQuery<boolean, [unknown]>(CONFIRM_QUERY);

/** The coordinator's ask for a page of this request's servers (SERVERS_QUERY). */
export const serversQuery = defineQuery<unknown[] | null, [unknown]>(SERVERS_QUERY);

/** Without a word from the coordinator for this long, the request hands itself over again (a lost or restarted coordinator takes it up). */
const RESUBMIT_AFTER_MS = 600_000;

/**
 * Since 0.4 a request watches the coordinator incarnation it handed its servers to, and hands them over again as soon
 * as it closes (terminated by an operator, failed, or gone for any reason), with the servers lbflow sent for it (they
 * stay its own). A patch: requests recorded before only handed over again after RESUBMIT_AFTER_MS of silence.
 */
export const WATCH_COORDINATOR = 'lbflow-0.4-watch-coordinator';

/**
 * Watching: one look at the coordinator every TIMINGS.coordinatorWatchMs, by the retry policy (a look that finds it
 * running fails benignly and is tried again: no history event until it closes).
 */
const watchAs = (summary: string) =>
  proxyActivities<Activities>({
    startToCloseTimeout: TIMINGS.startToCloseMs,
    retry: { initialInterval: TIMINGS.coordinatorWatchMs, backoffCoefficient: 1 },
    summary,
  }).watchCoordinator;

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
  /**
   * When the submission carries its servers' count alone (`pages`): the servers, for the coordinator to fetch
   * (SERVERS_QUERY), and the submission with them in it, for a coordinator that does not fetch (an earlier release's).
   */
  readonly paged?: {
    readonly servers: readonly unknown[];
    readonly inline: (requester: { workflowId: string; runId: string }, nonce: string) => CoordinatorMessage;
  };
  /** Each progress message, as it arrives. */
  readonly onProgress: (progress: RequestUpdate & { kind: 'progress' }) => void;
}

/**
 * Hands the submission over, hands it over again when asked (no room yet), when the coordinator closed, or when it is
 * silent, and returns its outcome. A cancellation of this run is passed on, and its report (what was added, what rolled
 * back) awaited. A hand-over is not cancellable: once asked, the coordinator must hear of the request, or a cancel
 * could find nothing.
 */
export async function followCoordinator(follow: Follow): Promise<Followed> {
  const { coordinatorId } = follow;
  // Only the coordinator this request submitted to knows the nonce: anything else signalled here is ignored.
  const nonce = uuid4();
  const heard = new Hearing(nonce, follow.onProgress);
  setHandler(requestSignal, (raw) => heard.hear(raw));
  // The coordinator asks before it acts on a message in this request's name: true only for this run's own nonce (and
  // servers lbflow told it were sent for it). A query: nothing is recorded, and it answers while the request waits.
  setHandler(confirmQuery, (ask) => heard.confirms(ask));
  const { paged } = follow;
  if (paged) setHandler(serversQuery, (ask) => pageOf(paged.servers, nonce, ask));
  const info = workflowInfo();
  const requester = { workflowId: info.workflowId, runId: info.runId };
  const submission = follow.submission(requester, nonce);
  const inline = paged?.inline(requester, nonce);
  const watching = patched(WATCH_COORDINATOR) ? new Watch(follow.groupLabel) : undefined;
  const handOver = async (message: CoordinatorMessage) => {
    // With its submission, a watching request says what lbflow sent for it so far (and that it hears `sending`).
    const owned: CoordinatorMessage[] =
      watching && message.kind === 'submit' ? [{ kind: 'owned', requester, nonce, keys: [...heard.owned] }] : [];
    const summary = `${message.kind === 'cancel' ? 'cancel at' : 'hand over to'} the coordinator of ${follow.groupLabel}`;
    const delivered = await handOverAs(summary)({
      coordinatorId,
      message,
      ...(owned.length ? { then: owned } : {}),
      ...(inline && message === submission ? { inline } : {}),
    });
    watching?.follow(delivered);
  };
  const deliver = (message: CoordinatorMessage) => CancellationScope.nonCancellable(() => handOver(message));
  const closed = () => watching?.closed === true;

  await deliver(submission);
  try {
    while (!heard.outcome) {
      const woke = await condition(() => heard.outcome !== undefined || heard.resend || closed(), RESUBMIT_AFTER_MS);
      if (heard.outcome) break;
      heard.resend = false;
      if (closed()) log.warn('the coordinator closed: handing the request over again', { coordinatorId });
      else if (!woke) log.warn('no word from the coordinator: handing the request over again', { coordinatorId });
      await deliver(submission);
    }
    return { outcome: heard.outcome, cancelled: undefined };
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // Stop the coordinator's work for this request, and wait for its report (what was added, what was rolled back).
    // A coordinator that closes meanwhile never reports: hand the request over again (what lbflow sent for it is its
    // own), and cancel it there, so its rollback still happens.
    await CancellationScope.nonCancellable(async () => {
      if (!heard.outcome) await handOver({ kind: 'cancel', requester, nonce });
      for (;;) {
        const woke = await condition(() => heard.outcome !== undefined || closed(), RESUBMIT_AFTER_MS);
        if (heard.outcome) break;
        if (!woke) {
          log.warn('no report from the coordinator after the cancellation', { coordinatorId });
          break;
        }
        log.warn('the coordinator closed before it reported the cancellation: handing it over again', {
          coordinatorId,
        });
        await handOver(submission);
        await handOver({ kind: 'cancel', requester, nonce });
      }
    });
    return { outcome: heard.outcome, cancelled: error };
  }
}

/**
 * The coordinator incarnation this request was last handed to, watched until it closes. A hand-over to the same
 * incarnation keeps the watch; one that reached another (the last closed, or exited idle meanwhile) starts a new one.
 */
class Watch {
  #incarnation: string | undefined;
  closed = false;

  constructor(readonly groupLabel: string) {}

  follow(delivered: HandedOver | undefined): void {
    if (!delivered?.incarnation || (delivered.incarnation === this.#incarnation && !this.closed)) return;
    this.#incarnation = delivered.incarnation;
    this.closed = false;
    const mine = delivered.incarnation;
    // Not cancellable: a cancelled request still waits for its report, and must know if the coordinator closes.
    void CancellationScope.nonCancellable(() =>
      watchAs(`watch the coordinator of ${this.groupLabel}`)(delivered).then(
        (watched) => {
          if (watched.status === 'STRANDED')
            log.warn('the coordinator was stranded on a task queue no worker serves: this request ended it', {
              coordinatorId: delivered.coordinatorId,
              taskQueue: watched.taskQueue,
            });
          if (this.#incarnation === mine) this.closed = true;
        },
        (error: unknown) => log.warn('watching the coordinator failed', { error: String(error) }),
      ),
    );
  }
}

/**
 * The page of `servers` a coordinator asked for: from `offset`, as many as fit in `maxBytes` as JSON (one at least),
 * or null when the ask does not carry this run's nonce.
 */
export function pageOf(servers: readonly unknown[], nonce: string, raw: unknown): unknown[] | null {
  const ask = (raw ?? {}) as Partial<ServersAsk>;
  const { offset, maxBytes } = ask;
  if (ask.nonce !== nonce || !Number.isInteger(offset) || typeof maxBytes !== 'number') return null;
  const page: unknown[] = [];
  let bytes = 2;
  for (let n = offset!; n < servers.length; n++) {
    bytes += JSON.stringify(servers[n]).length + (page.length > 0 ? 1 : 0);
    if (page.length > 0 && bytes > maxBytes) break;
    page.push(servers[n]);
  }
  return page;
}

/** What the coordinator said so far: its messages are checked (schema and nonce) and kept here. */
class Hearing {
  outcome: Outcome | undefined;
  /** The coordinator asked for the submission again. */
  resend = false;
  /** Servers lbflow sent for this request (`sending`, from the adds): its own, if the group holds them. */
  readonly owned = new Set<string>();

  constructor(
    readonly nonce: string,
    readonly onProgress: Follow['onProgress'],
  ) {}

  /** Whether this request sent `ask`'s nonce, and lbflow told it every one of `ask`'s keys was sent for it. */
  confirms(ask: unknown): boolean {
    const { nonce, keys } = (ask ?? {}) as Partial<ConfirmAsk>;
    if (nonce !== this.nonce || !Array.isArray(keys)) return false;
    return keys.every((key) => typeof key === 'string' && this.owned.has(key));
  }

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
    else if (update.kind === 'sending') for (const key of update.keys) this.owned.add(key);
    else this.outcome ??= update;
  }
}

/** The progress a message says, in the current shape (a message of an earlier version carries one mixed map). */
export function progressOfMessage(update: RequestUpdate & { kind: 'progress' }, requested: number): Progress {
  const { statusCounts: legacy, states, providerStatuses, ...rest } = update.progress;
  return { ...rest, requested, states: states ?? {}, providerStatuses: providerStatuses ?? legacy ?? {} };
}
