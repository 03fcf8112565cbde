// The Alibaba signers and the form encoder against the published vectors and the GWLB-shaped vectors of
// alibaba-gwlb.md §5, and each canonicalisation step on its own.
import { describe, expect, it } from 'vitest';
import { encodeForm, flattenParams } from '../../src/providers/alibaba/form.js';
import {
  changeParams,
  listServerGroupServersParams,
  listServerGroupsParams,
} from '../../src/providers/alibaba/params.js';
import {
  canonicalHeaders,
  canonicalQueryString,
  formatAcsDate,
  hashedPayload,
  rpcCommonParams,
  rpcSignature,
  rpcStringToSign,
  signAcs3,
} from '../../src/providers/alibaba/signer.js';
import { percentEncode } from '../../src/providers/encoding.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('ACS3 canonicalisation steps', () => {
  it('percent-encodes per RFC 3986: space as %20, * as %2A, ~ kept, UTF-8 for the rest', () => {
    expect(percentEncode("a b*~!'()é/")).toBe('a%20b%2A~%21%27%28%29%C3%A9%2F');
  });

  it('formats x-acs-date as yyyy-MM-ddTHH:mm:ssZ in UTC without milliseconds', () => {
    expect(formatAcsDate(new Date(Date.UTC(2023, 9, 26, 10, 22, 32, 987)))).toBe('2023-10-26T10:22:32Z');
  });

  it('sorts query pairs by name, encodes both sides, writes an empty value as "name="', () => {
    expect(
      canonicalQueryString([
        ['b', 'x y'],
        ['a', ''],
        ['A', '*'],
      ]),
    ).toBe('A=%2A&a=&b=x%20y');
    expect(canonicalQueryString([])).toBe('');
  });

  it('signs host, content-type and x-acs-* only, lower-cased, trimmed and sorted', () => {
    const { canonical, signedHeaders } = canonicalHeaders({
      'X-Acs-Version': ' 2024-04-15 ',
      Host: 'h',
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
      'user-agent': 'u',
    });
    expect(signedHeaders).toEqual(['content-type', 'host', 'x-acs-version']);
    expect(canonical).toBe('content-type:application/x-www-form-urlencoded\nhost:h\nx-acs-version:2024-04-15\n');
  });

  it('hashes the exact body bytes (an empty body gives the SHA-256 of nothing)', () => {
    expect(hashedPayload('')).toBe(EMPTY_SHA256);
    expect(hashedPayload(new Uint8Array())).toBe(EMPTY_SHA256);
    expect(hashedPayload('test')).toBe('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
  });
});

describe('ACS3-HMAC-SHA256 published vector (RunInstances)', () => {
  const signed = signAcs3(
    {
      method: 'POST',
      host: 'ecs.cn-shanghai.aliyuncs.com',
      path: '/',
      query: [
        ['ImageId', 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd'],
        ['RegionId', 'cn-shanghai'],
      ],
      headers: { 'x-acs-action': 'RunInstances', 'x-acs-version': '2014-05-26' },
      body: '',
    },
    { accessKeyId: 'YourAccessKeyId', accessKeySecret: 'YourAccessKeySecret' },
    new Date('2023-10-26T10:22:32Z'),
    '3156853299f313e23d1673dc12e1703d',
  );

  it('builds the documented canonical request', () => {
    expect(signed.canonicalRequest).toBe(
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
  });

  it('hashes it to the documented value and signs it to the documented signature and Authorization', () => {
    expect(signed.stringToSign).toBe(
      'ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259',
    );
    expect(signed.signature).toBe('06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0');
    expect(signed.headers.authorization).toBe(
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
  });
});

describe('GWLB-shaped ACS3 vectors (alibaba-gwlb.md §5.1)', () => {
  const sign = (action: string, body: string) =>
    signAcs3(
      {
        method: 'POST',
        host: 'gwlb.cn-hangzhou.aliyuncs.com',
        path: '/',
        query: [],
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-acs-action': action,
          'x-acs-version': '2024-04-15',
        },
        body,
      },
      { accessKeyId: 'testAccessKeyId', accessKeySecret: 'testAccessKeySecret' },
      new Date('2024-08-05T18:24:07Z'),
      'd410180a5abf7fe235dd9b74aca91fc0',
    );

  // The body the vendor SDK sends for this add with DryRun set to false (alibaba-gwlb.md §5.1, openapi-core 1.0.8).
  const addBody =
    'ClientToken=123e4567-e89b-12d3-a456-426655440000&DryRun=false&ServerGroupId=sgp-atstuj3rtoptyui0000&Servers.1.Port=6081&Servers.1.ServerId=i-bp67acfmxazb4p0001&Servers.1.ServerIp=192.168.1.10&Servers.1.ServerType=Ecs&Servers.2.Port=6081&Servers.2.ServerId=eni-bp1abcdefg0002&Servers.2.ServerType=Eni';
  const servers = [
    { serverId: 'i-bp67acfmxazb4p0001', serverType: 'Ecs', port: 6081, serverIp: '192.168.1.10' },
    { serverId: 'eni-bp1abcdefg0002', serverType: 'Eni', port: 6081 },
  ] as const;

  it('encodes an AddServersToServerGroup call to the body the vendor SDK sends: DryRun only when it is set, as the SDK does', () => {
    const token = '123e4567-e89b-12d3-a456-426655440000';
    expect(encodeForm(changeParams('sgp-atstuj3rtoptyui0000', servers, token, false))).toBe(
      addBody.replace('&DryRun=false', ''),
    );
    expect(encodeForm(changeParams('sgp-atstuj3rtoptyui0000', servers, token, true))).toBe(
      addBody.replace('DryRun=false', 'DryRun=true'),
    );
  });

  it('signs AddServersToServerGroup to the computed content hash, canonical-request hash and signature', () => {
    const s = sign('AddServersToServerGroup', addBody);
    expect(s.headers['x-acs-content-sha256']).toBe('3e3451db8d5b1d3e63c75e312ca66aae2a83faa8dcb328610c546f6dd5792480');
    expect(s.stringToSign).toBe('ACS3-HMAC-SHA256\n7c4fb79220bf692e18cd72173713f623a4397d9a83ffa05f605299accae957aa');
    expect(s.signature).toBe('644dd6a7612a3b65b55dbf993ebc8dad4e21480be214e99b4f9ac3cc805d3150');
    expect(s.signedHeaders.join(';')).toBe(
      'content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
    );
  });

  it('signs ListServerGroupServers to the computed vector', () => {
    const body = encodeForm(listServerGroupServersParams('sgp-atstuj3rtoptyui0000', 100, ''));
    expect(body).toBe('MaxResults=100&ServerGroupId=sgp-atstuj3rtoptyui0000');
    const s = sign('ListServerGroupServers', body);
    expect(s.headers['x-acs-content-sha256']).toBe('65b28aa452a54e6b4fe9fd6f8191ca8074393260c64b315547bfb1a56fa99c44');
    expect(s.signature).toBe('4c3d5031f32113fc1b871981dd9afd7ad070593fdf7a65d78e66b44abeb5fc6f');
  });

  it('signs RemoveServersFromServerGroup to the computed vector', () => {
    const body = encodeForm(
      changeParams(
        'sgp-atstuj3rtoptyui0000',
        [{ serverId: '192.168.1.10', serverType: 'Ip', port: 6081, serverIp: '192.168.1.10' }],
        'tok-0001',
        false,
      ),
    );
    expect(body).toBe(
      'ClientToken=tok-0001&ServerGroupId=sgp-atstuj3rtoptyui0000&Servers.1.Port=6081&Servers.1.ServerId=192.168.1.10&Servers.1.ServerIp=192.168.1.10&Servers.1.ServerType=Ip',
    );
    const s = sign('RemoveServersFromServerGroup', body);
    expect(s.headers['x-acs-content-sha256']).toBe('f4559046e5c4545e8b57df536f28bfffb69940290559b4fadb5e191fd1ebc20a');
    expect(s.signature).toBe('38d105a066cfce2bc015b9eb2a3aa69c31846c6feee2b9d758b47053ea8b0ff1');
  });
});

describe('ACS3 with STS credentials and fresh attempts', () => {
  const request = {
    method: 'POST',
    host: 'h',
    path: '/',
    query: [],
    headers: { 'x-acs-action': 'ListServerGroups' },
    body: '',
  } as const;

  it('sends and signs x-acs-security-token and x-acs-accesskey-id', () => {
    const s = signAcs3(
      request,
      { accessKeyId: 'STS.id', accessKeySecret: 'secret', securityToken: 'CAIS-token' },
      new Date(0),
      'n',
    );
    expect(s.headers['x-acs-security-token']).toBe('CAIS-token');
    expect(s.headers['x-acs-accesskey-id']).toBe('STS.id');
    expect(s.signedHeaders).toEqual(expect.arrayContaining(['x-acs-security-token', 'x-acs-accesskey-id']));
  });

  it('gives a different signature for a new nonce or a new date, as every attempt must', () => {
    const creds = { accessKeyId: 'id', accessKeySecret: 'secret' };
    const a = signAcs3(request, creds, new Date(0), 'nonce-1').signature;
    expect(signAcs3(request, creds, new Date(0), 'nonce-2').signature).not.toBe(a);
    expect(signAcs3(request, creds, new Date(1000), 'nonce-1').signature).not.toBe(a);
  });
});

describe('V2 RPC HMAC-SHA1 vectors (alibaba-gwlb.md §5.2)', () => {
  it('reproduces the published DescribeRegions string to sign (colon double-encoded) and signature', () => {
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
    expect(rpcStringToSign('GET', params)).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(rpcSignature('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('reproduces the SDK unit vector getRPCSignature({test:"ok"}, "", "accessKeySecret")', () => {
    expect(rpcSignature('', [['test', 'ok']], 'accessKeySecret')).toBe('jHx/oHoHNrbVfhncHEvPdHXZwHU=');
  });

  it('reproduces the computed GWLB V2 vector with the common parameters it builds', () => {
    const common = rpcCommonParams(
      'ListServerGroupServers',
      '2024-04-15',
      { accessKeyId: 'testAccessKeyId', accessKeySecret: 'testAccessKeySecret' },
      new Date('2024-08-05T18:24:07Z'),
      'd410180a5abf7fe235dd9b74aca91fc0',
    );
    const params: Array<[string, string]> = [
      ...common,
      ['ServerGroupId', 'sgp-atstuj3rtoptyui0000'],
      ['MaxResults', '100'],
    ];
    expect(rpcSignature('POST', params, 'testAccessKeySecret')).toBe('3YJFoEN2WU4InXge+STLSHJfm48=');
  });

  it('adds SecurityToken to the common parameters for STS credentials', () => {
    const common = rpcCommonParams(
      'A',
      'v',
      { accessKeyId: 'id', accessKeySecret: 's', securityToken: 'tok' },
      new Date(0),
      'n',
    );
    expect(common).toContainEqual(['SecurityToken', 'tok']);
  });
});

describe('form encoding of flattened parameters', () => {
  it('flattens Servers.N.Field, string lists as Name.N and nested objects as Name.Field, 1-based', () => {
    expect(
      flattenParams({ Servers: [{ ServerId: 'a', Port: 6081 }], ServerIds: ['x', 'y'], Cfg: { On: true } }),
    ).toEqual([
      ['Servers.1.ServerId', 'a'],
      ['Servers.1.Port', '6081'],
      ['ServerIds.1', 'x'],
      ['ServerIds.2', 'y'],
      ['Cfg.On', 'true'],
    ]);
  });

  it('skips null and undefined but keeps their index, as the vendor core does', () => {
    expect(flattenParams({ L: ['a', null, undefined, 'd'], X: undefined })).toEqual([
      ['L.1', 'a'],
      ['L.4', 'd'],
    ]);
  });

  it("writes a space as %20 and leaves !'()* alone, like Node querystring", () => {
    expect(encodeForm([['Name', "a b!'()*é&="]])).toBe("Name=a%20b!'()*%C3%A9%26%3D");
  });

  it('sends ServerGroupIds.1 to read one group and ServerIds.N filters with a page token', () => {
    expect(encodeForm(listServerGroupsParams('sgp-1'))).toBe('ServerGroupIds.1=sgp-1');
    expect(encodeForm(listServerGroupServersParams('sgp-1', 1000, 'tok', ['i-1', 'i-2']))).toBe(
      'MaxResults=1000&NextToken=tok&ServerGroupId=sgp-1&ServerIds.1=i-1&ServerIds.2=i-2',
    );
  });

  it('marks a dry run with DryRun=true and no ClientToken', () => {
    expect(
      encodeForm(changeParams('sgp-1', [{ serverId: 'i-1', serverType: 'Ecs', port: 6081 }], undefined, true)),
    ).toBe('DryRun=true&ServerGroupId=sgp-1&Servers.1.Port=6081&Servers.1.ServerId=i-1&Servers.1.ServerType=Ecs');
  });
});
