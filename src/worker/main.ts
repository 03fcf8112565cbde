// The worker process: `node dist/worker/main.js` in production (NODE_ENV=production, prebuilt bundle), or
// `tsx src/worker/main.ts` in development. Configuration comes from the environment only (see config.ts);
// logs are JSON lines on stdout; SIGINT/SIGTERM drain in-flight activities for the grace time, then exit 0.
import { NativeConnection, Runtime } from '@temporalio/worker';
import { describeConfig, loadWorkerConfig, WorkerConfigError } from './config.js';
import { JsonLogger, secretValues } from './logging.js';
import { createLbflowWorker } from './worker.js';

/** Exit status when the environment is unusable (distinct from a crash, so supervisors can tell them apart). */
export const EXIT_CONFIG = 78;

async function main(): Promise<number> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (error) {
    if (!(error instanceof WorkerConfigError)) throw error;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: error.message, event: 'worker.config-invalid', issues: error.issues })}\n`);
    return EXIT_CONFIG;
  }
  const logger = new JsonLogger(config.logLevel, secretValues(config));
  Runtime.install({
    logger,
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: {
      logging: { filter: { core: config.logLevel === 'TRACE' || config.logLevel === 'DEBUG' ? 'INFO' : 'WARN', other: 'ERROR' }, forward: {} },
      ...(config.metrics ? { metrics: { prometheus: { bindAddress: `${config.metrics.host}:${config.metrics.port}` } } } : {}),
    },
  });
  logger.info('lbflow worker starting', { event: 'worker.starting', ...describeConfig(config) });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => logger.info('lbflow worker stopping: in-flight activities get the grace time, then are handed back', { event: 'worker.stopping', signal, graceSeconds: config.shutdownGraceSeconds }));
  }
  const connection = await NativeConnection.connect(config.temporal.connection);
  try {
    const lbflow = await createLbflowWorker(config, connection);
    const running = lbflow.run();
    logger.info('lbflow worker ready', { event: 'worker.ready', pid: process.pid, taskQueue: config.taskQueue, namespace: config.temporal.namespace, providers: lbflow.providers.served });
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
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: `lbflow worker failed: ${message}`, event: 'worker.failed' })}\n`);
    process.exitCode = 1;
  },
);
