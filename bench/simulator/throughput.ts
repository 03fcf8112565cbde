// `npm run bench:sim`: requests per second each simulator sustains on loopback with a 1,000-server group
// (paginated lists and add/remove calls), next to what lbflow needs. The simulators run in their own process
// (as `npm run sim` does); this process only signs and sends. Bounded: a few seconds per scenario.
//   npm run bench:sim -- [--seconds 3] [--connections 16]
import * as aliCore from '@alicloud/openapi-core';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '3' }, connections: { type: 'string', default: '16' } },
});
const SECONDS = Math.min(30, Math.max(1, Number(values.seconds)));
const CONNECTIONS = Math.min(64, Math.max(1, Number(values.connections)));
const MAX_REQUESTS = 200_000;

// What lbflow asks of a provider: the demo adds 1,000 servers in 5 chunks, polling about once a second with a
// paginated list (100 per page: 10 requests) plus a group status call, so ≈ 11 req/s per running workflow;
// the providers' own flow control (200 calls per second per API on Huawei's gateway, the simulator's default
// for both) caps what any client may send.
const DEMO_NEED = 11;
const PROVIDER_CAP = 200;

const AK = { id: 'bench-key', secret: 'bench-secret' };
const HW = { ak: 'BENCHAK', sk: 'bench-sk', project: 'b'.repeat(32), pool: 'bench-pool' };

const world = {
  alibaba: {
    credentials: [{ accessKeyId: AK.id, accessKeySecret: AK.secret }],
    rateLimit: { requestsPerSecond: 0, burst: 1 },
    timings: { configuringMs: 0, addingMs: 0, removingMs: 0 },
    regions: [
      {
        id: 'cn-hangzhou',
        zones: ['cn-hangzhou-h'],
        vpcs: [{ id: 'vpc-bench', cidr: '10.0.0.0/8' }],
        serverGroups: [
          {
            id: 'sgp-bench',
            type: 'Ip',
            vpcId: 'vpc-bench',
            quotas: { serversPerGroup: 1_000_000 },
            serverRanges: [{ serverType: 'Ip', count: 1000, firstIp: '10.1.0.1', perBlock: 250 }],
          },
        ],
      },
    ],
  },
  huawei: {
    credentials: [{ accessKey: HW.ak, secretKey: HW.sk }],
    rateLimit: { requestsPerSecond: 0, burst: 1 },
    timings: { initialMs: 0 },
    quotas: { membersPerPool: 1_000_000, members: 1_000_000 },
    projects: [
      {
        id: HW.project,
        region: 'cn-north-4',
        vpcs: [{ id: 'vpc-bench', cidr: '10.0.0.0/8' }],
        subnets: [{ id: 'subnet-bench', vpcId: 'vpc-bench', cidr: '10.0.0.0/8' }],
        loadBalancers: [
          { id: 'lb-bench', vpcId: 'vpc-bench', vipSubnetId: 'subnet-bench', vipAddress: '10.255.255.1' },
        ],
        pools: [
          {
            id: HW.pool,
            loadBalancerId: 'lb-bench',
            protocol: 'TCP',
            healthMonitorId: 'hm-bench',
            memberRanges: [
              { count: 1000, firstIp: '10.1.0.1', perBlock: 250, protocolPort: 80, subnetId: 'subnet-bench' },
            ],
          },
        ],
      },
    ],
  },
};

// ------------------------------------------------------------------ signing (the vendors' own code)

const { OpenApiUtil } = aliCore;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const acsDate = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function aliRequest(host: string, action: string, form: string) {
  const headers: Record<string, string> = {
    host,
    'x-acs-action': action,
    'x-acs-version': '2024-04-15',
    'x-acs-date': acsDate(),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': sha256(form),
    'content-type': 'application/x-www-form-urlencoded',
  };
  headers.authorization = OpenApiUtil.getAuthorization(
    { pathname: '/', method: 'POST', query: {}, headers } as never,
    'ACS3-HMAC-SHA256',
    sha256(form),
    AK.id,
    AK.secret,
  );
  return { path: '/', method: 'POST' as const, headers, body: form };
}

const hwCredential = new BasicCredentials().withAk(HW.ak).withSk(HW.sk).withProjectId(HW.project);
function hwRequest(base: string, method: 'GET' | 'POST', path: string, query: Record<string, string>, data?: unknown) {
  const headers = AKSKSigner.sign(
    {
      endpoint: `${base}${path}`,
      method,
      headers: { 'content-type': 'application/json' },
      queryParams: query,
      ...(data === undefined ? {} : { data }),
    } as never,
    hwCredential,
  ) as Record<string, string>;
  const qs = new URLSearchParams(query).toString();
  return {
    path: `${path}${qs ? `?${qs}` : ''}`,
    method,
    headers,
    ...(data === undefined ? {} : { body: JSON.stringify(data) }),
  };
}

// ------------------------------------------------------------------ the load loop

interface Result {
  requests: number;
  errors: number;
  seconds: number;
  latencies: number[];
}

/** Runs `worker` on CONNECTIONS concurrent loops for SECONDS; each step sends ≥ 1 request and returns how many failed. */
async function run(
  step: (pool: Pool, worker: number, iteration: number) => Promise<{ sent: number; failed: number; ms: number[] }>,
  pool: Pool,
): Promise<Result> {
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  let requests = 0;
  let errors = 0;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline && requests < MAX_REQUESTS; i++) {
        const r = await step(pool, worker, i);
        requests += r.sent;
        errors += r.failed;
        if (latencies.length < 100_000) latencies.push(...r.ms);
      }
    }),
  );
  return { requests, errors, seconds: (performance.now() - started) / 1000, latencies };
}

async function send(
  pool: Pool,
  r: { path: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
): Promise<{ status: number; json: any; ms: number }> {
  const t = performance.now();
  const res = await pool.request(r);
  const json = await res.body.json();
  return { status: res.statusCode, json, ms: performance.now() - t };
}

function row(name: string, r: Result): string {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const pct = (p: number) =>
    sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number) : 0;
  const rps = r.requests / r.seconds;
  return [
    name.padEnd(58),
    rps.toFixed(0).padStart(7),
    pct(0.5).toFixed(2).padStart(8),
    pct(0.99).toFixed(2).padStart(8),
    String(r.errors).padStart(7),
    `${(rps / PROVIDER_CAP).toFixed(1)}×`.padStart(8),
    `${(rps / DEMO_NEED).toFixed(0)}×`.padStart(8),
  ].join(' ');
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'lbflow-bench-sim-'));
  const worldFile = join(dir, 'world.json');
  writeFileSync(worldFile, JSON.stringify(world));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/simulator/main.ts', '--port', '0', '--world', worldFile],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`simulators exited with ${code}`)));
    });
    const endpoints = JSON.parse(line) as { alibaba: { url: string }; huawei: { url: string } };
    const ali = new Pool(endpoints.alibaba.url, { connections: CONNECTIONS, pipelining: 1 });
    const hw = new Pool(endpoints.huawei.url, { connections: CONNECTIONS, pipelining: 1 });
    const aliHost = endpoints.alibaba.url.replace('http://', '');
    const ok = (status: number) => (status < 300 ? 0 : 1);

    process.stdout.write(
      `simulator throughput on loopback: ${CONNECTIONS} connections, ${SECONDS} s per scenario, simulators in their own process\n`,
    );
    process.stdout.write(
      "reference: provider flow control 200 req/s (Huawei APIG per API; the simulators' default); lbflow demo ≈ 11 req/s per workflow\n\n",
    );
    process.stdout.write(
      `${'scenario (group/pool of 1,000 servers)'.padEnd(58)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'vs 200/s'.padStart(8)} ${'vs demo'.padStart(8)}\n`,
    );

    const aliListAll = await run(async (pool) => {
      let token = '';
      let sent = 0;
      let failed = 0;
      const ms: number[] = [];
      do {
        const form = `MaxResults=100&ServerGroupId=sgp-bench${token ? `&NextToken=${encodeURIComponent(token)}` : ''}`;
        const r = await send(pool, aliRequest(aliHost, 'ListServerGroupServers', form));
        sent++;
        failed += ok(r.status);
        ms.push(r.ms);
        token = r.status === 200 ? String(r.json.NextToken ?? '') : '';
      } while (token);
      return { sent, failed, ms };
    }, ali);
    process.stdout.write(`${row('Alibaba ListServerGroupServers, 10 pages of 100 (NextToken)', aliListAll)}\n`);

    const aliGroups = await run(async (pool) => {
      const r = await send(pool, aliRequest(aliHost, 'ListServerGroups', 'ServerGroupIds.1=sgp-bench'));
      return { sent: 1, failed: ok(r.status), ms: [r.ms] };
    }, ali);
    process.stdout.write(`${row('Alibaba ListServerGroups (group status poll)', aliGroups)}\n`);

    const aliAdd = await run(async (pool, worker, i) => {
      const form = Array.from(
        { length: 20 },
        (_, k) =>
          `Servers.${k + 1}.ServerId=10.${100 + worker}.${i % 200}.${k + 1}&Servers.${k + 1}.ServerType=Ip&Servers.${k + 1}.Port=6081`,
      ).join('&');
      const body = `ServerGroupId=sgp-bench&ClientToken=bench-${worker}-${i}&${form}`;
      const a = await send(pool, aliRequest(aliHost, 'AddServersToServerGroup', body));
      const r = await send(
        pool,
        aliRequest(aliHost, 'RemoveServersFromServerGroup', `ServerGroupId=sgp-bench&${form}`),
      );
      return { sent: 2, failed: ok(a.status) + ok(r.status), ms: [a.ms, r.ms] };
    }, ali);
    process.stdout.write(`${row('Alibaba Add + Remove, 20 servers each (ClientToken)', aliAdd)}\n`);

    const hwListAll = await run(async (pool) => {
      let marker = '';
      let sent = 0;
      let failed = 0;
      const ms: number[] = [];
      for (;;) {
        const r = await send(
          pool,
          hwRequest(endpoints.huawei.url, 'GET', `/v3/${HW.project}/elb/pools/${HW.pool}/members`, {
            limit: '100',
            ...(marker ? { marker } : {}),
          }),
        );
        sent++;
        failed += ok(r.status);
        ms.push(r.ms);
        marker = r.status === 200 ? String(r.json.page_info?.next_marker ?? '') : '';
        if (!marker) break;
      }
      return { sent, failed, ms };
    }, hw);
    process.stdout.write(`${row('Huawei ListMembers, pages of 100 (marker)', hwListAll)}\n`);

    const hwAdd = await run(async (pool, worker, i) => {
      const members = Array.from({ length: 20 }, (_, k) => ({
        address: `10.${100 + worker}.${i % 200}.${k + 1}`,
        protocol_port: 80,
        subnet_cidr_id: 'subnet-bench',
      }));
      const a = await send(
        pool,
        hwRequest(
          endpoints.huawei.url,
          'POST',
          `/v3/${HW.project}/elb/pools/${HW.pool}/members/batch-add`,
          {},
          { members },
        ),
      );
      const d = await send(
        pool,
        hwRequest(
          endpoints.huawei.url,
          'POST',
          `/v3/${HW.project}/elb/pools/${HW.pool}/members/batch-delete`,
          {},
          { members: members.map((m) => ({ address: m.address, protocol_port: 80 })) },
        ),
      );
      return { sent: 2, failed: ok(a.status) + ok(d.status), ms: [a.ms, d.ms] };
    }, hw);
    process.stdout.write(`${row('Huawei batch-add + batch-delete, 20 members each', hwAdd)}\n`);

    await Promise.all([ali.close(), hw.close()]);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:sim failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
