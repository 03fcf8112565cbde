// @ts-check
// Makes a fresh clone runnable: the right Node, npm dependencies as locked, and both Temporal
// servers. Runs before `npm test` and `npm run demo`, so it uses Node built-ins only. A second run
// with nothing to do takes well under a second.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, provisionAll } from './temporal-servers.mjs';

const log = (/** @type {string} */ line) => process.stderr.write(`[bootstrap] ${line}\n`);

function checkNode() {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 3)) {
    throw new Error(`Node ${process.versions.node} is too old: lbflow needs Node ≥ 20.3 (the Temporal SDK's minimum)`);
  }
}

/** npm writes node_modules/.package-lock.json after every install: older than the lock file means stale. */
function dependenciesStale() {
  const hidden = join(PROJECT_ROOT, 'node_modules', '.package-lock.json');
  if (!existsSync(hidden)) return 'node_modules is missing';
  const lock = join(PROJECT_ROOT, 'package-lock.json');
  if (statSync(lock).mtimeMs > statSync(hidden).mtimeMs) return 'package-lock.json changed since the last install';
  return undefined;
}

function installDependencies() {
  const why = dependenciesStale();
  if (!why) return;
  log(`${why}: running npm install`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // Not `npm ci`: the lock file cannot list the optional platform builds of @swc/core that a
  // registry mirror lacks, and `npm ci` refuses such a lock while `npm install` skips them.
  const r = spawnSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm install failed (exit ${r.status ?? r.signal})`);
}

try {
  checkNode();
  installDependencies();
  provisionAll();
} catch (err) {
  log(/** @type {Error} */ (err).message);
  process.exit(1);
}
