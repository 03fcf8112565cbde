// A real worker for workflow tests: the lbflow workflow bundle, the real activities, the real provider clients
// over HTTP, and the in-process simulators whose clock follows the Temporal server's (time-skipped) time.
import { Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { registerSearchAttributes, testServerExecutable } from '../setup/servers.js';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type Activities } from '../../src/activities/index.js';
import { workflowBundlerOptions } from '../../src/worker/worker.js';
import { COORDINATOR_SIGNAL, type GroupRef, type Provider, type Server } from '../../src/domain/index.js';
import { createProvider, type LoadBalancerProvider } from '../../src/providers/index.js';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_HUAWEI_CREDENTIAL,
  SimClock,
  startSimulators,
  type RunningSimulators,
  type WorldInput,
} from '../../src/simulator/index.js';

export const silentLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export async function bundleLbflowWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ ...workflowBundlerOptions(), logger: silentLogger });
}

/**
 * A time-skipping server per test and the workflow bundle once per file. Time skipping is global to a server, and a
 * test's group coordinators (ended with its worker) must not share a clock with the next test's. Register it first:
 * vitest runs after-hooks in reverse, so a file's own clean-up (closing its harness) runs before the teardown.
 */
export function timeSkippingPerTest(): {
  readonly env: TestWorkflowEnvironment;
  readonly bundle: WorkflowBundleWithSourceMap;
} {
  const state = {} as { env: TestWorkflowEnvironment; bundle: WorkflowBundleWithSourceMap };
  beforeAll(async () => {
    state.bundle = await bundleLbflowWorkflows();
  });
  beforeEach(async () => {
    state.env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServerExecutable() } });
    await registerSearchAttributes(state.env);
  });
  afterEach(async () => {
    await state.env?.teardown();
  });
  return state;
}

export interface Harness {
  sims: RunningSimulators;
  clock: SimClock;
  providers: Record<Provider, LoadBalancerProvider>;
  activities: Activities;
  /** Runs `fn` with a worker polling a fresh task queue. */
  withWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * @param followTemporalTime on the time-skipping server, move the simulators' clock to each activity attempt's
 *   scheduled time, so simulated settle times pass as Temporal skips time.
 */
export async function startHarness(
  env: TestWorkflowEnvironment,
  workflowBundle: WorkflowBundleWithSourceMap,
  options: {
    world?: WorldInput;
    followTemporalTime: boolean;
    alibabaSecret?: string;
    /** Runs before each activity call, with its name and input (someone else acting on the group in between). */
    beforeActivity?: (name: string, input: unknown) => Promise<void>;
    /** How long a coordinator's queue goes unserved before a request takes it as stranded (default TIMINGS'). */
    strandedAfterMs?: number;
  },
): Promise<Harness> {
  const clock = new SimClock();
  if (options.followTemporalTime) clock.setManual(await env.currentTimeMs());
  const sims = await startSimulators({ port: 0, clock, ...(options.world ? { world: options.world } : {}) });
  const providers = {
    'alibaba-gwlb': createProvider({
      provider: 'alibaba-gwlb',
      credentials: {
        ...DEFAULT_ALIBABA_CREDENTIAL,
        ...(options.alibabaSecret ? { accessKeySecret: options.alibabaSecret } : {}),
      },
      endpoint: sims.alibaba.url,
    }),
    'huawei-elb': createProvider({
      provider: 'huawei-elb',
      credentials: { ...DEFAULT_HUAWEI_CREDENTIAL },
      endpoint: sims.huawei.url,
    }),
  } as Record<Provider, LoadBalancerProvider>;
  const activities = createActivities({
    providerFor: (p) => providers[p],
    ...(options.strandedAfterMs !== undefined ? { strandedAfterMs: options.strandedAfterMs } : {}),
  });
  /** The coordinators each task queue's requests handed work to. */
  const coordinators = new Map<string, Set<string>>();
  const recorded: Activities = {
    ...activities,
    handOver: (input) => {
      const { taskQueue } = Context.current().info;
      coordinators.set(taskQueue, (coordinators.get(taskQueue) ?? new Set()).add(input.coordinatorId));
      return activities.handOver(input);
    },
  };
  const hooked = options.beforeActivity ? before(recorded, options.beforeActivity) : recorded;
  const registered = options.followTemporalTime ? followTime(hooked, clock) : hooked;
  return {
    sims,
    clock,
    providers,
    activities,
    async withWorker(fn) {
      const taskQueue = `wf-${crypto.randomUUID()}`;
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle,
        activities: registered,
      });
      return worker.runUntil(async () => {
        const watchdog = setTimeout(() => void dumpStuck(env, [...(coordinators.get(taskQueue) ?? [])]), 40_000);
        const result = await fn(taskQueue).finally(() => clearTimeout(watchdog));
        // The group coordinators this queue started outlive their requests until idle: end them with the worker, so
        // none is left waiting for a worker that is gone (on the time-skipping server that would stop the clock).
        await endCoordinators(env, [...(coordinators.get(taskQueue) ?? [])]);
        return result;
      });
    },
    async close() {
      await Promise.all(Object.values(providers).map((p) => p.close()));
      await sims.close();
    },
  };
}

/**
 * Ends the coordinators a test's queue started (they outlive their requests until idle), so none is left waiting for
 * a worker that is gone: each is asked to exit once idle, and the worker runs until it has. (Terminating them instead
 * upsets the time-skipping server's clock for the tests after.)
 */
async function endCoordinators(env: TestWorkflowEnvironment, ids: string[]): Promise<void> {
  await Promise.all(
    ids.map(async (id) => {
      const handle = env.client.workflow.getHandle(id);
      // One that already exited (idle) answers not found.
      if (
        !(await handle.signal(COORDINATOR_SIGNAL, { kind: 'exit-when-idle' }).then(
          () => true,
          () => false,
        ))
      )
        return;
      // Polled, not awaited with result(): on the time-skipping server that would let the clock run on meanwhile.
      for (let i = 0; i < 600 && (await handle.describe()).status.name === 'RUNNING'; i++)
        await new Promise((r) => setTimeout(r, 50));
    }),
  );
}

/** What a test that hangs was waiting on: each of its coordinators' state, pending activities and history. */
async function dumpStuck(env: TestWorkflowEnvironment, ids: string[]): Promise<void> {
  for (const id of ids) {
    const handle = env.client.workflow.getHandle(id);
    const d = await handle.describe().catch(() => undefined);
    const view = await handle.query('group').catch((e: unknown) => String(e));
    const events = ((await handle.fetchHistory().catch(() => undefined))?.events ?? [])
      .map((e) => e.eventType)
      .join(',');
    console.warn(
      `STUCK ${id} ${d?.status.name} ${JSON.stringify(d?.raw.pendingActivities?.map((a) => [a.activityType?.name, a.state, a.attempt, a.lastFailure?.message]))} ${JSON.stringify(view)} events ${events}`,
    );
  }
  console.warn(`STUCK now ${new Date(await env.currentTimeMs()).toISOString()}`);
}

/** Wraps each activity so `hook` runs first. */
function before(activities: Activities, hook: (name: string, input: unknown) => Promise<void>): Activities {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities))
    wrapped[name] = async (...args: unknown[]) => {
      await hook(name, args[0]);
      return (fn as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  return wrapped as Activities;
}

/** Wraps each activity so the simulated clock first moves to the time Temporal scheduled this attempt. */
function followTime(activities: Activities, clock: SimClock): Activities {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: unknown[]) => {
      const scheduled = Context.current().info.currentAttemptScheduledTimestampMs;
      if (scheduled > clock.now()) clock.setManual(scheduled);
      return (fn as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  }
  return wrapped as Activities;
}

/** An Alibaba request for ECS instances `first`…`first+count-1` of the default world (valid and known to the simulator). */
export function alibabaServers(count: number, first = 0) {
  return Array.from({ length: count }, (_, n) => {
    const i = first + n;
    return {
      serverId: `i-bp67acfmxazb4p${String(i).padStart(4, '0')}`,
      serverType: 'Ecs',
      serverIp: `192.168.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      port: 6081,
    };
  });
}

/** The default world's Huawei ECS server `i` is down (OFFLINE as a member) when this holds. */
export const huaweiServerDown = (i: number) => i % 50 === 49;

/** Huawei members backed by the default world's ECS servers that are up (every 50th one is down: skipped). */
export function huaweiServers(count: number, first = 0) {
  const servers: { address: string; protocolPort: number; subnetCidrId: string }[] = [];
  for (let i = first; servers.length < count; i++) {
    if (huaweiServerDown(i)) continue;
    servers.push({
      address: `192.168.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      protocolPort: 8080,
      subnetCidrId: '61da8098-954b-4809-bc5a-b99ccef8a398',
    });
  }
  return servers;
}

export const ALIBABA_DEMO_GROUP = 'sgp-atstuj3rtoptyui0000';
export const HUAWEI_PROJECT = '04dd36f964000fe22f9ac00bc85b1a1d';
export const HUAWEI_DEMO_POOL = '04a9bc65-b75b-478d-b4d6-e693bb61dd35';
export const HUAWEI_NO_MONITOR_POOL = '5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0001';

/** An Alibaba GWLB request for the simulators' world, polling every second unless `options` says otherwise. */
export const alibabaRequest = (
  servers: unknown[],
  options: Record<string, unknown> = {},
  serverGroupId = ALIBABA_DEMO_GROUP,
) => ({
  provider: 'alibaba-gwlb',
  region: 'cn-hangzhou',
  serverGroupId,
  servers,
  options: { pollIntervalSeconds: 1, ...options },
});

/** A Huawei ELB request (no-monitor pool by default), polling every second unless `options` says otherwise. */
export const huaweiRequest = (
  servers: unknown[],
  options: Record<string, unknown> = {},
  poolId = HUAWEI_NO_MONITOR_POOL,
) => ({
  provider: 'huawei-elb',
  region: 'cn-north-4',
  projectId: HUAWEI_PROJECT,
  poolId,
  servers,
  options: { pollIntervalSeconds: 1, ...options },
});

/**
 * Each provider as the tests that run once per provider see it: its group in the simulators' world (Alibaba's demo
 * group, Huawei's pool without a monitor), its servers, its requests, its simulator and the actions that change it.
 */
export const SIDES = [
  {
    provider: 'alibaba-gwlb' as const,
    group: { provider: 'alibaba-gwlb', region: 'cn-hangzhou', serverGroupId: ALIBABA_DEMO_GROUP } as GroupRef,
    servers: (n: number, first = 0) => alibabaServers(n, first) as Server[],
    request: alibabaRequest,
    sim: 'alibaba' as const,
    add: 'AddServersToServerGroup',
    remove: 'RemoveServersFromServerGroup',
  },
  {
    provider: 'huawei-elb' as const,
    group: {
      provider: 'huawei-elb',
      region: 'cn-north-4',
      projectId: HUAWEI_PROJECT,
      poolId: HUAWEI_NO_MONITOR_POOL,
    } as GroupRef,
    servers: (n: number, first = 0) => huaweiServers(n, first) as Server[],
    request: huaweiRequest,
    sim: 'huawei' as const,
    add: 'BatchCreateMembers',
    remove: 'BatchDeleteMembers',
  },
];
