// For tests that kill workers: the production worker (src/worker/main.ts) in a child process, and a pass-through proxy that
// can keep one provider answer from it (the provider applied the change; the worker never learns it).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ALIBABA_CREDENTIAL, DEFAULT_HUAWEI_CREDENTIAL } from '../../src/simulator/index.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKER_SCRIPT = fileURLToPath(new URL('../../src/worker/main.ts', import.meta.url));

export interface WorkerProcessOptions {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  /** A file holding `bundleWorkflowCode(...).code`. */
  bundlePath: string;
  alibabaEndpoint: string;
  huaweiEndpoint: string;
  /** The compiled worker (dist/worker/main.js) instead of the source under tsx. */
  script?: string;
  /** More (or other) environment variables: limits, metrics, log level, credentials. */
  env?: Record<string, string | undefined>;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything it wrote to stdout (JSON log lines) and stderr so far. */
  output(): string;
  /** Sends `signal` to this process (only this one) and resolves with how it ended: the signal name or the exit code. */
  stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<string | number | null>;
}

/** Starts the worker process and resolves once it logs `worker.ready` (it polls the task queue). */
export async function startWorkerProcess(o: WorkerProcessOptions): Promise<WorkerProcess> {
  const args = o.script ? [o.script] : ['--import', 'tsx', WORKER_SCRIPT];
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: o.temporalAddress,
      TEMPORAL_NAMESPACE: o.namespace,
      LBFLOW_TASK_QUEUE: o.taskQueue,
      LBFLOW_WORKFLOW_BUNDLE: o.bundlePath,
      LBFLOW_ALIBABA_ENDPOINT: o.alibabaEndpoint,
      LBFLOW_HUAWEI_ENDPOINT: o.huaweiEndpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ALIBABA_CREDENTIAL.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ALIBABA_CREDENTIAL.accessKeySecret,
      HUAWEICLOUD_SDK_AK: DEFAULT_HUAWEI_CREDENTIAL.accessKey,
      HUAWEICLOUD_SDK_SK: DEFAULT_HUAWEI_CREDENTIAL.secretKey,
      // Tests measure lbflow, not the worker's courtesy limit towards a real cloud.
      LBFLOW_PROVIDER_CALLS_PER_SECOND: '0',
      ...o.env,
    },
  });
  const exited = new Promise<string | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let stdout = '';
  await Promise.race([
    new Promise<void>((resolve) =>
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('"event":"worker.ready"')) resolve();
      }),
    ),
    exited.then((how) => Promise.reject(new Error(`worker process exited (${how}) before it was ready:\n${stderr}`))),
  ]);
  return {
    child,
    pid: child.pid!,
    output: () => stdout + stderr,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface HoldingProxy {
  readonly url: string;
  /** How many answers it has kept from the client so far (at most one). */
  held(): number;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target` byte for byte (headers included, so signatures stay valid), except that the
 * answer to the first request whose `x-acs-action` is `action` is read in full and never passed on.
 */
export async function startHoldingProxy(target: string, action: string): Promise<HoldingProxy> {
  const heldResponses: ServerResponse[] = [];
  let holding = true;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hold = holding && req.headers['x-acs-action'] === action;
      if (hold) holding = false;
      const upstream = request(
        new URL(req.url ?? '/', target),
        { method: req.method, headers: req.headers },
        (answer) => {
          if (hold) {
            answer.resume();
            answer.on('end', () => heldResponses.push(res));
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    held: () => heldResponses.length,
    close: async () => {
      for (const res of heldResponses) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
