// Every request rule, each with a valid and an invalid case; assertions on the issue path and a distinctive part of the message.
import { describe, expect, it } from 'vitest';
import { alibaba, expectIssue, expectValid, huawei, huaweiIpType, POOL_ID, SUBNET_ID } from './fixtures.js';

interface Rejection {
  name: string;
  input: unknown;
  path: string;
  message: RegExp;
}

const valid = (name: string, input: unknown) => ({ name, input });
const invalid = (name: string, input: unknown, path: string, message: RegExp): Rejection => ({
  name,
  input,
  path,
  message,
});

describe('the request envelope', () => {
  it.each([valid('accepts an Alibaba GWLB request', alibaba()), valid('accepts a Huawei ELB request', huawei())])(
    '$name',
    ({ input }) => {
      expectValid(input);
    },
  );

  it.each([
    invalid(
      'rejects an unknown provider',
      { ...alibaba(), provider: 'aws-nlb' },
      'provider',
      /provider must be "alibaba-gwlb" or "huawei-elb"; got "aws-nlb"/,
    ),
    invalid('rejects a request without provider', { region: 'cn-hangzhou' }, 'provider', /provider is required/),
    invalid('rejects a request that is not an object', null, '', /must be a JSON object; got null/),
    invalid('rejects a request that is a list', [alibaba()], '', /must be a JSON object; got a list of 1 item/),
    invalid(
      'rejects an unknown top-level field',
      alibaba({}, { tags: {} }),
      '',
      /Unknown field "tags" in the request; allowed fields are provider, region, serverGroupId, servers, options/,
    ),
    invalid(
      'rejects a Huawei field on an Alibaba request',
      alibaba({}, { poolId: POOL_ID }),
      '',
      /Unknown field "poolId"/,
    ),
  ])('$name', ({ input, path, message }) => expectIssue(input, path, message));
});

describe('Alibaba GWLB request fields', () => {
  it.each([
    valid('accepts region cn-hangzhou', alibaba({}, { region: 'cn-hangzhou' })),
    valid('accepts region ap-southeast-1', alibaba({}, { region: 'ap-southeast-1' })),
    valid('accepts region cn-wulanchabu', alibaba({}, { region: 'cn-wulanchabu' })),
    valid('accepts a 64-character server group id', alibaba({}, { serverGroupId: `sgp-${'a1'.repeat(30)}` })),
    valid(
      'accepts 10 000 servers in one request',
      alibaba({}, { servers: Array.from({ length: 10_000 }, (_, i) => ({ serverId: `i-bp${i}`, serverType: 'Ecs' })) }),
    ),
  ])('$name', ({ input }) => {
    expectValid(input);
  });

  it.each([
    invalid(
      'rejects an upper-case region',
      alibaba({}, { region: 'CN-HANGZHOU' }),
      'region',
      /Region must be a lower-case region id .*got "CN-HANGZHOU"/,
    ),
    invalid(
      'rejects a region without a hyphen',
      alibaba({}, { region: 'hangzhou' }),
      'region',
      /region id such as "cn-hangzhou"/,
    ),
    invalid('rejects a region with an underscore', alibaba({}, { region: 'cn_hangzhou' }), 'region', /region id/),
    invalid(
      'rejects a region longer than 32 characters',
      alibaba({}, { region: `cn-${'a'.repeat(30)}` }),
      'region',
      /at most 32 characters/,
    ),
    invalid('rejects a missing region', alibaba({}, { region: undefined }), 'region', /Region is required/),
    invalid(
      'rejects a server group id without the sgp- prefix',
      alibaba({}, { serverGroupId: 'sg-atstuj3rtoptyui0000' }),
      'serverGroupId',
      /"sgp-" followed by lower-case letters and digits/,
    ),
    invalid(
      'rejects an upper-case server group id',
      alibaba({}, { serverGroupId: 'sgp-ATSTUJ' }),
      'serverGroupId',
      /got "sgp-ATSTUJ"/,
    ),
    invalid(
      'rejects a bare sgp- prefix',
      alibaba({}, { serverGroupId: 'sgp-' }),
      'serverGroupId',
      /Server group id must be/,
    ),
    invalid(
      'rejects a server group id over 64 characters',
      alibaba({}, { serverGroupId: `sgp-${'a'.repeat(61)}` }),
      'serverGroupId',
      /at most 64 characters/,
    ),
    invalid(
      'rejects a server group id given as a number',
      alibaba({}, { serverGroupId: 42 }),
      'serverGroupId',
      /got 42/,
    ),
    invalid(
      'rejects an empty server list',
      alibaba({}, { servers: [] }),
      'servers',
      /a list of 1 to 10000 servers; got a list of 0 items/,
    ),
    invalid(
      'rejects servers that are not a list',
      alibaba({}, { servers: { serverId: 'i-a' } }),
      'servers',
      /a list of 1 to 10000 servers; got an object/,
    ),
    invalid(
      'rejects more than 10 000 servers',
      alibaba({}, { servers: Array.from({ length: 10_001 }, () => ({})) }),
      'servers',
      /at most 10000 servers per request; got 10001/,
    ),
  ])('$name', ({ input, path, message }) => expectIssue(input, path, message));
});

describe('Alibaba GWLB servers', () => {
  it.each([
    valid('accepts serverType Ecs with an i- id', alibaba({ serverType: 'Ecs', serverId: 'i-bp67acfmxazb4p0001' })),
    valid('accepts serverType Eni with an eni- id', alibaba({ serverType: 'Eni', serverId: 'eni-bp1abcdefg0002' })),
    valid(
      'accepts serverType Eci with an eci- id',
      alibaba({ serverType: 'Eci', serverId: 'eci-2zelg8vwnlzdhf8hv6pf' }),
    ),
    valid('accepts serverType Ip with an address in 10.0.0.0/8', alibaba({ serverType: 'Ip', serverId: '10.1.2.3' })),
    valid(
      'accepts serverType Ip with an address in 100.64.0.0/10',
      alibaba({ serverType: 'Ip', serverId: '100.127.255.254' }),
    ),
    valid(
      'accepts serverType Ip with an address in 172.16.0.0/12',
      alibaba({ serverType: 'Ip', serverId: '172.31.0.9' }),
    ),
    valid(
      'accepts serverType Ip with serverIp equal to serverId',
      alibaba({ serverType: 'Ip', serverId: '192.168.1.10', serverIp: '192.168.1.10' }),
    ),
    valid('accepts Port 6081', alibaba({ port: 6081 })),
    valid('accepts a dotted-quad serverIp', alibaba({ serverIp: '192.168.1.10' })),
  ])('$name', ({ input }) => {
    expectValid(input);
  });

  it('fills an absent Port with 6081', () => {
    expect(expectValid(alibaba()).servers[0]).toEqual({
      serverId: 'i-bp67acfmxazb4p0001',
      serverType: 'Ecs',
      port: 6081,
    });
  });

  it.each([
    invalid(
      'rejects a Port other than 6081',
      alibaba({ port: 80 }),
      'servers[0].port',
      /Port must be 6081 \(the GENEVE port, the only value GWLB accepts\); got 80\./,
    ),
    invalid(
      'rejects Port 6081 given as a string',
      alibaba({ port: '6081' }),
      'servers[0].port',
      /Port must be 6081 .*got "6081"/,
    ),
    invalid('rejects a non-integer Port', alibaba({ port: 6081.5 }), 'servers[0].port', /got 6081\.5/),
    invalid(
      'rejects a lower-case serverType',
      alibaba({ serverType: 'ecs' }),
      'servers[0].serverType',
      /one of Ecs, Eni, Eci, Ip \(exact case\); got "ecs"/,
    ),
    invalid('rejects an unknown serverType', alibaba({ serverType: 'Vm' }), 'servers[0].serverType', /got "Vm"/),
    invalid(
      'rejects a missing serverType',
      alibaba({ serverType: undefined }),
      'servers[0].serverType',
      /Server type is required/,
    ),
    invalid(
      'rejects an Ecs id without the i- prefix',
      alibaba({ serverType: 'Ecs', serverId: 'eni-bp1abc' }),
      'servers[0].serverId',
      /An Ecs server id must be "i-" followed by lower-case letters and digits/,
    ),
    invalid(
      'rejects an upper-case Ecs id',
      alibaba({ serverType: 'Ecs', serverId: 'i-BP67' }),
      'servers[0].serverId',
      /got "i-BP67"/,
    ),
    invalid(
      'rejects an Eni id without the eni- prefix',
      alibaba({ serverType: 'Eni', serverId: 'i-bp1abc' }),
      'servers[0].serverId',
      /An Eni server id must be "eni-"/,
    ),
    invalid(
      'rejects an Eci id with nothing after eci-',
      alibaba({ serverType: 'Eci', serverId: 'eci-' }),
      'servers[0].serverId',
      /An Eci server id must be "eci-"/,
    ),
    invalid(
      'rejects a server id over 64 characters',
      alibaba({ serverId: `i-${'a'.repeat(63)}` }),
      'servers[0].serverId',
      /at most 64 characters/,
    ),
    invalid(
      'rejects a public address for serverType Ip',
      alibaba({ serverType: 'Ip', serverId: '8.8.8.8' }),
      'servers[0].serverId',
      /10\.0\.0\.0\/8, 100\.64\.0\.0\/10, 172\.16\.0\.0\/12 or 192\.168\.0\.0\/16; got "8\.8\.8\.8"/,
    ),
    invalid(
      'rejects 100.128.0.1 (just outside 100.64.0.0/10) for serverType Ip',
      alibaba({ serverType: 'Ip', serverId: '100.128.0.1' }),
      'servers[0].serverId',
      /100\.64\.0\.0\/10/,
    ),
    invalid(
      'rejects an instance id for serverType Ip',
      alibaba({ serverType: 'Ip', serverId: 'i-abc' }),
      'servers[0].serverId',
      /server id must be the backend's IPv4 address/,
    ),
    invalid(
      'rejects a serverIp different from the serverId for serverType Ip',
      alibaba({ serverType: 'Ip', serverId: '10.0.0.1', serverIp: '10.0.0.2' }),
      'servers[0].serverIp',
      /must equal the server id \("10\.0\.0\.1"\) or be omitted; got "10\.0\.0\.2"/,
    ),
    invalid(
      'rejects a serverIp octet over 255',
      alibaba({ serverIp: '192.168.1.256' }),
      'servers[0].serverIp',
      /dotted-quad IPv4 address \(four numbers 0-255, no leading zeros\)/,
    ),
    invalid(
      'rejects a serverIp with a leading zero',
      alibaba({ serverIp: '192.168.01.1' }),
      'servers[0].serverIp',
      /no leading zeros\); got "192\.168\.01\.1"/,
    ),
    invalid(
      'rejects an IPv6 serverIp',
      alibaba({ serverIp: '2001:db8::1' }),
      'servers[0].serverIp',
      /IPv6 is not accepted by GWLB/,
    ),
    invalid(
      'rejects a server that is not an object',
      alibaba({}, { servers: [null] }),
      'servers[0]',
      /A GWLB server must be a JSON object; got null/,
    ),
    // Issue 13 row 13: addresses that are never a backend, each refused with its reason.
    invalid(
      "rejects Alibaba's metadata service as an Ip target",
      alibaba({ serverType: 'Ip', serverId: '100.100.100.200' }),
      'servers[0].serverId',
      /not Alibaba Cloud's metadata service; got "100\.100\.100\.200"/,
    ),
    invalid(
      'rejects the ECS metadata service as a serverIp',
      alibaba({ serverIp: '169.254.169.254' }),
      'servers[0].serverIp',
      /not the metadata service of the ECS instance/,
    ),
    invalid('rejects a multicast serverIp', alibaba({ serverIp: '224.0.0.1' }), 'servers[0].serverIp', /multicast/),
    invalid(
      'rejects the broadcast address as a serverIp',
      alibaba({ serverIp: '255.255.255.255' }),
      'servers[0].serverIp',
      /broadcast/,
    ),
    invalid(
      'rejects the ECS metadata service as a Huawei member',
      huawei({ address: '169.254.169.254' }),
      'servers[0].address',
      /not the metadata service/,
    ),
    invalid('rejects 0.0.0.0 as a Huawei member', huawei({ address: '0.0.0.0' }), 'servers[0].address', /unspecified/),
    invalid(
      'rejects a public IPv4 member even with a subnet',
      huawei({ address: '8.8.8.8' }),
      'servers[0].address',
      /with subnetCidrId .* must be private \(10\.0\.0\.0\/8, 172\.16\.0\.0\/12 or 192\.168\.0\.0\/16\); got "8\.8\.8\.8"/,
    ),
    invalid(
      'rejects a link-local IPv6 member',
      huawei({ address: 'fe80::1' }),
      'servers[0].address',
      /link-local \(fe80::\/10\)/,
    ),
    invalid(
      'rejects a multicast IPv6 member',
      huawei({ address: 'ff02::1' }),
      'servers[0].address',
      /multicast \(ff00::\/8\)/,
    ),
    invalid('rejects the unspecified IPv6 address', huawei({ address: '::' }), 'servers[0].address', /unspecified/),
    invalid(
      'rejects an over-long server id even when the serverType is unknown',
      alibaba({ serverType: 'Vm', serverId: 'x'.repeat(65) }),
      'servers[0].serverId',
      /Server id must be 1 to 64 characters/,
    ),
    invalid(
      'rejects a Huawei field on a GWLB server',
      alibaba({ weight: 1 }),
      'servers[0]',
      /Unknown field "weight" in a GWLB server; allowed fields are serverId, serverType, serverIp, port/,
    ),
  ])('$name', ({ input, path, message }) => expectIssue(input, path, message));
});

describe('Huawei ELB request fields', () => {
  it.each([
    valid('accepts region eu-west-101', huawei({}, { region: 'eu-west-101' })),
    valid('accepts region ap-southeast-1', huawei({}, { region: 'ap-southeast-1' })),
    valid('accepts a 32-character lower-case project id', huawei({}, { projectId: 'a'.repeat(16) + '0'.repeat(16) })),
  ])('$name', ({ input }) => {
    expectValid(input);
  });

  it.each([
    invalid(
      'rejects an upper-case project id',
      huawei({}, { projectId: '04DD36F964000FE22F9AC00BC85B1A1D' }),
      'projectId',
      /exactly 32 lower-case letters and digits/,
    ),
    invalid(
      'rejects a 31-character project id',
      huawei({}, { projectId: 'a'.repeat(31) }),
      'projectId',
      /Project id must be exactly 32/,
    ),
    invalid(
      'rejects an upper-case pool id, saying to write it in lower case',
      huawei({}, { poolId: POOL_ID.toUpperCase() }),
      'poolId',
      /write it in lower case/,
    ),
    invalid(
      'rejects a pool id that is not a UUID',
      huawei({}, { poolId: 'pool-1' }),
      'poolId',
      /Pool id must be a lower-case UUID/,
    ),
    invalid(
      'rejects an Alibaba field on a Huawei request',
      huawei({}, { serverGroupId: 'sgp-abc' }),
      '',
      /Unknown field "serverGroupId"/,
    ),
  ])('$name', ({ input, path, message }) => expectIssue(input, path, message));
});

describe('Huawei ELB members', () => {
  it.each([
    valid('accepts an IPv4 member in a subnet', huawei({ address: '192.168.0.48' })),
    valid('accepts an IPv6 member in a subnet', huawei({ address: '2001:db8::48' })),
    valid(
      'accepts protocol ports 1 and 65535',
      huawei(
        {},
        {
          servers: [
            { address: '10.0.0.1', protocolPort: 1, subnetCidrId: SUBNET_ID },
            { address: '10.0.0.1', protocolPort: 65535, subnetCidrId: SUBNET_ID },
          ],
        },
      ),
    ),
    valid('accepts weight 0', huawei({ weight: 0 })),
    valid('accepts weight 100', huawei({ weight: 100 })),
    valid('accepts an empty name', huawei({ name: '' })),
    valid('accepts a 255-character name of non-Latin characters', huawei({ name: '后'.repeat(255) })),
    valid(
      'counts a name in Unicode characters as ELB does: 255 emoji (510 UTF-16 units) fit',
      huawei({ name: '\u{1F680}'.repeat(255) }),
    ),
    valid('accepts an IP-type member in 10.0.0.0/8', huaweiIpType({ address: '10.1.2.3' })),
    valid('accepts an IP-type member in 172.16.0.0/12', huaweiIpType({ address: '172.16.5.4' })),
    valid('accepts an IP-type member in 192.168.0.0/16', huaweiIpType({ address: '192.168.3.11' })),
    valid('accepts availabilityZone on an IP-type member', huaweiIpType({ availabilityZone: 'cn-north-4a' })),
    valid('accepts an IPv6 member of a subnet', huawei({ address: '2001:db8::10' })),
  ])('$name', ({ input }) => {
    expectValid(input);
  });

  it('fills an absent weight with 1', () => {
    expect(expectValid(huawei()).servers[0]).toEqual({
      address: '192.168.0.48',
      protocolPort: 8080,
      subnetCidrId: SUBNET_ID,
      weight: 1,
    });
  });

  it.each([
    invalid(
      'rejects an address that is a host name',
      huawei({ address: 'web-1.example.com' }),
      'servers[0].address',
      /Address must be an IPv4 or IPv6 address; got "web-1\.example\.com"/,
    ),
    invalid(
      'rejects an address with an octet over 255',
      huawei({ address: '256.1.1.1' }),
      'servers[0].address',
      /IPv4 or IPv6 address/,
    ),
    invalid(
      'rejects a protocol port of 0',
      huawei({ protocolPort: 0 }),
      'servers[0].protocolPort',
      /Protocol port must be an integer from 1 to 65535; got 0/,
    ),
    invalid(
      'rejects a protocol port of 65536',
      huawei({ protocolPort: 65536 }),
      'servers[0].protocolPort',
      /got 65536/,
    ),
    invalid(
      'rejects a non-integer protocol port',
      huawei({ protocolPort: 80.5 }),
      'servers[0].protocolPort',
      /got 80\.5/,
    ),
    invalid(
      'rejects a protocol port given as a string',
      huawei({ protocolPort: '80' }),
      'servers[0].protocolPort',
      /got "80"/,
    ),
    invalid(
      'rejects a missing protocol port',
      huawei({ protocolPort: undefined }),
      'servers[0].protocolPort',
      /Protocol port is required/,
    ),
    invalid(
      'rejects a subnet id that is not a UUID',
      huawei({ subnetCidrId: 'subnet-1' }),
      'servers[0].subnetCidrId',
      /lower-case UUID: the IPv4 subnet's neutron_subnet_id/,
    ),
    invalid(
      'rejects an upper-case subnet id, saying to write it in lower case',
      huawei({ subnetCidrId: SUBNET_ID.toUpperCase() }),
      'servers[0].subnetCidrId',
      /write it in lower case/,
    ),
    invalid(
      'rejects a negative weight',
      huawei({ weight: -1 }),
      'servers[0].weight',
      /Weight must be an integer from 0 to 100 .*got -1/,
    ),
    invalid('rejects a weight over 100', huawei({ weight: 101 }), 'servers[0].weight', /got 101/),
    invalid('rejects a weight given as a string', huawei({ weight: '1' }), 'servers[0].weight', /got "1"/),
    invalid(
      'rejects a name over 255 characters',
      huawei({ name: 'n'.repeat(256) }),
      'servers[0].name',
      /at most 255 characters/,
    ),
    invalid(
      'rejects 256 emoji as over 255 characters',
      huawei({ name: '\u{1F680}'.repeat(256) }),
      'servers[0].name',
      /at most 255 characters/,
    ),
    invalid(
      'rejects a name with a control character',
      huawei({ name: 'web\n1' }),
      'servers[0].name',
      /without control characters; got "web\\n1"/,
    ),
    invalid(
      'rejects an empty availability zone',
      huaweiIpType({ availabilityZone: '' }),
      'servers[0].availabilityZone',
      /1 to 64 characters without spaces/,
    ),
    invalid(
      'rejects an availability zone with a space',
      huaweiIpType({ availabilityZone: 'cn north 4a' }),
      'servers[0].availabilityZone',
      /got "cn north 4a"/,
    ),
    invalid(
      'rejects a public address on an IP-type member',
      huaweiIpType({ address: '8.8.8.8' }),
      'servers[0].address',
      /Without subnetCidrId the member is IP-type and its address must be a private IPv4 address .*got "8\.8\.8\.8"/,
    ),
    invalid(
      'rejects 100.64.0.0/10 on an IP-type member (not RFC 1918)',
      huaweiIpType({ address: '100.64.0.1' }),
      'servers[0].address',
      /10\.0\.0\.0\/8, 172\.16\.0\.0\/12 or 192\.168\.0\.0\/16/,
    ),
    invalid(
      'rejects an IPv6 address without a subnet',
      huaweiIpType({ address: '2001:db8::1' }),
      'servers[0].address',
      /An IPv6 address needs subnetCidrId/,
    ),
    invalid(
      'rejects availabilityZone on a member with a subnet',
      huawei({ availabilityZone: 'cn-north-4a' }),
      'servers[0].availabilityZone',
      /only allowed on IP-type members/,
    ),
    invalid(
      'rejects an Alibaba field on a Huawei member',
      huawei({ port: 6081 }),
      'servers[0]',
      /Unknown field "port" in a Huawei member/,
    ),
  ])('$name', ({ input, path, message }) => expectIssue(input, path, message));
});

describe('options', () => {
  it('fills every default when options are absent', () => {
    expect(expectValid(alibaba()).options).toEqual({
      maxChunkSize: 200,
      dryRun: false,
      waitFor: 'available',
      availabilityTimeoutSeconds: 900,
      pollIntervalSeconds: 5,
      onFailure: 'keep',
    });
  });

  it('fills the same defaults for an empty options object', () => {
    expect(expectValid(alibaba({}, { options: {} })).options).toEqual(expectValid(alibaba()).options);
  });

  it('shortens the default poll interval to a shorter availability timeout', () => {
    expect(expectValid(huawei({}, { options: { availabilityTimeoutSeconds: 3 } })).options.pollIntervalSeconds).toBe(3);
  });

  it.each([
    valid('accepts maxChunkSize 1', alibaba({}, { options: { maxChunkSize: 1 } })),
    valid('accepts maxChunkSize 200', alibaba({}, { options: { maxChunkSize: 200 } })),
    valid('accepts dryRun true', alibaba({}, { options: { dryRun: true } })),
    valid('accepts waitFor registered', alibaba({}, { options: { waitFor: 'registered' } })),
    valid('accepts a one-day availability timeout', alibaba({}, { options: { availabilityTimeoutSeconds: 86_400 } })),
    valid(
      'accepts a poll interval of 300 s under a longer timeout',
      alibaba({}, { options: { pollIntervalSeconds: 300 } }),
    ),
    valid(
      'accepts a poll interval equal to the timeout',
      alibaba({}, { options: { pollIntervalSeconds: 10, availabilityTimeoutSeconds: 10 } }),
    ),
    valid('accepts onFailure rollback', huawei({}, { options: { onFailure: 'rollback' } })),
  ])('$name', ({ input }) => {
    expectValid(input);
  });

  it.each([
    invalid(
      'rejects maxChunkSize 0',
      alibaba({}, { options: { maxChunkSize: 0 } }),
      'options.maxChunkSize',
      /an integer from 1 to 200 \(both APIs take at most 200 servers per call\); got 0/,
    ),
    invalid(
      'rejects maxChunkSize 201',
      alibaba({}, { options: { maxChunkSize: 201 } }),
      'options.maxChunkSize',
      /got 201/,
    ),
    invalid(
      'rejects a non-integer maxChunkSize',
      alibaba({}, { options: { maxChunkSize: 1.5 } }),
      'options.maxChunkSize',
      /got 1\.5/,
    ),
    invalid(
      'rejects maxChunkSize given as a string',
      alibaba({}, { options: { maxChunkSize: '200' } }),
      'options.maxChunkSize',
      /got "200"/,
    ),
    invalid(
      'rejects dryRun given as a string',
      alibaba({}, { options: { dryRun: 'false' } }),
      'options.dryRun',
      /dryRun must be true or false; got "false"/,
    ),
    invalid(
      'rejects an unknown waitFor',
      alibaba({}, { options: { waitFor: 'healthy' } }),
      'options.waitFor',
      /"available" or "registered"; got "healthy"/,
    ),
    invalid(
      'rejects an availability timeout of 0',
      alibaba({}, { options: { availabilityTimeoutSeconds: 0 } }),
      'options.availabilityTimeoutSeconds',
      /from 1 to 86400/,
    ),
    invalid(
      'rejects an availability timeout over a day',
      alibaba({}, { options: { availabilityTimeoutSeconds: 86_401 } }),
      'options.availabilityTimeoutSeconds',
      /got 86401/,
    ),
    invalid(
      'rejects a poll interval of 0',
      alibaba({}, { options: { pollIntervalSeconds: 0 } }),
      'options.pollIntervalSeconds',
      /from 1 to 300; got 0/,
    ),
    invalid(
      'rejects a poll interval of 301',
      alibaba({}, { options: { pollIntervalSeconds: 301 } }),
      'options.pollIntervalSeconds',
      /got 301/,
    ),
    invalid(
      'rejects a poll interval longer than the availability timeout',
      alibaba({}, { options: { pollIntervalSeconds: 60, availabilityTimeoutSeconds: 30 } }),
      'options.pollIntervalSeconds',
      /pollIntervalSeconds \(60\) must not exceed availabilityTimeoutSeconds \(30\)/,
    ),
    invalid(
      'rejects an unknown onFailure',
      alibaba({}, { options: { onFailure: 'abort' } }),
      'options.onFailure',
      /"keep" or "rollback"; got "abort"/,
    ),
    invalid(
      'rejects options that are null',
      alibaba({}, { options: null }),
      'options',
      /Options must be a JSON object; got null/,
    ),
    invalid(
      'rejects an unknown option',
      alibaba({}, { options: { chunkSize: 10 } }),
      'options',
      /Unknown field "chunkSize" in options; allowed fields are maxChunkSize/,
    ),
  ])('$name', ({ input, path, message }) => expectIssue(input, path, message));
});

describe('prototype keys', () => {
  it.each([
    [
      '__proto__',
      'the request',
      '{"provider":"alibaba-gwlb","region":"cn-hangzhou","serverGroupId":"sgp-a","servers":[{"serverId":"i-a","serverType":"Ecs"}],"__proto__":{"admin":true}}',
      '',
    ],
    [
      '__proto__',
      'a server',
      '{"provider":"alibaba-gwlb","region":"cn-hangzhou","serverGroupId":"sgp-a","servers":[{"serverId":"i-a","serverType":"Ecs","__proto__":{"port":80}}]}',
      'servers[0]',
    ],
    [
      'constructor',
      'options',
      '{"provider":"alibaba-gwlb","region":"cn-hangzhou","serverGroupId":"sgp-a","servers":[{"serverId":"i-a","serverType":"Ecs"}],"options":{"constructor":{"prototype":{}}}}',
      'options',
    ],
  ])('rejects a %s key in %s parsed from JSON', (key, _where, json, path) => {
    expectIssue(JSON.parse(json), path, new RegExp(`Unknown field "${key}"`));
  });

  it('does not let a __proto__ key change the parsed server', () => {
    const parsed = JSON.parse('{"serverId":"i-a","serverType":"Ecs","__proto__":{"port":80}}');
    expectIssue(alibaba({}, { servers: [parsed] }), 'servers[0]', /Unknown field "__proto__"/);
    expect(({} as Record<string, unknown>).port).toBeUndefined();
  });
});
