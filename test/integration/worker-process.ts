// A worker process for integration tests that kill workers: the same worker as in production, built from its
// environment only (design.md, "Names"): the lbflow workflow bundle, the real activities, and provider clients
// pointed at the simulators by LBFLOW_*_ENDPOINT. Credentials come from the environment, never from argv.
//
//   TEMPORAL_ADDRESS=127.0.0.1:7233 LBFLOW_TASK_QUEUE=q LBFLOW_WORKFLOW_BUNDLE=/tmp/bundle.js \
//   LBFLOW_ALIBABA_ENDPOINT=http://127.0.0.1:7480 LBFLOW_HUAWEI_ENDPOINT=http://127.0.0.1:7481 \
//   ALIBABA_CLOUD_ACCESS_KEY_ID=… ALIBABA_CLOUD_ACCESS_KEY_SECRET=… HUAWEICLOUD_SDK_AK=… HUAWEICLOUD_SDK_SK=… \
//   node --import tsx test/integration/worker-process.ts
//
// Prints one JSON line `{"ready":true,"pid":…}` once the worker is polling; SIGINT/SIGTERM drain it and exit 0.
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.js';
import type { Provider } from '../../src/domain/index.js';
import { createProvider, type LoadBalancerProvider } from '../../src/providers/index.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`worker-process: ${name} is not set`);
  return value;
}

Runtime.install({ logger: new DefaultLogger('ERROR') });

const connection = await NativeConnection.connect({ address: required('TEMPORAL_ADDRESS') });
const providers = {
  'alibaba-gwlb': createProvider({
    provider: 'alibaba-gwlb',
    credentials: { accessKeyId: required('ALIBABA_CLOUD_ACCESS_KEY_ID'), accessKeySecret: required('ALIBABA_CLOUD_ACCESS_KEY_SECRET') },
    endpoint: required('LBFLOW_ALIBABA_ENDPOINT'),
  }),
  'huawei-elb': createProvider({
    provider: 'huawei-elb',
    credentials: { accessKey: required('HUAWEICLOUD_SDK_AK'), secretKey: required('HUAWEICLOUD_SDK_SK') },
    endpoint: required('LBFLOW_HUAWEI_ENDPOINT'),
  }),
} as Record<Provider, LoadBalancerProvider>;

const worker = await Worker.create({
  connection,
  namespace: process.env.TEMPORAL_NAMESPACE || 'default',
  taskQueue: required('LBFLOW_TASK_QUEUE'),
  workflowBundle: { codePath: required('LBFLOW_WORKFLOW_BUNDLE') },
  activities: createActivities({ providerFor: (provider) => providers[provider] }),
});

const running = worker.run();
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
try {
  await running;
} finally {
  await Promise.all(Object.values(providers).map((p) => p.close()));
  await connection.close();
}
