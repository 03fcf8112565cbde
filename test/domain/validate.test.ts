// Reporting: every issue at once, cross-field rules despite other failures, conflicts as issues, bounded output.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIssues, MAX_LISTED_ISSUES, MAX_REQUEST_BYTES, requestSizeIssue } from '../../src/domain/index.js';
import { validateAddServersRequest } from '../../src/registry/index.js';
import { utf8Length } from '../../src/domain/text.js';
import { alibaba, expectIssue, expectValid, huawei, issuesOf, SUBNET_ID } from './fixtures.js';

describe('validateAddServersRequest reports every issue', () => {
  it('reports each of three broken servers', () => {
    const issues = issuesOf(
      alibaba(
        {},
        {
          servers: [
            { serverId: 'i-ok', serverType: 'Ecs' },
            { serverId: 'i-a', serverType: 'Ecs', port: 80 },
            { serverId: 'i-b', serverType: 'ecs' },
            { serverId: 'x-c', serverType: 'Ecs' },
          ],
        },
      ),
    );
    expect(issues.map((i) => i.path)).toEqual(['servers[1].port', 'servers[2].serverType', 'servers[3].serverId']);
  });

  it('reports request fields, servers and options together', () => {
    const issues = issuesOf(alibaba({ port: 80 }, { region: 'X', serverGroupId: 'sg', options: { maxChunkSize: 0 } }));
    expect(issues.map((i) => i.path).sort()).toEqual([
      'options.maxChunkSize',
      'region',
      'serverGroupId',
      'servers[0].port',
    ]);
  });

  it('still checks the GWLB server id rule when the same server has a bad Port', () => {
    const issues = issuesOf(alibaba({ serverId: 'eni-x', serverType: 'Ecs', port: 1 }));
    expect(issues.map((i) => i.path)).toEqual(['servers[0].port', 'servers[0].serverId']);
  });

  it('still checks the IP-type address rule when the same member has a non-integer port and an unknown field', () => {
    const issues = issuesOf(huawei({ subnetCidrId: undefined, address: '8.8.8.8', protocolPort: 1.5, extra: 1 }));
    expect(issues.map((i) => i.path).sort()).toEqual(['servers[0]', 'servers[0].address', 'servers[0].protocolPort']);
  });

  it('still checks poll interval against timeout when another option is broken', () => {
    const issues = issuesOf(
      alibaba({}, { options: { dryRun: 'yes', pollIntervalSeconds: 20, availabilityTimeoutSeconds: 10 } }),
    );
    expect(issues.map((i) => i.path)).toEqual(['options.dryRun', 'options.pollIntervalSeconds']);
  });

  it('checks servers even when the request envelope is broken', () => {
    const issues = issuesOf(alibaba({ port: 1 }, { region: 1, unknown: true }));
    expect(issues.map((i) => i.path).sort()).toEqual(['', 'region', 'servers[0].port']);
  });
});

describe('conflicting duplicates', () => {
  it('reports a server with the same identity but different attributes, naming both indices', () => {
    const servers = [
      { serverId: 'i-abc', serverType: 'Ecs' },
      { serverId: 'i-other', serverType: 'Ecs' },
      { serverId: 'i-abc', serverType: 'Ecs', serverIp: '192.168.1.10' },
    ];
    expectIssue(
      alibaba({}, { servers }),
      'servers[2]',
      /^Same identity as servers\[0\] \(Ecs i-abc port 6081\) but different attributes \(serverIp\)/,
    );
  });

  it('treats an absent Port and Port 6081 as the same server', () => {
    const servers = [
      { serverId: 'i-abc', serverType: 'Ecs' },
      { serverId: 'i-abc', serverType: 'Ecs', port: 6081 },
    ];
    expect(expectValid(alibaba({}, { servers })).servers).toHaveLength(2);
  });

  it('reports Huawei members whose IPv6 addresses are spelled differently but whose weights differ', () => {
    const servers = [
      { address: '2001:db8::1', protocolPort: 80, subnetCidrId: SUBNET_ID },
      { address: '2001:0db8:0:0:0:0:0:1', protocolPort: 80, subnetCidrId: SUBNET_ID, weight: 5 },
    ];
    expectIssue(
      huawei({}, { servers }),
      'servers[1]',
      /servers\[0\] \(2001:db8::1 port 80\) but different attributes \(weight\)/,
    );
  });

  it('accepts exact duplicates (they collapse later)', () => {
    const servers = [
      { address: '10.0.0.1', protocolPort: 80, subnetCidrId: SUBNET_ID },
      { address: '10.0.0.1', protocolPort: 80, subnetCidrId: SUBNET_ID, weight: 1 },
    ];
    expectValid(huawei({}, { servers }));
  });

  it('reports a conflict between valid servers even when another server is broken', () => {
    const servers = [
      { serverId: 'i-abc', serverType: 'Ecs' },
      { serverId: 'i-broken', serverType: 'Ecs', port: 80 },
      { serverId: 'i-abc', serverType: 'Ecs', serverIp: '10.0.0.9' },
    ];
    const issues = issuesOf(alibaba({}, { servers }));
    expect(issues.map((i) => i.path)).toEqual(['servers[1].port', 'servers[2]']);
    expect(issues[1]!.message).toMatch(/servers\[0\]/);
  });
});

describe('bounded failures', () => {
  it(`lists at most ${MAX_LISTED_ISSUES} issues and counts the rest`, () => {
    const servers = Array.from({ length: 300 }, () => ({ serverId: 'i-a', serverType: 'Ecs', port: 1 }));
    const issues = issuesOf(alibaba({}, { servers }));
    expect(issues).toHaveLength(MAX_LISTED_ISSUES + 1);
    expect(issues.at(-1)).toEqual({ path: '', message: '…and 200 more issues not listed.' });
  });

  it('keeps messages short for a megabyte string value', () => {
    const issues = issuesOf(alibaba({}, { region: 'x'.repeat(1_000_000) }));
    expect(issues[0]!.message.length).toBeLessThan(300);
    expect(issues[0]!.message).toMatch(/\(1000000 characters\)/);
  });

  it('keeps messages short for an object with thousands of unknown keys', () => {
    const server = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    const issues = issuesOf(alibaba({ ...server }));
    expect(issues[0]!.message).toMatch(/Unknown fields "k0", "k1", "k2", "k3", "k4" and 4995 more in a GWLB server/);
    expect(issues[0]!.message.length).toBeLessThan(300);
  });

  it('answers a 10 001-server request with one issue, without parsing the servers', () => {
    const servers = Array.from({ length: 10_001 }, () => ({ junk: 'x'.repeat(100) }));
    expect(issuesOf(alibaba({}, { servers }))).toEqual([
      { path: 'servers', message: 'servers must list at most 10000 servers per request; got 10001.' },
    ]);
  });

  it('validates 10 000 broken servers in well under a second', () => {
    const servers = Array.from({ length: 10_000 }, () => ({ serverId: 5, serverType: 'x', port: 'y', junk: 1 }));
    const start = performance.now();
    const issues = issuesOf(alibaba({}, { servers }));
    expect(performance.now() - start).toBeLessThan(1500);
    expect(issues).toHaveLength(MAX_LISTED_ISSUES + 1);
  });
});

describe('parsed requests', () => {
  it('parses its own output to the same value (a workflow may validate again)', () => {
    for (const input of [
      alibaba({ serverIp: '10.0.0.1' }),
      huawei({ name: 'web-1' }, { options: { availabilityTimeoutSeconds: 2 } }),
    ]) {
      const once = expectValid(input);
      expect(expectValid(once)).toEqual(once);
    }
  });

  it('survives a JSON round trip unchanged (Temporal payloads)', () => {
    const parsed = expectValid(huawei({ address: '2001:db8::1' }));
    expect(JSON.parse(JSON.stringify(parsed))).toEqual(parsed);
  });

  it('gives every issue a written message, never the fallback, for arbitrary JSON', () => {
    const server = fc.record(
      {
        serverId: fc.oneof(fc.string(), fc.integer(), fc.constant('i-abc'), fc.constant('10.0.0.1')),
        serverType: fc.oneof(fc.constantFrom('Ecs', 'Eni', 'Eci', 'Ip', 'ecs'), fc.anything()),
        serverIp: fc.oneof(fc.ipV4(), fc.ipV6(), fc.anything()),
        port: fc.oneof(fc.constant(6081), fc.anything()),
        address: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()),
        protocolPort: fc.oneof(fc.integer(), fc.double(), fc.string()),
        subnetCidrId: fc.oneof(fc.uuid(), fc.string()),
        weight: fc.anything(),
        name: fc.string(),
        availabilityZone: fc.string(),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    );
    const request = fc.record(
      {
        provider: fc.oneof(fc.constantFrom('alibaba-gwlb', 'huawei-elb'), fc.anything()),
        region: fc.oneof(fc.constant('cn-north-4'), fc.string()),
        serverGroupId: fc.oneof(fc.constant('sgp-abc'), fc.string()),
        projectId: fc.string(),
        poolId: fc.uuid(),
        servers: fc.oneof(fc.array(server, { maxLength: 6 }), fc.anything()),
        options: fc.oneof(
          fc.record(
            {
              maxChunkSize: fc.anything(),
              dryRun: fc.anything(),
              pollIntervalSeconds: fc.integer(),
              availabilityTimeoutSeconds: fc.integer(),
            },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(request, fc.anything()), (input) => {
        const result = validateAddServersRequest(input);
        if (result.ok) return;
        for (const issue of result.issues) {
          expect(issue.message).not.toMatch(/is not valid \(|^Invalid input|expected \w+, received/);
          expect(issue.message).toMatch(/\.$/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('formatIssues', () => {
  it('writes one line per issue under a heading, with (request) for the root', () => {
    const text = formatIssues([
      { path: '', message: 'Unknown field "x" in the request.' },
      { path: 'servers[3].port', message: 'Port must be 6081; got 80.' },
    ]);
    expect(text).toBe(
      [
        'The AddServers request is invalid:',
        '- (request): Unknown field "x" in the request.',
        '- servers[3].port: Port must be 6081; got 80.',
      ].join('\n'),
    );
  });

  it('caps a long list the same way validation does', () => {
    const issues = Array.from({ length: 150 }, (_, i) => ({ path: `servers[${i}]`, message: 'Bad.' }));
    const lines = formatIssues(issues).split('\n');
    expect(lines).toHaveLength(1 + MAX_LISTED_ISSUES + 1);
    expect(lines.at(-1)).toBe('- (request): …and 50 more issues not listed.');
  });

  it('renders the issues of a real request', () => {
    const result = validateAddServersRequest(alibaba({ port: 80 }));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(formatIssues(result.issues)).toContain(
        '- servers[0].port: Port must be 6081 (the GENEVE port, the only value GWLB accepts); got 80.',
      );
  });
});

describe('the request size rule', () => {
  it('counts UTF-8 bytes as Buffer does, astral characters and lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
      }),
      { numRuns: 2_000, seed: 13 },
    );
    expect(utf8Length('\ud800')).toBe(Buffer.byteLength('\ud800'));
  });

  it('refuses a request over MAX_REQUEST_BYTES as JSON, saying its size and the limit', () => {
    const name = 'n'.repeat(1000);
    const big = huawei(
      {},
      {
        servers: Array.from({ length: 1600 }, (_, i) => ({
          address: `10.0.${i >> 8}.${i & 255}`,
          protocolPort: 80,
          name,
        })),
      },
    );
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(MAX_REQUEST_BYTES);
    expect(requestSizeIssue(big)?.message).toMatch(
      /^The request is 1\.\d\d MB as JSON; lbflow accepts at most 1\.5 MB/,
    );
    expect(requestSizeIssue(huawei({}))).toBeUndefined();
  });
});
