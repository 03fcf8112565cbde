// What the clients put on the wire and how they read what comes back, against a stub HTTP server that answers
// what the simulators cannot: retry-after headers, the other Huawei error shapes, non-JSON answers. Also
// keep-alive (100 sequential calls, one connection) and a fresh signature per attempt.
import * as aliCore from '@alicloud/openapi-core';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createProvider, type LoadBalancerProvider } from '../../src/providers/index.js';
import { LBFLOW_VERSION } from '../../src/providers/user-agent.js';
import { classified, ecs, group, member, pool, providerError } from './helpers.js';

const { OpenApiUtil } = aliCore;

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

type Handler = (req: Received, res: ServerResponse) => void;

let server: Server;
let base: string;
let handler: Handler = (_req, res) => res.end();
const received: Received[] = [];
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      handler(r, res);
    });
  });
  server.keepAliveTimeout = 10_000;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const clients: Array<LoadBalancerProvider<'alibaba-gwlb'> | LoadBalancerProvider<'huawei-elb'>> = [];
afterEach(async () => {
  received.length = 0;
  connections = 0;
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

const ALI_CREDS = { accessKeyId: 'LTAIwiretest', accessKeySecret: 'wire-secret' };
const HW_CREDS = { accessKey: 'HWWIRETEST', secretKey: 'wire-sk' };
const aliClient = () => {
  const c = createProvider({ provider: 'alibaba-gwlb', credentials: ALI_CREDS, endpoint: base });
  clients.push(c);
  return c;
};
const hwClient = (config: { clock?: () => Date; pageSize?: number } = {}) => {
  const c = createProvider({ provider: 'huawei-elb', credentials: HW_CREDS, endpoint: base, ...config });
  clients.push(c);
  return c;
};

function reply(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json', ...headers });
    res.end(text);
  };
}

const G = group('sgp-wire');
const P = pool('5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0001');

describe('what goes on the wire', () => {
  it('sends GWLB calls as POST / with a form body whose bytes verify under the vendor signer', async () => {
    handler = reply(200, { RequestId: 'R-1' });
    await aliClient().addServers(G, [ecs(1), { ...ecs(2), serverIp: '192.168.0.3' }], { idempotencyKey: 'tok 1' });
    const [r] = received;
    expect(r?.method).toBe('POST');
    expect(r?.url).toBe('/');
    expect(r?.body.toString()).toBe(
      'ClientToken=tok%201&RegionId=cn-hangzhou&ServerGroupId=sgp-wire&Servers.1.Port=6081&Servers.1.ServerId=i-bp67acfmxazb4p0001&Servers.1.ServerType=Ecs&Servers.2.Port=6081&Servers.2.ServerId=i-bp67acfmxazb4p0002&Servers.2.ServerIp=192.168.0.3&Servers.2.ServerType=Ecs',
    );
    const headers = r?.headers as Record<string, string>;
    expect(headers).toMatchObject({
      'x-acs-action': 'AddServersToServerGroup',
      'x-acs-version': '2024-04-15',
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    });
    // As the vendor's SDKs do: the credential provider's name (fixed keys: static_ak), signed like every x-acs-* header.
    expect(headers['x-acs-credentials-provider']).toBe('static_ak');
    expect(headers.authorization).toMatch(/SignedHeaders=[^,]*x-acs-credentials-provider/);
    const payload = OpenApiUtil.hash(r?.body as Buffer, 'ACS3-HMAC-SHA256').toString('hex');
    expect(headers['x-acs-content-sha256']).toBe(payload);
    const { authorization, ...rest } = headers;
    expect(authorization).toBe(
      OpenApiUtil.getAuthorization(
        { pathname: '/', method: 'POST', query: {}, headers: rest } as never,
        'ACS3-HMAC-SHA256',
        payload,
        ALI_CREDS.accessKeyId,
        ALI_CREDS.accessKeySecret,
      ),
    );
  });

  it('reads ELB pages until one has no next_marker, and also ends at an empty page after a full one (whichever ELB does)', async () => {
    const m = (i: number) => ({
      id: `m${i}`,
      address: `10.0.0.${i}`,
      protocol_port: 80,
      operating_status: 'ONLINE',
      admin_state_up: true,
      weight: 1,
    });
    const pages = [
      {
        request_id: 'p1',
        members: [m(1), m(2)],
        page_info: { previous_marker: 'm1', next_marker: 'm2', current_count: 2 },
      },
      {
        request_id: 'p2',
        members: [m(3), m(4)],
        page_info: { previous_marker: 'm3', next_marker: 'm4', current_count: 2 },
      },
      { request_id: 'p3', members: [], page_info: { current_count: 0 } },
    ];
    handler = (req, res) => {
      const marker = new URL(req.url, 'http://h').searchParams.get('marker');
      reply(200, pages[marker === null ? 0 : marker === 'm2' ? 1 : 2])(req, res);
    };
    const emptyLast = await hwClient({ pageSize: 2 }).listServers(P);
    expect(emptyLast.members.map((x) => x.address)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
    expect(emptyLast.requestIds).toEqual(['p1', 'p2', 'p3']);
    received.length = 0;
    pages[1] = {
      request_id: 'p2',
      members: [m(3), m(4)],
      page_info: { previous_marker: 'm3', current_count: 2 },
    } as never;
    const noMarker = await hwClient({ pageSize: 2 }).listServers(P);
    expect(noMarker.requestIds).toEqual(['p1', 'p2']);
    expect(received).toHaveLength(2);
  });

  it('sends ELB calls with the encoded path, the sorted query and JSON body bytes that verify under the vendor signer', async () => {
    handler = reply(200, { request_id: 'r', members: [], page_info: { current_count: 0 } });
    await hwClient().listServers(P, {
      servers: [
        { address: '10.0.0.2', protocolPort: 80 },
        { address: '10.0.0.1', protocolPort: 80 },
      ],
    });
    handler = reply(201, { request_id: 'r', members: [] });
    await hwClient().addServers(P, [{ ...member(1), name: '名前 é' }], { idempotencyKey: 'k' });
    const [list, add] = received;
    expect(list?.url).toBe(
      `/v3/${P.projectId}/elb/pools/${P.poolId}/members?address=10.0.0.1&address=10.0.0.2&limit=2000&protocol_port=80`,
    );
    expect(JSON.parse(add?.body.toString() ?? '')).toEqual({
      members: [
        {
          address: '192.168.0.2',
          protocol_port: 80,
          subnet_cidr_id: member(1).subnetCidrId,
          weight: 1,
          name: '名前 é',
        },
      ],
    });
    for (const r of [list, add] as Received[]) {
      const headers = r.headers as Record<string, string>;
      expect(headers['x-project-id']).toBe(P.projectId);
      // The charset as the vendor's SDKs send it.
      expect(headers['content-type']).toBe('application/json;charset=utf-8');
      const [path, query = ''] = r.url.split('?');
      const queryParams: Record<string, string[]> = {};
      for (const [k, v] of new URLSearchParams(query)) queryParams[k] = [...(queryParams[k] ?? []), v];
      const request: Record<string, unknown> = {
        endpoint: `${base}${path}`,
        method: r.method,
        headers: {
          'content-type': headers['content-type'],
          'X-Project-Id': headers['x-project-id'],
          'X-Sdk-Date': headers['x-sdk-date'],
        },
        queryParams,
      };
      if (r.body.length > 0) {
        // The vendor signer hashes JSON.stringify(data): the same bytes only if what arrived is exactly that.
        const data: unknown = JSON.parse(r.body.toString('utf8'));
        expect(JSON.stringify(data)).toBe(r.body.toString('utf8'));
        request.data = data;
      }
      const oracle = AKSKSigner.sign(
        request as never,
        new BasicCredentials().withAk(HW_CREDS.accessKey).withSk(HW_CREDS.secretKey),
      ) as Record<string, string>;
      expect(headers.authorization).toBe(oracle.Authorization);
    }
  });

  it("names lbflow, its version (package.json's) and the runtime in User-Agent on every GWLB and ELB call", async () => {
    expect(LBFLOW_VERSION).toBe(
      (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version,
    );
    handler = reply(200, { RequestId: 'R-ua' });
    await aliClient().addServers(G, [ecs(1)], { idempotencyKey: 'ua' });
    handler = reply(200, { request_id: 'r-ua', members: [] });
    await hwClient().addServers(P, [member(1)], { idempotencyKey: 'ua' });
    expect(received).toHaveLength(2);
    for (const r of received)
      expect(r.headers['user-agent']).toBe(
        `lbflow/${LBFLOW_VERSION} (node ${process.version}; ${process.platform}; ${process.arch})`,
      );
  });

  it('signs every attempt afresh: a new nonce and date per GWLB call, a new X-Sdk-Date per ELB call', async () => {
    handler = reply(200, {
      RequestId: 'R',
      ServerGroups: [{ ServerGroupId: 'sgp-wire', ServerGroupStatus: 'Available' }],
    });
    const c = aliClient();
    await c.groupReadiness(G);
    await c.groupReadiness(G);
    const nonces = received.map((r) => r.headers['x-acs-signature-nonce']);
    expect(new Set(nonces).size).toBe(2);
    received.length = 0;
    let t = Date.UTC(2025, 0, 1);
    handler = reply(200, { request_id: 'r', members: [] });
    const h = hwClient({ clock: () => new Date((t += 1000)) });
    await h.listServers(P);
    await h.listServers(P);
    expect(received.map((r) => r.headers['x-sdk-date'])).toEqual(['20250101T000001Z', '20250101T000002Z']);
  });
});

describe('keep-alive', () => {
  it('opens one connection for 100 sequential GWLB calls and one for 100 sequential ELB calls', async () => {
    handler = reply(200, { RequestId: 'R', request_id: 'r', Servers: [], members: [] });
    const ali = aliClient();
    for (let i = 0; i < 100; i++) await ali.listServers(G);
    expect(connections).toBe(1);
    connections = 0;
    const hw = hwClient();
    for (let i = 0; i < 100; i++) await hw.listServers(P);
    expect(connections).toBe(1);
    expect(received).toHaveLength(200);
  });
});

describe('what comes back', () => {
  it('reads x-acs-retry-after on a GWLB throttling answer as milliseconds', async () => {
    handler = reply(
      400,
      { RequestId: 'R-T', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' },
      { 'x-acs-retry-after': '1500' },
    );
    const e = await providerError(aliClient().groupReadiness(G));
    expect({ ...classified(e), retryAfterMs: e.retryAfterMs, requestId: e.requestId }).toEqual({
      code: 'Throttling.User',
      httpStatus: 400,
      disposition: 'throttled',
      failureType: 'ProviderUnavailable',
      retryAfterMs: 1500,
      requestId: 'R-T',
    });
  });

  it('reads Retry-After on an ELB 429 in seconds', async () => {
    handler = reply(
      429,
      { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached' },
      { 'retry-after': '3', 'x-request-id': 'hdr-id' },
    );
    const e = await providerError(hwClient().listServers(P));
    expect({ code: e.code, retryAfterMs: e.retryAfterMs, requestId: e.requestId, disposition: e.disposition }).toEqual({
      code: 'APIGW.0308',
      retryAfterMs: 3000,
      requestId: 'hdr-id',
      disposition: 'throttled',
    });
  });

  it('reads the {code, message} error shape and the body request id', async () => {
    handler = reply(401, { code: 'APIGW.0307', message: 'The token must be updated.', request_id: 'body-id' });
    const e = await providerError(hwClient().groupReadiness(P));
    expect({ code: e.code, message: e.providerMessage, requestId: e.requestId, disposition: e.disposition }).toEqual({
      code: 'APIGW.0307',
      message: 'The token must be updated.',
      requestId: 'body-id',
      disposition: 'resign',
    });
  });

  it('reads the nested {error: {code, message}} shape', async () => {
    handler = reply(409, { error: { code: 'ELB.8907', message: 'Data conflict.' } }, { 'x-request-id': 'nested-id' });
    const e = await providerError(hwClient().addServers(P, [member(1)], { idempotencyKey: 'k' }));
    expect({ ...classified(e), requestId: e.requestId }).toEqual({
      code: 'ELB.8907',
      httpStatus: 409,
      disposition: 'retryable',
      failureType: 'BackendConflict',
      requestId: 'nested-id',
    });
  });

  it('classifies a non-JSON 502 from a proxy by its status, on both providers', async () => {
    handler = reply(502, '<html>Bad Gateway</html>');
    for (const e of [
      await providerError(aliClient().groupReadiness(G)),
      await providerError(hwClient().groupReadiness(P)),
    ]) {
      expect(classified(e)).toEqual({
        code: 'HTTP.502',
        httpStatus: 502,
        disposition: 'retryable',
        failureType: 'ProviderUnavailable',
      });
    }
  });

  it('treats a 2xx whose body is not JSON as a retryable Transport.MalformedResponse', async () => {
    handler = reply(200, 'not json');
    expect(classified(await providerError(aliClient().listServers(G)))).toEqual({
      code: 'Transport.MalformedResponse',
      httpStatus: 200,
      disposition: 'retryable',
      failureType: 'ProviderUnavailable',
    });
  });

  it('marks a batch-add member the answer does not mention as unconfirmed', async () => {
    handler = reply(201, {
      request_id: 'r',
      members: [{ address: '192.168.0.2', protocol_port: 80, id: 'm-1', ret_status: 'successful' }],
    });
    const result = await hwClient().addServers(P, [member(1), member(2)], { idempotencyKey: 'k' });
    expect(result.servers.map((s) => s.outcome)).toEqual(['added', 'unconfirmed']);
  });

  it('sends nothing and lists nothing for an empty server filter', async () => {
    expect((await aliClient().listServers(G, { servers: [] })).members).toEqual([]);
    expect((await hwClient().listServers(P, { servers: [] })).members).toEqual([]);
    expect(received).toEqual([]);
  });

  it('stops paging when NextToken does not advance, rather than looping', async () => {
    handler = reply(200, { RequestId: 'R', Servers: [], NextToken: 'same' });
    expect((await providerError(aliClient().listServers(G))).code).toBe('Transport.MalformedResponse');
    expect(received).toHaveLength(2);
  });
});
