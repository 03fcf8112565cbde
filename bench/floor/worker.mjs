// The SDK's floor for bench/run.ts: a worker with lbflow's worker options, the reference workflows
// (bench/floor/workflows.mjs, prebuilt like the production bundle) and one activity, the hand-over. Plain JavaScript, no tsx,
// so its memory is the SDK's own: what the production worker holds beyond it is lbflow's.
//   FLOOR_BUNDLE=<bundle.js> TEMPORAL_ADDRESS=… LBFLOW_TASK_QUEUE=… node bench/floor/worker.mjs
import { activityInfo, getClient } from '@temporalio/activity';
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
  activities: {
    /** The hand-over of scenarios 1–3: Signal-with-Start on the group's coordinator with the request's servers, as lbflow's `handOver` activity. */
    async handOver(
      /** @type {{ coordinatorId: string, holdMs: number, settleMs: number, requester: string, servers: unknown[] }} */ input,
    ) {
      await getClient().workflow.signalWithStart('floorCoordinator', {
        workflowId: input.coordinatorId,
        taskQueue: activityInfo().taskQueue,
        args: [input.holdMs, input.settleMs],
        signal: 'floor.submit',
        signalArgs: [input.requester, input.servers],
      });
    },
  },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => worker.shutdown());
process.stdout.write(`${JSON.stringify({ msg: 'worker.ready' })}\n`);
await worker.run();
await connection.close();
