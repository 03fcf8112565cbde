// 1,000 generated requests per scheme, signed by our signers and by the vendors' own code (dev dependencies, used
// here as oracles only): random ids, unicode names and values, repeated query keys, empty bodies, STS tokens.
import * as aliCore from '@alicloud/openapi-core';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeForm, flattenParams } from '../../src/providers/alibaba/form.js';
import { formatAcsDate, rpcSignature, signAcs3 } from '../../src/providers/alibaba/signer.js';
import { formatSdkDate, signSdkHmacSha256 } from '../../src/providers/huawei/signer.js';

const { OpenApiUtil } = aliCore;
const RUNS = 1000;
const SEED = 20_240_415;
const counts = { acs3: 0, form: 0, flatten: 0, rpcV2: 0, huawei: 0 };
/** How many generated requests had each trait, so a run proves it exercised them. */
const traits = {
  aliEmptyBody: 0,
  aliNonAscii: 0,
  aliSts: 0,
  aliQuery: 0,
  hwEmptyBody: 0,
  hwRepeatedKey: 0,
  hwNonAscii: 0,
  hwSts: 0,
};
const nonAscii = (s: string) => /\P{ASCII}/u.test(s);

afterAll(() => {
  process.stdout.write(
    `vendor oracle comparisons (equal / generated): ACS3 ${counts.acs3}/${RUNS}, form body ${counts.form}/${RUNS}, flattening ${counts.flatten}/${RUNS}, V2 ${counts.rpcV2}/${RUNS}, SDK-HMAC-SHA256 ${counts.huawei}/${RUNS}\n` +
      `  traits: ${JSON.stringify(traits)}\n`,
  );
});

// ------------------------------------------------------------------ shared generators

const chars = (alphabet: string) => fc.constantFrom(...alphabet.split(''));
const LOWER_DIGITS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~';
const TOKEN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
const idOf = (prefix: string, min: number, max: number) =>
  fc.string({ unit: chars(LOWER_DIGITS), minLength: min, maxLength: max }).map((s) => `${prefix}${s}`);
/** Any well-formed Unicode: names in Chinese, emoji, accents, spaces, reserved characters. */
const unicode = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ maxLength }),
  );
const date = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2099-12-31T23:59:59Z'),
  noInvalidDate: true,
});
const secret = fc.oneof(
  fc.string({ unit: chars(TOKEN), minLength: 1, maxLength: 40 }),
  unicode(20).filter((s) => s.length > 0),
);
const securityToken = fc.option(fc.string({ unit: chars(TOKEN), minLength: 1, maxLength: 300 }), { nil: undefined });

// ------------------------------------------------------------------ Alibaba

const aliServer = fc.record(
  {
    ServerId: fc.oneof(idOf('i-', 1, 20), idOf('eni-', 1, 20), fc.ipV4()),
    ServerType: fc.constantFrom('Ecs', 'Eni', 'Eci', 'Ip'),
    Port: fc.constantFrom(6081, 0, 65535),
    ServerIp: fc.ipV4(),
  },
  { requiredKeys: ['ServerId', 'ServerType'], noNullPrototype: true },
);

/** A GWLB-shaped parameter object: the keys the client sends plus unicode names and tags. */
const aliParams = fc.record(
  {
    ClientToken: fc.string({ unit: chars(TOKEN + '-'), minLength: 1, maxLength: 64 }),
    DryRun: fc.boolean(),
    MaxResults: fc.integer({ min: 1, max: 1000 }),
    NextToken: fc.string({ unit: chars(TOKEN), maxLength: 40 }),
    ServerGroupId: idOf('sgp-', 1, 24),
    Servers: fc.array(aliServer, { maxLength: 6 }),
    ServerIds: fc.array(idOf('i-', 1, 12), { maxLength: 5 }),
    ServerGroupNames: fc.array(unicode(12), { maxLength: 4 }),
    Tag: fc.array(fc.record({ Key: unicode(8), Value: unicode(8) }, { noNullPrototype: true }), { maxLength: 3 }),
  },
  { requiredKeys: [], noNullPrototype: true },
);

const aliRequest = fc.record({
  method: fc.constantFrom('POST', 'GET'),
  action: fc.oneof(
    fc.constantFrom(
      'AddServersToServerGroup',
      'RemoveServersFromServerGroup',
      'ListServerGroups',
      'ListServerGroupServers',
    ),
    fc.string({ unit: chars(UNRESERVED), minLength: 1, maxLength: 20 }),
  ),
  host: fc.oneof(
    idOf('', 2, 12).map((r) => `gwlb.${r}.aliyuncs.com`),
    fc.integer({ min: 1, max: 65535 }).map((p) => `127.0.0.1:${p}`),
  ),
  // Query names as the RPC APIs spell them (the vendor's V3 code does not encode names); values anything.
  query: fc.uniqueArray(fc.tuple(fc.string({ unit: chars(UNRESERVED), minLength: 1, maxLength: 12 }), unicode(16)), {
    selector: ([k]) => k,
    maxLength: 6,
  }),
  params: fc.option(aliParams, { nil: undefined }),
  accessKeyId: fc.oneof(idOf('LTAI', 8, 20), idOf('STS.', 8, 20)),
  accessKeySecret: secret,
  securityToken,
  date,
  nonce: fc.oneof(fc.uuid(), fc.string({ unit: chars(HEX), minLength: 32, maxLength: 32 })),
});

describe('ACS3-HMAC-SHA256 equals @alicloud/openapi-core', () => {
  it(`signs ${RUNS} generated requests exactly as OpenApiUtil.getAuthorization does, over bodies encoded exactly as OpenApiUtil.toForm`, () => {
    fc.assert(
      fc.property(aliRequest, (r) => {
        const body = r.params === undefined ? '' : encodeForm(flattenParams(r.params));
        if (r.params !== undefined) {
          expect(body).toBe(OpenApiUtil.toForm(r.params));
          counts.form++;
          expect(Object.fromEntries(flattenParams(r.params))).toEqual(OpenApiUtil.query(r.params));
          counts.flatten++;
        } else {
          counts.form++;
          counts.flatten++;
        }
        if (body === '') traits.aliEmptyBody++;
        if (nonAscii(body) || r.query.some(([, v]) => nonAscii(v))) traits.aliNonAscii++;
        if (r.securityToken !== undefined) traits.aliSts++;
        if (r.query.length > 0) traits.aliQuery++;
        const headers: Record<string, string> = {
          'x-acs-action': r.action,
          'x-acs-version': '2024-04-15',
          accept: 'application/json',
          'user-agent': 'lbflow',
        };
        if (body !== '') headers['content-type'] = 'application/x-www-form-urlencoded';
        const credentials = {
          accessKeyId: r.accessKeyId,
          accessKeySecret: r.accessKeySecret,
          securityToken: r.securityToken,
        };
        const ours = signAcs3(
          { method: r.method, host: r.host, path: '/', query: r.query, headers, body },
          credentials,
          r.date,
          r.nonce,
        );
        const { authorization, ...sent } = ours.headers;
        const payload = OpenApiUtil.hash(Buffer.from(body), 'ACS3-HMAC-SHA256').toString('hex');
        expect(sent['x-acs-content-sha256']).toBe(payload);
        expect(sent['x-acs-date']).toBe(formatAcsDate(r.date));
        const theirs = OpenApiUtil.getAuthorization(
          { pathname: '/', method: r.method, query: Object.fromEntries(r.query), headers: sent } as never,
          'ACS3-HMAC-SHA256',
          payload,
          r.accessKeyId,
          r.accessKeySecret,
        );
        expect(authorization).toBe(theirs);
        counts.acs3++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(counts.acs3).toBe(RUNS);
    expect(Math.min(traits.aliEmptyBody, traits.aliNonAscii, traits.aliSts, traits.aliQuery)).toBeGreaterThan(50);
  });
});

describe('V2 RPC HMAC-SHA1 equals @alicloud/openapi-core', () => {
  it(`signs ${RUNS} generated parameter sets exactly as OpenApiUtil.getRPCSignature does`, () => {
    const params = fc.uniqueArray(
      fc.tuple(fc.string({ unit: chars(UNRESERVED), minLength: 1, maxLength: 12 }), unicode(16)),
      { selector: ([k]) => k, minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(params, fc.constantFrom('GET', 'POST'), secret, (pairs, method, key) => {
        expect(rpcSignature(method, pairs, key)).toBe(
          OpenApiUtil.getRPCSignature(Object.fromEntries(pairs), method, key),
        );
        counts.rpcV2++;
      }),
      { numRuns: RUNS, seed: SEED + 1 },
    );
    expect(counts.rpcV2).toBe(RUNS);
  });
});

// ------------------------------------------------------------------ Huawei

const uuid = fc.uuid();
const projectId = fc.string({ unit: chars(LOWER_DIGITS), minLength: 32, maxLength: 32 });
const huaweiQueryPair = fc.oneof(
  fc.tuple(fc.constant('address'), fc.oneof(fc.ipV4(), fc.ipV6())),
  fc.tuple(fc.constant('protocol_port'), fc.integer({ min: 0, max: 65535 }).map(String)),
  fc.tuple(fc.constant('name'), unicode(16)),
  fc.tuple(fc.constantFrom('limit', 'weight'), fc.integer({ min: 0, max: 2000 }).map(String)),
  fc.tuple(fc.constantFrom('marker', 'id', 'subnet_cidr_id'), uuid),
  fc.tuple(fc.string({ unit: chars(UNRESERVED), minLength: 1, maxLength: 10 }), unicode(10)),
);

const huaweiRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
  region: idOf('', 2, 10).map((s) => `cn-${s}-4`),
  projectId,
  poolId: uuid,
  rest: fc.constantFrom('', '/members', '/members/batch-add', '/members/batch-delete'),
  // Repeated keys on purpose: address=…&address=…
  query: fc.array(huaweiQueryPair, { maxLength: 8 }),
  data: fc.option(
    fc.oneof(
      fc.record({
        members: fc.array(
          fc.record(
            {
              address: fc.ipV4(),
              protocol_port: fc.integer({ min: 0, max: 65535 }),
              name: unicode(20),
              weight: fc.integer({ min: 0, max: 100 }),
            },
            { requiredKeys: ['address'] },
          ),
          { maxLength: 5 },
        ),
      }),
      fc.dictionary(fc.string({ maxLength: 6 }), unicode(10), { maxKeys: 3 }),
    ),
    { nil: undefined },
  ),
  accessKey: fc.string({ unit: chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 20, maxLength: 20 }),
  secretKey: secret,
  securityToken,
  date: date.map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000)),
});

describe('SDK-HMAC-SHA256 equals @huaweicloud/huaweicloud-sdk-core', () => {
  it(`signs ${RUNS} generated requests exactly as AKSKSigner.sign does`, () => {
    fc.assert(
      fc.property(huaweiRequest, (r) => {
        const host = `elb.${r.region}.myhuaweicloud.com`;
        const path = `/v3/${r.projectId}/elb/pools/${r.poolId}${r.rest}`;
        const body = r.data === undefined ? '' : JSON.stringify(r.data);
        if (body === '') traits.hwEmptyBody++;
        if (new Set(r.query.map(([k]) => k)).size < r.query.length) traits.hwRepeatedKey++;
        if (nonAscii(body) || r.query.some(([, v]) => nonAscii(v))) traits.hwNonAscii++;
        if (r.securityToken !== undefined) traits.hwSts++;
        const headers: Record<string, string> = { 'content-type': 'application/json', 'X-Project-Id': r.projectId };
        const ours = signSdkHmacSha256(
          { method: r.method, path, query: r.query, headers: { ...headers, host }, body },
          { accessKey: r.accessKey, secretKey: r.secretKey, securityToken: r.securityToken },
          r.date,
        );

        const queryParams: Record<string, string | string[]> = {};
        for (const [k, v] of r.query) {
          const had = queryParams[k];
          queryParams[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
        }
        const oracleHeaders: Record<string, string> = { ...headers, 'X-Sdk-Date': formatSdkDate(r.date) };
        if (r.securityToken !== undefined) oracleHeaders['X-Security-Token'] = r.securityToken;
        const credential = new BasicCredentials().withAk(r.accessKey).withSk(r.secretKey).withProjectId(r.projectId);
        const request: Record<string, unknown> = {
          endpoint: `https://${host}${path}`,
          method: r.method,
          headers: oracleHeaders,
          queryParams,
        };
        if (r.data !== undefined) request.data = r.data;
        const theirs = AKSKSigner.sign(request as never, credential) as Record<string, string>;
        expect(ours.headers.Authorization).toBe(theirs.Authorization);
        counts.huawei++;
      }),
      { numRuns: RUNS, seed: SEED + 2 },
    );
    expect(counts.huawei).toBe(RUNS);
    expect(Math.min(traits.hwEmptyBody, traits.hwRepeatedKey, traits.hwNonAscii, traits.hwSts)).toBeGreaterThan(50);
  });
});
