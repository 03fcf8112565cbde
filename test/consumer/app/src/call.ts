// A service calling lbflow from the installed package: it starts a run, reads its progress while it runs and its
// typed result, then reads typed failures (one refused before anything starts, one from the provider) by class,
// type and details, never by message. Prints one JSON line for the test. Usage: node dist/call.js <temporal address>
import { Client, Connection } from '@temporalio/client';
import {
  addServers,
  startAddServers,
  ServerGroupNotFoundError,
  ValidationError,
  type AddServersRequestInput,
  type AddServersResult,
  type Progress,
} from 'lbflow/client';
import type { FailureDetails } from 'lbflow/domain';

const address = process.argv[2] ?? 'localhost:7233';
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
  servers: Array.from({ length: 30 }, (_, i) => ecs(900 + i)),
  options: { maxChunkSize: 10, pollIntervalSeconds: 0.5 },
};

const handle = await startAddServers(client, request, { requestKey: 'consumer-call' });
const progress: Progress[] = [];
const polling = setInterval(() => {
  handle.progress().then(
    (p) => progress.push(p),
    () => {},
  );
}, 200);
const result: AddServersResult = await handle.result();
clearInterval(polling);
progress.push(await handle.progress());

let invalid: { class: string; issues: readonly { path: string; message: string }[] } | undefined;
try {
  await addServers(client, {
    ...request,
    servers: [{ serverId: 'i-bp67acfmxazb4p0950', serverType: 'Ecs', serverIp: '192.168.3.201' }],
    options: { maxChunkSize: 500 },
  } as AddServersRequestInput);
} catch (error) {
  if (!(error instanceof ValidationError)) throw error;
  invalid = { class: error.name, issues: error.issues };
}

let notFound: { class: string; type: string; details: FailureDetails | undefined } | undefined;
try {
  await addServers(
    client,
    { ...request, serverGroupId: 'sgp-atstuj3rtoptyui9999', servers: [ecs(960)] },
    { requestKey: 'consumer-missing-group' },
  );
} catch (error) {
  if (!(error instanceof ServerGroupNotFoundError)) throw error;
  notFound = { class: error.name, type: error.type, details: error.details as FailureDetails | undefined };
}

process.stdout.write(`${JSON.stringify({ workflowId: handle.workflowId, result, progress, invalid, notFound })}\n`);
await client.connection.close();
