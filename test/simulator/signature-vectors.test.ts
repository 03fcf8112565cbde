// The simulators' canonicalisation and signature functions against the published vectors and the computed
// GWLB/ELB-shaped ones (alibaba-gwlb.md §5, huawei-elb.md §4.2).
import { describe, expect, it } from 'vitest';
import {
  canonicalQueryString as aliCanonicalQuery,
  canonicalRequestV3,
  parseAuthorizationV3,
  percentEncode,
  sha256Hex,
  signV2,
  signV3,
  stringToSignV2,
  stringToSignV3,
} from '../../src/simulator/alibaba/signature.js';
import {
  canonicalQueryString as hwCanonicalQuery,
  canonicalRequest,
  canonicalUri,
  parseAuthorization,
  sign,
  stringToSign,
} from '../../src/simulator/huawei/signature.js';

const headers = (h: Record<string, string>) => new Map(Object.entries(h).map(([k, v]) => [k, [v]]));
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('Alibaba ACS3-HMAC-SHA256 (V3)', () => {
  it('reproduces the published RunInstances vector: canonical request, its hash and the signature', () => {
    const h = {
      host: 'ecs.cn-shanghai.aliyuncs.com',
      'x-acs-action': 'RunInstances',
      'x-acs-content-sha256': EMPTY_SHA256,
      'x-acs-date': '2023-10-26T10:22:32Z',
      'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
      'x-acs-version': '2014-05-26',
    };
    const canonical = canonicalRequestV3({
      method: 'POST',
      path: '/',
      query: [
        ['RegionId', 'cn-shanghai'],
        ['ImageId', 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd'],
      ],
      headers: headers(h),
      signedHeaders: Object.keys(h),
      payloadHash: sha256Hex(''),
    });
    expect(canonical).toBe(
      [
        'POST',
        '/',
        'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
        'host:ecs.cn-shanghai.aliyuncs.com',
        'x-acs-action:RunInstances',
        `x-acs-content-sha256:${EMPTY_SHA256}`,
        'x-acs-date:2023-10-26T10:22:32Z',
        'x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d',
        'x-acs-version:2014-05-26',
        '',
        'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
        EMPTY_SHA256,
      ].join('\n'),
    );
    expect(sha256Hex(canonical)).toBe('7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259');
    expect(signV3('YourAccessKeySecret', stringToSignV3(canonical))).toBe(
      '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
  });

  it('parses the published Authorization header', () => {
    const auth = parseAuthorizationV3(
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
    expect(auth).toEqual({
      algorithm: 'ACS3-HMAC-SHA256',
      accessKeyId: 'YourAccessKeyId',
      signedHeaders: [
        'host',
        'x-acs-action',
        'x-acs-content-sha256',
        'x-acs-date',
        'x-acs-signature-nonce',
        'x-acs-version',
      ],
      signature: '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    });
  });

  const gwlbVectors = [
    {
      action: 'AddServersToServerGroup',
      body: 'ClientToken=123e4567-e89b-12d3-a456-426655440000&DryRun=false&ServerGroupId=sgp-atstuj3rtoptyui0000&Servers.1.Port=6081&Servers.1.ServerId=i-bp67acfmxazb4p0001&Servers.1.ServerIp=192.168.1.10&Servers.1.ServerType=Ecs&Servers.2.Port=6081&Servers.2.ServerId=eni-bp1abcdefg0002&Servers.2.ServerType=Eni',
      bodyHash: '3e3451db8d5b1d3e63c75e312ca66aae2a83faa8dcb328610c546f6dd5792480',
      signature: '644dd6a7612a3b65b55dbf993ebc8dad4e21480be214e99b4f9ac3cc805d3150',
      canonicalHash: '7c4fb79220bf692e18cd72173713f623a4397d9a83ffa05f605299accae957aa',
    },
    {
      action: 'ListServerGroupServers',
      body: 'MaxResults=100&ServerGroupId=sgp-atstuj3rtoptyui0000',
      bodyHash: '65b28aa452a54e6b4fe9fd6f8191ca8074393260c64b315547bfb1a56fa99c44',
      signature: '4c3d5031f32113fc1b871981dd9afd7ad070593fdf7a65d78e66b44abeb5fc6f',
    },
    {
      action: 'RemoveServersFromServerGroup',
      body: 'ClientToken=tok-0001&ServerGroupId=sgp-atstuj3rtoptyui0000&Servers.1.Port=6081&Servers.1.ServerId=192.168.1.10&Servers.1.ServerIp=192.168.1.10&Servers.1.ServerType=Ip',
      bodyHash: 'f4559046e5c4545e8b57df536f28bfffb69940290559b4fadb5e191fd1ebc20a',
      signature: '38d105a066cfce2bc015b9eb2a3aa69c31846c6feee2b9d758b47053ea8b0ff1',
    },
  ];

  it.each(gwlbVectors)('reproduces the GWLB-shaped vector for $action (body hash and signature)', (v) => {
    const bodyHash = sha256Hex(Buffer.from(v.body));
    expect(bodyHash).toBe(v.bodyHash);
    const h = {
      'content-type': 'application/x-www-form-urlencoded',
      host: 'gwlb.cn-hangzhou.aliyuncs.com',
      'x-acs-action': v.action,
      'x-acs-content-sha256': bodyHash,
      'x-acs-date': '2024-08-05T18:24:07Z',
      'x-acs-signature-nonce': 'd410180a5abf7fe235dd9b74aca91fc0',
      'x-acs-version': '2024-04-15',
    };
    const canonical = canonicalRequestV3({
      method: 'POST',
      path: '/',
      query: [],
      headers: headers(h),
      signedHeaders: Object.keys(h),
      payloadHash: bodyHash,
    });
    if (v.canonicalHash) expect(sha256Hex(canonical)).toBe(v.canonicalHash);
    expect(signV3('testAccessKeySecret', stringToSignV3(canonical))).toBe(v.signature);
  });

  it("percent-encodes as RFC 3986: space %20, * %2A, ~ kept, !'() escaped", () => {
    expect(percentEncode("a b*c~d!e'f(g)h")).toBe('a%20b%2Ac~d%21e%27f%28g%29h');
    expect(
      aliCanonicalQuery([
        ['b', '2'],
        ['a', 'x y'],
      ]),
    ).toBe('a=x%20y&b=2');
  });
});

describe('Alibaba RPC HMAC-SHA1 (V2)', () => {
  it('reproduces the published DescribeRegions vector, double-encoded colon included', () => {
    const params: Array<[string, string]> = [
      ['AccessKeyId', 'testid'],
      ['Action', 'DescribeRegions'],
      ['Format', 'XML'],
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureNonce', '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf'],
      ['SignatureVersion', '1.0'],
      ['Timestamp', '2016-02-23T12:46:24Z'],
      ['Version', '2014-05-26'],
    ];
    const toSign = stringToSignV2('GET', params);
    expect(toSign).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(signV2('testsecret', toSign)).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it("reproduces the SDK's unit vector and the computed GWLB ListServerGroupServers vector", () => {
    expect(signV2('accessKeySecret', stringToSignV2('', [['test', 'ok']]))).toBe('jHx/oHoHNrbVfhncHEvPdHXZwHU=');
    const params: Array<[string, string]> = [
      ['Action', 'ListServerGroupServers'],
      ['Format', 'json'],
      ['Version', '2024-04-15'],
      ['Timestamp', '2024-08-05T18:24:07Z'],
      ['SignatureNonce', 'd410180a5abf7fe235dd9b74aca91fc0'],
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureVersion', '1.0'],
      ['AccessKeyId', 'testAccessKeyId'],
      ['ServerGroupId', 'sgp-atstuj3rtoptyui0000'],
      ['MaxResults', '100'],
    ];
    expect(signV2('testAccessKeySecret', stringToSignV2('POST', params))).toBe('3YJFoEN2WU4InXge+STLSHJfm48=');
  });
});

describe('Huawei SDK-HMAC-SHA256', () => {
  it('reproduces the published doc vector: canonical URI with a trailing slash, hash and signature', () => {
    const canonical = canonicalRequest({
      method: 'GET',
      path: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
      query: [
        ['marker', '13551d6b-755d-4757-b956-536f674975c0'],
        ['limit', '2'],
      ],
      headers: headers({
        'content-type': 'application/json',
        host: 'service.region.example.com',
        'x-sdk-date': '20191115T033655Z',
      }),
      signedHeaders: ['content-type', 'host', 'x-sdk-date'],
      payloadHash: EMPTY_SHA256,
    });
    expect(canonical).toBe(
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
    expect(sha256Hex(canonical)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
    expect(sign('MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc', stringToSign('20191115T033655Z', canonical))).toBe(
      '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
    expect(
      parseAuthorization(
        'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
      ),
    ).toEqual({
      access: 'QTWAOYTTINDUT2QVKYUC',
      signedHeaders: ['content-type', 'host', 'x-sdk-date'],
      signature: '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    });
  });

  const goDate = '20060102T150405Z';

  it('reproduces the Go SDK GET vector (only x-sdk-date signed)', () => {
    const canonical = canonicalRequest({
      method: 'GET',
      path: '/path',
      query: [['limit', '1']],
      headers: headers({ 'x-sdk-date': goDate }),
      signedHeaders: ['x-sdk-date'],
      payloadHash: EMPTY_SHA256,
    });
    expect(canonical).toBe(`GET\n/path/\nlimit=1\nx-sdk-date:${goDate}\n\nx-sdk-date\n${EMPTY_SHA256}`);
    expect(sign('SecretKey', stringToSign(goDate, canonical))).toBe(
      '5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
    );
  });

  it('reproduces the Go SDK POST vector: the body hash covers the trailing newline of the exact bytes', () => {
    const body = Buffer.from('{"Name":"test","Id":1}\n');
    expect(sha256Hex(body)).toBe('a29d7b4c5efd1a22011d69fd7b7aee76fe51e4083c609244228de258afd61289');
    const canonical = canonicalRequest({
      method: 'POST',
      path: '/path',
      query: [['key', 'value']],
      headers: headers({ 'x-sdk-date': goDate }),
      signedHeaders: ['x-sdk-date'],
      payloadHash: sha256Hex(body),
    });
    expect(sign('SecretKey', stringToSign(goDate, canonical))).toBe(
      'cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59',
    );
  });

  it("encodes the Go SDK's query test case: repeated keys sorted, reserved characters escaped", () => {
    const query: Array<[string, string]> = [
      ['test', '一 (&=?!#%.*)'],
      ['multi', '3'],
      ['path', '/tmp/123'],
      ['multi', '1'],
      ['enable', 'true'],
      ['limit', '1'],
      ['multi', '2'],
    ];
    expect(hwCanonicalQuery(query)).toBe(
      'enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29',
    );
  });

  const elbHeaders = {
    'content-type': 'application/json',
    host: 'elb.cn-north-4.myhuaweicloud.com',
    'x-project-id': '04dd36f964000fe22f9ac00bc85b1a1d',
    'x-sdk-date': '20250101T000000Z',
  };

  it('reproduces the ELB-shaped batch-add vector', () => {
    const body =
      '{"members":[{"address":"192.168.0.48","protocol_port":8080,"subnet_cidr_id":"61da8098-954b-4809-bc5a-b99ccef8a398","weight":1}]}';
    expect(sha256Hex(body)).toBe('45be775a84f60da78aa41bd780ec394ea2368652af27db890002db3724e160bb');
    const canonical = canonicalRequest({
      method: 'POST',
      path: '/v3/04dd36f964000fe22f9ac00bc85b1a1d/elb/pools/04a9bc65-b75b-478d-b4d6-e693bb61dd35/members/batch-add',
      query: [],
      headers: headers(elbHeaders),
      signedHeaders: Object.keys(elbHeaders),
      payloadHash: sha256Hex(body),
    });
    const toSign = stringToSign('20250101T000000Z', canonical);
    expect(sha256Hex(canonical)).toBe('6af0db1f313bc0edfd7b838a2792d17168a6199f9286161a771f081bf762cbb6');
    expect(sign('SKEXAMPLE', toSign)).toBe('ca717e729da57c0c2b077585c1920fc1b889d797e2f3626307f011d8eb826c71');
  });

  it('reproduces the ELB-shaped list vector with repeated address keys', () => {
    const query: Array<[string, string]> = [
      ['limit', '200'],
      ['address', '192.168.0.48'],
      ['address', '10.0.0.1'],
      ['protocol_port', '8080'],
    ];
    expect(hwCanonicalQuery(query)).toBe('address=10.0.0.1&address=192.168.0.48&limit=200&protocol_port=8080');
    const canonical = canonicalRequest({
      method: 'GET',
      path: '/v3/04dd36f964000fe22f9ac00bc85b1a1d/elb/pools/04a9bc65-b75b-478d-b4d6-e693bb61dd35/members',
      query,
      headers: headers(elbHeaders),
      signedHeaders: Object.keys(elbHeaders),
      payloadHash: EMPTY_SHA256,
    });
    expect(sign('SKEXAMPLE', stringToSign('20250101T000000Z', canonical))).toBe(
      'd73f7eff583a2dfff255c5355b75088c8661d7defd8ecf2bdf94634d2d215992',
    );
  });

  it('keeps an existing trailing slash and re-encodes each path segment', () => {
    expect(canonicalUri('/v3/p/elb/')).toBe('/v3/p/elb/');
    expect(canonicalUri('/a%20b/c')).toBe('/a%20b/c/');
  });
});
