// The ledger as it crosses continue-as-new: the frame every released coordinator reads (schemas/releases/*/
// carried-state.schema.json), so a run of one version hands its ledger to a run of another, upgrade or rollback.
// The frame stays as 0.1.0 wrote it, in 0.1.0's words (intents for queued servers, pieces for splits, parts for
// unconfirmed chunks); each request's stage is spread over its flat fields, and read back from them.
import type { FailureType, GroupRef, Phase, Server } from '../../domain/index.js';
import type { Ask, Ending, LedgerState, RequestEntry, Rollback, Stage, UnconfirmedChunk } from './model.js';

/** One request in the frame: its stage in flat fields (`admitted`, `listed`, `end`, `removal`, …). */
export interface CarriedRequest extends Pick<
  RequestEntry,
  'id' | 'runId' | 'nonce' | 'arrival' | 'opts' | 'requested' | 'bytes'
> {
  readonly admitted: boolean;
  readonly servers?: Server[] | undefined;
  readonly listed: boolean;
  readonly added: string[];
  readonly alreadyPresent: string[];
  readonly shared: string[];
  readonly statuses: Record<string, string>;
  readonly toConfirm: string[];
  readonly parts: UnconfirmedChunk[];
  readonly partCount: number;
  readonly confirmRead?: { keys: string[]; deadline: number } | undefined;
  readonly finalWait?: { deadline: number } | undefined;
  readonly requestIds: string[];
  readonly end?:
    { kind: Ending['kind']; type?: FailureType; message?: string; details?: Ending['details'] } | undefined;
  readonly removal?: string[] | undefined;
  readonly rolledBack: string[];
  readonly keptForOthers: string[];
  readonly rollbackError?: string | undefined;
  readonly sentPhase?: Phase | undefined;
  readonly sentProgress?: string | undefined;
  readonly sentAt: number;
  /** Since 0.3.0: the chunks it had planned when it ended (earlier versions carry it along unread). */
  readonly chunksPlanned?: number | undefined;
  /** Since 0.4: it hears `sending` (earlier versions drop it: they send none). */
  readonly hears?: boolean | undefined;
  /** Since 0.4: servers lbflow sent for it before, while it waits to be listed (earlier versions drop it). */
  readonly owned?: string[] | undefined;
  /** Since 0.4: what it has not confirmed yet (earlier versions drop it: they ask nothing). Rivals are not carried. */
  readonly asks?: Ask[] | undefined;
  /**
   * Since 0.4: it submitted its servers' count alone, and its servers are fetched from it (earlier versions drop it:
   * such a request is carried waiting for room until all are in, and they ask it to resend, with its servers).
   */
  readonly pages?: true | undefined;
  /** Since 0.4: cancelled before what it owns was listed (earlier versions drop it, and never list it). */
  readonly cancelAfterList?: true | undefined;
}

export interface CarriedLedger {
  readonly v: 1;
  readonly group: GroupRef;
  readonly seq: number;
  readonly arrivals: number;
  readonly pieceSeq: number;
  readonly pieces: number[];
  readonly requests: CarriedRequest[];
  readonly intents: {
    key: string;
    dry: boolean;
    server: Server;
    claimants: string[];
    inflight: boolean;
    piece?: number | undefined;
  }[];
  readonly createdBy: Record<string, string>;
}

/** How a rollback that stopped reads in the frame (and in the failure message). */
const STOPPED = 'rollback stopped: ';

export function toCarried(state: LedgerState): CarriedLedger {
  return {
    v: 1,
    group: state.group,
    seq: state.seq,
    arrivals: state.arrivals,
    pieceSeq: state.splitSeq,
    pieces: state.splits,
    requests: state.requests.map(requestToCarried),
    intents: state.queue.map(({ inFlight, split, ...q }) => ({ ...q, inflight: inFlight, piece: split })),
    createdBy: state.createdBy,
  };
}

export function fromCarried(carried: CarriedLedger): LedgerState {
  return {
    group: carried.group,
    seq: carried.seq,
    arrivals: carried.arrivals,
    splitSeq: carried.pieceSeq,
    splits: carried.pieces,
    requests: carried.requests.map(requestFromCarried),
    queue: carried.intents.map(({ inflight, piece, ...q }) => ({ ...q, inFlight: inflight, split: piece })),
    createdBy: carried.createdBy,
  };
}

function requestToCarried(request: RequestEntry): CarriedRequest {
  const { stage, unconfirmed, chunks, told, asks, ...rest } = request;
  const kept = asks?.filter((a) => !a.rival);
  const rollback = stage.kind === 'ended' ? stage.rollback : { kind: 'none' as const };
  // Servers part fetched are not carried: the next run fetches them again, and a run of an earlier version asks for
  // them (a resend) as for any request waiting for room.
  const partFetched = stage.kind === 'to-list' && request.pages === true && stage.servers.length < request.requested;
  return {
    ...rest,
    admitted: stage.kind === 'ended' ? stage.admitted : stage.kind !== 'awaiting-room' && !partFetched,
    servers: stage.kind === 'to-list' && !partFetched ? stage.servers : undefined,
    listed: stage.kind === 'adding' || stage.kind === 'ended',
    parts: unconfirmed,
    partCount: chunks,
    confirmRead: stage.kind === 'adding' ? stage.confirmRead : undefined,
    finalWait: stage.kind === 'adding' ? stage.finalWait : undefined,
    end: stage.kind === 'ended' ? stage.ending : undefined,
    removal: rollback.kind === 'removing' ? rollback.left : undefined,
    rolledBack: rollback.kind === 'removing' || rollback.kind === 'over' ? rollback.removed : [],
    keptForOthers: rollback.kind === 'removing' || rollback.kind === 'over' ? rollback.kept : [],
    rollbackError: rollback.kind === 'over' && rollback.error !== undefined ? STOPPED + rollback.error : undefined,
    sentPhase: told.phase,
    sentProgress: told.progress,
    sentAt: told.at,
    chunksPlanned: stage.kind === 'ended' ? stage.chunksPlanned : undefined,
    owned: stage.kind === 'to-list' || stage.kind === 'awaiting-room' ? stage.owned : undefined,
    ...(kept && kept.length > 0 ? { asks: kept } : {}),
  };
}

function requestFromCarried(c: CarriedRequest): RequestEntry {
  return {
    id: c.id,
    runId: c.runId,
    nonce: c.nonce,
    arrival: c.arrival,
    opts: c.opts,
    requested: c.requested,
    bytes: c.bytes,
    stage: stageOf(c),
    added: c.added,
    alreadyPresent: c.alreadyPresent,
    shared: c.shared,
    statuses: c.statuses,
    toConfirm: c.toConfirm,
    unconfirmed: c.parts,
    chunks: c.partCount,
    requestIds: c.requestIds,
    told: { phase: c.sentPhase, progress: c.sentProgress, at: c.sentAt },
    ...(c.hears ? { hears: true } : {}),
    ...(c.pages ? { pages: true as const } : {}),
    ...(c.asks && c.asks.length > 0 ? { asks: c.asks } : {}),
    ...(c.cancelAfterList ? { cancelAfterList: true as const } : {}),
  };
}

function stageOf(c: CarriedRequest): Stage {
  if (c.end)
    return {
      kind: 'ended',
      ending: c.end,
      admitted: c.admitted,
      rollback: rollbackOf(c),
      chunksPlanned: c.chunksPlanned,
    };
  if (!c.admitted) return c.owned ? { kind: 'awaiting-room', owned: c.owned } : { kind: 'awaiting-room' };
  if (!c.listed) return { kind: 'to-list', servers: c.servers ?? [], ...(c.owned ? { owned: c.owned } : {}) };
  return { kind: 'adding', confirmRead: c.confirmRead, finalWait: c.finalWait };
}

function rollbackOf(c: CarriedRequest): Rollback {
  const { removal, rolledBack: removed, keptForOthers: kept, rollbackError } = c;
  if (removal && removal.length > 0) return { kind: 'removing', left: removal, removed, kept };
  if (rollbackError !== undefined) return { kind: 'over', removed, kept, error: rollbackError.replace(STOPPED, '') };
  if (removed.length > 0 || kept.length > 0) return { kind: 'over', removed, kept };
  const mayRollBack = c.end?.kind !== 'completed' && c.opts.rollback && !c.opts.dryRun;
  return mayRollBack ? { kind: 'due' } : { kind: 'none' };
}
