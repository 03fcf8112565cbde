// What every drill stands on: the real Temporal dev server as a process we can stop and start (same port, same
// database file), the production worker (src/worker/main.ts) as a child process we can SIGKILL, the simulators
// over HTTP, and their admin API (call log, state) as the evidence. Nothing here is a test double.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { freePort, portOpen } from '../src/cli/stack.js';
import { COORDINATOR_SIGNAL, COORDINATOR_WORKFLOW_TYPE } from '../src/domain/index.js';
import { SEARCH_ATTRIBUTE_KEYS } from '../src/domain/names.js';
import { workflowBundlerOptions } from '../src/worker/worker.js';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_ALIBABA_ECS_ROLE,
  DEFAULT_ALIBABA_ROLE_ARN,
  DEFAULT_HUAWEI_CREDENTIAL,
  startSimulators,
  type RunningSimulators,
  type WorldInput,
} from '../src/simulator/index.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
const WORKER_MAIN = fileURLToPath(new URL('../src/worker/main.ts', import.meta.url));

/** One row of the drills' table. */
export interface DrillReport {
  readonly drill: string;
  readonly trials: number;
  readonly passed: number;
  /** Changes applied twice (a ClientToken committed twice, a member created twice, a key listed twice). */
  readonly duplicates: number;
  /** Requested servers missing from the group at the end (or from the result's `added`). */
  readonly lost: number;
  /** What was measured, in a few words with numbers. */
  readonly figures: string;
  /** Why each failed trial failed (empty when all passed). */
  readonly failures: string[];
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const sorted = (keys: Iterable<string>) => [...keys].sort();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or a rejection naming `what` after `ms` (the timer is cleared either way, so nothing lingers). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms / 1000} s`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A small seeded PRNG (mulberry32), so a drill's random moments repeat from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  dead?: () => string | undefined,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (await check()) return;
    const death = dead?.();
    if (death !== undefined) throw new Error(`${what}: ${death}`);
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** Sends `signal` to `child` (only it) and resolves with how it ended. */
function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<string | number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode ?? child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code, sig) => resolve(sig ?? code));
    child.kill(signal);
  });
}

/** Where a drill runs: a Temporal frontend and a namespace of its own, and the server to stop and start (drill 2). */
export interface DrillTemporal {
  readonly address: string;
  readonly namespace: string;
  down(signal?: NodeJS.Signals): Promise<string | number | null>;
  up(): Promise<void>;
}

/** The Temporal dev server (`temporal server start-dev`) with a database file, stoppable and restartable on its port. */
export class DevServer implements DrillTemporal {
  #child: ChildProcess | undefined;
  #log = '';
  readonly address: string;
  readonly namespace = 'default';
  private constructor(
    readonly cli: string,
    readonly port: number,
    readonly dbFile: string,
    /** Namespaces created with the server (lbflow's search attributes are registered in each, as in `default`). */
    readonly namespaces: readonly string[],
  ) {
    this.address = `127.0.0.1:${port}`;
  }

  /**
   * The server seen from namespace `name` (one given to `start`). Drills that run side by side on one server each
   * take a namespace: a group has one coordinator per namespace, so two drills' simulators with the same group ids
   * would otherwise share it.
   */
  in(name: string): DrillTemporal {
    if (name !== this.namespace && !this.namespaces.includes(name))
      throw new Error(`namespace ${name} was not created with the server (${this.namespaces.join(', ')})`);
    return {
      address: this.address,
      namespace: name,
      down: (signal) => this.down(signal),
      up: () => this.up(),
    };
  }

  /**
   * Starts a dev server on a free port. A port found free can be taken before the server binds it (other servers
   * start alongside, each binding more ports than the one it is given), so a start that dies on "address already in
   * use" is tried again on another port, at most three times.
   */
  static async start(cli: string, dir: string, namespaces: readonly string[] = []): Promise<DevServer> {
    mkdirSync(dir, { recursive: true });
    for (let attempt = 1; ; attempt++) {
      const db = join(dir, `temporal-${Date.now()}-${attempt}.db`);
      const server = new DevServer(cli, await freePort(), db, namespaces);
      try {
        await server.up();
        return server;
      } catch (error) {
        if (attempt >= 3 || !String(error).includes('address already in use')) throw error;
      }
    }
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the server process on the same port and database file, and waits until it answers. */
  async up(): Promise<void> {
    const child = spawn(
      this.cli,
      [
        'server',
        'start-dev',
        '--headless',
        '--ip',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--db-filename',
        this.dbFile,
        '--log-level',
        'error',
        ...SEARCH_ATTRIBUTE_KEYS.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]),
        ...this.namespaces.flatMap((n) => ['--namespace', n]),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    child.stdout?.on('data', (c: Buffer) => (this.#log = (this.#log + c.toString()).slice(-20_000)));
    child.stderr?.on('data', (c: Buffer) => (this.#log = (this.#log + c.toString()).slice(-20_000)));
    const dead = () =>
      child.exitCode !== null || child.signalCode !== null
        ? `exited (${child.signalCode ?? child.exitCode}):\n${this.#log}`
        : undefined;
    await until('the Temporal dev server answering', () => this.#answers(), 60_000, dead);
  }

  async #answers(): Promise<boolean> {
    if (!(await portOpen(this.port))) return false;
    try {
      const connection = await Connection.connect({ address: this.address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: this.namespace });
        return true;
      } finally {
        await connection.close();
      }
    } catch {
      return false;
    }
  }

  /** Stops the server process (SIGTERM: a clean stop; SIGKILL: a crash) and resolves once it is gone. */
  async down(signal: NodeJS.Signals = 'SIGTERM'): Promise<string | number | null> {
    const child = this.#child;
    this.#child = undefined;
    return child ? stopChild(child, signal) : null;
  }
}

/** The production worker (`src/worker/main.ts`) in a child process, configured through its environment only. */
export interface WorkerProcess {
  readonly pid: number;
  readonly alive: () => boolean;
  /** Everything it wrote (JSON log lines), for the secrets scan. */
  readonly output: () => string;
  stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<string | number | null>;
}

export interface WorkerSettings {
  /** The Temporal frontend the worker connects to: a dev server, or the cluster tier's. */
  readonly temporal: { readonly address: string; readonly namespace: string };
  readonly taskQueue: string;
  readonly bundlePath: string;
  readonly sims: RunningSimulators;
  /** Credentials to give it (default: the simulators' demo keys). */
  readonly alibabaSecret?: string;
  readonly huaweiSecret?: string;
  /**
   * Temporary keys instead of fixed ones, from the simulators' stand-ins: `metadata` (the ECS RAM role and the
   * Huawei securitykey), or `assume-role` (Alibaba STS AssumeRole with the demo keys, the Huawei securitykey).
   */
  readonly keysFrom?: 'metadata' | 'assume-role';
  /** More environment: LBFLOW_PROMOTE, LBFLOW_BUILD_ID, limits. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Every worker's output of this process, kept for the secrets scan. */
export const workerOutputs: string[] = [];

export async function startWorker(s: WorkerSettings): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TEMPORAL_ADDRESS: s.temporal.address,
      TEMPORAL_NAMESPACE: s.temporal.namespace,
      LBFLOW_TASK_QUEUE: s.taskQueue,
      LBFLOW_WORKFLOW_BUNDLE: s.bundlePath,
      LBFLOW_ALIBABA_ENDPOINT: s.sims.alibaba.url,
      LBFLOW_HUAWEI_ENDPOINT: s.sims.huawei.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ALIBABA_CREDENTIAL.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: s.alibabaSecret ?? DEFAULT_ALIBABA_CREDENTIAL.accessKeySecret,
      HUAWEICLOUD_SDK_AK: DEFAULT_HUAWEI_CREDENTIAL.accessKey,
      HUAWEICLOUD_SDK_SK: s.huaweiSecret ?? DEFAULT_HUAWEI_CREDENTIAL.secretKey,
      LBFLOW_PROVIDER_CALLS_PER_SECOND: '200',
      LBFLOW_SHUTDOWN_GRACE_SECONDS: '5',
      LBFLOW_LOG_LEVEL: 'INFO',
      ...(s.keysFrom === undefined ? {} : temporaryKeys(s)),
      ...s.env,
    },
  });
  let output = '';
  const index = workerOutputs.push('') - 1;
  const take = (c: Buffer) => {
    output += c.toString();
    workerOutputs[index] = output;
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<string | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  await Promise.race([
    until('the worker reporting worker.ready', async () => output.includes('"event":"worker.ready"'), 60_000),
    exited.then((how) => Promise.reject(new Error(`the worker exited (${how}) before it was ready:\n${output}`))),
  ]);
  return {
    pid: child.pid!,
    alive: () => child.exitCode === null && child.signalCode === null,
    output: () => output,
    stop: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The environment of a worker that takes temporary keys from the simulators' credential stand-ins. */
function temporaryKeys(s: WorkerSettings): Record<string, string> {
  const huawei = {
    HUAWEICLOUD_SDK_AK: '',
    HUAWEICLOUD_SDK_SK: '',
    LBFLOW_HUAWEI_ECS_METADATA: 'true',
    LBFLOW_HUAWEI_METADATA_ENDPOINT: s.sims.huawei.url,
  };
  const redirect = { LBFLOW_ALIBABA_CREDENTIALS_ENDPOINT: s.sims.alibaba.url };
  if (s.keysFrom === 'assume-role')
    return {
      ...huawei,
      ...redirect,
      ALIBABA_CLOUD_ROLE_ARN: DEFAULT_ALIBABA_ROLE_ARN,
      ALIBABA_CLOUD_ROLE_SESSION_NAME: 'lbflow-drill',
    };
  return {
    ...huawei,
    ...redirect,
    ALIBABA_CLOUD_ACCESS_KEY_ID: '',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: '',
    ALIBABA_CLOUD_ECS_METADATA: DEFAULT_ALIBABA_ECS_ROLE,
    ALIBABA_CLOUD_IMDSV1_DISABLED: 'true',
  };
}

/** Bundles the workflow code once into `dir`, so each worker process starts in about a second. */
export async function writeWorkflowBundle(dir: string): Promise<string> {
  const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const bundle = await bundleWorkflowCode({ ...workflowBundlerOptions(), logger: silent });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'workflow-bundle.js');
  writeFileSync(path, bundle.code);
  return path;
}

/** A Temporal client on the dev server (its gRPC channel reconnects after a server restart). */
export async function clientFor(temporal: DrillTemporal): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: temporal.address });
  return { client: new Client({ connection, namespace: temporal.namespace }), close: () => connection.close() };
}

/** Everything a drill needs; each drill starts its own simulators and workers on its own task queues. */
export interface DrillContext {
  readonly temporal: DrillTemporal;
  readonly client: Client;
  readonly bundlePath: string;
  readonly log: (line: string) => void;
}

/**
 * Ends the group coordinators running on `taskQueue` (default: on any queue) before its workers stop (a trial's or a
 * test's last step): each is asked to exit once idle, as before a deploy, and one still running after `withinMs` is
 * terminated. A coordinator left
 * waiting out its idle time on a queue no worker polls would hold its group's one id, and the next trial's requests,
 * on a queue of their own, would hand their servers to it.
 */
export async function retireCoordinators(client: Client, taskQueue?: string, withinMs = 15_000): Promise<void> {
  const ids: string[] = [];
  const onQueue = taskQueue === undefined ? '' : ` AND TaskQueue = '${taskQueue}'`;
  const query = `WorkflowType = '${COORDINATOR_WORKFLOW_TYPE}'${onQueue} AND ExecutionStatus = 'Running'`;
  for await (const w of client.workflow.list({ query })) ids.push(w.workflowId);
  await Promise.all(
    ids.map(async (id) => {
      const handle = client.workflow.getHandle(id);
      if (
        !(await handle.signal(COORDINATOR_SIGNAL, { kind: 'exit-when-idle' }).then(
          () => true,
          () => false,
        ))
      )
        return;
      const running = async () => (await handle.describe()).status.name === 'RUNNING';
      for (const t = Date.now(); Date.now() - t < withinMs; await sleep(100)) if (!(await running())) return;
      await handle.terminate('drill trial over: its coordinator did not exit once idle').catch(() => undefined);
    }),
  );
}

/** Simulators on free ports with `world`, closed by the returned function. */
export async function simulators(world: WorldInput): Promise<RunningSimulators> {
  return startSimulators({ port: 0, world });
}

// ------------------------------------------------------------------ the simulators' account, over HTTP

async function admin<T>(baseUrl: string, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface CallEntryView {
  action: string;
  status: number;
  code?: string;
  clientToken?: string;
  accessKeyId?: string;
  outcome: string;
  committed: boolean;
  faults: string[];
}
export interface CallsAnswer {
  counts: {
    total: number;
    byAction: Record<string, { calls: number; byStatus: Record<string, number>; byOutcome: Record<string, number> }>;
    byClientToken: Record<
      string,
      { action: string; calls: number; committed: number; replayed: number; rejected: number }
    >;
  };
  entries: CallEntryView[];
}

/** `GET /_sim/calls`: counts per action and per ClientToken, and the newest 10,000 entries. */
export const callLog = (baseUrl: string) => admin<CallsAnswer>(baseUrl, '/_sim/calls?limit=10000');

/** `POST /_sim/reset`: back to the starting world, empty log, no faults, no tokens. */
export const resetSimulator = (baseUrl: string) =>
  admin<unknown>(baseUrl, '/_sim/reset', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });

/** `PUT /_sim/faults`: replaces the fault rules. */
export const setFaults = (baseUrl: string, faults: { seed: number; rules: Record<string, unknown>[] }) =>
  admin<unknown>(baseUrl, '/_sim/faults', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });

interface AlibabaStateView {
  serverGroups: {
    id: string;
    status: string;
    servers: { serverId: string; serverType: string; port: number; status: string }[];
  }[];
}
interface HuaweiStateView {
  projects: {
    pools: {
      id: string;
      members: { id: string; address: string; protocol_port: number; operating_status: string }[];
    }[];
  }[];
}

export interface Member {
  key: string;
  status: string;
  id?: string;
}

/** Every Alibaba group's members (`Type:id:port`) and statuses, from `GET /_sim/state`. */
export async function alibabaGroups(baseUrl: string): Promise<Map<string, Member[]>> {
  const state = await admin<AlibabaStateView>(baseUrl, '/_sim/state');
  return new Map(
    state.serverGroups.map((g) => [
      g.id,
      g.servers.map((s) => ({ key: `${s.serverType}:${s.serverId}:${s.port}`, status: s.status })),
    ]),
  );
}

/** Every Huawei pool's members (`address:port`), statuses and member ids, from `GET /_sim/state`. */
export async function huaweiPools(baseUrl: string): Promise<Map<string, Member[]>> {
  const state = await admin<HuaweiStateView>(baseUrl, '/_sim/state');
  return new Map(
    state.projects
      .flatMap((p) => p.pools)
      .map((pool) => [
        pool.id,
        pool.members.map((m) => ({ key: `${m.address}:${m.protocol_port}`, status: m.operating_status, id: m.id })),
      ]),
  );
}

/** Runs `fn` over `items` with at most `limit` at once, in order of start. */
export async function inPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}
