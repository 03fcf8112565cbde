// The SDK's floor for bench/run.ts: a worker with lbflow's worker options and the reference workflow
// (bench/floor/workflows.mjs, prebuilt like the production bundle) and no activities. Plain JavaScript, no tsx,
// so its memory is the SDK's own: what the production worker holds beyond it is lbflow's.
//   FLOOR_BUNDLE=<bundle.js> TEMPORAL_ADDRESS=… LBFLOW_TASK_QUEUE=… node bench/floor/worker.mjs
import { NativeConnection, Worker } from '@temporalio/worker';

/** @param {string} name */
function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

const connection = await NativeConnection.connect({ address: required('TEMPORAL_ADDRESS') });
const worker = await Worker.create({
  connection,
  namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  taskQueue: required('LBFLOW_TASK_QUEUE'),
  workflowBundle: { codePath: required('FLOOR_BUNDLE') },
  // The production worker's defaults (src/worker/config.ts, src/worker/worker.ts).
  maxConcurrentWorkflowTaskExecutions: 40,
  maxConcurrentActivityTaskExecutions: 200,
  stickyQueueScheduleToStartTimeout: 2_000,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => worker.shutdown());
process.stdout.write(`${JSON.stringify({ msg: 'worker.ready' })}\n`);
await worker.run();
await connection.close();
