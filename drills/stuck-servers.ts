// Drill 4: servers that never become ready. Alibaba: the second chunk's add is applied but its servers stay
// `Adding` for ever (simulator fault neverAvailable); Huawei: three of the requested backends are down, so their
// members stay OFFLINE in a monitored pool. The run must end as AvailabilityTimeout naming exactly those servers;
// with `onFailure: 'rollback'` it must remove exactly what it added and touch nothing else.
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FailureDetails } from '../src/domain/index.js';
import {
  alibabaGroups,
  huaweiPools,
  resetSimulator,
  seconds,
  setFaults,
  simulators,
  sorted,
  retireCoordinators,
  startWorker,
  withTimeout,
  type DrillContext,
  type DrillReport,
  type Member,
} from './support.js';
import {
  ALIBABA_GROUP,
  alibabaServers,
  drillWorld,
  HUAWEI_MONITORED_POOL,
  keyOf,
  preexisting,
  request,
  simUrl,
  type ProviderName,
} from './world.js';

export interface StuckServersOptions {
  /** Each round runs four trials: Alibaba and Huawei, with onFailure keep and rollback. */
  rounds: number;
  timeoutMs?: number;
}

const HUAWEI_SUBNET = '61da8098-954b-4809-bc5a-b99ccef8a398';
const TIMEOUT_SECONDS = 4;

/** The request and the keys that must get stuck, per provider. */
function scenario(provider: ProviderName) {
  if (provider === 'alibaba-gwlb') {
    const fresh = alibabaServers(150, 5000);
    return {
      servers: [...preexisting.alibaba(), ...fresh],
      fresh: fresh.map((s) => keyOf(provider, s)),
      // Chunks of 50: the second add call's servers never leave Adding, and the run stops there.
      stuck: fresh.slice(50, 100).map((s) => keyOf(provider, s)),
      addedBeforeStop: fresh.slice(0, 100).map((s) => keyOf(provider, s)),
      options: { maxChunkSize: 50 },
      target: ALIBABA_GROUP,
    };
  }
  // The default world's ECS backends 192.168.0.1…; every 50th one (index 49, 99, 149) is down.
  const fresh = Array.from({ length: 150 }, (_, i) => ({
    address: `192.168.0.${i + 1}`,
    protocolPort: 8080,
    subnetCidrId: HUAWEI_SUBNET,
  }));
  return {
    servers: [...preexisting.huawei(), ...fresh],
    fresh: fresh.map((s) => keyOf(provider, s)),
    stuck: [49, 99, 149].map((i) => keyOf(provider, fresh[i]!)),
    addedBeforeStop: fresh.map((s) => keyOf(provider, s)),
    options: {},
    target: HUAWEI_MONITORED_POOL,
  };
}

const snapshot = async (url: string, provider: ProviderName) =>
  provider === 'alibaba-gwlb' ? alibabaGroups(url) : huaweiPools(url);
const render = (members: Member[]) => sorted(members.map((m) => `${m.key}=${m.status}`)).join(',');

export async function stuckServers(ctx: DrillContext, o: StuckServersOptions): Promise<DrillReport> {
  const sims = await simulators(drillWorld());
  const taskQueue = `drill-stuck-${crypto.randomUUID()}`;
  const worker = await startWorker({ temporal: ctx.temporal, taskQueue, bundlePath: ctx.bundlePath, sims });
  const failures: string[] = [];
  let trials = 0;
  let passed = 0;
  let duplicates = 0;
  let lost = 0;
  const named: number[] = [];
  const rolledBack: number[] = [];
  const durations: number[] = [];

  const trial = async (provider: ProviderName, onFailure: 'keep' | 'rollback', label: string): Promise<string[]> => {
    const problems: string[] = [];
    const url = simUrl(sims, provider);
    const s = scenario(provider);
    const before = await snapshot(url, provider);
    const started = performance.now();
    const handle = (await ctx.client.workflow.start('addServersToServerGroup', {
      taskQueue,
      workflowId: `drill-stuck/${label}/${provider}/${onFailure}/${crypto.randomUUID()}`,
      args: [
        request(
          provider,
          s.servers,
          { ...s.options, onFailure, availabilityTimeoutSeconds: TIMEOUT_SECONDS },
          s.target,
        ),
      ],
    })) as WorkflowHandle;
    let failure: ApplicationFailure | undefined;
    try {
      await withTimeout(handle.result(), o.timeoutMs ?? 120_000, 'the run');
      problems.push('the run completed although servers never became ready');
    } catch (error) {
      if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure) failure = error.cause;
      else problems.push(`unexpected end: ${String(error)}`);
    }
    durations.push(performance.now() - started);
    const details = failure?.details?.[0] as (FailureDetails & { rolledBack?: string[] }) | undefined;
    if (failure && failure.type !== 'AvailabilityTimeout')
      problems.push(`ended as ${failure.type}: ${failure.message}`);
    const stragglers = sorted((details?.stragglers ?? []).map((x) => x.key));
    if (stragglers.join() !== sorted(s.stuck).join())
      problems.push(
        `stragglers ${stragglers.length} (${stragglers.slice(0, 2).join(', ')}…) are not exactly the ${s.stuck.length} stuck servers`,
      );
    else named.push(stragglers.length);
    if (failure && !failure.message.includes(s.stuck[0]!))
      problems.push(`the message does not name ${s.stuck[0]}: ${failure.message.slice(0, 200)}`);
    if (sorted(details?.added ?? []).join() !== sorted(s.addedBeforeStop).join())
      problems.push(`details.added lists ${details?.added?.length ?? 0} servers, expected ${s.addedBeforeStop.length}`);

    const after = await snapshot(url, provider);
    for (const [id, members] of before) {
      if (id === s.target) continue;
      if (render(members) !== render(after.get(id) ?? [])) problems.push(`group ${id}, not the target, changed`);
    }
    const was = before.get(s.target) ?? [];
    const now = after.get(s.target) ?? [];
    const wasKeys = new Set(was.map((m) => m.key));
    const nowKeys = now.map((m) => m.key);
    duplicates += nowKeys.length - new Set(nowKeys).size;
    const untouched = render(now.filter((m) => wasKeys.has(m.key)));
    if (untouched !== render(was)) problems.push('members that were there before were changed or removed');
    const mine = now.filter((m) => !wasKeys.has(m.key)).map((m) => m.key);
    if (onFailure === 'rollback') {
      if (mine.length) problems.push(`${mine.length} servers this run added are still in the group after the rollback`);
      const removed = sorted(details?.rolledBack ?? []);
      if (removed.join() !== sorted(s.addedBeforeStop).join())
        problems.push(`rolledBack lists ${removed.length}, expected ${s.addedBeforeStop.length}`);
      else rolledBack.push(removed.length);
    } else {
      const missing = s.addedBeforeStop.filter((k) => !mine.includes(k));
      lost += missing.length;
      if (missing.length) problems.push(`${missing.length} added servers missing from the group`);
      if (sorted(mine).join() !== sorted(s.addedBeforeStop).join())
        problems.push(`the group holds ${mine.length} new servers, expected ${s.addedBeforeStop.length}`);
      const stuckStatus = now.filter((m) => s.stuck.includes(m.key)).map((m) => m.status);
      if (stuckStatus.some((st) => st === 'Available' || st === 'ONLINE')) problems.push('a stuck server became ready');
    }
    return problems;
  };

  try {
    for (let round = 0; round < o.rounds; round++) {
      for (const onFailure of ['keep', 'rollback'] as const) {
        await Promise.all([resetSimulator(sims.alibaba.url), resetSimulator(sims.huawei.url)]);
        await setFaults(sims.alibaba.url, {
          seed: 4,
          rules: [{ action: 'AddServersToServerGroup', effect: 'neverAvailable', sequence: '.x' }],
        });
        const outcomes = await Promise.all(
          (['alibaba-gwlb', 'huawei-elb'] as const).map((p) =>
            trial(p, onFailure, `${round}`).catch((e: unknown) => [String(e)]),
          ),
        );
        for (const [i, problems] of outcomes.entries()) {
          trials++;
          const name = `${i === 0 ? 'Alibaba' : 'Huawei'} ${onFailure}`;
          if (problems.length === 0) passed++;
          else failures.push(`round ${round} ${name}: ${problems.join('; ')}`);
          ctx.log(
            `  stuck servers, round ${round + 1} ${name}: ${problems.length ? `FAILED: ${problems.join('; ')}` : 'ok'}`,
          );
        }
      }
    }
  } finally {
    await retireCoordinators(ctx.client, taskQueue);
    await worker.stop('SIGTERM');
    await sims.close();
  }
  return {
    drill: '4. stuck servers (never ready) with onFailure keep and rollback',
    trials,
    passed,
    duplicates,
    lost,
    figures:
      `AvailabilityTimeout after ${TIMEOUT_SECONDS} s naming exactly the stuck servers in ${named.length}/${trials} (${[...new Set(named)].join(' or ')} servers); ` +
      `rollback removed exactly the run's own servers in ${rolledBack.length}/${trials / 2} (${[...new Set(rolledBack)].join(' or ')}); pre-existing members and other groups untouched; ` +
      `run to failure ${seconds(Math.min(...durations))}–${seconds(Math.max(...durations))}`,
    failures,
  };
}
