// Drill 5, the other two doors: the `lbflow add` input path (files, FIFOs, stdin, devices; repeated keys, bad
// bytes, deep nesting, inexact numbers, oversize, bad flags, rule-breaking requests) and the worker's environment
// (endpoints with passwords, secrets pasted into other variables, unusable bundles, endpoints, queues, numbers).
// Each case comes from a seeded fast-check generator and runs as a real process. A case passes when it is refused
// clearly: the expected exit status, a message naming what is wrong, no stack trace, no secret anywhere, in time.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { DEFAULT_ALIBABA_CREDENTIAL, DEFAULT_HUAWEI_CREDENTIAL } from '../src/simulator/index.js';
import { inPool, PROJECT_ROOT } from './support.js';
import { alibabaServers, huaweiServers, request } from './world.js';

const LBFLOW = join(PROJECT_ROOT, 'bin', 'lbflow.mjs');
const WORKER_MAIN = join(PROJECT_ROOT, 'src', 'worker', 'main.ts');
/** Bytes the CLI reads at most (src/cli/read.ts MAX_INPUT_BYTES); the drill writes past it. */
const OVER_LIMIT = 3_000_001;
const HANG_MS = 30_000;
const ALIBABA_SECRET = DEFAULT_ALIBABA_CREDENTIAL.accessKeySecret;
const HUAWEI_SECRET = DEFAULT_HUAWEI_CREDENTIAL.secretKey;

export interface DoorCounts {
  tried: number;
  refusedClearly: number;
  acceptedWrongly: number;
  crashesOrHangs: number;
  secretsPrinted: number;
  byKind: Map<string, number>;
  failures: string[];
}

const emptyCounts = (): DoorCounts => ({
  tried: 0,
  refusedClearly: 0,
  acceptedWrongly: 0,
  crashesOrHangs: 0,
  secretsPrinted: 0,
  byKind: new Map(),
  failures: [],
});

interface Ran {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  hung: boolean;
}

function run(
  command: string,
  args: string[],
  o: { env?: NodeJS.ProcessEnv; stdin?: Buffer | 'endless'; cwd?: string },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: o.cwd ?? PROJECT_ROOT,
      env: o.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => {}); // the CLI closes stdin once it has read its limit
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, HANG_MS);
    child.once('error', reject);
    // 'close', not 'exit': 'exit' can fire before the last bytes of stderr are read from the pipe.
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, hung });
    });
    if (o.stdin === 'endless') {
      const block = Buffer.alloc(64 * 1024, '[');
      const pump = () => {
        while (child.stdin.writable && child.stdin.write(block));
      };
      child.stdin.on('drain', pump);
      pump();
    } else child.stdin.end(o.stdin ?? '');
  });
}

/**
 * A writer into a FIFO (another process, as a shell pipeline would be): the bytes of `from`, or an endless
 * stream. It blocks until the CLI opens the FIFO and is killed once the CLI is done.
 */
function feedFifo(fifo: string, from: string | 'endless'): { stop: () => void } {
  const script =
    "const fs=require('fs');const [fifo,from]=process.argv.slice(1);const fd=fs.openSync(fifo,'w');" +
    "try{if(from==='endless'){const b=Buffer.alloc(65536,'[');for(;;)fs.writeSync(fd,b);}else fs.writeSync(fd,fs.readFileSync(from));}catch{}";
  const writer = spawn(process.execPath, ['-e', script, fifo, from], { stdio: 'ignore' });
  return { stop: () => writer.kill('SIGKILL') };
}

// ---- the CLI's input path ----

type Format = 'json' | 'yaml' | 'csv';
type Source = 'file' | 'fifo' | 'stdin';

interface CliCase {
  kind: string;
  /** The input's bytes (undefined: no file, flags only), or a device to read. */
  bytes?: Buffer | 'endless';
  device?: string;
  format: Format;
  source: Source;
  flags: string[];
  /** 2 for an input refused by the CLI, 3 for a request refused by the rules. */
  expect: 2 | 3;
  /** What the message must say (the key, the field, the flag, the rule). */
  says: RegExp;
}

const aliRequest = (n = 2) =>
  request('alibaba-gwlb', alibabaServers(n, 7000)) as Record<string, unknown> & { servers: Record<string, unknown>[] };
const hwRequest = (n = 2) =>
  request('huawei-elb', huaweiServers(n, 7000)) as Record<string, unknown> & { servers: Record<string, unknown>[] };

function textOf(value: unknown, format: Format): string {
  if (format === 'yaml') return toYaml(value);
  return JSON.stringify(value, null, 1);
}

function csvOf(servers: Record<string, unknown>[], header?: string[]): string {
  const columns = header ?? Object.keys(servers[0] ?? {});
  return [columns.join(','), ...servers.map((s) => columns.map((c) => String(s[c] ?? '')).join(','))].join('\n') + '\n';
}

const PLACE_ALIBABA = [
  '--provider',
  'alibaba-gwlb',
  '--region',
  'cn-hangzhou',
  '--group',
  String(aliRequest().serverGroupId),
];

const cliCase: fc.Arbitrary<CliCase> = fc.oneof(
  // A key given twice: JSON, YAML, and where in the request.
  fc
    .tuple(
      fc.constantFrom<Format>('json', 'yaml'),
      fc.constantFrom(
        'serverGroupId',
        'region',
        'servers[0].serverId',
        'servers[1].port',
        'options.pollIntervalSeconds',
      ),
      fc.constantFrom<Source>('file', 'fifo', 'stdin'),
    )
    .map(([format, where, source]) => {
      const r = aliRequest();
      const [first, key] = where.includes('.') ? (where.split('.') as [string, string]) : ['', where];
      let text = textOf(r, format);
      if (format === 'json') {
        const target =
          first === ''
            ? '{'
            : first === 'options'
              ? '"options": {'
              : `"serverId": "${String(r.servers[first === 'servers[0]' ? 0 : 1]?.serverId)}"`;
        const at = text.indexOf(target) + target.length;
        const insert = first === '' || first === 'options' ? `"${key}": 1,` : `, "${key}": 2`;
        text = text.slice(0, at) + insert + text.slice(at);
      } else if (first === '') text = `${key}: sgp-other\n${text}`;
      else if (first === 'options') text = text.replace('options:\n', `options:\n  ${key}: 2\n`);
      else {
        const index = first === 'servers[0]' ? 0 : 1;
        const line = `  - serverId: ${String(r.servers[index]?.serverId)}\n`;
        text = text.replace(line, `${line}    ${key}: 2\n`);
      }
      return {
        kind: 'repeated key',
        bytes: Buffer.from(text),
        format,
        source,
        flags: [],
        expect: 2 as const,
        says: new RegExp(`"${key}" appears twice`),
      };
    }),
  fc
    .tuple(fc.constantFrom('serverId', 'serverIp', 'port'), fc.constantFrom<Source>('file', 'fifo'))
    .map(([column, source]) => {
      const servers = alibabaServers(2, 7100);
      const header = ['serverId', 'serverType', 'serverIp', 'port', column];
      return {
        kind: 'repeated CSV column',
        bytes: Buffer.from(csvOf(servers, header)),
        format: 'csv' as const,
        source,
        flags: PLACE_ALIBABA,
        expect: 2 as const,
        says: new RegExp(`column "${column}" appears twice`),
      };
    }),
  fc.constantFrom('serverId', 'serverType', 'port').map((key) => ({
    kind: 'repeated --server key',
    format: 'json' as const,
    source: 'file' as const,
    flags: [...PLACE_ALIBABA, '--server', `serverId=10.20.9.1,serverType=Ip,serverIp=10.20.9.1,port=6081,${key}=x`],
    expect: 2 as const,
    says: new RegExp(`"${key}" is given twice`),
  })),
  // Bytes that are not UTF-8 inside a field, in every format.
  fc
    .tuple(
      fc.constantFrom<Format>('json', 'yaml', 'csv'),
      fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80], [0xe2, 0x82]),
      fc.constantFrom<Source>('file', 'fifo', 'stdin'),
    )
    .map(([format, bad, source]) => {
      const r = hwRequest();
      const servers = r.servers.map((s, i) => ({ ...s, name: i === 1 ? 'webMARK' : `web${i}` }));
      const text = format === 'csv' ? csvOf(servers) : textOf({ ...r, servers }, format);
      const at = Buffer.from(text).indexOf('MARK');
      const bytes = Buffer.concat([
        Buffer.from(text).subarray(0, at),
        Buffer.from(bad),
        Buffer.from(text).subarray(at + 4),
      ]);
      const flags =
        format === 'csv'
          ? [
              '--provider',
              'huawei-elb',
              '--region',
              'cn-north-4',
              '--project',
              String(r.projectId),
              '--group',
              String(r.poolId),
            ]
          : [];
      return {
        kind: 'not UTF-8',
        bytes,
        format,
        source: format === 'csv' && source === 'stdin' ? ('file' as const) : source,
        flags,
        expect: 2 as const,
        says: /\[1\]\.name is not valid UTF-8/,
      };
    }),
  // Nesting, from just over the limit to absurd.
  fc
    .tuple(
      fc.constantFrom<Format>('json', 'yaml'),
      fc.integer({ min: 33, max: 100_000 }),
      fc.constantFrom<Source>('file', 'stdin'),
    )
    .map(([format, depth, source]) => {
      const inner = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const r = aliRequest();
      const text =
        format === 'json'
          ? JSON.stringify({ ...r, options: { extra: '§' } }).replace('"§"', inner)
          : `${toYaml({ ...r, options: undefined })}options:\n  extra: ${inner}\n`;
      return {
        kind: 'deep nesting',
        bytes: Buffer.from(text),
        format,
        source,
        flags: [],
        expect: 2 as const,
        says: /nested deeper than 32 levels/,
      };
    }),
  // Numbers a double does not hold as written.
  fc
    .tuple(
      fc.constantFrom<Format>('json', 'yaml'),
      fc.constantFrom('80.000000000000001', '6081.0000000000000001', '12345678901234567', '1e400', '-9007199254740993'),
    )
    .map(([format, written]) => {
      const r = aliRequest();
      const text = textOf({ ...r, servers: [{ ...r.servers[0], port: 'NUMBER' }, r.servers[1]] }, format).replace(
        format === 'json' ? '"NUMBER"' : 'NUMBER',
        written,
      );
      return {
        kind: 'inexact number',
        bytes: Buffer.from(text),
        format,
        source: 'file' as const,
        flags: [],
        expect: 2 as const,
        says: /servers\[0\]\.port: .*(significant digits|not a finite number|largest integer)/,
      };
    }),
  // More than the CLI reads, from every kind of source.
  fc
    .constantFrom<[Source | 'device', string]>(
      ['file', ''],
      ['fifo', ''],
      ['stdin', ''],
      ['fifo', 'endless'],
      ['stdin', 'endless'],
      ['device', '/dev/zero'],
      ['device', '/dev/urandom'],
    )
    .map(([source, how]) => {
      if (source === 'device')
        return {
          kind: 'oversize',
          device: how,
          format: 'json' as const,
          source: 'file' as const,
          flags: [],
          expect: 2 as const,
          says: /is larger than 3,000,000 bytes/,
        };
      const bytes: Buffer | 'endless' =
        how === 'endless'
          ? 'endless'
          : Buffer.concat([Buffer.from('['), Buffer.alloc(OVER_LIMIT, ' '), Buffer.from(']')]);
      return {
        kind: 'oversize',
        bytes,
        format: 'json' as const,
        source,
        flags: [],
        expect: 2 as const,
        says: /is larger than 3,000,000 bytes/,
      };
    }),
  // Not a request at all.
  fc
    .constantFrom<[string, string | Buffer, RegExp]>(
      ['empty', '', /expected a request|not valid/],
      ['a number', '42', /expected a request/],
      ['garbage', Buffer.from([0x00, 0x01, 0xfe, 0x7f, 0x1b, 0x5b]), /not valid UTF-8|not valid/],
      ['a string', '"servers"', /expected a request/],
    )
    .map(([what, content, says]) => ({
      kind: `not a request (${what})`,
      bytes: Buffer.from(content),
      format: 'json' as const,
      source: 'file' as const,
      flags: [],
      expect: 2 as const,
      says,
    })),
  // Flags that cannot work.
  fc
    .constantFrom<[string, string, RegExp]>(
      ['--task-queue', 'lbflow\n', /--task-queue: /],
      ['--task-queue', ' lbflow', /--task-queue: /],
      ['--task-queue', '/_sys/lbflow', /--task-queue: /],
      ['--request-key', '../../x', /--request-key: /],
      ['--request-key', 'deploy\n42', /--request-key: /],
      ['--chunk-size', '1e2', /--chunk-size must be a whole number/],
    )
    .map(([flag, value, says]) => ({
      kind: `bad ${flag}`,
      bytes: Buffer.from(JSON.stringify(aliRequest())),
      format: 'json' as const,
      source: 'file' as const,
      flags: [flag, value],
      expect: 2 as const,
      says,
    })),
  // Well-formed files whose request breaks a rule: refused by the client before a start (exit 3).
  fc
    .constantFrom<[string, (r: ReturnType<typeof aliRequest>) => unknown, RegExp]>(
      [
        'metadata address',
        (r) => ({
          ...r,
          servers: [{ serverId: '100.100.100.200', serverType: 'Ip', serverIp: '100.100.100.200', port: 6081 }],
        }),
        /servers\[0\]\.server(Id|Ip): .*metadata service/,
      ],
      ['region', (r) => ({ ...r, region: 'cn-hangzhou\n' }), /region/],
      ['chunk size', (r) => ({ ...r, options: { maxChunkSize: 201 } }), /options\.maxChunkSize/],
    )
    .chain(([what, mutate, says]) =>
      fc.constantFrom<Format>('json', 'yaml').map((format) => ({
        kind: `rule broken (${what})`,
        bytes: Buffer.from(textOf(mutate(aliRequest()), format)),
        format,
        source: 'file' as const,
        flags: [],
        expect: 3 as const,
        says,
      })),
    ),
);

export interface CliDoorOptions {
  count: number;
  seed: number;
  dir: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  concurrency?: number;
}

/** Runs `count` generated inputs through `lbflow add --detach`; a refused one starts nothing. */
export async function hostileCliInputs(o: CliDoorOptions): Promise<DoorCounts> {
  const counts = emptyCounts();
  const cases = fc.sample(cliCase, { seed: o.seed, numRuns: o.count });
  mkdirSync(o.dir, { recursive: true });
  await inPool(cases, o.concurrency ?? 3, async (c, i) => {
    counts.tried++;
    counts.byKind.set(c.kind, (counts.byKind.get(c.kind) ?? 0) + 1);
    const path = c.device ?? join(o.dir, `input-${i}.${c.format}`);
    let fifo: { stop: () => void } | undefined;
    let stdin: Buffer | 'endless' | undefined;
    let file: string[] = [];
    if (c.bytes !== undefined && c.device === undefined) {
      if (c.source === 'stdin') {
        stdin = c.bytes;
        file = ['-'];
      } else if (c.source === 'fifo') {
        await run('mkfifo', [path], {});
        let from: string | 'endless' = 'endless';
        if (c.bytes !== 'endless') {
          from = `${path}.bytes`;
          writeFileSync(from, c.bytes);
        }
        fifo = feedFifo(path, from);
        file = [path];
      } else {
        writeFileSync(path, c.bytes === 'endless' ? Buffer.alloc(OVER_LIMIT, '[') : c.bytes);
        file = [path];
      }
    } else if (c.device !== undefined) file = [c.device];
    // stdin is read as YAML (JSON is YAML): a CSV case never uses it.
    const args = [
      LBFLOW,
      '--address',
      o.temporalAddress,
      '--namespace',
      o.namespace,
      'add',
      ...file,
      '--task-queue',
      o.taskQueue,
      '--detach',
      ...c.flags,
    ];
    // A user's shell often holds cloud keys: whatever the CLI prints, it must never be one of them.
    const env = { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA_SECRET, HUAWEICLOUD_SDK_SK: HUAWEI_SECRET };
    let ran: Ran;
    try {
      ran = await run(process.execPath, args, { env, ...(stdin !== undefined ? { stdin } : {}) });
    } finally {
      fifo?.stop();
    }
    if ([ALIBABA_SECRET, HUAWEI_SECRET].some((secret) => `${ran.stdout}${ran.stderr}`.includes(secret))) {
      counts.secretsPrinted++;
      counts.failures.push(`${c.kind}: printed a secret from its environment`);
    }
    const where = `${c.kind} via ${c.device ?? c.source}`;
    const stackTrace = /\n\s+at .+:\d+:\d+/.test(ran.stderr);
    if (ran.status === 0) {
      counts.acceptedWrongly++;
      counts.failures.push(`${where}: accepted (${ran.stdout.split('\n')[0]})`);
    } else if (ran.hung || ran.signal !== null || stackTrace || (ran.status !== 2 && ran.status !== 3)) {
      counts.crashesOrHangs++;
      counts.failures.push(
        `${where}: ${ran.hung ? `no answer within ${HANG_MS / 1000} s` : `exit ${ran.status ?? ran.signal}`}: ${ran.stderr.slice(0, 300)}`,
      );
    } else if (ran.status === c.expect && ran.stderr.startsWith('lbflow: ') && c.says.test(ran.stderr))
      counts.refusedClearly++;
    else
      counts.failures.push(
        `${where}: exit ${ran.status}, expected ${c.expect} saying ${c.says}: ${ran.stderr.slice(0, 300)}`,
      );
  });
  return counts;
}

// ---- the worker's environment ----

const PASSWORD = 'drill-endpoint-password-5e3';

interface EnvCase {
  kind: string;
  kinds: string[];
  /** Variables set or replaced, and the ones the refusal must name. */
  set: Record<string, string>;
  named: string[];
  /** Values that must appear in no output. */
  secrets: string[];
}

interface EnvMutation {
  kind: string;
  variable: string;
  value: (dir: string) => string;
  secret?: string;
}

const envMutation: fc.Arbitrary<EnvMutation> = fc.oneof(
  fc
    .tuple(fc.constantFrom('LBFLOW_ALIBABA_ENDPOINT', 'LBFLOW_HUAWEI_ENDPOINT'), fc.constantFrom('u', '', 'admin'))
    .map(([variable, user]) => ({
      kind: 'endpoint with a password',
      variable,
      value: () => `https://${user}:${PASSWORD}@127.0.0.1:7480`,
      secret: PASSWORD,
    })),
  fc
    .tuple(
      fc.constantFrom(
        'LBFLOW_LOG_LEVEL',
        'HUAWEICLOUD_SDK_PROJECT_ID',
        'LBFLOW_METRICS_PORT',
        'LBFLOW_PROVIDER_CONCURRENCY',
        'LBFLOW_SHUTDOWN_GRACE_SECONDS',
      ),
      fc.constantFrom(ALIBABA_SECRET, HUAWEI_SECRET),
    )
    .map(([variable, secret]) => ({
      kind: 'secret pasted into another variable',
      variable,
      value: () => secret,
      secret,
    })),
  fc
    .constantFrom<[string, (dir: string) => string]>(
      ['a directory', (dir) => dir],
      ['garbage', (dir) => join(dir, 'garbage.js')],
      ['another bundle', (dir) => join(dir, 'other.js')],
      ['missing', (dir) => join(dir, 'missing.js')],
    )
    .map(([what, value]) => ({
      kind: `unusable bundle (${what})`,
      variable: 'LBFLOW_WORKFLOW_BUNDLE',
      value,
    })),
  fc
    .tuple(
      fc.constantFrom('LBFLOW_ALIBABA_ENDPOINT', 'LBFLOW_HUAWEI_ENDPOINT'),
      fc.constantFrom(
        'http://[::1',
        'ftp://127.0.0.1',
        'http://127.0.0.1:7480/path',
        '127.0.0.1:7480',
        'http://exa mple.com',
      ),
    )
    .map(([variable, value]) => ({ kind: 'endpoint not an origin', variable, value: () => value })),
  fc
    .constantFrom('lbflow\n', ' lbflow', 'lb flow', '/_sys/lbflow', 'q'.repeat(201), 'lbflow\u0007')
    .map((value) => ({ kind: 'task queue nobody polls', variable: 'LBFLOW_TASK_QUEUE', value: () => value })),
  fc
    .tuple(
      fc.constantFrom(
        'LBFLOW_MAX_CONCURRENT_ACTIVITIES',
        'LBFLOW_MAX_CONCURRENT_WORKFLOW_TASKS',
        'LBFLOW_PROVIDER_CALLS_PER_SECOND',
        'LBFLOW_METRICS_PORT',
      ),
      fc.constantFrom('-1', '1e9', '0x10', 'NaN', '99999999999', '12abc'),
    )
    .map(([variable, value]) => ({ kind: 'bad number', variable, value: () => value })),
  fc
    .constantFrom('TRACE\n', 'LOUD', '\u001b[2J')
    .map((value) => ({ kind: 'bad log level', variable: 'LBFLOW_LOG_LEVEL', value: () => value })),
);

const envCase: fc.Arbitrary<EnvCase> = fc
  .uniqueArray(envMutation, { minLength: 1, maxLength: 3, selector: (m) => m.variable })
  .map((mutations) => ({
    kind: [...new Set(mutations.map((m) => m.kind))].join(' + '),
    kinds: [...new Set(mutations.map((m) => m.kind))],
    set: Object.fromEntries(mutations.map((m) => [m.variable, m.value('§')])),
    named: mutations.map((m) => m.variable),
    secrets: [ALIBABA_SECRET, HUAWEI_SECRET, ...mutations.flatMap((m) => (m.secret ? [m.secret] : []))],
  }));

export interface EnvDoorOptions {
  count: number;
  seed: number;
  dir: string;
  bundlePath: string;
  concurrency?: number;
}

/**
 * Starts the worker with `count` generated environments, each a working one with 1–3 variables spoiled. Temporal
 * is a closed port, so a worker that accepted its environment ends at once with `worker.failed` (accepted wrongly).
 */
export async function hostileWorkerEnv(o: EnvDoorOptions): Promise<DoorCounts> {
  const counts = emptyCounts();
  mkdirSync(o.dir, { recursive: true });
  writeFileSync(join(o.dir, 'garbage.js'), 'hello(');
  writeFileSync(join(o.dir, 'other.js'), 'var __TEMPORAL__; exports.someoneElsesWorkflow = () => 1;');
  const cases = fc.sample(envCase, { seed: o.seed, numRuns: o.count });
  await inPool(cases, o.concurrency ?? 3, async (c) => {
    counts.tried++;
    for (const kind of c.kinds) counts.byKind.set(kind, (counts.byKind.get(kind) ?? 0) + 1);
    const set = Object.fromEntries(Object.entries(c.set).map(([k, v]) => [k, v.replaceAll('§', o.dir)]));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TEMPORAL_CONFIG_FILE: '/nonexistent/lbflow-drill.toml',
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      NODE_ENV: 'production',
      LBFLOW_WORKFLOW_BUNDLE: o.bundlePath,
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ALIBABA_CREDENTIAL.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA_SECRET,
      HUAWEICLOUD_SDK_AK: DEFAULT_HUAWEI_CREDENTIAL.accessKey,
      HUAWEICLOUD_SDK_SK: HUAWEI_SECRET,
      ...set,
    };
    const ran = await run(process.execPath, ['--import', 'tsx', WORKER_MAIN], { env });
    const output = `${ran.stdout}\n${ran.stderr}`;
    const printed = c.secrets.filter((s) => output.includes(s));
    if (printed.length > 0) {
      counts.secretsPrinted++;
      counts.failures.push(`${c.kind}: printed ${printed.length} secret value(s)`);
    }
    let named: string[] = [];
    try {
      const line = JSON.parse(ran.stderr.trim().split('\n').at(-1) ?? '') as {
        event?: string;
        issues?: { variable: string }[];
      };
      if (line.event === 'worker.config-invalid') named = (line.issues ?? []).map((i) => i.variable);
    } catch {
      named = [];
    }
    if (ran.hung || ran.signal !== null) {
      counts.crashesOrHangs++;
      counts.failures.push(
        `${c.kind}: ${ran.hung ? `still running after ${HANG_MS / 1000} s` : `killed by ${ran.signal}`}`,
      );
    } else if (ran.status === 1 && ran.stderr.includes('worker.failed')) {
      counts.acceptedWrongly++;
      counts.failures.push(
        `${c.kind} (${c.named.join(', ')}): accepted; the worker got as far as connecting to Temporal`,
      );
    } else if (ran.status !== 78) {
      counts.crashesOrHangs++;
      counts.failures.push(`${c.kind}: exit ${ran.status}: ${ran.stderr.slice(0, 300)}`);
    } else if (c.named.every((v) => named.includes(v)) && printed.length === 0) counts.refusedClearly++;
    else
      counts.failures.push(
        `${c.kind}: exit 78 naming ${named.join(', ') || 'nothing'}, expected ${c.named.join(', ')}`,
      );
  });
  return counts;
}

export function describeCounts(name: string, c: DoorCounts): string {
  return `${name}: ${c.tried} tried, ${c.refusedClearly} refused clearly, ${c.acceptedWrongly} accepted wrongly, ${c.crashesOrHangs} crashes or hangs, ${c.secretsPrinted} secrets printed (${[...c.byKind].map(([k, n]) => `${k} ${n}`).join(', ')})`;
}
