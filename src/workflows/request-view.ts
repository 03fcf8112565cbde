// What a request run shows while it lives and after: its progress (the `progress` query, which `lbflow status`
// reads), the Web UI's current details, the `LbPhase` search attribute, and the worker's metrics when it ends.
// Every ending sets the progress from the coordinator's report, so what is shown agrees with it by construction.
import { defineQuery, metricMeter, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import {
  countStates,
  progressDetails,
  SEARCH_ATTRIBUTES,
  PROGRESS_QUERY,
  type AddServersRequest,
  type GroupRef,
  type Phase,
  type Progress,
  type RunEnding,
} from '../domain/index.js';
import { groupIdOf, requestSummary } from '../registry/index.js';
import { definitionOf } from '../registry/index.js';

export const progressQuery = defineQuery<Progress>(PROGRESS_QUERY);

/** What the coordinator's report says of a request's servers, in any ending. */
export interface Report {
  readonly added: readonly string[];
  readonly alreadyPresent: readonly string[];
  /** Each requested server's last status, in request order ('unknown' when never seen). */
  readonly statuses: readonly string[];
  /** Chunks its servers went in, when the report counts them (a completed run's does). */
  readonly chunks?: number | undefined;
}

export class RequestView {
  #progress: Progress;
  #ending: RunEnding | undefined;
  #ended = false;
  #shown = '';
  #phase: string;
  readonly #heading: string;

  constructor(
    readonly request: AddServersRequest,
    readonly group: GroupRef,
    requested: number,
  ) {
    this.#progress = {
      phase: 'listing',
      chunksDone: 0,
      chunksTotal: Math.ceil(requested / request.options.maxChunkSize),
      requested,
      added: 0,
      alreadyPresent: 0,
      states: { pending: requested },
      providerStatuses: {},
    };
    this.#phase = this.#progress.phase;
    this.#heading = requestSummary(request);
    setHandler(progressQuery, () => this.#progress);
    this.#show();
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.provider, value: request.provider },
      { key: SEARCH_ATTRIBUTES.region, value: request.region },
      { key: SEARCH_ATTRIBUTES.serverGroupId, value: groupIdOf(group) },
      { key: SEARCH_ATTRIBUTES.phase, value: this.#phase },
    ]);
  }

  /** A progress message from the coordinator; none counts once the run has ended (the report has said it all). */
  heard(progress: Progress): void {
    if (this.#ended) return;
    this.#progress = progress;
    this.#enter(progress.phase);
    this.#show();
  }

  /**
   * The run ended: its progress is the report's, every count from it. The chunks are the report's when it counts
   * them, else the last the coordinator told; the chunks planned never shrink at an ending.
   */
  ended(phase: 'completed' | 'failed', report: Report, ending?: RunEnding): void {
    const last = this.#progress;
    const chunksDone = report.chunks ?? last.chunksDone;
    this.#progress = {
      phase,
      chunksDone,
      chunksTotal: report.chunks ?? Math.max(last.chunksTotal, chunksDone),
      requested: last.requested,
      added: report.added.length,
      alreadyPresent: report.alreadyPresent.length,
      ...countStates(definitionOf(this.request.provider).readiness, this.request.options.waitFor, report.statuses),
    };
    this.#ending = ending;
    this.#ended = true;
  }

  /** Records the ending's phase in the search attribute (a command: each ending calls it where it always did). */
  enter(phase: Phase): void {
    this.#enter(phase);
  }

  show(): void {
    this.#show();
  }

  /** How the run ended, on the worker's metrics endpoint (`lbflow_requests`, `lbflow_servers_added`). */
  count(outcome: 'completed' | 'failed' | 'cancelled', failureType: string, added: number): void {
    countEnding(this.request.provider, outcome, failureType, added);
  }

  /** The search attribute follows the coarse phase only (waiting counts as adding). */
  #enter(next: Phase): void {
    const coarse = next === 'waiting' ? 'adding' : next;
    if (coarse === this.#phase) return;
    this.#phase = coarse;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.phase, value: coarse }]);
  }

  /** What the Web UI shows as the run's current details: what it does, and how far it is, as a small table. */
  #show(): void {
    const details = `${this.#heading}\n\n${progressDetails(this.#progress, this.#ending)}`;
    if (details !== this.#shown) setCurrentDetails((this.#shown = details));
  }
}

/**
 * How each request ended, on the worker's metrics endpoint. The SDK's workflow meter records nothing while a history
 * is replayed, so a run is counted once.
 */
export function countEnding(
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
