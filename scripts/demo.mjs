// @ts-check
// `npm run demo`: starts the Temporal dev server with its Web UI and lbflow's search attributes
// registered, says where everything is, and stays up until Ctrl-C (`--exit`: stop once it is up).
// Options: --port N (gRPC, default 7233), --ui-port N (default 8233), --db FILE (default
// .temporal/dev-server.db), --exit.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT, provision } from './temporal-servers.mjs';

/** Keep in step with SEARCH_ATTRIBUTES in src/domain/names.ts (a test compares the two). */
export const DEMO_SEARCH_ATTRIBUTES = ['LbProvider', 'LbRegion', 'LbServerGroupId', 'LbPhase'];

/** @param {string} name @param {string} value */
function port(name, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--${name} must be a port number 1–65535; got "${value}"`);
  return n;
}

/** @param {number} p */
function portOpen(p) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: p });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** @param {string} url */
async function uiAnswers(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7233' },
      'ui-port': { type: 'string', default: '8233' },
      db: { type: 'string' },
      exit: { type: 'boolean', default: false },
    },
  });
  const grpcPort = port('port', values.port ?? '7233');
  const uiPort = port('ui-port', values['ui-port'] ?? '8233');
  for (const [flag, p] of /** @type {const} */ ([['port', grpcPort], ['ui-port', uiPort]])) {
    if (await portOpen(p)) {
      throw new Error(`port ${p} is already in use (another Temporal server?): stop it or pass --${flag} <free port>`);
    }
  }

  const cli = provision('cli', { log: () => {} });
  if (!cli.path) throw new Error('no Temporal CLI could be provisioned; run `npm run temporal:provision` to see why');
  const dataDir = join(PROJECT_ROOT, '.temporal');
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, 'dev-server.log');
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(grpcPort),
    '--ui-port', String(uiPort),
    // Runs survive a restart of the demo, so the Web UI keeps showing them.
    '--db-filename', values.db ?? join(dataDir, 'dev-server.db'),
    '--log-level', 'warn',
    ...DEMO_SEARCH_ATTRIBUTES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
  ];
  const out = openSync(logFile, 'a');
  const server = spawn(cli.path, args, { stdio: ['ignore', out, out] });
  let exited = false;
  server.once('exit', () => {
    exited = true;
  });
  const stop = () => {
    if (!exited) server.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const uiUrl = `http://127.0.0.1:${uiPort}`;
  const started = Date.now();
  while (!((await portOpen(grpcPort)) && (await uiAnswers(uiUrl)))) {
    if (exited) throw new Error(`the Temporal dev server exited during start-up; see ${logFile}`);
    if (Date.now() - started > 30_000) {
      stop();
      throw new Error(`the Temporal dev server did not answer on ${grpcPort}/${uiPort} within 30 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  process.stdout.write(
    [
      '',
      `lbflow demo: Temporal dev server up in ${Date.now() - started} ms (Temporal CLI ${cli.version}, ${cli.source})`,
      `  Temporal gRPC   127.0.0.1:${grpcPort}   (namespace "default")`,
      `  Web UI          ${uiUrl}`,
      `  Search attrs    ${DEMO_SEARCH_ATTRIBUTES.join(', ')} (Keyword)`,
      `  Server log      ${logFile}`,
      values.exit ? '  --exit given: stopping the server.' : '  Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  if (values.exit) stop();
  await new Promise((resolve) => (exited ? resolve(undefined) : server.once('exit', resolve)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`lbflow demo: ${err.message}\n`);
    process.exit(1);
  });
}
