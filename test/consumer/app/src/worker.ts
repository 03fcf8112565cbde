// The team's own worker (task queue "deploys", no lbflow activities) runs `deploy`, whose child runs on the lbflow
// worker's queue. Runs two deploys (one adds, one hits a missing group) and prints their outcomes as one JSON line.
// Usage: node dist/worker.js <temporal address>
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { AddServersRequestInput } from 'lbflow/workflows/child';
import type { DeployOutcome } from './workflows.js';

const address = process.argv[2] ?? 'localhost:7233';
const worker = await Worker.create({
  connection: await NativeConnection.connect({ address }),
  taskQueue: 'deploys',
  workflowsPath: fileURLToPath(new URL('./workflows.js', import.meta.url)),
});
const client = new Client({ connection: await Connection.connect({ address }) });
const ecs = (n: number) => ({
  serverId: `i-bp67acfmxazb4p${String(n).padStart(4, '0')}`,
  serverType: 'Ecs' as const,
  serverIp: `192.168.${Math.floor(n / 250)}.${(n % 250) + 1}`,
});
const request: AddServersRequestInput = {
  provider: 'alibaba-gwlb',
  region: 'cn-hangzhou',
  serverGroupId: 'sgp-atstuj3rtoptyui0000',
  servers: [ecs(970), ecs(971), ecs(972)],
  options: { pollIntervalSeconds: 0.5 },
};

const outcomes = await worker.runUntil(async () => {
  const run = (id: string, r: AddServersRequestInput) =>
    client.workflow.execute('deploy', { taskQueue: 'deploys', workflowId: id, args: [r] }) as Promise<DeployOutcome>;
  return {
    ok: await run('deploy-ok', request),
    missing: await run('deploy-missing', { ...request, serverGroupId: 'sgp-atstuj3rtoptyui9998' }),
  };
});
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
await client.connection.close();
