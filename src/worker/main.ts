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
import { createLbflowWorker } from './worker.js';

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
    const running = lbflow.run();
    logger.info('lbflow worker ready', {
      event: 'worker.ready',
      pid: process.pid,
      taskQueue: config.taskQueue,
      namespace: config.temporal.namespace,
      providers: lbflow.providers.served,
      metrics: config.metrics ? `http://${config.metrics.host}:${config.metrics.port}/metrics` : 'off',
    });
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
