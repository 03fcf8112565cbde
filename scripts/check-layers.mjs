// @ts-check
// Enforces the layers (LAYERS below, printed into README.md) on every import under src/: imports go one way, workflow
// code imports only workflow-safe modules, the simulators share nothing with the clients.
//   node scripts/check-layers.mjs [root]    prints each violation; exits 1 if there is any
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The layers: the one table of them. README.md's table under "Architecture" is printed from it
 * (`node scripts/check-layers.mjs --table`; a test keeps the two the same), and the check below enforces it.
 * Per room: its job, the rooms of ours it may import, and the npm packages it may import (`*` = any).
 * `typeOnly` rooms may be imported with `import type` only (erased at build, so no code crosses).
 * @type {Record<string, { job: string, rooms: string[], typeOnly?: string[], packages: string[] | '*', builtins: boolean }>}
 */
export const LAYERS = {
  domain: {
    job: "the rules every provider shares and the interface each implements (`ProviderDefinition`): request fields and options, validation, dedupe, chunking, failure catalogue, error classification, names, the timings, the messages between a request and its group's coordinator; pure and workflow-safe, naming no provider",
    rooms: [],
    packages: ['zod', '@temporalio/common'],
    builtins: false,
  },
  registry: {
    job: "the providers lbflow drives, each one's workflow-safe half in its own folder (`src/providers/<name>/definition/`: readiness words, identity, group, request schema, error rules) and listed once in `src/registry/providers.ts`; what every other room asks of a provider by its name (the request union, the message schemas, workflow ids); pure and workflow-safe",
    rooms: ['domain'],
    packages: ['zod'],
    builtins: false,
  },
  // The clients' HTTP, the vendor's Alibaba credential providers, the INI reader for the Huawei credentials file, and
  // zod for the rules of each provider's environment variables.
  providers: {
    job: 'the real cloud clients over undici: ACS3-HMAC-SHA256 and SDK-HMAC-SHA256 signing, pagination, credential chains, `ProviderError`; each provider one plug-in (`src/providers/<name>/plugin.ts`: its variables, credentials and client), listed in `src/providers/registry.ts`',
    rooms: ['domain', 'registry'],
    packages: ['undici', '@alicloud/credentials', 'ini', 'zod'],
    builtins: true,
  },
  activities: {
    job: 'the activities: the provider-call boundary, in-place polling, failures turned into catalogue-typed `ApplicationFailure`s',
    rooms: ['domain', 'registry', 'providers'],
    packages: ['@temporalio/activity', '@temporalio/common'],
    builtins: true,
  },
  workflows: {
    job: '`addServersToServerGroup` (validate, dedupe, hand over, follow) and its `progress` query; the group coordinator and its ledger; `child.ts` for parent workflows',
    rooms: ['domain', 'registry'],
    typeOnly: ['activities'],
    packages: ['@temporalio/workflow', '@temporalio/common'],
    builtins: false,
  },
  worker: {
    job: 'the worker process: env config, JSON logs, metrics, provider rate limits, graceful shutdown, bundle build',
    rooms: ['domain', 'registry', 'providers', 'activities', 'workflows'],
    packages: '*',
    builtins: true,
  },
  client: {
    job: 'what services import: start/wait/dry-run, workflow ids, typed errors',
    rooms: ['domain', 'registry'],
    typeOnly: ['workflows'],
    packages: ['@temporalio/client', '@temporalio/common'],
    builtins: true,
  },
  cli: {
    job: 'the `lbflow` command',
    rooms: ['client', 'simulator', 'domain', 'registry'],
    packages: '*',
    builtins: true,
  },
  simulator: {
    job: 'local HTTP simulators of both provider APIs, sharing no code with the clients (`src/simulator/README.md`)',
    rooms: [],
    packages: '*',
    builtins: true,
  },
};

/** The layers as README.md's Markdown table. */
export function layerTable() {
  const rows = Object.entries(LAYERS).map(([room, r]) => {
    const ours = [...r.rooms, ...(r.typeOnly ?? []).map((t) => `${t} (types only)`)];
    const packages = r.packages === '*' ? ['any package'] : r.packages.map((p) => `\`${p}\``);
    const imports = [ours.length > 0 ? ours.join(', ') : 'nothing of ours', packages.join(', ')];
    if (!r.builtins) imports.push('no Node built-ins');
    return `| \`src/${room}\` | ${r.job} | ${imports.join('; ')} |`;
  });
  return ['| folder | job | may import |', '|---|---|---|', ...rows].join('\n');
}

const IMPORT_RE =
  /(?:^|[;\n])\s*(import|export)\s+(type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/**
 * @param {string} dir
 * @returns {string[]}
 */
function sourceFiles(dir) {
  /** @type {string[]} */
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * The room of a file under src/: its top folder, except a provider's definition (`providers/<name>/definition/`),
 * which belongs to the registry: the workflow-safe half of the provider's folder.
 * @param {string} rel path under src/
 */
export function roomOf(rel) {
  const parts = rel.split(sep);
  if (parts[0] === 'providers' && parts.length >= 4 && parts[2] === 'definition') return 'registry';
  return parts[0] ?? '';
}

/** @param {string} specifier */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** @param {string} specifier */
function isBuiltin(specifier) {
  return specifier.startsWith('node:') || builtinModules.includes(packageName(specifier));
}

/**
 * @param {string} srcRoot the `src` folder
 * @returns {{ file: string, line: number, message: string }[]}
 */
export function checkLayers(srcRoot) {
  /** @type {{ file: string, line: number, message: string }[]} */
  const violations = [];
  for (const file of sourceFiles(srcRoot)) {
    const rel = relative(srcRoot, file);
    const room = roomOf(rel);
    const rules = LAYERS[room];
    const text = readFileSync(file, 'utf8');
    const report = (/** @type {number} */ index, /** @type {string} */ message) =>
      violations.push({ file: relative(process.cwd(), file), line: text.slice(0, index).split('\n').length, message });
    if (!rules) {
      report(0, `src/${room} is not a room of the layer table (${Object.keys(LAYERS).join(', ')})`);
      continue;
    }
    for (const m of text.matchAll(IMPORT_RE)) {
      const typeOnly = Boolean(m[2]);
      const specifier = m[3] ?? m[4] ?? '';
      const at = (m.index ?? 0) + m[0].search(/\b(import|export)\b/);
      if (specifier.startsWith('.')) {
        const target = relative(srcRoot, resolve(dirname(file), specifier));
        if (target.startsWith('..')) {
          report(at, `${room} imports ${specifier}, outside src/`);
          continue;
        }
        const targetRoom = roomOf(target.endsWith('.js') ? target.replace(/\.js$/, '.ts') : target);
        if (targetRoom === room) continue;
        if (rules.rooms.includes(targetRoom)) continue;
        if (typeOnly && rules.typeOnly?.includes(targetRoom)) continue;
        const allowed = rules.typeOnly?.includes(targetRoom) ? ' (types only: use `import type`)' : '';
        report(at, `${room} may not import ${targetRoom}${allowed}: ${specifier}`);
      } else if (isBuiltin(specifier)) {
        if (!rules.builtins && !typeOnly)
          report(at, `${room} must stay deterministic and I/O-free: imports Node built-in ${specifier}`);
      } else if (rules.packages !== '*' && !rules.packages.includes(packageName(specifier)) && !typeOnly) {
        report(at, `${room} may not import the package ${specifier} (allowed: ${rules.packages.join(', ')})`);
      }
    }
  }
  return violations;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--table') {
    process.stdout.write(`${layerTable()}\n`);
    process.exit(0);
  }
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src'));
  const violations = checkLayers(root);
  for (const v of violations) process.stderr.write(`${v.file}:${v.line}: ${v.message}\n`);
  if (violations.length > 0) {
    process.stderr.write(`${violations.length} layer violation(s); see the layer table in README.md, "Architecture"\n`);
    process.exit(1);
  }
  process.stdout.write(`layers: ${root} follows the layer table\n`);
}
