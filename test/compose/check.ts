// Offline checks of docker-compose.yml and the Dockerfile: each returns the problems it finds, as sentences,
// so a test can assert both "none" on the real files and "this one" on a deliberately broken copy.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Doc = { [key: string]: Json };
export type Env = Record<string, string | undefined>;

export const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------------------
// Reading: YAML (with `<<` merge keys, as Compose reads them) and Compose's `${VAR:-default}` interpolation.

/** The file as Compose sees it before interpolation. */
export function parseCompose(text: string): Doc {
  const doc = parse(text, { merge: true }) as Json;
  if (!isObject(doc)) throw new Error('docker-compose.yml is not a mapping');
  return doc;
}

// $$ (a literal $), ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $VAR.
const VARIABLE = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\{[^}]*\}?))/g;

/**
 * Interpolates every string of the document the way Compose does, in `env`. A variable that is neither set
 * nor defaulted is a problem: `docker compose up` on a fresh clone, with no .env file, must work.
 */
export function interpolate(doc: Doc, env: Env): { doc: Doc; problems: string[] } {
  const problems: string[] = [];
  const text = (value: string, where: string): string =>
    value.replace(
      VARIABLE,
      (
        whole,
        dollar: string | undefined,
        braced: string | undefined,
        op: string | undefined,
        arg: string | undefined,
        bare: string | undefined,
        bad: string | undefined,
      ) => {
        if (dollar) return '$';
        if (bad !== undefined) {
          problems.push(`${where}: "${whole}" is not an interpolation Compose understands`);
          return whole;
        }
        const name = (braced ?? bare) as string;
        const value = env[name];
        const unsetOrEmpty = value === undefined || (op?.startsWith(':') === true && value === '');
        if (op?.endsWith('-')) return unsetOrEmpty ? (arg ?? '') : (value as string);
        if (op?.endsWith('?')) {
          if (unsetOrEmpty) problems.push(`${where}: ${name} is required (${arg || 'no message'}) and not set`);
          return value ?? '';
        }
        if (value === undefined)
          problems.push(`${where}: ${name} is not set and has no default (write \${${name}:-default})`);
        return value ?? '';
      },
    );
  const walk = (node: Json, where: string): Json => {
    if (typeof node === 'string') return text(node, where);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${where}[${i}]`));
    if (isObject(node))
      return Object.fromEntries(
        Object.entries(node).map(([key, item]) => [key, walk(item, where ? `${where}.${key}` : key)]),
      );
    return node;
  };
  return { doc: walk(doc, '') as Doc, problems };
}

// ---------------------------------------------------------------------------------------------------------
// The Compose Specification's own schema.

const SCHEMA_PATH = new URL('../fixtures/compose-spec/compose-spec.json', import.meta.url);
let validator: ReturnType<Ajv2020['compile']> | undefined;

/** Validates against the vendored compose-spec.json (see test/fixtures/compose-spec/README.md). */
export function schemaProblems(doc: Doc): string[] {
  // strict: false: strict mode lints how a schema is written, not what it accepts, and this one is upstream's.
  validator ??= new Ajv2020({ allErrors: true, strict: false }).compile(
    JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object,
  );
  if (validator(doc)) return [];
  return (validator.errors ?? []).map(
    (e) =>
      `schema: ${e.instancePath || '/'} ${e.message ?? e.keyword}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// The Dockerfile: stages, their bases, and what a stage inherits (CMD, ENV, USER) from the stage it builds on.

export interface Stage {
  name: string | undefined;
  from: string;
  line: number;
  cmd: string[] | undefined;
  env: Record<string, string>;
  user: string | undefined;
  /** RUN commands of this stage (not inherited). */
  runs: string[];
  /** COPY instructions of this stage: from the build context, or `--from` another stage. */
  copies: { from: string | undefined; sources: string[]; destination: string }[];
}

/** Instructions of a Dockerfile (continuation lines joined, comments dropped). */
function instructions(text: string): { keyword: string; args: string; line: number }[] {
  const out: { keyword: string; args: string; line: number }[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (!pending) start = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const whole = pending + line;
    pending = '';
    const match = /^(\S+)\s*(.*)$/.exec(whole);
    if (match) out.push({ keyword: (match[1] as string).toUpperCase(), args: match[2] as string, line: start });
  });
  return out;
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const { keyword, args, line } of instructions(text)) {
    if (keyword === 'FROM') {
      const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      const from = words[0] ?? '';
      const parent = stages.find((s) => s.name === from);
      stages.push({
        name: as >= 0 ? words[as + 1] : undefined,
        from,
        line,
        cmd: parent?.cmd,
        env: { ...(parent?.env ?? {}) },
        user: parent?.user,
        runs: [],
        copies: [],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) continue;
    if (keyword === 'CMD') stage.cmd = args.startsWith('[') ? (JSON.parse(args) as string[]) : ['/bin/sh', '-c', args];
    if (keyword === 'USER') stage.user = args.trim();
    if (keyword === 'RUN') stage.runs.push(args);
    if (keyword === 'COPY') {
      const from = /--from=(\S+)/.exec(args)?.[1];
      const paths = args.split(/\s+/).filter((w) => w && !w.startsWith('--'));
      stage.copies.push({ from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' });
    }
    if (keyword === 'ENV') {
      for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g))
        stage.env[match[1] as string] = (match[2] as string).replace(/^"|"$/g, '');
    }
  }
  return stages;
}

// ---------------------------------------------------------------------------------------------------------
// Pinned images.

/**
 * An image reference is pinned when it names a digest, or a tag that starts with an exact version: at least
 * major.minor (postgres numbers its releases 16.10; the others carry a patch too). `latest`, a missing tag
 * and a bare major like `node:20` float to whatever is newest when the image is pulled.
 */
export function pinProblem(reference: string): string | undefined {
  if (reference.includes('$')) return `${reference}: an image chosen by a variable is not pinned`;
  if (/@sha256:[0-9a-f]{64}$/.test(reference)) return undefined;
  const slash = reference.lastIndexOf('/');
  const colon = reference.indexOf(':', slash + 1);
  if (colon < 0) return `${reference}: no tag (Docker pulls latest)`;
  const tag = reference.slice(colon + 1);
  if (!/^v?\d+\.\d+(\.\d+)*([-_.][A-Za-z0-9._-]+)?$/.test(tag))
    return `${reference}: tag "${tag}" is not an exact version`;
  return undefined;
}

export function imageProblems(doc: Doc, dockerfile: Stage[], engines: string): string[] {
  const problems: string[] = [];
  for (const [name, service] of services(doc)) {
    if (typeof service.image === 'string') {
      const problem = pinProblem(service.image);
      if (problem) problems.push(`service ${name}: ${problem}`);
    } else if (service.build === undefined) problems.push(`service ${name}: neither image nor build`);
  }
  const names = new Set<string>();
  for (const stage of dockerfile) {
    if (!names.has(stage.from)) {
      const problem = pinProblem(stage.from);
      if (problem) problems.push(`Dockerfile line ${stage.line}: ${problem}`);
      // Node in the image must satisfy package.json engines (">=20.3.0": Node 20 from 20.3 on).
      const node = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)\.(\d+)\.(\d+)/.exec(stage.from);
      const floor = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(engines.trim());
      if (/^(?:docker\.io\/)?(?:library\/)?node:/.test(stage.from)) {
        if (!node) problems.push(`Dockerfile line ${stage.line}: ${stage.from} is not an exact Node version x.y.z`);
        else if (floor) {
          const have = node.slice(1, 4).map(Number) as [number, number, number];
          const need = floor.slice(1, 4).map(Number) as [number, number, number];
          const below = have[0] !== need[0] || have[1] < need[1] || (have[1] === need[1] && have[2] < need[2]);
          if (below)
            problems.push(
              `Dockerfile line ${stage.line}: ${stage.from} is not Node ${need[0]} at or above engines "${engines}"`,
            );
        }
      }
    }
    if (stage.name) names.add(stage.name);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Services, builds and dependencies.

export function services(doc: Doc): [string, { [key: string]: Json }][] {
  const all = doc.services;
  return isObject(all)
    ? Object.entries(all).filter((entry): entry is [string, { [key: string]: Json }] => isObject(entry[1]))
    : [];
}

export function service(doc: Doc, name: string): { [key: string]: Json } | undefined {
  return services(doc).find(([n]) => n === name)?.[1];
}

/** A service's environment as a map (Compose allows a map or a list of NAME=value). */
export function environment(svc: { [key: string]: Json }): Record<string, string> {
  const env = svc.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env
        .filter((item): item is string => typeof item === 'string')
        .map((item) => {
          const eq = item.indexOf('=');
          return eq < 0 ? [item, ''] : [item.slice(0, eq), item.slice(eq + 1)];
        }),
    );
  }
  if (isObject(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
  return {};
}

export function dependsOn(svc: { [key: string]: Json }): Record<string, string> {
  const deps = svc.depends_on;
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [String(d), 'service_started']));
  if (isObject(deps))
    return Object.fromEntries(
      Object.entries(deps).map(([k, v]) => [
        k,
        isObject(v) && typeof v.condition === 'string' ? v.condition : 'service_started',
      ]),
    );
  return {};
}

/** The Dockerfile and target a service builds from, resolved against the repository root. */
export function buildOf(
  svc: { [key: string]: Json },
  root: string,
): { dockerfile: string; target: string | undefined } | undefined {
  const build = svc.build;
  if (typeof build === 'string') return { dockerfile: join(root, build, 'Dockerfile'), target: undefined };
  if (!isObject(build)) return undefined;
  const context = join(root, typeof build.context === 'string' ? build.context : '.');
  return {
    dockerfile: join(context, typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile'),
    target: typeof build.target === 'string' ? build.target : undefined,
  };
}

/** The stage a build runs: its target, or the last stage. */
export function stageOf(svc: { [key: string]: Json }, root: string): Stage | undefined {
  const build = buildOf(svc, root);
  if (!build || !existsSync(build.dockerfile)) return undefined;
  const stages = parseDockerfile(readFileSync(build.dockerfile, 'utf8'));
  return build.target === undefined ? stages.at(-1) : stages.find((s) => s.name === build.target);
}

/** What a container runs: the service's command, or its build stage's CMD. */
export function commandOf(svc: { [key: string]: Json }, root: string): string[] | undefined {
  if (Array.isArray(svc.command)) return svc.command.map(String);
  if (typeof svc.command === 'string') return svc.command.split(/\s+/);
  return stageOf(svc, root)?.cmd;
}

export function buildProblems(doc: Doc, root: string): string[] {
  const problems: string[] = [];
  for (const [name, svc] of services(doc)) {
    if (svc.build === undefined) continue;
    const build = buildOf(svc, root);
    if (!build) {
      problems.push(`service ${name}: build is neither a path nor a mapping`);
      continue;
    }
    if (!existsSync(build.dockerfile)) {
      problems.push(`service ${name}: ${build.dockerfile} does not exist`);
      continue;
    }
    const stages = parseDockerfile(readFileSync(build.dockerfile, 'utf8'));
    if (build.target !== undefined && !stages.some((s) => s.name === build.target)) {
      problems.push(
        `service ${name}: target "${build.target}" is not a stage of ${build.dockerfile} (${stages.map((s) => s.name).join(', ')})`,
      );
      continue;
    }
    const stage = stageOf(svc, root) as Stage;
    if (!stage.user || stage.user === 'root' || stage.user.startsWith('0'))
      problems.push(`service ${name}: stage ${stage.name} runs as root`);
    if (stage.env.NODE_ENV !== 'production')
      problems.push(`service ${name}: stage ${stage.name} does not set NODE_ENV=production`);
    // `node dist/x/main.js` is compiled from src/x/main.ts: the entry must exist in the sources. The `lbflow`
    // command runs its `worker` as dist/worker/main.js.
    const command = commandOf(svc, root) ?? [];
    const viaBin = command[0] === 'node' && command[1] === 'bin/lbflow.mjs';
    if (viaBin && command[2] !== 'worker')
      problems.push(
        `service ${name}: bin/lbflow.mjs ${command.slice(2).join(' ')} is not a long-running service (only \`worker\` is)`,
      );
    if (viaBin && !existsSync(join(root, 'bin', 'lbflow.mjs')))
      problems.push(`service ${name}: bin/lbflow.mjs does not exist`);
    const script = viaBin
      ? 'dist/worker/main.js'
      : command[0] === 'node'
        ? command.find((arg) => /^dist\/.+\.js$/.test(arg))
        : undefined;
    if (command[0] === 'node' && !script) problems.push(`service ${name}: runs node without a dist/ entry`);
    if (script && !existsSync(join(root, script.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')))) {
      problems.push(
        `service ${name}: ${script} has no source ${script.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')}`,
      );
    }
  }
  return problems;
}

export function dependencyProblems(doc: Doc): string[] {
  const problems: string[] = [];
  const names = new Set(services(doc).map(([name]) => name));
  for (const [name, svc] of services(doc)) {
    for (const [dep, condition] of Object.entries(dependsOn(svc))) {
      const target = service(doc, dep);
      if (!names.has(dep) || !target) problems.push(`service ${name}: depends on "${dep}", which is not a service`);
      else if (condition === 'service_healthy' && !isObject(target.healthcheck))
        problems.push(`service ${name}: waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
    }
  }
  return problems;
}

/** Whether `name` (transitively) waits for `other` with `condition`. */
export function waitsFor(doc: Doc, name: string, other: string, condition: string, seen = new Set<string>()): boolean {
  if (seen.has(name)) return false;
  seen.add(name);
  const svc = service(doc, name);
  if (!svc) return false;
  return Object.entries(dependsOn(svc)).some(
    ([dep, c]) => (dep === other && c === condition) || waitsFor(doc, dep, other, condition, seen),
  );
}

/** Container ports published to the host, `published → target`. */
export function publishedPorts(svc: { [key: string]: Json }): { published: number; target: number }[] {
  const ports = Array.isArray(svc.ports) ? svc.ports : [];
  return ports.flatMap((p) => {
    if (isObject(p)) return [{ published: Number(p.published), target: Number(p.target) }];
    const parts = String(p).split('/')[0]?.split(':') ?? [];
    const target = Number(parts.at(-1));
    return [{ published: parts.length > 1 ? Number(parts.at(-2)) : target, target }];
  });
}

// ---------------------------------------------------------------------------------------------------------
// lbflow's wiring: what the worker needs, where the services listen.

export const SERVER_IMAGE = /^(?:docker\.io\/)?temporalio\/server:/;
export const ADMIN_TOOLS_IMAGE = /^(?:docker\.io\/)?temporalio\/admin-tools:/;
export const POSTGRES_IMAGE = /^(?:docker\.io\/)?(?:library\/)?postgres:/;

/** The Temporal frontend's gRPC port inside its container (FRONTEND_GRPC_PORT, else 7233). */
function frontendPort(svc: { [key: string]: Json }): number {
  return Number(environment(svc).FRONTEND_GRPC_PORT ?? 7233);
}

/** `host:port` → problems if it is not the Temporal service's frontend. */
export function temporalAddressProblems(doc: Doc, who: string, address: string | undefined): string[] {
  if (!address) return [`service ${who}: TEMPORAL_ADDRESS is not set`];
  const [host, port] = address.split(':');
  const server = service(doc, host ?? '');
  if (!server || typeof server.image !== 'string' || !SERVER_IMAGE.test(server.image))
    return [`service ${who}: TEMPORAL_ADDRESS ${address} is not a temporalio/server service`];
  if (Number(port) !== frontendPort(server))
    return [`service ${who}: TEMPORAL_ADDRESS ${address}, but ${host} serves gRPC on ${frontendPort(server)}`];
  return [];
}

/** Where a simulators service listens, read from its command like src/simulator/main.ts reads it. */
export function simulatorListening(
  command: string[],
  defaults: { alibaba: number; huawei: number },
): { host: string; alibaba: number; huawei: number } {
  const arg = (flag: string) => {
    const i = command.indexOf(flag);
    return i >= 0 ? command[i + 1] : undefined;
  };
  const both = arg('--port');
  return {
    host: arg('--host') ?? '127.0.0.1',
    alibaba: Number(arg('--alibaba-port') ?? both ?? defaults.alibaba),
    huawei: Number(arg('--huawei-port') ?? both ?? defaults.huawei),
  };
}

/** An endpoint URL → problems if no service listens there for this provider. */
export function endpointProblems(
  doc: Doc,
  root: string,
  variable: string,
  endpoint: string | undefined,
  provider: 'alibaba' | 'huawei',
  defaults: { alibaba: number; huawei: number },
): string[] {
  if (!endpoint) return [`worker: ${variable} is not set`];
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return [`worker: ${variable}=${endpoint} is not a URL`];
  }
  const svc = service(doc, url.hostname);
  if (!svc) return [`worker: ${variable}=${endpoint} names no service`];
  const command = commandOf(svc, root);
  if (!command || !command.some((arg) => arg.endsWith('simulator/main.js')))
    return [`worker: ${variable}=${endpoint}: ${url.hostname} does not run the simulators`];
  const listening = simulatorListening(command, defaults);
  const problems: string[] = [];
  if (listening.host !== '0.0.0.0')
    problems.push(`worker: ${url.hostname} listens on ${listening.host}, which other containers cannot reach`);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (port !== listening[provider])
    problems.push(`worker: ${variable}=${endpoint}, but ${url.hostname} serves ${provider} on ${listening[provider]}`);
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// What the image is built from: the build context less .dockerignore.

/** .dockerignore patterns as tests on a context-relative path (its `*` globs; `!` exceptions are not used here). */
export function dockerignore(text: string): (path: string) => boolean {
  const patterns = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map(
      (line) =>
        new RegExp(
          `^${line
            .replace(/^\/|\/$/g, '')
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')}(/.*)?$`,
        ),
    );
  return (path) => patterns.some((p) => p.test(path));
}

/**
 * The Dockerfile builds what it says: every COPY from the context exists and is not ignored, some stage runs
 * `npm run build`, and the stages that run lbflow copy its dist/ from that stage.
 */
export function contextProblems(
  stages: Stage[],
  root: string,
  ignored: (path: string) => boolean,
  mustIgnore: string[],
): string[] {
  const problems: string[] = [];
  for (const stage of stages) {
    for (const copy of stage.copies.filter((c) => c.from === undefined)) {
      for (const source of copy.sources) {
        if (source.includes('*')) continue; // a glob (tsconfig*.json) copies what matches, possibly nothing
        if (!existsSync(join(root, source))) problems.push(`Dockerfile: COPY ${source}, which does not exist`);
        else if (ignored(source))
          problems.push(`Dockerfile: COPY ${source}, which .dockerignore leaves out of the context`);
      }
    }
  }
  for (const path of mustIgnore)
    if (!ignored(path)) problems.push(`.dockerignore: ${path} is sent to the Docker daemon`);
  const builder = stages.find((s) => s.runs.some((r) => /\bnpm run build\b/.test(r)));
  if (!builder?.name) return [...problems, 'Dockerfile: no named stage runs `npm run build`'];
  for (const stage of stages.filter((s) => s.cmd?.[0] === 'node')) {
    const chain: Stage[] = [];
    for (let s: Stage | undefined = stage; s; s = stages.find((t) => t.name === s?.from)) chain.push(s);
    if (
      !chain.some((s) =>
        s.copies.some((c) => c.from === builder.name && c.sources.some((src) => /(^|\/)dist\/?$/.test(src))),
      )
    ) {
      problems.push(`Dockerfile: stage ${stage.name} runs node without dist/ from ${builder.name}`);
    }
    if (
      stage.cmd?.[1] === 'bin/lbflow.mjs' &&
      !chain.some((s) => s.copies.some((c) => c.sources.some((src) => /^(\.\/)?bin\/?$/.test(src))))
    ) {
      problems.push(`Dockerfile: stage ${stage.name} runs bin/lbflow.mjs without copying bin/`);
    }
  }
  return problems;
}
