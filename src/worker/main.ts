// The worker process: `node dist/worker/main.js` in production (NODE_ENV=production, prebuilt bundle), or
// `tsx src/worker/main.ts` in development. Configuration comes from the environment only (see config.ts);
// logs are JSON lines on stdout; SIGINT/SIGTERM drain in-flight activities for the grace time, then exit 0.
import { createServer } from 'node:net';
import { NativeConnection, Runtime } from '@temporalio/worker';
import {
  checkCredentialSources,
  describeConfig,
  loadWorkerConfig,
  WorkerConfigError,
  type WorkerConfig,
} from './config.js';
import { JsonLogger, secretValues } from './logging.js';
import { versionName, type DeploymentVersion, type Promotion } from './deployment.js';
import { createLbflowWorker } from './worker.js';

/** What the worker did about the deployment's current version, for its ready line. */
function describePromotion(promotion: Promotion, version: DeploymentVersion | undefined): string {
  if (promotion.promoted)
    return `promoted ${version ? versionName(version) : ''} (was ${promotion.previous ? versionName(promotion.previous) : 'none'})`;
  return `${promotion.current ? versionName(promotion.current) : 'none'} (${promotion.why})`;
}

/** Exit status when the environment is unusable (distinct from a crash, so supervisors can tell them apart). */
export const EXIT_CONFIG = 78;

/**
 * A free TCP port on `host`, for LBFLOW_METRICS_PORT=0. Temporal's Rust core binds the Prometheus exporter but
 * does not say which port it got, so the worker asks the kernel for one first and hands it over (the port could
 * be taken in between; the exporter would then fail to bind and say so).
 */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function main(): Promise<number> {
  let config: WorkerConfig;
  let credentials: Awaited<ReturnType<typeof checkCredentialSources>>;
  try {
    config = loadWorkerConfig();
    // Role, metadata and STS sources are asked for keys now, so a worker that cannot get any says why at start.
    credentials = await checkCredentialSources(config);
  } catch (error) {
    if (!(error instanceof WorkerConfigError)) throw error;
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: error.message, event: 'worker.config-invalid', issues: error.issues })}\n`,
    );
    return EXIT_CONFIG;
  }
  if (config.metrics?.port === 0)
    config = { ...config, metrics: { ...config.metrics, port: await freePort(config.metrics.host) } };
  const logger = new JsonLogger(config.logLevel, secretValues(config));
  Runtime.install({
    logger,
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: {
      logging: {
        filter: { core: config.logLevel === 'TRACE' || config.logLevel === 'DEBUG' ? 'INFO' : 'WARN', other: 'ERROR' },
        forward: {},
      },
      ...(config.metrics
        ? { metrics: { prometheus: { bindAddress: `${config.metrics.host}:${config.metrics.port}` } } }
        : {}),
    },
  });
  logger.info('lbflow worker starting', { event: 'worker.starting', ...describeConfig(config), keysFrom: credentials });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () =>
      logger.info('lbflow worker stopping: in-flight activities get the grace time, then are handed back', {
        event: 'worker.stopping',
        signal,
        graceSeconds: config.shutdownGraceSeconds,
      }),
    );
  }
  const connection = await NativeConnection.connect(config.temporal.connection);
  try {
    const lbflow = await createLbflowWorker(config, connection);
    const ready = (promotion?: Promotion) => {
      const version = lbflow.version;
      logger.info('lbflow worker ready', {
        event: 'worker.ready',
        pid: process.pid,
        taskQueue: config.taskQueue,
        namespace: config.temporal.namespace,
        providers: lbflow.providers.served,
        metrics: config.metrics ? `http://${config.metrics.host}:${config.metrics.port}/metrics` : 'off',
        version: version ? versionName(version) : 'unversioned',
        ...(promotion ? { current: describePromotion(promotion, version) } : {}),
      });
      if (version && promotion && !promotion.promoted && promotion.current?.buildId !== version.buildId)
        logger.warn(
          `lbflow worker version ${versionName(version)} is not the current version (${promotion.why}): it runs the runs pinned to it, and new runs once an operator promotes it (docs/upgrading.md)`,
          {
            event: 'worker.not-current',
            version: versionName(version),
            current: promotion.current ? versionName(promotion.current) : 'none (unversioned workers)',
          },
        );
    };
    // A versioned worker is ready once it knows whether new runs come to it (its version promoted, or not).
    const running = lbflow.run(lbflow.version ? ready : undefined);
    if (!lbflow.version) ready();
    await running;
    logger.info('lbflow worker stopped', { event: 'worker.stopped' });
    return 0;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: `lbflow worker failed: ${message}`, event: 'worker.failed' })}\n`,
    );
    process.exitCode = 1;
  },
);
