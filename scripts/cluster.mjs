// @ts-check
// The production-shaped Temporal cluster on this machine, without Docker: PostgreSQL from Debian, and the
// Temporal server's frontend, history, matching and worker services as four processes of one pinned server
// build, on free ports, with SQL visibility. The same images' settings as docker-compose.yml: the server reads
// the same variables (its embedded config template), the schema is set up by docker/temporal/setup-postgres.sh
// and the namespace by docker/temporal/setup-namespace.sh.
//
//   node scripts/cluster.mjs provision            build the server, sql tool and Web UI server into the cache (once)
//   node scripts/cluster.mjs up [--dir D]         PostgreSQL, the four services, the Web UI, the simulators and two
//                                                 lbflow workers; prints where each is (--json; --no-lbflow: the cluster only)
//   node scripts/cluster.mjs status [--dir D]     which processes are alive
//   node scripts/cluster.mjs down [--dir D]       stop them (the data directory stays; up again reuses it)
//
// The build cache is machine-wide (LBFLOW_CACHE_DIR, default ~/.cache/lbflow), so clones share it.
import { spawn, spawnSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One server version for the build here and the compose file's images (test/cluster checks they agree). */
export const TEMPORAL_SERVER_VERSION = '1.30.4';
const MODULE = 'go.temporal.io/server';
const BUILDS = /** @type {const} */ ([
  { name: 'temporal-server', pkg: 'cmd/server', built: 'server' },
  { name: 'temporal-sql-tool', pkg: 'cmd/tools/sql', built: 'sql' },
]);
/**
 * The Web UI server: the version the Temporal CLI 1.9.1 embeds (the UI tier's), the newest whose go.mod accepts
 * the machine's Go 1.26.8 (2.56 and later ask for 1.26.10). It cannot be `go install`ed (its go.mod has replace
 * directives), so it is built from its module directory.
 */
export const TEMPORAL_UI_VERSION = '2.54.1';
const UI_MODULE = 'github.com/temporalio/ui-server/v2';
/** History first: started at once on an empty database, the services race to write the cluster metadata. */
export const SERVICES = /** @type {const} */ (['history', 'matching', 'frontend', 'worker']);
const PG_USER = 'temporal';
const PG_PASSWORD = 'temporal';
/** lbflow's search attributes (src/domain/names.ts), as setup-namespace.sh takes them; test/compose.test.ts checks they agree. */
export const SEARCH_ATTRIBUTES = 'LbProvider=Keyword LbRegion=Keyword LbServerGroupId=Keyword LbPhase=Keyword';

/** @param {NodeJS.ProcessEnv} env */
export function cacheDir(env = process.env) {
  return env.LBFLOW_CACHE_DIR ?? join(homedir(), '.cache', 'lbflow');
}

/** The built server and sql tool: paths, and whether both are there. */
export function serverBinaries(env = process.env) {
  const dir = join(cacheDir(env), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const server = join(dir, 'temporal-server');
  const sql = join(dir, 'temporal-sql-tool');
  return { dir, server, sql, present: existsSync(server) && existsSync(sql) };
}

/**
 * Builds what is missing with `go install` (the machine's Go; the version's go.mod accepts Go 1.26). Each binary
 * is built into a fresh directory and moved into place, so an interrupted build leaves nothing half-written.
 * @param {{ log?: (line: string) => void, env?: NodeJS.ProcessEnv }} [o]
 */
export function provision(o = {}) {
  const env = o.env ?? process.env;
  const log = o.log ?? ((line) => process.stderr.write(`[cluster] ${line}\n`));
  const bins = serverBinaries(env);
  mkdirSync(bins.dir, { recursive: true });
  for (const b of BUILDS) {
    const target = join(bins.dir, b.name);
    if (existsSync(target)) {
      log(`${b.name} ${TEMPORAL_SERVER_VERSION}: cached at ${target}`);
      continue;
    }
    const out = join(bins.dir, `.build-${process.pid}-${b.name}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const started = Date.now();
    log(
      `${b.name} ${TEMPORAL_SERVER_VERSION}: go install ${MODULE}/${b.pkg}@v${TEMPORAL_SERVER_VERSION} (a few minutes cold: about 3 here on 2 cores, with the Go module downloads)`,
    );
    const r = spawnSync('go', ['install', `${MODULE}/${b.pkg}@v${TEMPORAL_SERVER_VERSION}`], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...env, GOBIN: out, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' },
    });
    if (r.status !== 0)
      throw new Error(
        `go install of ${b.pkg} failed (exit ${r.status ?? r.signal}); is Go installed? (the machine's Go builds ${TEMPORAL_SERVER_VERSION})`,
      );
    renameSync(join(out, b.built), target);
    rmSync(out, { recursive: true, force: true });
    log(`${b.name}: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  provisionUi(o);
  if (!postgresBinDir())
    log('PostgreSQL is not installed: apt-get install postgresql (the cluster needs initdb, pg_ctl and psql)');
  return serverBinaries(env);
}

/** The built Web UI server and the configuration template it reads (`--root <dir> --env docker`). */
export function uiBinaries(env = process.env) {
  const dir = join(cacheDir(env), `temporal-ui-server-${TEMPORAL_UI_VERSION}`);
  const server = join(dir, 'temporal-ui-server');
  return { dir, server, present: existsSync(server) && existsSync(join(dir, 'config', 'docker.yaml')) };
}

/**
 * Builds the Web UI server from the module's source (fetched through the Go module proxy), with the UI's
 * compiled assets it embeds, and keeps its configuration template beside it.
 * @param {{ log?: (line: string) => void, env?: NodeJS.ProcessEnv }} [o]
 */
export function provisionUi(o = {}) {
  const env = o.env ?? process.env;
  const log = o.log ?? ((line) => process.stderr.write(`[cluster] ${line}\n`));
  const ui = uiBinaries(env);
  if (ui.present) {
    log(`temporal-ui-server ${TEMPORAL_UI_VERSION}: cached at ${ui.server}`);
    return ui;
  }
  const goEnv = { ...env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' };
  const started = Date.now();
  const download = spawnSync('go', ['mod', 'download', '-json', `${UI_MODULE}@v${TEMPORAL_UI_VERSION}`], {
    encoding: 'utf8',
    env: goEnv,
    cwd: tmpdirFor(env),
  });
  const source = /** @type {{ Dir?: string, Error?: string }} */ (JSON.parse(download.stdout || '{}'));
  if (download.status !== 0 || !source.Dir)
    throw new Error(`go mod download ${UI_MODULE}@v${TEMPORAL_UI_VERSION} failed: ${source.Error ?? download.stderr}`);
  const out = join(ui.dir, `.build-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'config'), { recursive: true });
  log(`temporal-ui-server ${TEMPORAL_UI_VERSION}: go build ./cmd/server in ${source.Dir}`);
  const build = spawnSync('go', ['build', '-o', join(out, 'temporal-ui-server'), './cmd/server'], {
    cwd: source.Dir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: goEnv,
  });
  if (build.status !== 0) throw new Error(`building the Web UI server failed (exit ${build.status ?? build.signal})`);
  writeFileSync(join(out, 'config', 'docker.yaml'), readFileSync(join(source.Dir, 'config', 'docker.yaml')));
  mkdirSync(ui.dir, { recursive: true });
  for (const name of ['temporal-ui-server', 'config']) {
    rmSync(join(ui.dir, name), { recursive: true, force: true });
    renameSync(join(out, name), join(ui.dir, name));
  }
  rmSync(out, { recursive: true, force: true });
  log(`temporal-ui-server: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return uiBinaries(env);
}

/** A working directory outside any Go module, for `go mod download` of a module by path. */
function tmpdirFor(/** @type {NodeJS.ProcessEnv} */ env) {
  const dir = join(cacheDir(env), 'go-work');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Debian's PostgreSQL server binaries (initdb, pg_ctl, postgres), newest first; undefined when none. */
export function postgresBinDir() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** @param {number} port @returns {Promise<boolean>} */
function canBind(port) {
  return new Promise((resolveBind) => {
    const server = createServer();
    server.once('error', () => resolveBind(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveBind(true)));
  });
}

/** Ports handed out by this process, so two asks never get the same one. */
const handedOut = new Set();

/**
 * A free port from 20000–32767: Temporal stores membership ports in a PostgreSQL smallint (a port above 32767
 * fails cluster membership), and the kernel's ephemeral range starts above it.
 * @returns {Promise<number>}
 */
export async function freePort() {
  for (let i = 0; i < 1000; i++) {
    const port = 20000 + Math.floor(Math.random() * 12768);
    if (handedOut.has(port)) continue;
    if (await canBind(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port in 20000-32767');
}

/** @param {number} port */
function portOpen(port) {
  return new Promise((resolveOpen) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once('error', () => resolveOpen(false));
  });
}

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {string} what
 * @param {() => Promise<boolean> | boolean} check
 * @param {number} timeoutMs
 */
async function until(what, check, timeoutMs) {
  const started = Date.now();
  for (;;) {
    if (await check()) return;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/**
 * Runs `cmd` as the postgres user when this is root (PostgreSQL refuses to run as root).
 * @param {string} cmd
 * @param {string[]} args
 * @returns {[string, string[]]}
 */
function asPostgres(cmd, args) {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

/**
 * @typedef {{ pid: number, log: string }} Proc
 * @typedef {{
 *   dir: string, version: string, address: string, httpAddress: string, namespace: string,
 *   postgres: { port: number, dataDir: string, log: string },
 *   ports: Record<string, number>, services: Record<string, Proc>, env: Record<string, string>,
 *   ui?: Proc & { url: string },
 *   lbflow?: { simulators: Proc & { alibaba: string, huawei: string }, workers: Proc[], taskQueue: string }
 * }} ClusterState
 */

const stateFile = (/** @type {string} */ dir) => join(dir, 'cluster.json');

/** @param {string} dir @returns {ClusterState | undefined} */
export function readState(dir) {
  return existsSync(stateFile(dir))
    ? /** @type {ClusterState} */ (JSON.parse(readFileSync(stateFile(dir), 'utf8')))
    : undefined;
}

/** @param {number} pid */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts one Temporal service, detached, its output in `<dir>/<service>.log`. */
function startService(/** @type {ClusterState} */ state, /** @type {string} */ service) {
  const log = join(state.dir, `${service}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(serverBinaries().server, ['--allow-no-auth', 'start', '--service', service], {
    env: { ...process.env, ...state.env },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  child.unref();
  return { pid: /** @type {number} */ (child.pid), log };
}

/**
 * The port that says a service started: its gRPC port; the worker service serves no gRPC, so its membership
 * (ringpop) port. The frontend also has to answer (frontendAnswers).
 */
function grpcPort(/** @type {ClusterState} */ state, /** @type {string} */ service) {
  return /** @type {number} */ (state.ports[service === 'worker' ? 'workerMembership' : `${service}Grpc`]);
}

/** The frontend answers requests: `temporal operator namespace list` lists the system namespace. */
function frontendAnswers(/** @type {ClusterState} */ state) {
  const r = spawnSync(temporalCli(), ['operator', 'namespace', 'list', '--address', state.address, '-o', 'json'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return r.status === 0 && r.stdout.includes('temporal-system');
}

function temporalCli() {
  const paths = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'temporal-servers.mjs'), 'paths'], {
    encoding: 'utf8',
  });
  const cli = /** @type {{ cli?: { path?: string } }} */ (JSON.parse(paths.stdout || '{}')).cli?.path;
  if (!cli) throw new Error('the Temporal CLI is not provisioned: node scripts/temporal-servers.mjs provision');
  return cli;
}

/** Starts `service` again (after a kill) and waits until it serves. */
export async function startAgain(/** @type {ClusterState} */ state, /** @type {string} */ service) {
  state.services[service] = startService(state, service);
  writeFileSync(stateFile(state.dir), `${JSON.stringify(state, null, 2)}\n`);
  await until(`${service} listening`, () => portOpen(grpcPort(state, service)), 60_000);
  if (service === 'frontend') await until('the frontend answering', () => frontendAnswers(state), 60_000);
}

/** Restarts PostgreSQL in place (the fault drill): fast shutdown, start again on the same port. */
export function restartPostgres(/** @type {ClusterState} */ state) {
  const bin = /** @type {string} */ (postgresBinDir());
  const pg = state.postgres;
  const [cmd, args] = asPostgres(join(bin, 'pg_ctl'), [
    '-D',
    pg.dataDir,
    '-m',
    'fast',
    '-w',
    '-l',
    pg.log,
    '-o',
    `-p ${pg.port} -k ${pg.dataDir} -c listen_addresses=127.0.0.1`,
    'restart',
  ]);
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pg_ctl restart failed: ${r.stderr}`);
}

/**
 * PostgreSQL (a private data directory under `dir`), the schema, the four services in an order that cannot
 * race, the namespace and lbflow's search attributes. Resolves once the frontend answers.
 * @param {{ dir: string, namespace?: string, log?: (line: string) => void }} o
 * @returns {Promise<ClusterState>}
 */
export async function up(o) {
  try {
    return await upOnce(o);
  } catch (error) {
    // Nothing half-started stays behind.
    await down(o.dir).catch(() => {});
    throw error;
  }
}

/** @param {{ dir: string, namespace?: string, log?: (line: string) => void }} o @returns {Promise<ClusterState>} */
async function upOnce(o) {
  const log = o.log ?? ((line) => process.stderr.write(`[cluster] ${line}\n`));
  const dir = resolve(o.dir);
  const namespace = o.namespace ?? 'default';
  const existing = readState(dir);
  if (existing && Object.values(existing.services).some((s) => alive(s.pid)))
    throw new Error(`a cluster is already running from ${dir}: node scripts/cluster.mjs down --dir ${dir}`);
  const bins = serverBinaries();
  if (!bins.present)
    throw new Error(`the Temporal server ${TEMPORAL_SERVER_VERSION} is not built: node scripts/cluster.mjs provision`);
  const pgBin = postgresBinDir();
  if (!pgBin) throw new Error('PostgreSQL is not installed: apt-get install postgresql');
  mkdirSync(dir, { recursive: true });
  const started = Date.now();

  // PostgreSQL: a data directory of its own, on a free port, the socket in the data directory.
  const dataDir = join(dir, 'postgres');
  const pgLog = join(dir, 'postgres.log');
  const root = process.getuid?.() === 0;
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true });
    if (root) {
      const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      chownSync(dataDir, Number(pw.stdout), Number(gid.stdout));
      chownSync(dir, Number(pw.stdout), Number(gid.stdout));
    }
    if (root && spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dir]).status !== 0) {
      throw new Error(
        `the postgres user cannot write ${dir}: PostgreSQL never runs as root, so every directory above it must be reachable (chmod o+x)`,
      );
    }
    const pwFile = join(dir, '.pgpass-init');
    writeFileSync(pwFile, `${PG_PASSWORD}\n`, { mode: 0o644 });
    const [cmd, args] = asPostgres(join(pgBin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      PG_USER,
      '--pwfile',
      pwFile,
      '-A',
      'scram-sha-256',
      '-E',
      'UTF8',
      '--no-instructions',
    ]);
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    rmSync(pwFile, { force: true });
    if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr || r.stdout}`);
  }
  const pgPort = existing?.postgres.port ?? (await freePort());
  {
    const [cmd, args] = asPostgres(join(pgBin, 'pg_ctl'), [
      '-D',
      dataDir,
      '-w',
      '-l',
      pgLog,
      '-o',
      `-p ${pgPort} -k ${dataDir} -c listen_addresses=127.0.0.1 -c max_connections=300`,
      'start',
    ]);
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`PostgreSQL did not start: ${r.stderr || r.stdout} (see ${pgLog})`);
  }
  log(`postgresql: 127.0.0.1:${pgPort} (data ${dataDir})`);

  /** @type {Record<string, number>} */
  const ports = existing?.ports ?? {};
  for (const name of [
    'frontendGrpc',
    'frontendHttp',
    'frontendMembership',
    'internalFrontendHttp',
    'historyGrpc',
    'historyMembership',
    'matchingGrpc',
    'matchingMembership',
    'workerGrpc',
    'workerMembership',
  ]) {
    ports[name] ??= await freePort();
  }
  /** @type {Record<string, string>} */
  const env = {
    DB: 'postgres12',
    DB_PORT: String(pgPort),
    POSTGRES_SEEDS: '127.0.0.1',
    POSTGRES_USER: PG_USER,
    POSTGRES_PWD: PG_PASSWORD,
    BIND_ON_IP: '127.0.0.1',
    NUM_HISTORY_SHARDS: '4',
    LOG_LEVEL: 'warn',
    DYNAMIC_CONFIG_FILE_PATH: join(PROJECT_ROOT, 'docker', 'temporal', 'dynamicconfig', 'development-sql.yaml'),
    FRONTEND_GRPC_PORT: String(ports.frontendGrpc),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    INTERNAL_FRONTEND_HTTP_PORT: String(ports.internalFrontendHttp),
    HISTORY_GRPC_PORT: String(ports.historyGrpc),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matchingGrpc),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.workerGrpc),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
  };
  /** @type {ClusterState} */
  const state = {
    dir,
    version: TEMPORAL_SERVER_VERSION,
    address: `127.0.0.1:${ports.frontendGrpc}`,
    httpAddress: `127.0.0.1:${ports.frontendHttp}`,
    namespace,
    postgres: { port: pgPort, dataDir, log: pgLog },
    ports,
    services: {},
    env,
  };
  writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);

  // The schema, as the compose stack's one-shot job sets it up.
  const schema = spawnSync('sh', [join(PROJECT_ROOT, 'docker', 'temporal', 'setup-postgres.sh')], {
    encoding: 'utf8',
    env: {
      ...process.env,
      POSTGRES_SEEDS: '127.0.0.1',
      POSTGRES_USER: PG_USER,
      SQL_PASSWORD: PG_PASSWORD,
      DB_PORT: String(pgPort),
      TEMPORAL_SQL_TOOL: bins.sql,
    },
  });
  if (schema.status !== 0) throw new Error(`schema setup failed:\n${schema.stdout}\n${schema.stderr}`);
  log('schema: temporal and temporal_visibility current');

  for (const service of SERVICES) {
    const proc = startService(state, service);
    state.services[service] = proc;
    writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
    const pid = proc.pid;
    await until(
      `${service} listening on ${grpcPort(state, service)} (log: ${proc.log})`,
      async () => {
        if (!alive(pid)) throw new Error(`${service} exited at start: ${tail(proc.log)}`);
        return portOpen(grpcPort(state, service));
      },
      90_000,
    );
    if (service === 'frontend') await until('the frontend answering', () => frontendAnswers(state), 90_000);
    log(`${service}: pid ${pid}, 127.0.0.1:${grpcPort(state, service)}`);
  }

  const cli = temporalCli();
  const ns = spawnSync('sh', [join(PROJECT_ROOT, 'docker', 'temporal', 'setup-namespace.sh')], {
    encoding: 'utf8',
    env: {
      ...process.env,
      PATH: `${dirname(cli)}:${process.env.PATH ?? ''}`,
      TEMPORAL_ADDRESS: state.address,
      TEMPORAL_NAMESPACE: namespace,
      LBFLOW_SEARCH_ATTRIBUTES: SEARCH_ATTRIBUTES,
      LBFLOW_NAMESPACE_RETENTION: '72h',
    },
  });
  if (ns.status !== 0) throw new Error(`namespace setup failed:\n${ns.stdout}\n${ns.stderr}`);
  log(`namespace ${namespace}: ready with lbflow's search attributes`);

  // The Web UI, on the frontend, with the template the docker image uses.
  const ui = uiBinaries();
  if (ui.present) {
    ports.ui ??= await freePort();
    const url = `http://127.0.0.1:${ports.ui}`;
    const uiLog = join(dir, 'ui.log');
    const fd = openSync(uiLog, 'a');
    const child = spawn(ui.server, ['--root', ui.dir, '--env', 'docker', 'start'], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: state.address,
        TEMPORAL_UI_PORT: String(ports.ui),
        TEMPORAL_DEFAULT_NAMESPACE: namespace,
        TEMPORAL_CORS_ORIGINS: url,
        TEMPORAL_DISABLE_NEWS_FETCH: 'true',
      },
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    child.unref();
    state.ui = { pid: /** @type {number} */ (child.pid), log: uiLog, url };
    writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
    await until(
      `the Web UI answering at ${url} (log: ${uiLog})`,
      async () => {
        try {
          return (await fetch(`${url}/api/v1/namespaces/${namespace}`)).ok;
        } catch {
          return false;
        }
      },
      60_000,
    );
    log(`web ui: ${url}`);
  } else log(`web ui: not built (node scripts/cluster.mjs provision builds temporal-ui-server ${TEMPORAL_UI_VERSION})`);
  log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return state;
}

function tail(/** @type {string} */ file) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A detached process of this project's command (`bin/lbflow.mjs …`), its output in `log`. */
function startLbflow(
  /** @type {string[]} */ args,
  /** @type {string} */ log,
  /** @type {Record<string, string>} */ env,
) {
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'lbflow.mjs'), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  child.unref();
  return { pid: /** @type {number} */ (child.pid), log };
}

/**
 * What a user of `npm run cluster -- up` gets beside the cluster: both simulators (the default world, the demo
 * keys) and two lbflow workers on them, as `lbflow dev` gives beside the dev server.
 * @param {ClusterState} state
 */
export async function startLbflowOn(state, taskQueue = 'lbflow') {
  const simLog = join(state.dir, 'simulators.log');
  rmSync(simLog, { force: true });
  const sim = startLbflow(['--json', 'sim', '--port', '0'], simLog, {});
  /** @type {{ alibaba: string, huawei: string } | undefined} */
  let urls;
  await until(
    `the simulators printing their endpoints (log: ${simLog})`,
    () => {
      const line = existsSync(simLog)
        ? readFileSync(simLog, 'utf8')
            .split('\n')
            .find((l) => l.startsWith('{'))
        : undefined;
      if (line) urls = JSON.parse(line);
      if (!alive(sim.pid)) throw new Error(`the simulators exited: ${tail(simLog)}`);
      return urls !== undefined;
    },
    60_000,
  );
  const endpoints = /** @type {{ alibaba: string, huawei: string }} */ (urls);
  // The worker environment `lbflow dev` gives its worker (endpoints and the default world's demo keys), from the build.
  const stack = join(PROJECT_ROOT, 'dist', 'cli', 'stack.js');
  if (!existsSync(stack)) throw new Error('dist/ is not built: npm run build (npm install builds it)');
  const { simulatorWorkerEnv } =
    /** @type {{ simulatorWorkerEnv(urls: { alibaba: string, huawei: string }): Record<string, string> }} */ (
      await import(stack)
    );
  const simEnv = simulatorWorkerEnv(endpoints);
  /** @type {Proc[]} */
  const workers = [];
  for (let i = 1; i <= 2; i++) {
    const log = join(state.dir, `lbflow-worker-${i}.log`);
    rmSync(log, { force: true });
    const w = startLbflow(['worker'], log, {
      ...simEnv,
      TEMPORAL_ADDRESS: state.address,
      TEMPORAL_NAMESPACE: state.namespace,
      LBFLOW_TASK_QUEUE: taskQueue,
    });
    workers.push(w);
    await until(
      `lbflow worker ${i} ready (log: ${log})`,
      () => {
        if (!alive(w.pid)) throw new Error(`lbflow worker ${i} exited: ${tail(log)}`);
        return existsSync(log) && readFileSync(log, 'utf8').includes('"event":"worker.ready"');
      },
      120_000,
    );
  }
  state.lbflow = { simulators: { ...sim, alibaba: endpoints.alibaba, huawei: endpoints.huawei }, workers, taskQueue };
  writeFileSync(stateFile(state.dir), `${JSON.stringify(state, null, 2)}\n`);
  return state.lbflow;
}

/**
 * Stops the services (SIGTERM, then SIGKILL after 10 s) and PostgreSQL; the data directory stays.
 * @param {string} dir
 */
export async function down(dir) {
  const state = readState(resolve(dir));
  if (!state) return;
  for (const proc of state.lbflow ? [...state.lbflow.workers, state.lbflow.simulators] : [])
    if (alive(proc.pid)) process.kill(proc.pid, 'SIGTERM');
  for (const service of [...SERVICES].reverse()) {
    const proc = state.services[service];
    if (!proc || !alive(proc.pid)) continue;
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {
      process.kill(proc.pid, 'SIGTERM');
    }
  }
  if (state.ui && alive(state.ui.pid)) process.kill(state.ui.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  for (const proc of [
    ...Object.values(state.services),
    ...(state.ui ? [state.ui] : []),
    ...(state.lbflow ? [...state.lbflow.workers, state.lbflow.simulators] : []),
  ]) {
    while (alive(proc.pid) && Date.now() < deadline) await sleep(100);
    if (alive(proc.pid)) process.kill(proc.pid, 'SIGKILL');
  }
  const pgBin = postgresBinDir();
  if (pgBin && existsSync(join(state.postgres.dataDir, 'postmaster.pid'))) {
    const [cmd, args] = asPostgres(join(pgBin, 'pg_ctl'), ['-D', state.postgres.dataDir, '-m', 'fast', '-w', 'stop']);
    spawnSync(cmd, args, { encoding: 'utf8' });
  }
}

/** @param {string} dir */
export function status(dir) {
  const state = readState(resolve(dir));
  if (!state) return { running: false, dir };
  return {
    dir: state.dir,
    address: state.address,
    postgres: { port: state.postgres.port, running: existsSync(join(state.postgres.dataDir, 'postmaster.pid')) },
    services: Object.fromEntries(
      Object.entries(state.services).map(([name, p]) => [name, { pid: p.pid, alive: alive(p.pid) }]),
    ),
    ...(state.ui ? { ui: { url: state.ui.url, pid: state.ui.pid, alive: alive(state.ui.pid) } } : {}),
    ...(state.lbflow
      ? {
          lbflow: {
            taskQueue: state.lbflow.taskQueue,
            simulators: {
              alibaba: state.lbflow.simulators.alibaba,
              huawei: state.lbflow.simulators.huawei,
              alive: alive(state.lbflow.simulators.pid),
            },
            workers: state.lbflow.workers.map((w) => ({ pid: w.pid, alive: alive(w.pid) })),
          },
        }
      : {}),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, ...rest] = process.argv.slice(2);
  const dirArg = rest[rest.indexOf('--dir') + 1];
  const dir = rest.includes('--dir') && dirArg ? dirArg : join(PROJECT_ROOT, '.temporal', 'cluster');
  const run = async () => {
    switch (command) {
      case 'provision':
        provision();
        return;
      case 'up': {
        const state = await up({ dir });
        const lbflow = rest.includes('--no-lbflow')
          ? undefined
          : await startLbflowOn(state).catch(async (/** @type {unknown} */ error) => {
              await down(dir);
              throw error;
            });
        if (rest.includes('--json')) {
          process.stdout.write(`${JSON.stringify(status(dir))}\n`);
          return;
        }
        const rows = [
          ['temporal', `${state.address} (namespace ${state.namespace}; server ${state.version}, four services)`],
          ['web ui', state.ui?.url ?? 'not built'],
          ['postgresql', `127.0.0.1:${state.postgres.port} (data ${state.postgres.dataDir})`],
          ['services', SERVICES.map((s) => `${s} ${state.services[s]?.pid}`).join(', ')],
          ...(lbflow
            ? [
                ['simulators', `alibaba ${lbflow.simulators.alibaba}, huawei ${lbflow.simulators.huawei}`],
                [
                  'lbflow',
                  `2 workers on task queue ${lbflow.taskQueue} (pids ${lbflow.workers.map((w) => w.pid).join(', ')})`,
                ],
                [
                  'try',
                  `TEMPORAL_ADDRESS=${state.address} ${state.ui ? `LBFLOW_WEB_UI=${state.ui.url} ` : ''}npx lbflow add --provider alibaba-gwlb --region cn-hangzhou --group sgp-atstuj3rtoptyui0001 --server serverId=i-bp67acfmxazb4p1100,serverType=Ecs,serverIp=192.168.4.101`,
                ],
              ]
            : []),
          ['logs', state.dir],
          [
            'stop',
            `npm run cluster -- down${dir === join(PROJECT_ROOT, '.temporal', 'cluster') ? '' : ` --dir ${dir}`}`,
          ],
        ];
        process.stdout.write(
          `lbflow cluster: up\n${rows.map(([k, v]) => `  ${String(k).padEnd(11)} ${v}`).join('\n')}\n`,
        );
        return;
      }
      case 'down':
        await down(dir);
        return;
      case 'status':
        process.stdout.write(`${JSON.stringify(status(dir), null, 2)}\n`);
        return;
      default:
        process.stderr.write(
          'usage: node scripts/cluster.mjs provision | up [--dir D] [--no-lbflow] [--json] | status [--dir D] | down [--dir D]\n',
        );
        process.exitCode = 2;
    }
  };
  run().catch((error) => {
    process.stderr.write(`[cluster] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
