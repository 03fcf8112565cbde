// The lbflow worker: the workflow (prebuilt bundle in production, source in development), the activities with
// the configured provider clients, the concurrency and rate limits of the configuration.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createActivities } from '../activities/index.js';
import { TIMINGS } from '../domain/index.js';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { WorkerConfig } from './config.js';
import { promote, versionOf, type DeploymentVersion, type Promotion } from './deployment.js';
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
  /** The Worker Deployment version this worker serves, or undefined with LBFLOW_WORKER_VERSIONING=off. */
  readonly version: DeploymentVersion | undefined;
  /**
   * Runs until shutdown (a signal, or `worker.shutdown()`), then closes the provider clients. Once it polls, the
   * worker makes its version current as LBFLOW_PROMOTE says, and tells `onPromotion` what it did.
   */
  run(onPromotion?: (promotion: Promotion) => void): Promise<void>;
}

/** The workflow code this worker runs: the prebuilt bundle, or the source bundled now (development). */
async function workflowCode(config: WorkerConfig): Promise<string> {
  if (config.workflowBundle !== undefined) return readFileSync(config.workflowBundle, 'utf8');
  const quiet = () => {};
  const { code } = await bundleWorkflowCode({
    ...workflowBundlerOptions(),
    logger: { trace: quiet, debug: quiet, info: quiet, log: quiet, warn: quiet, error: quiet },
  });
  return code;
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
  try {
    // One read of the code: what the worker runs and, when versioned, what its build id is derived from.
    const code = await workflowCode(config);
    const version = config.versioning ? versionOf(config.versioning, code) : undefined;
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.taskQueue,
      workflowBundle: { code },
      // Both lbflow workflow types are PINNED (docs/upgrading.md): a request runs to its end on the version it started
      // on, a coordinator until it continues as new onto the current one. Said here, as the worker's default, not per
      // type in the workflow code: a behavior in the workflow code makes every task of it fail on an unversioned
      // worker (LBFLOW_WORKER_VERSIONING=off), "versioning behavior cannot be specified without deployment options".
      ...(version
        ? { workerDeploymentOptions: { useWorkerVersioning: true, version, defaultVersioningBehavior: 'PINNED' } }
        : {}),
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
    const promoteOnce = async (onPromotion?: (promotion: Promotion) => void) => {
      if (!version || !config.versioning) return;
      // The server knows a version once the worker's pollers reach it: promote() waits for that.
      const promotion = await promote(
        connection.workflowService,
        config.temporal.namespace,
        version,
        config.versioning.promote,
        {
          identity: worker.options.identity,
        },
      );
      onPromotion?.(promotion);
    };
    return {
      worker,
      providers,
      version,
      run: async (onPromotion) => {
        try {
          const running = worker.run();
          const promoted = promoteOnce(onPromotion).catch((error: unknown) => {
            // A worker that could not promote still serves its version: an operator can promote it.
            onPromotion?.({ promoted: false, current: undefined, why: `could not promote: ${String(error)}` });
          });
          await running;
          await promoted;
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
