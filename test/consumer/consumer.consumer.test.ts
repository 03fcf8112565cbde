// The consumer tier (issue 15): lbflow as another team gets it. `npm pack`, then a fresh project whose only
// dependency is the tarball; a TypeScript service type-checks against the shipped .d.ts and calls lbflow on a
// dev server; the team's own worker runs a parent workflow with lbflow as a child; `npx lbflow worker`, `npx
// lbflow sim` and `npx lbflow add` run from that project; a Python service with the official temporalio SDK
// calls the workflow by name. Every result, failure's details and progress answer is checked against the JSON
// Schemas the package ships.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorWorkerEnv } from '../../src/cli/stack.js';
import { startDevServer } from '../integration/support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** The Node types a TypeScript service has of its own: the same range as lbflow's (a dependency of lbflow's brings @types/node 12, which npm may hoist). */
const NODE_TYPES = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
).devDependencies['@types/node']!;

interface Ran {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  timeout = 300_000,
): Ran {
  const ran = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  return { status: ran.status, signal: ran.signal, stdout: ran.stdout ?? '', stderr: ran.stderr ?? '' };
}

function ok(ran: Ran, what: string): Ran {
  expect(
    ran.status,
    `${what} (exit ${ran.status ?? ran.signal}):\n${ran.stdout.slice(-3000)}\n${ran.stderr.slice(-3000)}`,
  ).toBe(0);
  return ran;
}

/** A long-running process of the consumer project; resolves with it and the first stdout line `ready` accepts. */
function serve(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  ready: (line: string) => boolean,
): Promise<{ child: ChildProcess; line: string; output: () => string }> {
  // Its own process group: npx runs the command as a child, and stopping npx alone would leave it running.
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} not ready in 90 s:\n${out}`)), 90_000);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      pending += d.toString();
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (ready(line)) {
          clearTimeout(timer);
          resolve({ child, line, output: () => out });
        }
      }
    });
    child.once('close', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`)));
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((resolve) => child.once('close', resolve));
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  group('SIGTERM');
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 20_000))]);
  group('SIGKILL');
}

const lastJson = (text: string): Record<string, unknown> =>
  JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;

describe('lbflow installed from its tarball into another project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbflow-consumer-'));
  const app = join(dir, 'app');
  let tarball: { filename: string; size: number; entryCount: number; files: { path: string }[] };
  let env: TestWorkflowEnvironment;
  let address: string;
  let sims: { alibaba: string; huawei: string };
  let simProcess: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  let schema: (name: string) => (value: unknown) => boolean;

  beforeAll(async () => {
    const packed = ok(run('npm', ['pack', '--json', '--pack-destination', dir], ROOT), 'npm pack');
    tarball = (JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as (typeof tarball)[])[0]!;
    cpSync(join(HERE, 'app'), app, { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      `${JSON.stringify({ name: 'a-team-service', private: true, type: 'module', dependencies: { lbflow: `file:../${tarball.filename}` }, devDependencies: { '@types/node': NODE_TYPES } }, null, 2)}\n`,
    );
    ok(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], app), 'npm install of the tarball');

    const ajv = new Ajv2020({ strict: false });
    schema = (name) => {
      const validate =
        ajv.getSchema(name) ??
        (ajv.addSchema(
          JSON.parse(
            readFileSync(join(app, 'node_modules', 'lbflow', 'schemas', `${name}.schema.json`), 'utf8'),
          ) as object,
          name,
        ),
        ajv.getSchema(name)!);
      return (value: unknown) => {
        const valid = validate(value) as boolean;
        if (!valid) console.error(name, JSON.stringify(validate.errors), JSON.stringify(value).slice(0, 2000));
        return valid;
      };
    };

    env = await startDevServer();
    address = env.address;
    const npx = ['--no-install', 'lbflow'];
    const sim = await serve('npx', [...npx, '--json', 'sim', '--port', '0'], app, process.env, (line) =>
      line.startsWith('{'),
    );
    simProcess = sim.child;
    sims = JSON.parse(sim.line) as typeof sims;
    const workerEnv = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TEMPORAL_ADDRESS: address,
      ...simulatorWorkerEnv(sims),
      LBFLOW_METRICS_PORT: '0',
    };
    worker = (await serve('npx', [...npx, 'worker'], app, workerEnv, (line) => line.includes('"event":"worker.ready"')))
      .child;
  }, 600_000);

  afterAll(async () => {
    await stop(worker);
    await stop(simProcess);
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships compiled code, types, schemas and the command, and nothing of test/, bench/, drills/ or src/', () => {
    process.stdout.write(
      `${tarball.filename}: ${(tarball.size / 1024).toFixed(0)} KiB packed, ${tarball.entryCount} files\n`,
    );
    const paths = tarball.files.map((f) => f.path);
    expect(paths.filter((p) => /^(test|bench|drills|src|scripts)\//.test(p))).toEqual([]);
    for (const p of [
      'dist/client/index.d.ts',
      'dist/workflow-bundle.js',
      'bin/lbflow.mjs',
      'schemas/failure-details.schema.json',
    ])
      expect(paths).toContain(p);
    const installed = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies?: unknown;
    };
    // lbflow is the service's one runtime dependency; its own TypeScript needs only the Node types it imports.
    expect(Object.keys(installed.dependencies)).toEqual(['lbflow']);
    expect(installed.devDependencies).toEqual({ '@types/node': NODE_TYPES });
  });

  it('type-checks a TypeScript service and its workflow against the shipped declarations (strict)', () => {
    ok(run(process.execPath, [TSC, '-p', 'tsconfig.json'], app), 'tsc in the consumer project');
    /** tsc's output on the project with one more file, which must fail to type-check. */
    const failsWith = (file: string, text: string) => {
      writeFileSync(join(app, 'src', file), text);
      const ran = run(process.execPath, [TSC, '-p', 'tsconfig.json', '--noEmit'], app);
      rmSync(join(app, 'src', file));
      expect(ran.status).not.toBe(0);
      return ran.stdout;
    };
    // The same check fails on a wrong use: the declarations carry real types, not `any`.
    expect(
      failsWith(
        'wrong.ts',
        "import type { AddServersResult } from 'lbflow/client';\nexport const n: number = ({} as AddServersResult).added;\n",
      ),
    ).toMatch(/wrong\.ts.*Type 'string\[\]' is not assignable to type 'number'/);
    // The domain entry alone knows every provider (their shapes come with it), so a request for no provider fails
    // by naming the ones there are, not as `never`.
    expect(
      failsWith(
        'unknown-provider.ts',
        "import type { AddServersRequestInput } from 'lbflow/domain';\nexport const r: AddServersRequestInput['provider'] = 'acme-lb';\n",
      ),
    ).toMatch(/unknown-provider\.ts.*'"acme-lb"' is not assignable to type '"alibaba-gwlb" \| "huawei-elb"'/);
  }, 120_000);

  it('a TypeScript service starts a run, reads its progress and typed result, and typed failures by class', () => {
    const out = lastJson(ok(run(process.execPath, ['dist/call.js', address], app), 'node dist/call.js').stdout) as {
      result: { added: string[]; servers: { status: string }[]; timings: { chunks: number } };
      progress: { phase: string }[];
      invalid?: { class: string; issues: { path: string }[] };
      notFound?: { class: string; type: string; details: { type: string; added: string[] } };
    };
    expect(schema('add-servers-result')(out.result)).toBe(true);
    expect(out.result.added).toHaveLength(30);
    expect(out.result.timings.chunks).toBe(3);
    expect(out.result.servers.every((s) => s.status === 'Available')).toBe(true);
    expect(out.progress.length).toBeGreaterThan(0);
    for (const p of out.progress) expect(schema('progress')(p)).toBe(true);
    expect(out.progress.at(-1)?.phase).toBe('completed');
    expect(out.invalid?.class).toBe('ValidationError');
    expect(out.invalid?.issues.map((i) => i.path)).toContain('options.maxChunkSize');
    expect(out.notFound).toMatchObject({
      class: 'ServerGroupNotFoundError',
      type: 'ServerGroupNotFound',
      details: { type: 'ServerGroupNotFound', added: [] },
    });
    expect(schema('failure-details')(out.notFound?.details)).toBe(true);
  }, 120_000);

  it("the team's own worker runs a parent workflow that calls addServersAsChild from the package", () => {
    const out = lastJson(ok(run(process.execPath, ['dist/worker.js', address], app), 'node dist/worker.js').stdout);
    expect(out).toEqual({
      ok: { added: 3 },
      missing: { added: 0, failure: { type: 'ServerGroupNotFound', added: 0 } },
    });
  }, 180_000);

  it('`npx lbflow add` runs from the consumer project', () => {
    const request = {
      provider: 'alibaba-gwlb',
      region: 'cn-hangzhou',
      serverGroupId: 'sgp-atstuj3rtoptyui0000',
      servers: [{ serverId: 'i-bp67acfmxazb4p0980', serverType: 'Ecs', serverIp: '192.168.3.231' }],
      options: { pollIntervalSeconds: 0.5 },
    };
    writeFileSync(join(app, 'request.json'), JSON.stringify(request));
    const ran = ok(
      run('npx', ['--no-install', 'lbflow', '--address', address, '--json', 'add', 'request.json'], app),
      'npx lbflow add',
    );
    const out = JSON.parse(ran.stdout) as { status: string; result: { added: string[] } };
    expect(out.status).toBe('completed');
    expect(schema('add-servers-result')(out.result)).toBe(true);
    expect(out.result.added).toEqual(['Ecs:i-bp67acfmxazb4p0980:6081']);
    expect(ran.stderr).not.toMatch(/tsx|Cannot find/);
  }, 120_000);

  it('a Python service with the official temporalio SDK calls the workflow by name and reads typed failures', () => {
    const venv = join(dir, 'venv');
    ok(run('python3', ['-m', 'venv', venv], dir), 'python3 -m venv');
    ok(
      run(join(venv, 'bin', 'pip'), ['install', '--quiet', '-r', join(HERE, 'python', 'requirements.txt')], dir),
      'pip install temporalio',
    );
    const out = lastJson(
      ok(
        run(join(venv, 'bin', 'python'), [join(HERE, 'python', 'caller.py'), address], dir, process.env, 120_000),
        'python caller.py',
      ).stdout,
    ) as {
      result: { added: string[]; provider: string };
      progress: { phase: string };
      missing: { type: string; non_retryable: boolean; details: { type: string } };
      invalid: { type: string; details: { type: string; issues: { path: string }[] } };
    };
    expect(schema('add-servers-result')(out.result)).toBe(true);
    expect(out.result.provider).toBe('huawei-elb');
    expect(out.result.added).toHaveLength(25);
    expect(schema('progress')(out.progress)).toBe(true);
    expect(out.progress.phase).toBe('completed');
    expect(out.missing).toMatchObject({
      type: 'ServerGroupNotFound',
      non_retryable: true,
      details: { type: 'ServerGroupNotFound' },
    });
    expect(schema('failure-details')(out.missing.details)).toBe(true);
    expect(out.invalid.type).toBe('ValidationError');
    expect(schema('failure-details')(out.invalid.details)).toBe(true);
    expect(out.invalid.details.issues.map((i) => i.path)).toContain('servers[0].protocolPort');
  }, 300_000);
});

describe('lbflow installed as a git dependency', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbflow-gitdep-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds on install (prepare) and gives the same entry points: the client, the workflow bundle and the command', () => {
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: 'a-team-service', private: true, type: 'module' })}\n`,
    );
    // This checkout's committed HEAD, as `npm install git+https://…/lbflow.git` would fetch it.
    ok(
      run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `git+file://${ROOT}`], dir),
      'npm install git+file://',
    );
    const installed = join(dir, 'node_modules', 'lbflow');
    const client = ok(
      run(
        process.execPath,
        ['-e', "import('lbflow/client').then((m) => console.log(typeof m.startAddServers, typeof m.ValidationError))"],
        dir,
      ),
      'import lbflow/client',
    );
    expect(client.stdout.trim()).toBe('function function');
    expect(readFileSync(join(installed, 'dist', 'workflow-bundle.js'), 'utf8')).toContain('__TEMPORAL__');
    const help = ok(run('npx', ['--no-install', 'lbflow', '--help'], dir), 'npx lbflow --help');
    expect(help.stdout).toMatch(/worker/);
  }, 300_000);
});
