// The CLI's input path against hostile and careless files (issue 13 rows 3, 4, 5, 6, 10): bounded reads from any
// source, repeated keys, nesting, UTF-8, numbers. Refusals happen before a Temporal connection: every `lbflow add`
// here points at a closed port, so exit 2 (not 7) also shows that nothing was started.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequest, loadInputFile, parseServerFlag, UsageError } from '../../src/cli/input.js';
import { MAX_INPUT_BYTES, MAX_NESTING } from '../../src/cli/read.js';
import { lbflow } from './support.js';

const CLOSED = ['--address', '127.0.0.1:1'];
const SERVER = { serverId: 'i-bp67acfmxazb4p0001', serverType: 'Ecs', serverIp: '192.168.0.1', port: 80 };
const REQUEST = {
  provider: 'alibaba-gwlb',
  region: 'cn-hangzhou',
  serverGroupId: 'sgp-atstuj3rtoptyui0001',
  servers: [SERVER],
};

describe('lbflow add: reading input files', () => {
  let dir: string;
  const file = (name: string, content: string | Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const refusal = async (path: string): Promise<string> => {
    const error = await loadInputFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lbflow-input-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a key repeated in JSON or YAML, and a repeated CSV column or --server key, naming it and where (row 4)', async () => {
    const json = `{"provider":"alibaba-gwlb","region":"cn-hangzhou","serverGroupId":"sgp-atstuj3rtoptyui0001","serverGroupId":"sgp-other","servers":[]}`;
    expect(await refusal(file('dup.json', json))).toMatch(
      /the key "serverGroupId" appears twice in the top-level object \(line 1\)/,
    );
    // An escaped spelling is the same key.
    expect(await refusal(file('escaped.json', `{"servers":[{"serverId":"a","server\\u0049d":"b"}]}`))).toMatch(
      /the key "serverId" appears twice in servers\[0\]/,
    );
    const yaml = 'provider: alibaba-gwlb\nservers:\n  - serverId: i-1\n    serverType: Ecs\n    serverId: i-2\n';
    expect(await refusal(file('dup.yaml', yaml))).toMatch(
      /the key "serverId" appears twice in servers\[0\] \(line 5\)/,
    );
    expect(await refusal(file('dup.csv', 'serverId,serverType,serverIp,serverId\ni-1,Ecs,192.168.0.1,i-2\n'))).toMatch(
      /the column "serverId" appears twice in the CSV header/,
    );
    expect(() => parseServerFlag('serverId=a,serverType=Ecs,serverId=b')).toThrow(/"serverId" is given twice/);
    // The same key in two objects is fine.
    const fine = await loadInputFile(
      file(
        'two.json',
        JSON.stringify({ ...REQUEST, servers: [SERVER, { ...SERVER, serverId: 'i-bp67acfmxazb4p0002' }] }),
      ),
    );
    expect(fine.request?.servers).toHaveLength(2);
  });

  it('accepts a UTF-8 byte-order mark in every format (row 10)', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const json = await loadInputFile(file('bom.json', Buffer.concat([bom, Buffer.from(JSON.stringify(REQUEST))])));
    expect(json.request?.serverGroupId).toBe(REQUEST.serverGroupId);
    const yaml = await loadInputFile(
      file('bom.yaml', Buffer.concat([bom, Buffer.from('- serverId: i-1\n  serverType: Ecs\n')])),
    );
    expect(yaml.servers).toEqual([{ serverId: 'i-1', serverType: 'Ecs' }]);
    const csv = await loadInputFile(
      file('bom.csv', Buffer.concat([bom, Buffer.from('serverId,serverType\ni-1,Ecs\n')])),
    );
    expect(csv.servers).toEqual([{ serverId: 'i-1', serverType: 'Ecs' }]);
  });

  it(`refuses nesting deeper than ${MAX_NESTING} levels, even 100,000 deep, with no stack overflow (row 10)`, async () => {
    const deep = `{"servers":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(await refusal(file('deep.json', deep))).toMatch(
      new RegExp(`servers\\[0\\]\\[0\\].* is nested deeper than ${MAX_NESTING} levels`),
    );
    expect(await refusal(file('deep.yaml', `servers: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`))).toContain(
      `nested deeper than ${MAX_NESTING} levels`,
    );
    const blocks = Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
    expect(await refusal(file('blocks.yaml', blocks))).toContain(`nested deeper than ${MAX_NESTING} levels`);
    // Just inside the limit reads.
    const inside = `{"a":${'['.repeat(MAX_NESTING - 1)}${']'.repeat(MAX_NESTING - 1)}}`;
    // Read and parsed: what remains is the shape check (an object without "provider" or "servers").
    await expect(loadInputFile(file('inside.json', inside))).rejects.toThrow(/expected a request/);
  });

  it('refuses bytes that are not UTF-8, naming the field they are in (row 10)', async () => {
    const bytes = Buffer.concat([
      Buffer.from(
        JSON.stringify({ ...REQUEST, servers: [{ ...SERVER, description: 'caf' }] }).replace('"caf"', '"caf\u0000"'),
      ),
    ]);
    const at = bytes.indexOf(0);
    bytes[at] = 0xe9; // Latin-1 é
    const message = await refusal(file('latin1.json', bytes));
    expect(message).toMatch(/servers\[0\]\.description is not valid UTF-8 \(byte \d+, line 1\)/);
    const yaml = Buffer.from('provider: huawei-elb\nservers:\n  - address: 192.168.0.1\n    name: cafX\n');
    yaml[yaml.indexOf('X')] = 0xff;
    expect(await refusal(file('latin1.yaml', yaml))).toMatch(
      /servers\[0\]\.name is not valid UTF-8 \(byte \d+, line 4\)/,
    );
    // A real U+FFFD written as UTF-8 is text like any other.
    const replacement = await loadInputFile(
      file('fffd.json', JSON.stringify({ ...REQUEST, servers: [{ ...SERVER, description: 'caf\uFFFD' }] })),
    );
    expect((replacement.request?.servers as { description: string }[])[0]?.description).toBe('caf\uFFFD');
  });

  it('reads YAML 1.2 numbers as YAML defines them and refuses a number a double cannot hold exactly (the YAML decision)', async () => {
    const yaml = await loadInputFile(file('numbers.yaml', '- serverId: i-1\n  port: 0x50\n  weight: 0o12\n'));
    expect(yaml.servers).toEqual([{ serverId: 'i-1', port: 80, weight: 10 }]);
    expect(await refusal(file('long.yaml', '- serverId: i-1\n  port: 80.000000000000001\n'))).toMatch(
      /: \[0\]\.port: 80\.000000000000001 has more than 15 significant digits: it would be read as 80 \(line 2\)/,
    );
    expect(await refusal(file('long.json', '[{"serverId":"i-1","port":80.000000000000001}]'))).toMatch(
      /\[0\]\.port: 80\.000000000000001 has more than 15 significant digits/,
    );
    expect(await refusal(file('big.json', '[{"serverId":"i-1","weight":12345678901234567890}]'))).toMatch(
      /\[0\]\.weight: 12345678901234567890 has more than 15/,
    );
    expect(await refusal(file('bighex.yaml', '- weight: 0x20000000000001\n'))).toMatch(
      /is larger than 9007199254740991/,
    );
    // Trailing zeros and exponents are exact.
    expect(
      (await loadInputFile(file('exact.json', '[{"serverId":"i-1","port":80.000000000000000000,"weight":1e2}]')))
        .servers,
    ).toEqual([{ serverId: 'i-1', port: 80, weight: 100 }]);
  });

  it('builds a request from the file and flags unchanged when nothing is repeated', async () => {
    const loaded = await loadInputFile(
      file('servers.csv', 'serverId,serverType,serverIp,port\ni-bp67acfmxazb4p0001,Ecs,192.168.0.1,80\n'),
    );
    expect(
      buildRequest(loaded, { provider: 'alibaba-gwlb', region: 'cn-hangzhou', group: 'sgp-atstuj3rtoptyui0001' }),
    ).toEqual(REQUEST);
  });
});

describe('lbflow add: bounded reading from any source (row 3), flags checked before anything starts (rows 4, 5, 6)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lbflow-input-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const tooLarge = new RegExp(`is larger than ${MAX_INPUT_BYTES.toLocaleString('en-US')} bytes, the most lbflow reads`);

  it('refuses /dev/zero, a 200 MB JSON, a 20 MB YAML and a large stdin after reading the limit, exit 2', async () => {
    // The files, sparse: a real start, then zeros up to the size; the CLI reads only its limit of them.
    const sparse = (name: string, head: string, bytes: number): string => {
      const path = join(dir, name);
      writeFileSync(path, head);
      truncateSync(path, bytes);
      return path;
    };
    const json = sparse('200mb.json', '{"provider":"alibaba-gwlb","servers":[', 200 * 2 ** 20);
    const yaml = sparse('20mb.yaml', 'provider: alibaba-gwlb\nservers:\n', 20 * 2 ** 20);
    const [device, big, yml, stdin] = await Promise.all([
      lbflow([...CLOSED, 'add', '/dev/zero']),
      lbflow([...CLOSED, 'add', json]),
      lbflow([...CLOSED, 'add', yaml]),
      lbflow([...CLOSED, 'add', '-'], {}, 'a'.repeat(MAX_INPUT_BYTES + 1)),
    ]);
    for (const [run, name] of [
      [device, '/dev/zero'],
      [big, json],
      [yml, yaml],
      [stdin, 'stdin'],
    ] as const) {
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(name);
      expect(run.stderr).toMatch(tooLarge);
    }
  }, 60_000);

  it('refuses an endless FIFO the same way, and does not wait for its writer to stop', async () => {
    const fifo = join(dir, 'endless.fifo');
    const made = spawn('mkfifo', [fifo]);
    await new Promise((resolve) => made.once('exit', resolve));
    // A writer that never ends on its own: `yes` blocks on the full pipe until the reader goes away.
    const writer = spawn('sh', ['-c', `exec yes '{"provider":' > '${fifo}'`], { stdio: 'ignore' });
    try {
      const run = await lbflow([...CLOSED, 'add', fifo]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(tooLarge);
    } finally {
      writer.kill();
    }
  }, 60_000);

  it('reads a request from stdin, BOM and all, up to the point of connecting to Temporal', async () => {
    const run = await lbflow([...CLOSED, 'add', '-'], {}, `\uFEFF${JSON.stringify(REQUEST)}`);
    // Exit 7: the input was read and the request checked; only Temporal (a closed port here) was missing.
    expect(run.status).toBe(7);
  }, 60_000);

  it('refuses a task queue or request key that cannot work, naming the flag, exit 2 (rows 5, 6)', async () => {
    const flags = [
      '--provider',
      'alibaba-gwlb',
      '--region',
      'cn-hangzhou',
      '--group',
      'sgp-atstuj3rtoptyui0001',
      '--server',
      'serverId=i-bp67acfmxazb4p0001,serverType=Ecs,serverIp=192.168.0.1,port=80',
    ];
    const runs = await Promise.all([
      lbflow([...CLOSED, 'add', ...flags, '--task-queue', 'lbflow\n']),
      lbflow([...CLOSED, 'add', ...flags, '--request-key', '../../x']),
      lbflow([...CLOSED, 'add', ...flags, '--request-key', 'deploy\n42']),
      lbflow([...CLOSED, 'add', ...flags, '--server', 'serverId=a,serverId=b']),
    ]);
    expect(runs.map((r) => r.status)).toEqual([2, 2, 2, 2]);
    expect(runs[0]?.stderr).toMatch(/--task-queue: The task queue must not contain whitespace or control characters/);
    expect(runs[1]?.stderr).toMatch(/--request-key: The request key must be 1 to 128 characters/);
    expect(runs[2]?.stderr).toMatch(/--request-key: /);
    expect(runs[3]?.stderr).toMatch(/"serverId" is given twice/);
    for (const run of runs) expect(run.stderr).not.toMatch(/unexpected|at .*\.ts:\d+/);
  }, 60_000);
});
