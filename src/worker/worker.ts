// The lbflow worker: the workflow (prebuilt bundle in production, source in development), the activities with
// the configured provider clients, the concurrency and rate limits of the configuration.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createActivities } from '../activities/index.js';
import { TIMINGS } from '../domain/index.js';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { WorkerConfig } from './config.js';
import { providerCallMetrics } from './metrics.js';
import { buildProviders, type WorkerProviders } from './providers.js';

/** A workflow source module next to this one: `.ts` under tsx, `.js` once compiled into dist/. */
function workflowSource(name: string): string {
  for (const ext of ['ts', 'js']) {
    const path = fileURLToPath(new URL(`../workflows/${name}.${ext}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(
    `the workflow source (src/workflows/${name}.ts) is missing next to the worker: set LBFLOW_WORKFLOW_BUNDLE to a prebuilt bundle`,
  );
}

/** The workflows' entry module. */
export function workflowsSourcePath(): string {
  return workflowSource('index');
}

/**
 * How lbflow's workflow bundle is built, wherever it is built (npm run build, a development worker, the tests): the
 * stateless domain and its schemas are loaded once per worker and shared by its workflows (src/workflows/preload.ts).
 */
export function workflowBundlerOptions(): { workflowsPath: string; preloadModules: string[] } {
  return { workflowsPath: workflowsSourcePath(), preloadModules: [workflowSource('preload')] };
}

export interface LbflowWorker {
  readonly worker: Worker;
  readonly providers: WorkerProviders;
  /** Runs until shutdown (a signal, or `worker.shutdown()`), then closes the provider clients. */
  run(): Promise<void>;
}

/** Builds the worker on an open connection; the caller owns the connection and the Runtime. */
export async function createLbflowWorker(
  config: WorkerConfig,
  connection: NativeConnection,
  extra: Partial<WorkerOptions> = {},
): Promise<LbflowWorker> {
  // Every provider call is counted on the worker's metrics endpoint, labelled with namespace and task queue like lbflow's workflow and activity metrics.
  const providers = buildProviders(
    config,
    providerCallMetrics(
      Runtime.instance().metricMeter.withTags({ namespace: config.temporal.namespace, taskQueue: config.taskQueue }),
    ),
  );
  const code =
    config.workflowBundle !== undefined
      ? { workflowBundle: { codePath: config.workflowBundle } }
      : {
          workflowsPath: workflowsSourcePath(),
          bundlerOptions: { preloadModules: workflowBundlerOptions().preloadModules },
        };
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.taskQueue,
      ...code,
      activities: createActivities({ providerFor: providers.providerFor }),
      maxConcurrentActivityTaskExecutions: config.limits.maxConcurrentActivities,
      maxConcurrentWorkflowTaskExecutions: config.limits.maxConcurrentWorkflowTasks,
      ...(config.limits.taskQueueActivitiesPerSecond > 0
        ? { maxTaskQueueActivitiesPerSecond: config.limits.taskQueueActivitiesPerSecond }
        : {}),
      shutdownGraceTime: `${config.shutdownGraceSeconds}s`,
      // A killed worker's cached workflows move to another worker in 2 s instead of the SDK's 10 s.
      stickyQueueScheduleToStartTimeout: TIMINGS.stickyScheduleToStartMs,
      ...extra,
    });
    return {
      worker,
      providers,
      run: async () => {
        try {
          await worker.run();
        } finally {
          await providers.close();
        }
      },
    };
  } catch (error) {
    await providers.close();
    throw error;
  }
}
