// The workflow's message contract: what callers send, read while it runs, and get back or catch.
import type { FailureType } from './failures.js';
import type { GroupRefOf, Provider } from './provider.js';

/** The server group a run works on, in its provider's terms (each provider's definition declares its own). */
export type GroupRef = GroupRefOf;

/** The phase a run is in (the `progress` query); `LbPhase` shows the same, with `waiting` shown as `adding`. */
export type Phase = 'validating' | 'listing' | 'adding' | 'waiting' | 'rolling-back' | 'completed' | 'failed';

export interface ServerStatus {
  /** Identity key (see `identityKey`). */
  readonly key: string;
  /** The provider's last-seen status word (`Available`, `ONLINE`, …) or `dry-run`. */
  readonly status: string;
}

/**
 * Where a requested server is in lbflow's lifecycle: `pending` (not sent, or not listed yet), `added` (the
 * provider accepted it; not read since), `settling` (in the group, not ready by the request's `waitFor` yet),
 * `ready` (ready by `waitFor`), `checked` (a dry run's), `removed` (rolled back).
 */
export type LifecycleState = 'pending' | 'added' | 'settling' | 'ready' | 'checked' | 'removed';
export const LIFECYCLE_STATES: readonly LifecycleState[] = [
  'pending',
  'added',
  'settling',
  'ready',
  'checked',
  'removed',
];

/** What the `progress` query answers. */
export interface Progress {
  readonly phase: Phase;
  readonly chunksDone: number;
  readonly chunksTotal: number;
  readonly requested: number;
  readonly added: number;
  readonly alreadyPresent: number;
  /** How many requested servers are in each lifecycle state (lbflow's vocabulary; zero counts left out). */
  readonly states: Readonly<Partial<Record<LifecycleState, number>>>;
  /** How many were last seen by the provider in each of its own statuses (`Available`, `Adding`, `ONLINE`, …), apart. */
  readonly providerStatuses: Readonly<Record<string, number>>;
}

export interface AddServersResult {
  readonly provider: Provider;
  readonly dryRun: boolean;
  /** Keys of the servers this run added. */
  readonly added: string[];
  /** Keys of requested servers the group already had: not sent. */
  readonly alreadyPresent: string[];
  /** Final status per requested server, in request order. */
  readonly servers: ServerStatus[];
  /** Provider request ids of every call that changed or read the group, in order. */
  readonly requestIds: string[];
  readonly timings: { readonly startedAt: string; readonly finishedAt: string; readonly chunks: number };
}

/** The details of every typed failure (ApplicationFailure `details[0]`): what is in the group and what caused it. */
export interface FailureDetails {
  readonly type: FailureType;
  /** Keys this run added before it stopped (and, with rollback, then removed: see `rolledBack`). */
  readonly added: string[];
  readonly alreadyPresent: string[];
  /** With rollback: the keys this run added and then removed again. */
  readonly rolledBack?: string[];
  /** With rollback: keys this run added but left in the group, because another request asked for them while it ran. */
  readonly keptForOthers?: string[];
  /** Servers that never became ready, with their last status (AvailabilityTimeout). */
  readonly stragglers?: ServerStatus[];
  /** The provider answer behind the failure, when there was one. */
  readonly provider?: Provider;
  readonly code?: string;
  readonly httpStatus?: number;
  readonly requestId?: string;
  readonly action?: string;
  /**
   * QuotaExceeded: servers this request asked for, servers in the refused change, and, when the provider said its
   * usage, the group's quota, what it holds and how many more fit.
   */
  readonly quota?: {
    readonly requested: number;
    readonly change: number;
    readonly limit?: number;
    readonly groupHolds?: number;
    readonly fits?: number;
  };
  /** Validation issues (ValidationError). */
  readonly issues?: { path: string; message: string }[];
}

/** What a caller reads of a run that did not complete: a failure's details, or a cancelled run's report (`type: 'Cancelled'`). */
export type RunReport = Omit<FailureDetails, 'type'> & { readonly type: FailureType | 'Cancelled' };

/** Retryable failure types of a poll that found the group or the servers not ready yet; exhausted, they end the wait. */
export const NOT_READY = {
  group: 'GroupNotReady',
  servers: 'ServersNotReady',
  /** Since 0.4: a request's coordinator is still running (the request's watch looks again). */
  coordinator: 'CoordinatorRunning',
} as const;
