// Every timing lbflow chooses, in one place, each with the reason for its value. Workflows and activities
// both read these; a change here is a change of behaviour (and, for workflow timings, of recorded histories).

export const TIMINGS = {
  /** Activities beat this often while a provider call or an in-place poll is under way: well inside HEARTBEAT_TIMEOUT. */
  heartbeatIntervalMs: 1_000,
  /** A dead worker's attempt is retried after this: with the 1 s retry floor its work resumes within ~5 s (issue 12: ≤ 6 s). */
  heartbeatTimeoutMs: 4_000,
  /** A workflow task on a dead worker's sticky queue moves to the shared queue after this instead of the SDK's 10 s. */
  stickyScheduleToStartMs: 2_000,
  /** One attempt of an activity may last this long: far above any single provider call, below anything a user waits on. */
  startToCloseMs: 60_000,
  /** Temporal spaces retry attempts at least a second apart (observed on the dev server), whatever the policy says. */
  retryFloorMs: 1_000,
  /** Below the retry floor a wait polls in place, heartbeating, for this long per attempt before the retry policy takes over. */
  inAttemptPollingMs: 30_000,
  /** Retries of a refused or failed add: quick first, capped so a busy provider is not hammered. */
  addRetry: { initialMs: 1_000, coefficient: 1.5, maximumMs: 10_000 },
  /** How long an add may keep retrying transient failures (throttling, 5xx, a group stuck Configuring) before it gives up. */
  addRetryWindowMs: 600_000,
  /** Plain provider calls (list, remove): the same backoff as an add, the same window. */
  callRetry: { initialMs: 1_000, coefficient: 1.5, maximumMs: 10_000 },
  /**
   * An add that first waits for an earlier chunk of one request to be ready gives up the writer after this long and hands
   * the wait to a separate read, so other requests' adds are not held behind slow servers for longer than this.
   */
  confirmSliceMs: 5_000,
  /**
   * A workflow task started on a worker that then died is retried after this (Temporal's default is 10 s). The
   * coordinator's tasks take milliseconds, so a killed worker holding one held every add of its group for 10 s; 5 s
   * leaves room for a slow task on a loaded machine and keeps a kill's pause under the 6 s aim.
   */
  workflowTaskTimeoutMs: 5_000,
  /** A coordinator with nothing to do exits after this; the next request starts a new incarnation (with new ClientTokens). */
  coordinatorIdleMs: 300_000,
  /**
   * An idle coordinator looks this often whether the worker deployment's current version changed (an upgrade or a
   * rollback, docs/upgrading.md), and then exits at once: the next request starts its group's coordinator on the new
   * version. Without the look it stays pinned to the old version for the rest of its idle time, and that version's
   * workers cannot stop. Each look costs an idle coordinator one timer (5 history events).
   */
  coordinatorVersionCheckMs: 10_000,
  /** A coordinator continues as new past this many events even when the server does not suggest it yet: replays stay cheap. */
  coordinatorMaxEvents: 2_000,
  /**
   * Since 0.4 a request looks this often whether its coordinator is still running (one describe, by the retry policy:
   * no history event until it closes), so a coordinator terminated by an operator costs its requests seconds.
   */
  coordinatorWatchMs: 3_000,
  /**
   * Since 0.4 a request's watch takes its coordinator as stranded when a workflow task of it has waited this long and
   * no worker has polled its task queue for as long (its deployment is gone: a group has one coordinator whatever the
   * task queue, so one left on a queue nobody serves would hold every deployment's requests). The request ends it, and
   * takes the group up on its own queue. Long polls last about a minute: a live worker polls within this.
   */
  coordinatorStrandedMs: 120_000,
  /**
   * Since 0.4 also past this many bytes of history (big submissions make a few events weigh megabytes), whatever the
   * server's own suggestion is set to: its default (4 MiB) could be raised, and Temporal warns at 10 MB.
   */
  coordinatorMaxHistoryBytes: 4_000_000,
  /**
   * A request hears of its progress at most this often when only its counts changed: each message costs the
   * coordinator five history events and both workflows a task, and a 10,000-server request must stay within 8 events
   * a chunk + 30.
   */
  progressEveryMs: 5_000,
  /**
   * A phase change is told at most this often, and not in a request's first interval: 20 requests that finish within
   * two seconds would otherwise cost 60 messages, each a task of the coordinator's (and the request's) that the next
   * add waits behind. A one-chunk run (about 1.5 s) hears only its outcome, which keeps it within 8 events a chunk
   * + 30. The progress query and the phase search attribute lag by at most this much.
   */
  progressPhaseMs: 2_000,
  /**
   * Where a group takes back-to-back changes (Huawei), one add activity sends up to this many full chunks in a row:
   * a chunk then costs the provider's answer, not also a Temporal round trip (about 20 ms an activity on the dev
   * server against 50 ms an add). Kept small so the coordinator hears new requests, cancels and outcomes between
   * runs within about a second (10 chunks of 200).
   */
  chunksPerAdd: 10,
  /** Spread of the retry after a change was refused because the group was busy, so writers that lost one race do not collide again. */
  groupBusyDelayMs: { min: 200, max: 2_000 },
} as const;

/**
 * Above this many servers a list lists the whole group (pages of up to 1,000/2,000) instead of filtering (at most
 * 200 ids or addresses a call): 10,000 servers are 5–10 pages, not 50 filtered calls.
 */
/** The retry policy of plain calls (list, remove, hand over), in Temporal's terms. */
export const CALL_RETRY_POLICY = {
  initialInterval: TIMINGS.callRetry.initialMs,
  backoffCoefficient: TIMINGS.callRetry.coefficient,
  maximumInterval: TIMINGS.callRetry.maximumMs,
} as const;

export const FILTERED_LIST_MAX = 1_000;
