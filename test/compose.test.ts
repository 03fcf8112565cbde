// docker-compose.yml and the Dockerfile, checked offline: CI has no Docker engine, and the stack itself is not
// started here. Each check runs on the real files (no problems) and on a copy broken on purpose (its problem).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { SEARCH_ATTRIBUTES as CLUSTER_SEARCH_ATTRIBUTES, TEMPORAL_SERVER_VERSION } from '../scripts/cluster.mjs';
import { freePort } from '../src/cli/stack.js';
import { SEARCH_ATTRIBUTE_KEYS, TASK_QUEUE, WORKFLOW_TYPE } from '../src/domain/names.js';
import { DEFAULT_WORKFLOW_BUNDLE, loadWorkerConfig, WorkerConfigError } from '../src/worker/config.js';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_ALIBABA_PORT,
  DEFAULT_HUAWEI_CREDENTIAL,
  DEFAULT_HUAWEI_PORT,
} from '../src/simulator/index.js';
import {
  ADMIN_TOOLS_IMAGE,
  buildProblems,
  contextProblems,
  dockerignore,
  commandOf,
  dependencyProblems,
  dependsOn,
  type Doc,
  type Json,
  endpointProblems,
  environment,
  imageProblems,
  interpolate,
  isObject,
  parseCompose,
  parseDockerfile,
  pinProblem,
  POSTGRES_IMAGE,
  publishedPorts,
  schemaProblems,
  SERVER_IMAGE,
  service,
  services,
  simulatorListening,
  stageOf,
  temporalAddressProblems,
  waitsFor,
} from './compose/check.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMPOSE_TEXT = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const DOCKERFILE = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const ENGINES = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines
  .node;
const SIM_PORTS = { alibaba: DEFAULT_ALIBABA_PORT, huawei: DEFAULT_HUAWEI_PORT };

/** The compose file after interpolation in an empty environment: what `docker compose up` runs on a fresh clone. */
function composed(env: Record<string, string> = {}): Doc {
  const { doc, problems } = interpolate(parseCompose(COMPOSE_TEXT), env);
  expect(problems).toEqual([]);
  return doc;
}

/** A deep copy to break on purpose. */
const copy = (doc: Doc): Doc => structuredClone(doc);

function svc(doc: Doc, name: string): { [key: string]: Json } {
  const found = service(doc, name);
  if (!found) throw new Error(`no service ${name}`);
  return found;
}

function setEnv(doc: Doc, name: string, variable: string, value: string | undefined): void {
  const target = svc(doc, name);
  const env = environment(target);
  if (value === undefined) delete env[variable];
  else env[variable] = value;
  (target as Record<string, unknown>).environment = env;
}

/** The one service running `image`. */
function only(doc: Doc, image: RegExp): string {
  const matching = services(doc).filter(([, s]) => typeof s.image === 'string' && image.test(s.image));
  expect(matching.map(([name]) => name)).toHaveLength(1);
  return (matching[0] as [string, unknown])[0];
}

/** The worker: the service built from the Dockerfile's worker stage. */
function workerName(doc: Doc): string {
  const workers = services(doc).filter(([, s]) => isObject(s.build) && s.build.target === 'worker');
  expect(workers).toHaveLength(1);
  return (workers[0] as [string, unknown])[0];
}

/** The service that registers lbflow's search attributes (LBFLOW_SEARCH_ATTRIBUTES). */
function namespaceSetup(doc: Doc): string {
  const found = services(doc).filter(([, s]) => environment(s).LBFLOW_SEARCH_ATTRIBUTES !== undefined);
  expect(found).toHaveLength(1);
  return (found[0] as [string, unknown])[0];
}

/** Every problem the wiring of the worker has. */
function workerProblems(doc: Doc): string[] {
  const name = workerName(doc);
  const env = environment(svc(doc, name));
  const setup = namespaceSetup(doc);
  const server = only(doc, SERVER_IMAGE);
  const problems = [
    ...temporalAddressProblems(doc, name, env.TEMPORAL_ADDRESS),
    ...endpointProblems(doc, ROOT, 'LBFLOW_ALIBABA_ENDPOINT', env.LBFLOW_ALIBABA_ENDPOINT, 'alibaba', SIM_PORTS),
    ...endpointProblems(doc, ROOT, 'LBFLOW_HUAWEI_ENDPOINT', env.LBFLOW_HUAWEI_ENDPOINT, 'huawei', SIM_PORTS),
  ];
  if (env.TEMPORAL_NAMESPACE !== environment(svc(doc, setup)).TEMPORAL_NAMESPACE) {
    problems.push(
      `worker: namespace ${env.TEMPORAL_NAMESPACE} is not the one ${setup} creates (${environment(svc(doc, setup)).TEMPORAL_NAMESPACE})`,
    );
  }
  if (env.LBFLOW_TASK_QUEUE !== TASK_QUEUE)
    problems.push(`worker: task queue ${env.LBFLOW_TASK_QUEUE} is not lbflow's ${TASK_QUEUE}`);
  if (!waitsFor(doc, name, server, 'service_healthy'))
    problems.push(`worker: does not wait for ${server} to be healthy`);
  if (!waitsFor(doc, name, setup, 'service_completed_successfully'))
    problems.push(`worker: does not wait for ${setup} to register the search attributes`);
  const simulators = services(doc).filter(([, s]) =>
    commandOf(s, ROOT)?.some((arg) => arg.endsWith('simulator/main.js')),
  );
  if (simulators.length === 0) problems.push('no service runs the simulators');
  for (const [sims] of simulators)
    if (!waitsFor(doc, name, sims, 'service_healthy')) problems.push(`worker: does not wait for ${sims} to be healthy`);
  // The demo keys are the default world's: with no variables set, the worker signs requests the simulators accept.
  const demo: [string, string][] = [
    ['ALIBABA_CLOUD_ACCESS_KEY_ID', DEFAULT_ALIBABA_CREDENTIAL.accessKeyId],
    ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', DEFAULT_ALIBABA_CREDENTIAL.accessKeySecret],
    ['HUAWEICLOUD_SDK_AK', DEFAULT_HUAWEI_CREDENTIAL.accessKey],
    ['HUAWEICLOUD_SDK_SK', DEFAULT_HUAWEI_CREDENTIAL.secretKey],
  ];
  for (const [variable, value] of demo)
    if (env[variable] !== value) problems.push(`worker: ${variable} is not the simulators' demo key`);
  // Metrics: reachable from outside the container, published on the port the worker serves them on.
  if (env.LBFLOW_METRICS_HOST !== '0.0.0.0')
    problems.push(`worker: LBFLOW_METRICS_HOST=${env.LBFLOW_METRICS_HOST}, unreachable from outside the container`);
  const metrics = Number(env.LBFLOW_METRICS_PORT);
  if (!publishedPorts(svc(doc, name)).some((p) => p.target === metrics))
    problems.push(`worker: metrics port ${env.LBFLOW_METRICS_PORT} is not published`);
  const check = JSON.stringify((svc(doc, name).healthcheck as { test?: unknown } | undefined)?.test ?? '');
  if (!check.includes(`:${metrics}/metrics`))
    problems.push(`worker: the healthcheck does not ask the metrics port ${metrics}`);
  return [...new Set(problems)]; // both endpoints name the same service: say its problem once
}

/** The search attributes the setup service registers, as Name=Type pairs, against the names lbflow uses. */
function searchAttributeProblems(doc: Doc): string[] {
  const setup = namespaceSetup(doc);
  const target = svc(doc, setup);
  const registered = (environment(target).LBFLOW_SEARCH_ATTRIBUTES ?? '').split(/\s+/).filter(Boolean).sort();
  // The SDK spells the type KEYWORD; the CLI's --type takes Keyword.
  const wanted = SEARCH_ATTRIBUTE_KEYS.map(
    (key) => `${key.name}=${key.type.charAt(0)}${key.type.slice(1).toLowerCase()}`,
  ).sort();
  const problems: string[] = [];
  if (JSON.stringify(registered) !== JSON.stringify(wanted))
    problems.push(`${setup}: registers ${registered.join(' ')}; lbflow uses ${wanted.join(' ')}`);
  if (typeof target.image !== 'string' || !ADMIN_TOOLS_IMAGE.test(target.image))
    problems.push(`${setup}: not the temporalio/admin-tools image (the temporal CLI)`);
  if (!JSON.stringify(target.command ?? '').includes('setup-namespace.sh'))
    problems.push(`${setup}: does not run setup-namespace.sh`);
  problems.push(...temporalAddressProblems(doc, setup, environment(target).TEMPORAL_ADDRESS));
  return problems;
}

/** Temporal's persistence: the server and the schema job point at the PostgreSQL service, in that order. */
function persistenceProblems(doc: Doc): string[] {
  const problems: string[] = [];
  const server = only(doc, SERVER_IMAGE);
  const postgres = only(doc, POSTGRES_IMAGE);
  const env = environment(svc(doc, server));
  if (env.DB !== 'postgres12') problems.push(`${server}: DB=${env.DB}, not postgres12`);
  if (env.POSTGRES_SEEDS !== postgres)
    problems.push(`${server}: POSTGRES_SEEDS=${env.POSTGRES_SEEDS}, not the ${postgres} service`);
  const schemaJob = services(doc).find(([, s]) => JSON.stringify(s.command ?? '').includes('setup-postgres.sh'));
  if (!schemaJob) return [...problems, 'no service runs setup-postgres.sh'];
  const [jobName, job] = schemaJob;
  const jobEnv = environment(job);
  if (jobEnv.POSTGRES_SEEDS !== postgres)
    problems.push(`${jobName}: POSTGRES_SEEDS=${jobEnv.POSTGRES_SEEDS}, not the ${postgres} service`);
  if (jobEnv.SQL_PASSWORD !== environment(svc(doc, postgres)).POSTGRES_PASSWORD)
    problems.push(`${jobName}: SQL_PASSWORD is not ${postgres}'s POSTGRES_PASSWORD`);
  if (env.POSTGRES_PWD !== environment(svc(doc, postgres)).POSTGRES_PASSWORD)
    problems.push(`${server}: POSTGRES_PWD is not ${postgres}'s POSTGRES_PASSWORD`);
  if (!waitsFor(doc, jobName, postgres, 'service_healthy'))
    problems.push(`${jobName}: does not wait for ${postgres} to be healthy`);
  if (dependsOn(svc(doc, server))[jobName] !== 'service_completed_successfully')
    problems.push(`${server}: starts before ${jobName} has set the schema up`);
  return problems;
}

describe('docker-compose.yml', () => {
  it('interpolates with no variable set: every ${VAR} has a default', () => {
    const { problems } = interpolate(parseCompose(COMPOSE_TEXT), {});
    expect(problems).toEqual([]);
    const broken = interpolate(
      parseCompose(COMPOSE_TEXT.replace('${LBFLOW_LOG_LEVEL:-info}', '${LBFLOW_LOG_LEVEL}')),
      {},
    );
    expect(broken.problems).toEqual([
      'services.worker.environment.LBFLOW_LOG_LEVEL: LBFLOW_LOG_LEVEL is not set and has no default (write ${LBFLOW_LOG_LEVEL:-default})',
    ]);
    // A set variable wins over the default; $$ is a literal dollar.
    expect(environment(svc(composed({ LBFLOW_LOG_LEVEL: 'debug' }), 'worker')).LBFLOW_LOG_LEVEL).toBe('debug');
    expect(interpolate({ a: 'p$$x ${A:-d} ${B-e} $C' }, { C: 'c' }).doc).toEqual({ a: 'p$x d e c' });
  });

  it('is valid against the Compose Specification schema', () => {
    expect(schemaProblems(composed())).toEqual([]);
    expect(schemaProblems(parseCompose(COMPOSE_TEXT))).toEqual([]);
    const broken = copy(composed());
    (svc(broken, 'worker') as Record<string, unknown>).depends_on = { temporal: { condition: 'service_ready' } };
    expect(schemaProblems(broken).join('\n')).toContain(
      '/services/worker/depends_on/temporal/condition must be equal to one of the allowed values',
    );
    const typo = copy(composed());
    (svc(typo, 'simulators') as Record<string, unknown>).healthchek = { test: ['CMD', 'true'] };
    expect(schemaProblems(typo).join('\n')).toContain('"unevaluatedProperty":"healthchek"');
  });

  it('pins every image, in the compose file and in the Dockerfile, Node to package.json engines', () => {
    expect(imageProblems(composed(), DOCKERFILE, ENGINES)).toEqual([]);
    // Stages built on an earlier stage are not images.
    expect(DOCKERFILE.filter((s) => !DOCKERFILE.some((t) => t.name === s.from)).map((s) => s.from)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^node:20\.\d+\.\d+-/)]),
    );

    for (const [reference, problem] of [
      ['temporalio/ui:latest', 'tag "latest" is not an exact version'],
      ['postgres', 'no tag (Docker pulls latest)'],
      ['node:20', 'tag "20" is not an exact version'],
      ['node:20-bookworm-slim', 'tag "20-bookworm-slim" is not an exact version'],
      ['${IMAGE}', 'an image chosen by a variable is not pinned'],
    ] as const) {
      expect(pinProblem(reference)).toContain(problem);
    }
    for (const pinned of [
      'postgres:16.10',
      'temporalio/server:1.30.1',
      'node:20.19.5-bookworm-slim',
      'localhost:5000/x:1.2.3',
      `node@sha256:${'a'.repeat(64)}`,
    ]) {
      expect(pinProblem(pinned)).toBeUndefined();
    }

    const floating = copy(composed());
    (svc(floating, 'temporal-ui') as Record<string, unknown>).image = 'temporalio/ui:latest';
    expect(imageProblems(floating, DOCKERFILE, ENGINES)).toEqual([
      'service temporal-ui: temporalio/ui:latest: tag "latest" is not an exact version',
    ]);
    const bare = parseDockerfile(
      readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/^FROM node:\S+ AS deps$/m, 'FROM node:20 AS deps'),
    );
    expect(imageProblems(composed(), bare, ENGINES)).toEqual([
      expect.stringMatching(/^Dockerfile line \d+: node:20: tag "20" is not an exact version$/),
      expect.stringMatching(/^Dockerfile line \d+: node:20 is not an exact Node version x\.y\.z$/),
    ]);
    const old = parseDockerfile(
      readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(
        /^FROM node:\S+ AS build$/m,
        'FROM node:18.20.4-bookworm-slim AS build',
      ),
    );
    expect(imageProblems(composed(), old, ENGINES)).toEqual([
      expect.stringContaining(`node:18.20.4-bookworm-slim is not Node 20 at or above engines "${ENGINES}"`),
    ]);
  });

  it('runs the Temporal server and admin tools of the version the cluster tier builds (scripts/cluster.mjs)', () => {
    const temporalImages = services(composed())
      .map(([, s]) => String((s as { image?: unknown }).image ?? ''))
      .filter((image) => /^temporalio\/(server|admin-tools):/.test(image));
    expect(temporalImages.length).toBeGreaterThanOrEqual(3);
    for (const image of temporalImages) expect(image.split(':')[1], image).toBe(TEMPORAL_SERVER_VERSION);
  });

  it('builds from a Dockerfile and stage that exist, non-root, NODE_ENV=production, an entry compiled from src/', () => {
    const doc = composed();
    expect(buildProblems(doc, ROOT)).toEqual([]);
    expect(
      services(doc)
        .filter(([, s]) => s.build !== undefined)
        .map(([name]) => name)
        .sort(),
    ).toEqual(['simulators', 'worker']);

    const noStage = copy(doc);
    (svc(noStage, 'simulators').build as Record<string, unknown>).target = 'simulater';
    expect(buildProblems(noStage, ROOT)).toEqual([expect.stringContaining('target "simulater" is not a stage of')]);
    const noFile = copy(doc);
    (svc(noFile, 'worker').build as Record<string, unknown>).dockerfile = 'docker/Dockerfile.worker';
    expect(buildProblems(noFile, ROOT)).toEqual([
      expect.stringMatching(/^service worker: .*docker\/Dockerfile\.worker does not exist$/),
    ]);
    const noEntry = copy(doc);
    (svc(noEntry, 'simulators') as Record<string, unknown>).command = ['node', 'dist/simulators/main.js'];
    expect(buildProblems(noEntry, ROOT)).toEqual([
      'service simulators: dist/simulators/main.js has no source src/simulators/main.ts',
    ]);
    // The worker runs as `lbflow worker` (the installed package's command); any other lbflow command is not a service.
    expect(commandOf(svc(doc, 'worker'), ROOT)).toEqual(['node', 'bin/lbflow.mjs', 'worker']);
    const notAService = copy(doc);
    (svc(notAService, 'worker') as Record<string, unknown>).command = ['node', 'bin/lbflow.mjs', 'status', 'x'];
    expect(buildProblems(notAService, ROOT)).toEqual([
      'service worker: bin/lbflow.mjs status x is not a long-running service (only `worker` is)',
    ]);
    const root = copy(doc);
    (svc(root, 'worker').build as Record<string, unknown>).target = 'build';
    expect(buildProblems(root, ROOT)).toEqual(
      expect.arrayContaining([
        'service worker: stage build runs as root',
        'service worker: stage build does not set NODE_ENV=production',
      ]),
    );
  });

  it('builds its images from the sources in the context: COPY sources exist and are not ignored, dist/ comes from `npm run build`', () => {
    const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const ignoreText = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
    const mustIgnore = ['node_modules', '.temporal', 'dist', '.git', 'dist/workflow-bundle.js'];
    expect(contextProblems(DOCKERFILE, ROOT, dockerignore(ignoreText), mustIgnore)).toEqual([]);
    expect(dockerignore(ignoreText)('src/worker/main.ts')).toBe(false);

    expect(contextProblems(DOCKERFILE, ROOT, dockerignore(`${ignoreText}\nsrc\n`), mustIgnore)).toEqual([
      'Dockerfile: COPY src, which .dockerignore leaves out of the context',
    ]);
    expect(
      contextProblems(DOCKERFILE, ROOT, dockerignore(ignoreText.replace(/^\.temporal$/m, '')), mustIgnore),
    ).toEqual(['.dockerignore: .temporal is sent to the Docker daemon']);
    expect(
      contextProblems(
        parseDockerfile(text.replace('COPY scripts ./scripts', 'COPY tools ./tools')),
        ROOT,
        dockerignore(ignoreText),
        mustIgnore,
      ),
    ).toEqual(['Dockerfile: COPY tools, which does not exist']);
    expect(
      contextProblems(
        parseDockerfile(text.replace('RUN npm run build', 'RUN npx tsc')),
        ROOT,
        dockerignore(ignoreText),
        mustIgnore,
      ),
    ).toEqual(['Dockerfile: no named stage runs `npm run build`']);
    expect(
      contextProblems(parseDockerfile(text.replace('COPY bin ./bin', '')), ROOT, dockerignore(ignoreText), mustIgnore),
    ).toEqual(['Dockerfile: stage worker runs bin/lbflow.mjs without copying bin/']);
    expect(
      contextProblems(
        parseDockerfile(text.replace('COPY --from=build /app/dist ./dist', '')),
        ROOT,
        dockerignore(ignoreText),
        mustIgnore,
      ),
    ).toEqual([
      'Dockerfile: stage simulator runs node without dist/ from build',
      'Dockerfile: stage worker runs node without dist/ from build',
    ]);
  });

  it('depends only on services that exist, and waits for health only where there is a healthcheck', () => {
    expect(dependencyProblems(composed())).toEqual([]);
    const missing = copy(composed());
    (svc(missing, 'worker').depends_on as Record<string, unknown>)['temporal-setup'] = {
      condition: 'service_completed_successfully',
    };
    expect(dependencyProblems(missing)).toEqual([
      'service worker: depends on "temporal-setup", which is not a service',
    ]);
    const unhealthy = copy(composed());
    delete (svc(unhealthy, 'simulators') as Record<string, unknown>).healthcheck;
    expect(dependencyProblems(unhealthy)).toEqual([
      'service worker: waits for simulators to be healthy, but simulators has no healthcheck',
    ]);
  });

  it('wires the worker: Temporal, namespace, task queue, both simulators, demo keys, metrics, start order', () => {
    expect(workerProblems(composed())).toEqual([]);
    // The simulators listen where the Dockerfile's simulator stage says too (the compose command only spells it out).
    const sims = svc(composed(), 'simulators');
    const fromStage = simulatorListening(commandOf({ build: sims.build ?? null }, ROOT) ?? [], SIM_PORTS);
    expect(simulatorListening(commandOf(sims, ROOT) ?? [], SIM_PORTS)).toEqual(fromStage);

    const cases: [string, (doc: Doc) => void, string][] = [
      [
        'Temporal port',
        (d) => setEnv(d, 'worker', 'TEMPORAL_ADDRESS', 'temporal:7234'),
        'service worker: TEMPORAL_ADDRESS temporal:7234, but temporal serves gRPC on 7233',
      ],
      [
        'Temporal host',
        (d) => setEnv(d, 'worker', 'TEMPORAL_ADDRESS', 'localhost:7233'),
        'service worker: TEMPORAL_ADDRESS localhost:7233 is not a temporalio/server service',
      ],
      [
        'no Temporal',
        (d) => setEnv(d, 'worker', 'TEMPORAL_ADDRESS', undefined),
        'service worker: TEMPORAL_ADDRESS is not set',
      ],
      [
        'swapped ports',
        (d) => setEnv(d, 'worker', 'LBFLOW_HUAWEI_ENDPOINT', 'http://simulators:7480'),
        'worker: LBFLOW_HUAWEI_ENDPOINT=http://simulators:7480, but simulators serves huawei on 7481',
      ],
      [
        'wrong service',
        (d) => setEnv(d, 'worker', 'LBFLOW_ALIBABA_ENDPOINT', 'http://temporal-ui:7480'),
        'worker: LBFLOW_ALIBABA_ENDPOINT=http://temporal-ui:7480: temporal-ui does not run the simulators',
      ],
      [
        'no endpoint',
        (d) => setEnv(d, 'worker', 'LBFLOW_ALIBABA_ENDPOINT', undefined),
        'worker: LBFLOW_ALIBABA_ENDPOINT is not set',
      ],
      [
        'loopback simulators',
        (d) =>
          ((svc(d, 'simulators') as Record<string, unknown>).command = [
            'node',
            'dist/simulator/main.js',
            '--alibaba-port',
            '7480',
            '--huawei-port',
            '7481',
          ]),
        'worker: simulators listens on 127.0.0.1, which other containers cannot reach',
      ],
      [
        'namespace',
        (d) => setEnv(d, 'worker', 'TEMPORAL_NAMESPACE', 'lbflow'),
        'worker: namespace lbflow is not the one temporal-namespace creates (default)',
      ],
      [
        'task queue',
        (d) => setEnv(d, 'worker', 'LBFLOW_TASK_QUEUE', 'lb-flow'),
        "worker: task queue lb-flow is not lbflow's lbflow",
      ],
      [
        'demo key',
        (d) => setEnv(d, 'worker', 'HUAWEICLOUD_SDK_SK', 'changeme'),
        "worker: HUAWEICLOUD_SDK_SK is not the simulators' demo key",
      ],
      [
        'metrics host',
        (d) => setEnv(d, 'worker', 'LBFLOW_METRICS_HOST', '127.0.0.1'),
        'worker: LBFLOW_METRICS_HOST=127.0.0.1, unreachable from outside the container',
      ],
      [
        'metrics port',
        (d) => ((svc(d, 'worker') as Record<string, unknown>).ports = ['9465:9465']),
        'worker: metrics port 9464 is not published',
      ],
      [
        'start order',
        (d) => delete (svc(d, 'worker').depends_on as Record<string, unknown>)['temporal-namespace'],
        'worker: does not wait for temporal-namespace to register the search attributes',
      ],
      [
        'simulators first',
        (d) => ((svc(d, 'worker').depends_on as Record<string, unknown>).simulators = { condition: 'service_started' }),
        'worker: does not wait for simulators to be healthy',
      ],
    ];
    for (const [, breakIt, problem] of cases) {
      const doc = copy(composed());
      breakIt(doc);
      expect(workerProblems(doc)).toEqual([problem]);
    }
  });

  it("passes the worker's own configuration check (src/worker/config.ts) as the container sees it", () => {
    const doc = composed();
    const stage = stageOf(svc(doc, 'worker'), ROOT);
    expect(stage?.name).toBe('worker');
    // The container's environment: the image's ENV, then the service's; /app holds what the build stage built.
    const containerEnv = (d: Doc) => ({ ...stage?.env, ...environment(svc(d, 'worker')) });
    const app = mkdtempSync(join(tmpdir(), 'lbflow-app-'));
    try {
      mkdirSync(join(app, 'dist'));
      writeFileSync(join(app, DEFAULT_WORKFLOW_BUNDLE), `var __TEMPORAL__; /* ${WORKFLOW_TYPE} */`);
      const config = loadWorkerConfig(containerEnv(doc), app);
      expect(config.temporal.address).toBe('temporal:7233');
      expect(config.temporal.namespace).toBe('default');
      expect(config.taskQueue).toBe(TASK_QUEUE);
      expect(config.workflowBundle).toBe(join(app, DEFAULT_WORKFLOW_BUNDLE));
      expect(config.metrics).toEqual({ host: '0.0.0.0', port: 9464 });
      expect(config.logLevel).toBe('INFO');
      // Docker kills a container this long after SIGTERM: the worker must get to hand its activities back first.
      const grace = /^(\d+)s$/.exec(String(svc(doc, 'worker').stop_grace_period));
      expect(Number(grace?.[1])).toBeGreaterThan(config.shutdownGraceSeconds);
      expect(config.providers['alibaba-gwlb']?.endpoint).toBe('http://simulators:7480');
      expect(config.providers['huawei-elb']?.endpoint).toBe('http://simulators:7481');
      // Real clouds: an endpoint set but empty reaches the worker empty, which means the public regional one.
      const real = composed({
        LBFLOW_ALIBABA_ENDPOINT: '',
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tRealKey',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'real-secret',
      });
      const realConfig = loadWorkerConfig(containerEnv(real), app);
      expect(realConfig.providers['alibaba-gwlb']?.endpoint).toBeUndefined();
      expect(realConfig.providers['huawei-elb']?.endpoint).toBe('http://simulators:7481');

      const broken = (variable: string, value: string | undefined): string[] => {
        const d = copy(doc);
        setEnv(d, 'worker', variable, value);
        try {
          loadWorkerConfig(containerEnv(d), app);
        } catch (error) {
          if (error instanceof WorkerConfigError) return error.issues.map((i) => i.variable);
          throw error;
        }
        return [];
      };
      expect(broken('HUAWEICLOUD_SDK_SK', undefined)).toEqual(['HUAWEICLOUD_SDK_SK']);
      expect(broken('LBFLOW_METRICS_PORT', undefined)).toEqual(['LBFLOW_METRICS_PORT']);
      expect(broken('LBFLOW_ALIBABA_ENDPOINT', 'simulators:7480')).toEqual(['LBFLOW_ALIBABA_ENDPOINT']);
      expect(broken('LBFLOW_LOG_LEVEL', 'chatty')).toEqual(['LBFLOW_LOG_LEVEL']);
      // Without the image's NODE_ENV=production the worker would bundle from source, which the image lacks.
      expect(stage?.env.NODE_ENV).toBe('production');
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it("registers exactly lbflow's search attributes (src/domain/names.ts) on the namespace the worker uses", () => {
    expect(searchAttributeProblems(composed())).toEqual([]);
    // The cluster tier (scripts/cluster.mjs) registers the same list with the same script.
    const wanted = SEARCH_ATTRIBUTE_KEYS.map(
      (key) => `${key.name}=${key.type.charAt(0)}${key.type.slice(1).toLowerCase()}`,
    ).sort();
    expect(CLUSTER_SEARCH_ATTRIBUTES.split(/\s+/).sort()).toEqual(wanted);
    const missing = copy(composed());
    setEnv(
      missing,
      'temporal-namespace',
      'LBFLOW_SEARCH_ATTRIBUTES',
      'LbProvider=Keyword LbRegion=Keyword LbServerGroupId=Keyword',
    );
    expect(searchAttributeProblems(missing)).toEqual([
      expect.stringMatching(/^temporal-namespace: registers LbProvider=Keyword .*; lbflow uses .*LbPhase=Keyword/),
    ]);
    const text = copy(composed());
    setEnv(
      text,
      'temporal-namespace',
      'LBFLOW_SEARCH_ATTRIBUTES',
      'LbProvider=Text LbRegion=Keyword LbServerGroupId=Keyword LbPhase=Keyword',
    );
    expect(searchAttributeProblems(text)).toEqual([
      expect.stringContaining('registers LbPhase=Keyword LbProvider=Text'),
    ]);
  });

  it("gives the server its dynamic config by an absolute path inside a mount of the repository's file", () => {
    const server = svc(composed(), 'temporal') as { environment?: Record<string, string>; volumes?: string[] };
    const path = server.environment?.DYNAMIC_CONFIG_FILE_PATH ?? '';
    expect(path.startsWith('/'), path).toBe(true);
    const mount = (server.volumes ?? [])
      .map((v) => v.split(':'))
      .find(([, target]) => target !== undefined && path.startsWith(`${target}/`));
    expect(mount, `no volume holds ${path}`).toBeDefined();
    expect(readFileSync(join(ROOT, mount![0]!, path.slice(mount![1]!.length + 1)), 'utf8')).toMatch(/\S/);
  });

  it('persists Temporal in PostgreSQL, after the schema job, with one password', () => {
    expect(persistenceProblems(composed())).toEqual([]);
    // A password set in the environment reaches all three.
    expect(persistenceProblems(composed({ LBFLOW_POSTGRES_PASSWORD: 's3cret' }))).toEqual([]);
    const early = copy(composed());
    (svc(early, 'temporal') as Record<string, unknown>).depends_on = { postgresql: { condition: 'service_healthy' } };
    expect(persistenceProblems(early)).toEqual(['temporal: starts before temporal-schema has set the schema up']);
    const password = copy(composed());
    setEnv(password, 'temporal-schema', 'SQL_PASSWORD', 'postgres');
    expect(persistenceProblems(password)).toEqual([
      "temporal-schema: SQL_PASSWORD is not postgresql's POSTGRES_PASSWORD",
    ]);
  });

  it('publishes the Web UI, Temporal, both simulators and the metrics on distinct host ports', () => {
    const published = services(composed()).flatMap(([name, s]) =>
      publishedPorts(s).map((p) => `${name}:${p.published}->${p.target}`),
    );
    expect(published.sort()).toEqual([
      'simulators:7480->7480',
      'simulators:7481->7481',
      'temporal-ui:8080->8080',
      'temporal:7233->7233',
      'worker:9464->9464',
    ]);
  });

  // An extra check where Debian's docker-compose is installed; the schema above is the one CI relies on.
  const dockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  it.skipIf(dockerCompose.status !== 0)('is accepted by `docker-compose config` (when installed)', () => {
    const run = spawnSync('docker-compose', ['-f', join(ROOT, 'docker-compose.yml'), 'config', '--quiet'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => resolve({ code, out })); // after stdio is drained, unlike 'exit'
  });
}

describe('docker/temporal/setup-namespace.sh', () => {
  // The script the temporal-namespace service runs, here with the project's Temporal CLI against a dev server.
  it('creates the namespace, registers the search attributes, is rerunnable, and refuses a clash of types', async () => {
    const cli = inject('temporalCli').path ?? '';
    expect(cli).not.toBe('');
    const bin = mkdtempSync(join(tmpdir(), 'lbflow-compose-'));
    symlinkSync(cli, join(bin, 'temporal'));
    const port = await freePort();
    const server = spawn(
      cli,
      [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--ui-port',
        String(await freePort()),
        '--headless',
        '--log-level',
        'error',
      ],
      {
        stdio: 'ignore',
      },
    );
    try {
      const setup = environment(svc(composed(), 'temporal-namespace'));
      const env = {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
        TEMPORAL_NAMESPACE: 'lbflow-compose',
        LBFLOW_NAMESPACE_RETENTION: setup.LBFLOW_NAMESPACE_RETENTION,
        LBFLOW_SEARCH_ATTRIBUTES: setup.LBFLOW_SEARCH_ATTRIBUTES,
      };
      const script = join(ROOT, 'docker/temporal/setup-namespace.sh');
      const first = await run('sh', [script], env);
      expect(first.out).toContain('namespace setup: lbflow-compose ready');
      expect(first.code).toBe(0);
      const list = await run(
        cli,
        [
          'operator',
          'search-attribute',
          'list',
          '--address',
          env.TEMPORAL_ADDRESS,
          '--namespace',
          env.TEMPORAL_NAMESPACE,
          '-o',
          'json',
        ],
        env,
      );
      const attributes = JSON.parse(list.out) as { customAttributes?: Record<string, string> };
      for (const key of SEARCH_ATTRIBUTE_KEYS) expect(attributes.customAttributes?.[key.name]).toMatch(/KEYWORD/i);

      const again = await run('sh', [script], env);
      expect(again.code).toBe(0);
      expect(again.out.match(/registered/g)).toHaveLength(SEARCH_ATTRIBUTE_KEYS.length);

      const clash = await run('sh', [script], { ...env, LBFLOW_SEARCH_ATTRIBUTES: 'LbProvider=Text' });
      expect(clash.code).toBe(1);
      expect(clash.out).toContain('namespace setup: LbProvider is registered as Keyword; lbflow needs Text');
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
