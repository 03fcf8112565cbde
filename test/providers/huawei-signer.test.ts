// The Huawei SDK-HMAC-SHA256 signer against the documentation example, the Go SDK's unit vectors and the
// ELB-shaped vectors of huawei-elb.md §4.2, each canonicalisation step on its own, and the request bodies.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { batchAddBody, batchDeleteBody, listMembersQuery, memberFilters } from '../../src/providers/huawei/bodies.js';
import { huaweiErrorFields } from '../../src/providers/huawei/response.js';
import {
  canonicalHeaders,
  canonicalQueryString,
  canonicalUri,
  encodePath,
  formatSdkDate,
  signSdkHmacSha256,
} from '../../src/providers/huawei/signer.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('SDK-HMAC-SHA256 canonicalisation steps', () => {
  it('formats X-Sdk-Date as YYYYMMDDTHHMMSSZ in UTC', () => {
    expect(formatSdkDate(new Date(Date.UTC(2019, 10, 15, 3, 36, 55, 999)))).toBe('20191115T033655Z');
  });

  it('percent-encodes each path segment and always ends the canonical URI with a slash', () => {
    expect(canonicalUri('/v3/p/elb/pools/x/members/batch-add')).toBe('/v3/p/elb/pools/x/members/batch-add/');
    expect(canonicalUri('/a b/c*/')).toBe('/a%20b/c%2A/');
    expect(encodePath('/a b/ü')).toBe('/a%20b/%C3%BC');
  });

  it('sorts keys and the values of a repeated key, encoding a space as %20 (the Go SDK unit vector)', () => {
    const query: Array<[string, string]> = [
      ['test', '一 (&=?!#%.*)'],
      ['multi', '2'],
      ['path', '/tmp/123'],
      ['multi', '3'],
      ['limit', '1'],
      ['multi', '1'],
      ['enable', 'true'],
    ];
    expect(canonicalQueryString(query)).toBe(
      'enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29',
    );
  });

  it('signs lower-cased, trimmed, sorted headers and never a name with an underscore', () => {
    const { canonical, signedHeaders } = canonicalHeaders({
      'X-Sdk-Date': ' 20060102T150405Z ',
      TEST_UNDERSCORE: 'x',
      Host: 'h',
    });
    expect(signedHeaders).toEqual(['host', 'x-sdk-date']);
    expect(canonical).toBe('host:h\nx-sdk-date:20060102T150405Z\n');
  });
});

describe('the documentation example (AK/SK signing guide)', () => {
  const signed = signSdkHmacSha256(
    {
      method: 'GET',
      path: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
      query: [
        ['limit', '2'],
        ['marker', '13551d6b-755d-4757-b956-536f674975c0'],
      ],
      headers: { 'Content-Type': 'application/json', Host: 'service.region.example.com' },
      body: '',
    },
    { accessKey: 'QTWAOYTTINDUT2QVKYUC', secretKey: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' },
    new Date('2019-11-15T03:36:55Z'),
  );

  it('builds the documented canonical request', () => {
    expect(signed.canonicalRequest).toBe(
      [
        'GET',
        '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
        'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
        'content-type:application/json',
        'host:service.region.example.com',
        'x-sdk-date:20191115T033655Z',
        '',
        'content-type;host;x-sdk-date',
        EMPTY_SHA256,
      ].join('\n'),
    );
    expect(sha256(signed.canonicalRequest)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
  });

  it('signs to the documented Authorization header', () => {
    expect(signed.headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });
});

describe('the Go SDK unit vectors (core/auth/signer/signer_test.go)', () => {
  const creds = { accessKey: 'AccessKey', secretKey: 'SecretKey' };
  const date = new Date('2006-01-02T15:04:05Z');

  it('signs a GET with a query to 5a2ce64c…, leaving out the underscore header', () => {
    const s = signSdkHmacSha256(
      { method: 'GET', path: '/path', query: [['limit', '1']], headers: { TEST_UNDERSCORE: 'x' }, body: '' },
      creds,
      date,
    );
    expect(s.canonicalRequest).toBe(`GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\n${EMPTY_SHA256}`);
    expect(s.headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
    );
  });

  it('signs the exact body bytes: the Go encoder newline gives cecc2af1…, without it 83599e52…', () => {
    const request = (body: string) => ({
      method: 'POST',
      path: '/path',
      query: [['key', 'value']] as Array<[string, string]>,
      headers: { TEST_UNDERSCORE: 'x' },
      body,
    });
    const withNewline = signSdkHmacSha256(request('{"Name":"test","Id":1}\n'), creds, date);
    expect(
      withNewline.canonicalRequest.endsWith('a29d7b4c5efd1a22011d69fd7b7aee76fe51e4083c609244228de258afd61289'),
    ).toBe(true);
    expect(withNewline.signature).toBe('cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59');
    expect(signSdkHmacSha256(request('{"Name":"test","Id":1}'), creds, date).signature.startsWith('83599e52')).toBe(
      true,
    );
  });
});

describe('ELB-shaped vectors (huawei-elb.md §4.2)', () => {
  const creds = { accessKey: 'AKEXAMPLE', secretKey: 'SKEXAMPLE' };
  const date = new Date('2025-01-01T00:00:00Z');
  const project = '04dd36f964000fe22f9ac00bc85b1a1d';
  const headers = {
    'Content-Type': 'application/json',
    Host: 'elb.cn-north-4.myhuaweicloud.com',
    'X-Project-Id': project,
  };
  const pool = `/v3/${project}/elb/pools/04a9bc65-b75b-478d-b4d6-e693bb61dd35/members`;

  it('encodes a batch-add of one member to the vector body and signs it to ca717e72…', () => {
    const body = JSON.stringify(
      batchAddBody([
        {
          address: '192.168.0.48',
          protocolPort: 8080,
          subnetCidrId: '61da8098-954b-4809-bc5a-b99ccef8a398',
          weight: 1,
        },
      ]),
    );
    expect(body).toBe(
      '{"members":[{"address":"192.168.0.48","protocol_port":8080,"subnet_cidr_id":"61da8098-954b-4809-bc5a-b99ccef8a398","weight":1}]}',
    );
    expect(sha256(body)).toBe('45be775a84f60da78aa41bd780ec394ea2368652af27db890002db3724e160bb');
    const s = signSdkHmacSha256({ method: 'POST', path: `${pool}/batch-add`, query: [], headers, body }, creds, date);
    expect(s.signedHeaders.join(';')).toBe('content-type;host;x-project-id;x-sdk-date');
    expect(s.stringToSign).toBe(
      'SDK-HMAC-SHA256\n20250101T000000Z\n6af0db1f313bc0edfd7b838a2792d17168a6199f9286161a771f081bf762cbb6',
    );
    expect(s.signature).toBe('ca717e729da57c0c2b077585c1920fc1b889d797e2f3626307f011d8eb826c71');
  });

  it('signs a member list with repeated address filters to d73f7eff…', () => {
    const query: Array<[string, string]> = [
      ['limit', '200'],
      ['address', '192.168.0.48'],
      ['address', '10.0.0.1'],
      ['protocol_port', '8080'],
    ];
    expect(canonicalQueryString(query)).toBe('address=10.0.0.1&address=192.168.0.48&limit=200&protocol_port=8080');
    expect(signSdkHmacSha256({ method: 'GET', path: pool, query, headers, body: '' }, creds, date).signature).toBe(
      'd73f7eff583a2dfff255c5355b75088c8661d7defd8ecf2bdf94634d2d215992',
    );
  });

  it('sends and signs X-Security-Token for temporary AK/SK', () => {
    const s = signSdkHmacSha256(
      { method: 'GET', path: pool, query: [], headers, body: '' },
      { ...creds, securityToken: 'tmp-token' },
      date,
    );
    expect(s.headers['X-Security-Token']).toBe('tmp-token');
    expect(s.signedHeaders).toContain('x-security-token');
  });
});

describe('ELB bodies and queries', () => {
  it('sends subnet, name and availability zone only when set, weight always', () => {
    expect(
      batchAddBody([{ address: '10.0.0.1', protocolPort: 80, weight: 1, availabilityZone: 'cn-north-4a', name: 'été' }])
        .members[0],
    ).toEqual({
      address: '10.0.0.1',
      protocol_port: 80,
      weight: 1,
      name: 'été',
      availability_zone: 'cn-north-4a',
    });
  });

  it('deletes by address and protocol_port', () => {
    expect(batchDeleteBody([{ address: '10.0.0.1', protocolPort: 80 }])).toEqual({
      members: [{ address: '10.0.0.1', protocol_port: 80 }],
    });
  });

  it('filters by at most 200 repeated addresses per call, each with every requested port', () => {
    const servers = Array.from({ length: 450 }, (_, i) => ({
      address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      protocolPort: i % 2 === 0 ? 80 : 443,
    }));
    const filters = memberFilters(servers);
    expect(filters.map((f) => f.filter(([k]) => k === 'address').length)).toEqual([200, 200, 50]);
    expect(filters[0]?.filter(([k]) => k === 'protocol_port')).toEqual([
      ['protocol_port', '80'],
      ['protocol_port', '443'],
    ]);
    expect(memberFilters(undefined)).toEqual([[]]);
  });

  it('pages with limit, and marker after the first page', () => {
    expect(listMembersQuery(2000, [['address', 'a']], undefined)).toEqual([
      ['limit', '2000'],
      ['address', 'a'],
    ]);
    expect(listMembersQuery(2000, [], 'm-1')).toEqual([
      ['limit', '2000'],
      ['marker', 'm-1'],
    ]);
  });
});

describe('ELB error bodies in all three shapes', () => {
  it('reads {error_code, error_msg}', () => {
    expect(huaweiErrorFields({ error_msg: 'Invalid input', error_code: 'ELB.8902', request_id: 'r' })).toEqual({
      code: 'ELB.8902',
      message: 'Invalid input',
    });
  });

  it('reads {code, message}', () => {
    expect(huaweiErrorFields({ code: 'APIGW.0308', message: 'throttled' })).toEqual({
      code: 'APIGW.0308',
      message: 'throttled',
    });
  });

  it('reads the nested {error: {code, message}}', () => {
    expect(huaweiErrorFields({ error: { message: 'listener exist, the port repeat', code: 'ELB.6101' } })).toEqual({
      code: 'ELB.6101',
      message: 'listener exist, the port repeat',
    });
  });

  it('yields no code for a body in none of the shapes', () => {
    expect(huaweiErrorFields({ NeutronError: { type: 'HTTPNotFound', message: 'x' } }).code).toBeUndefined();
    expect(huaweiErrorFields(undefined)).toEqual({});
  });
});
