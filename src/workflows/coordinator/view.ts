// What the coordinator shows: each change's name (the activity summary in the Web UI), its current details (queued,
// in flight, live), the `group` query's answer, and the worker's metrics (the SDK records nothing while replaying).
import { metricMeter, setCurrentDetails } from '@temporalio/workflow';
import { count, serverCount, type GroupView } from '../../domain/index.js';
import { groupIdOf, groupLabel } from '../../registry/index.js';
import { isAdmitted, phaseOf, progressOf, type AddChange, type Change, type Ledger } from '../ledger/index.js';
import type { Flight } from './state.js';
import { requestName } from './effects.js';

/** Servers and requests of the change in flight, the chunks after it counted in. */
function flightFigures(flight: Flight): { servers: number; chunks: number; requests: string[] } {
  const { change, following } = flight;
  if (change.kind === 'remove') return { servers: change.keys.length, chunks: 1, requests: [change.request] };
  return {
    servers: change.keys.length + following.reduce((n, f) => n + f.keys.length, 0),
    chunks: 1 + following.length,
    requests: [...new Set([...change.requests, ...following.flatMap((f) => f.requests)])],
  };
}

/** A change's name, given when it starts: "chunk 3/5 of request-… · 200 servers · alibaba-gwlb cn-hangzhou sgp-…". */
export function changeSummary(ledger: Ledger, change: Change, following: AddChange[]): string {
  if (change.kind === 'remove') return `roll back ${serverCount(change.keys.length)} of ${requestName(change.request)}`;
  const { servers, chunks, requests } = flightFigures({ change, following, summary: '' });
  const only = requests.length === 1 ? ledger.request(requests[0]!) : undefined;
  let which = `${chunks === 1 ? 'a chunk' : `${chunks} chunks`} for ${requests.length} requests`;
  if (only) {
    const p = progressOf(ledger, only);
    which = `chunk ${p.chunksDone + 1}${chunks > 1 ? `–${p.chunksDone + chunks}` : ''}/${p.chunksTotal} of ${requestName(only.id)}`;
  }
  return `${change.dry ? 'dry run · ' : ''}${which} · ${serverCount(servers)} · ${groupLabel(ledger.state.group)}`;
}

/** The `group` query's answer. */
export function groupView(ledger: Ledger | undefined, incarnation: string, flight: Flight | undefined): GroupView {
  if (!ledger)
    return {
      group: undefined,
      incarnation,
      seq: 0,
      queued: 0,
      inFlight: undefined,
      requests: [],
      awaitingAdmission: 0,
      pages: true,
    };
  const change = flight?.change;
  return {
    group: ledger.state.group,
    incarnation,
    seq: ledger.state.seq,
    queued: ledger.queued(),
    inFlight:
      flight && change
        ? {
            kind: change.kind === 'remove' ? 'remove' : change.dry ? 'dry-run' : 'add',
            ...flightFigures(flight),
            token: change.token,
          }
        : undefined,
    requests: ledger.live.map((request) => ({
      workflowId: request.id,
      runId: request.runId,
      phase: phaseOf(ledger, request),
      requested: request.requested,
      queued: ledger.queued(request),
      added: request.added.length,
      alreadyPresent: request.alreadyPresent.length,
    })),
    awaitingAdmission: ledger.live.filter((request) => !isAdmitted(request)).length,
    pages: true,
  };
}

/** The live face: the Web UI's current details and the queue-depth gauge, each set only when it changed. */
export class Shown {
  #details = '';
  #depth = -1;
  readonly #queueDepth = metricMeter.createGauge(
    'lbflow_group_queue_depth',
    'int',
    'servers',
    "Servers queued for a group's next changes, by provider and server group",
  );
  readonly #changeServers = metricMeter.createHistogram(
    'lbflow_change_servers',
    'int',
    'servers',
    'Servers per add change (coalesced across requests), by provider',
  );

  /** How well requests coalesce: the servers each add carries (chunks back to back summed). */
  changeStarted(ledger: Ledger, flight: Flight): void {
    if (flight.change.kind === 'add' && !flight.change.dry)
      this.#changeServers.record(flightFigures(flight).servers, { provider: ledger.provider });
  }

  update(ledger: Ledger, flight: Flight | undefined): void {
    const depth = ledger.queued();
    const inFlight = flight ? flight.summary.split(' · ').slice(0, 2).join(' · ') : '–';
    const details = [
      '| | |',
      '|---|---|',
      `| **queued** | ${serverCount(depth)} |`,
      `| **in flight** | ${inFlight} |`,
      `| **live requests** | ${count(ledger.live.length)} |`,
    ].join('\n');
    if (details !== this.#details) setCurrentDetails((this.#details = details));
    if (depth !== this.#depth)
      this.#queueDepth.set((this.#depth = depth), {
        provider: ledger.provider,
        server_group: groupIdOf(ledger.state.group),
      });
  }
}
