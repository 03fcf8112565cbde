// addServersToServerGroup: validate → dedupe → list → chunk (≤ 200) → per chunk, one activity: wait until the
// chunk `chunksAhead + 1` back is ready and the group accepts a change → add (idempotent) → at the end wait for
// the chunks not confirmed yet; or a typed failure that says exactly what this run added.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  continueAsNew,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities, Uniform } from '../activities/index.js';
import {
  dedupeServers,
  formatIssues,
  identityKey,
  identityOf,
  isFailureType,
  NOT_READY,
  planAdd,
  SEARCH_ATTRIBUTES,
  validateAddServersRequest,
  type AddServersOptions,
  type AddServersRequest,
  type AddServersResult,
  type FailureDetails,
  type FailureType,
  type GroupRef,
  type Phase,
  type Progress,
  type Server,
  type ServerStatus,
} from '../domain/index.js';

export const progressQuery = defineQuery<Progress>('progress');

/** Carried across continue-as-new so a long run goes on where it stopped, with the same plan and tokens. */
export interface ResumeState {
  readonly chunksDone: number;
  readonly added: string[];
  readonly alreadyPresent: string[];
  readonly statuses: Record<string, string>;
  readonly requestIds: string[];
  readonly startedAt: string;
}


function groupRefOf(req: AddServersRequest): GroupRef {
  return req.provider === 'alibaba-gwlb'
    ? { provider: req.provider, region: req.region, serverGroupId: req.serverGroupId }
    : { provider: req.provider, region: req.region, projectId: req.projectId, poolId: req.poolId };
}

function groupIdOf(group: GroupRef): string {
  return group.provider === 'alibaba-gwlb' ? group.serverGroupId : group.poolId;
}

/**
 * Activity options: provider calls retry with backoff; polls retry at a fixed interval, bounded by the wait
 * timeout. An add polls first (its wait) at the poll interval; its own failures set their backoff per attempt.
 */
function activitiesFor(o: AddServersOptions) {
  // Temporal spaces retries at least a second apart; shorter intervals poll inside an attempt (see the activities).
  const retryMs = Math.max(1000, Math.round(o.pollIntervalSeconds * 1000));
  const pollAttempts = Math.ceil((o.availabilityTimeoutSeconds * 1000) / retryMs) + 1;
  // The activities heartbeat every 5 s while a call is in flight: a dead worker's attempt is retried after
  // 15 s instead of the 60 s start-to-close timeout.
  const heartbeatTimeout = '15s';
  const poll: ActivityOptions = {
    startToCloseTimeout: '60s',
    heartbeatTimeout,
    retry: { initialInterval: retryMs, backoffCoefficient: 1, maximumAttempts: pollAttempts },
  };
  const add: ActivityOptions = {
    startToCloseTimeout: '60s',
    heartbeatTimeout,
    // The wait (bounded by the activity itself at the availability timeout), then the add's own retry window.
    scheduleToCloseTimeout: `${o.availabilityTimeoutSeconds + 600}s`,
    retry: { initialInterval: retryMs, backoffCoefficient: 1 },
  };
  const call: ActivityOptions = {
    startToCloseTimeout: '60s',
    heartbeatTimeout,
    // Long enough to outlast a busy group's Configuring windows (wait-for-group) and provider throttling.
    scheduleToCloseTimeout: `${Math.max(o.availabilityTimeoutSeconds, 600)}s`,
    retry: { initialInterval: '1s', backoffCoefficient: 1.5, maximumInterval: '10s' },
  };
  return { calls: proxyActivities<Activities>(call), polls: proxyActivities<Activities>(poll), adds: proxyActivities<Activities>(add) };
}

export async function addServersToServerGroup(request: unknown, resume?: ResumeState): Promise<AddServersResult> {
  const checked = validateAddServersRequest(request);
  if (!checked.ok) {
    const details: FailureDetails = { type: 'ValidationError', added: [], alreadyPresent: [], issues: checked.issues };
    throw ApplicationFailure.create({ type: 'ValidationError', message: formatIssues(checked.issues), details: [details], nonRetryable: true });
  }
  const req = checked.request;
  const o = req.options;
  const group = groupRefOf(req);
  const provider = req.provider;
  // Keys are asked for many times per server (plan, results, progress): work each out once (IPv6 canonical form).
  const keys = new Map<Server, string>();
  const key = (s: Server) => {
    let k = keys.get(s);
    if (k === undefined) keys.set(s, (k = identityKey(provider, s as never)));
    return k;
  };
  const identity = (s: Server) => identityOf(provider, s as never);
  const servers = dedupeServers(provider, req.servers as never[]).unique as Server[];
  const serverByKey = new Map(servers.map((s) => [key(s), s]));
  const { calls, polls, adds } = activitiesFor(o);
  const ahead = o.chunksAhead ?? 0;
  const polling = { pollMs: Math.round(o.pollIntervalSeconds * 1000), waitTimeoutMs: o.availabilityTimeoutSeconds * 1000 };

  let phase: Phase = 'listing';
  const added: string[] = [...(resume?.added ?? [])];
  const statuses: Record<string, string> = { ...(resume?.statuses ?? {}) };
  const requestIds: string[] = [...(resume?.requestIds ?? [])];
  let alreadyPresent: string[] = [...(resume?.alreadyPresent ?? [])];
  let chunksDone = resume?.chunksDone ?? 0;
  let chunksTotal = 0;
  const startedAt = resume?.startedAt ?? new Date().toISOString();

  setHandler(progressQuery, () => {
    const statusCounts: Record<string, number> = {};
    for (const s of servers) {
      const status = statuses[key(s)] ?? 'pending';
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    }
    return { phase, chunksDone, chunksTotal, requested: servers.length, added: added.length, alreadyPresent: alreadyPresent.length, statusCounts };
  });
  // The search attribute follows the coarse phase only (waiting counts as adding), so a chunk records no upsert.
  let recordedPhase: string = phase;
  const enter = (next: Phase) => {
    phase = next;
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
    { key: SEARCH_ATTRIBUTES.phase, value: phase },
  ]);

  // One ClientToken per chunk, stable across retries, worker restarts and continue-as-new (≤ 64 ASCII).
  const token = (kind: 'a' | 'r', index: number) => `lbflow-${workflowInfo().firstExecutionRunId}-${kind}${index}`;

  try {
    if (!resume) {
      const listed = await calls.listGroupServers(group);
      requestIds.push(...listed.requestIds);
      const wanted = new Set(serverByKey.keys());
      for (const m of listed.members) if (wanted.has(m.key)) statuses[m.key] = m.status;
      alreadyPresent = listed.members.filter((m) => wanted.has(m.key)).map((m) => m.key);
    }
    // The same plan on every run of the chain: the servers present at the first listing are never sent.
    const plan = planAdd({ provider, servers: servers as never[], present: alreadyPresent, maxChunkSize: o.maxChunkSize });
    chunksTotal = plan.chunks.length;

    for (let i = chunksDone; i < plan.chunks.length; i++) {
      if (i > (resume?.chunksDone ?? 0) && workflowInfo().continueAsNewSuggested) {
        const state: ResumeState = { chunksDone, added, alreadyPresent, statuses, requestIds, startedAt };
        return await continueAsNew<typeof addServersToServerGroup>(request, state);
      }
      const chunk = plan.chunks[i] as Server[];
      // Each add first confirms the chunk `chunksAhead + 1` back: with 0, a chunk whose servers never become ready
      // stops the run before the next add; with more, adds need not wait for servers that settle slower than the group.
      const confirm = o.dryRun ? undefined : plan.chunks[i - 1 - ahead];
      enter(confirm ? 'waiting' : 'adding');
      const result = await adds.addChunk({
        group,
        servers: chunk as never,
        idempotencyKey: token('a', i),
        dryRun: o.dryRun,
        ...polling,
        ...(confirm ? { confirm: { servers: confirm.map(identity), waitFor: o.waitFor } } : {}),
      });
      requestIds.push(...result.requestIds);
      if (confirm && result.confirmed) for (const [k, status] of spread(result.confirmed, confirm.map(key))) statuses[k] = status;
      for (const [k, outcome] of spread(result.outcomes, chunk.map(key))) {
        if (outcome === 'dry-run') {
          statuses[k] = 'dry-run';
        } else if (outcome === 'accepted' || outcome === 'added' || outcome === 'existed') {
          // `existed` on a key that was absent at listing: our own earlier attempt whose answer was lost.
          added.push(k);
          statuses[k] = 'added';
        }
      }
      chunksDone = i + 1;
    }
    // The chunks no later add has confirmed: the last `chunksAhead + 1`.
    const unconfirmed = plan.chunks.slice(Math.max(0, plan.chunks.length - 1 - ahead)).flat() as Server[];
    if (!o.dryRun && unconfirmed.length > 0) {
      enter('waiting');
      const waited = await polls.waitServersReady({ group, servers: unconfirmed.map(identity), waitFor: o.waitFor, ...polling });
      requestIds.push(...waited.requestIds);
      for (const [k, status] of spread(waited.statuses, unconfirmed.map(key))) statuses[k] = status;
    }
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    const failure = describeFailure(error);
    const details: FailureDetails = { ...failure.details, type: failure.type, added: [...added], alreadyPresent: [...alreadyPresent] };
    if (o.onFailure === 'rollback' && added.length > 0 && !o.dryRun) {
      enter('rolling-back');
      const rolledBack = await CancellationScope.nonCancellable(() => rollback());
      Object.assign(details, { rolledBack });
    }
    if (isCancellation(error)) throw error;
    enter('failed');
    throw ApplicationFailure.create({ type: failure.type, message: failure.message, details: [details], nonRetryable: true, cause: error as Error });
  }

  enter('completed');
  return {
    provider,
    dryRun: o.dryRun,
    added,
    alreadyPresent,
    servers: servers.map((s): ServerStatus => ({ key: key(s), status: statuses[key(s)] ?? 'unknown' })),
    requestIds,
    timings: { startedAt, finishedAt: new Date().toISOString(), chunks: chunksTotal },
  };

  /** Removes exactly what this run added, chunk by chunk, and waits until it is gone. */
  async function rollback(): Promise<string[]> {
    const mine = added.map((k) => serverByKey.get(k)).filter((s): s is Server => s !== undefined);
    const removed: string[] = [];
    for (let i = 0; i * o.maxChunkSize < mine.length; i++) {
      const chunk = mine.slice(i * o.maxChunkSize, (i + 1) * o.maxChunkSize);
      requestIds.push(...(await polls.waitGroupReady(group)).requestIds);
      const result = await calls.removeChunk({ group, servers: chunk as never, idempotencyKey: token('r', i), dryRun: false });
      requestIds.push(...result.requestIds);
      const waited = await polls.waitServersGone({ group, servers: chunk.map(identity), waitFor: o.waitFor });
      requestIds.push(...waited.requestIds);
      for (const s of chunk) {
        removed.push(key(s));
        statuses[key(s)] = 'removed';
      }
    }
    return removed;
  }
}

/** Per-server values from an activity's compact answer, for the keys of the chunk it was about. */
function spread<T extends string>(u: Uniform<T>, keys: readonly string[]): [string, T][] {
  return 'all' in u ? keys.map((k) => [k, u.all]) : u.each.map((e) => [e.key, e.value]);
}

/** The catalogue type, message and provider details of whatever stopped the run. */
function describeFailure(error: unknown): { type: FailureType; message: string; details: Partial<FailureDetails> } {
  const app = findApplicationFailure(error);
  const provider = (app?.details?.[0] ?? {}) as Record<string, unknown>;
  const fromProvider: Partial<FailureDetails> = {
    ...(typeof provider.provider === 'string' ? { provider: provider.provider as FailureDetails['provider'] } : {}),
    ...(typeof provider.code === 'string' ? { code: provider.code } : {}),
    ...(typeof provider.httpStatus === 'number' ? { httpStatus: provider.httpStatus } : {}),
    ...(typeof provider.requestId === 'string' ? { requestId: provider.requestId } : {}),
    ...(typeof provider.action === 'string' ? { action: provider.action } : {}),
  };
  if (app?.type === NOT_READY.servers) {
    const stragglers = (provider.stragglers as ServerStatus[] | undefined) ?? [];
    return {
      type: 'AvailabilityTimeout',
      message: `${stragglers.length} servers did not become ready in time: ${stragglers.slice(0, 10).map((s) => `${s.key} (${s.status})`).join(', ')}${stragglers.length > 10 ? ', …' : ''}`,
      details: { type: 'AvailabilityTimeout', stragglers },
    };
  }
  if (app?.type === NOT_READY.group) {
    return { type: 'ProviderUnavailable', message: `the server group never became ready for a change (${String(provider.status)})`, details: { type: 'ProviderUnavailable' } };
  }
  if (app && isFailureType(app.type)) {
    return { type: app.type, message: app.message, details: { type: app.type, ...fromProvider } };
  }
  const timeout = error instanceof ActivityFailure && error.cause instanceof TimeoutFailure;
  const message = timeout ? 'the provider did not answer in time' : error instanceof Error ? error.message : String(error);
  return { type: 'ProviderUnavailable', message, details: { type: 'ProviderUnavailable', ...fromProvider } };
}

function findApplicationFailure(error: unknown): ApplicationFailure | undefined {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ApplicationFailure) return e;
  }
  return undefined;
}
