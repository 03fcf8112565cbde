import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dedupeServers, describeIdentity, identityKey } from '../../src/registry/index.js';
import { type AlibabaServer } from '../../src/providers/alibaba/definition/index.js';
import { type HuaweiServer } from '../../src/providers/huawei/definition/index.js';

const SUBNET_ID = '61da8098-954b-4809-bc5a-b99ccef8a398';

// Small value pools make identity collisions frequent.
const alibabaServer: fc.Arbitrary<AlibabaServer> = fc
  .record({
    serverType: fc.constantFrom('Ecs' as const, 'Eni' as const),
    serverId: fc.constantFrom('i-a', 'i-b', 'eni-a'),
    serverIp: fc.option(fc.constantFrom('10.0.0.1', '10.0.0.2'), { nil: undefined }),
  })
  .map(({ serverIp, ...rest }) =>
    serverIp === undefined ? { ...rest, port: 6081 as const } : { ...rest, serverIp, port: 6081 as const },
  );

const huaweiServer: fc.Arbitrary<HuaweiServer> = fc.record({
  address: fc.constantFrom('10.0.0.1', '10.0.0.2', '2001:db8::1', '2001:0DB8:0:0:0:0:0:1'),
  protocolPort: fc.constantFrom(80, 443),
  subnetCidrId: fc.constant(SUBNET_ID),
  weight: fc.constantFrom(1, 2),
});

const sameAttributes = (a: object, b: object) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

describe('identityKey', () => {
  it('keys a GWLB server by serverType, serverId and port', () => {
    expect(identityKey('alibaba-gwlb', { serverType: 'Ecs', serverId: 'i-abc', port: 6081 })).toBe('Ecs:i-abc:6081');
  });

  it('ignores serverIp in the GWLB key', () => {
    const a = identityKey('alibaba-gwlb', { serverType: 'Ip', serverId: '10.0.0.1', port: 6081 });
    const b = identityKey('alibaba-gwlb', {
      serverType: 'Ip',
      serverId: '10.0.0.1',
      port: 6081,
      serverIp: '10.0.0.1',
    } as AlibabaServer);
    expect(a).toBe(b);
  });

  it('keys a Huawei member by address and port', () => {
    expect(identityKey('huawei-elb', { address: '10.0.0.1', protocolPort: 80 })).toBe('10.0.0.1:80');
  });

  it('gives two spellings of one IPv6 address the same key', () => {
    expect(identityKey('huawei-elb', { address: '2001:0db8:0:0:0:0:0:1', protocolPort: 80 })).toBe(
      identityKey('huawei-elb', { address: '2001:db8::1', protocolPort: 80 }),
    );
    expect(identityKey('huawei-elb', { address: '2001:db8::1', protocolPort: 80 })).toBe('[2001:db8::1]:80');
  });

  it('tells ports apart', () => {
    expect(identityKey('huawei-elb', { address: '10.0.0.1', protocolPort: 80 })).not.toBe(
      identityKey('huawei-elb', { address: '10.0.0.1', protocolPort: 8080 }),
    );
  });

  it('describes an identity in words for messages', () => {
    expect(describeIdentity('alibaba-gwlb', { serverType: 'Ecs', serverId: 'i-abc', port: 6081 })).toBe(
      'Ecs i-abc port 6081',
    );
    expect(describeIdentity('huawei-elb', { address: '2001:0DB8::1', protocolPort: 80 })).toBe('2001:db8::1 port 80');
  });
});

describe('dedupeServers', () => {
  it('collapses an exact duplicate and keeps the first occurrence', () => {
    const a: HuaweiServer = { address: '10.0.0.1', protocolPort: 80, subnetCidrId: SUBNET_ID, weight: 1 };
    const b: HuaweiServer = { address: '10.0.0.2', protocolPort: 80, subnetCidrId: SUBNET_ID, weight: 1 };
    const result = dedupeServers('huawei-elb', [a, b, { ...a }]);
    expect(result).toEqual({ unique: [a, b], duplicatesCollapsed: 1, conflicts: [] });
    expect(result.unique[0]).toBe(a);
  });

  it('reports a same-key server with different attributes as a conflict', () => {
    const servers: AlibabaServer[] = [
      { serverType: 'Ecs', serverId: 'i-abc', port: 6081 },
      { serverType: 'Ecs', serverId: 'i-abc', port: 6081, serverIp: '10.0.0.1' },
    ];
    expect(dedupeServers('alibaba-gwlb', servers).conflicts).toEqual([
      { key: 'Ecs:i-abc:6081', firstIndex: 0, index: 1, fields: ['serverIp'] },
    ]);
  });

  it('treats IPv6 spellings of one member as exact duplicates', () => {
    const servers: HuaweiServer[] = [
      { address: '2001:db8::1', protocolPort: 80, subnetCidrId: SUBNET_ID, weight: 1 },
      { address: '2001:0DB8:0:0:0:0:0:1', protocolPort: 80, subnetCidrId: SUBNET_ID, weight: 1 },
    ];
    expect(dedupeServers('huawei-elb', servers)).toMatchObject({ duplicatesCollapsed: 1, conflicts: [] });
  });

  it('loses nothing and keeps one server per key, in first-occurrence order', () => {
    fc.assert(
      fc.property(fc.array(alibabaServer, { maxLength: 40 }), (servers) => {
        const { unique, duplicatesCollapsed, conflicts } = dedupeServers('alibaba-gwlb', servers);
        expect(unique.length + duplicatesCollapsed + conflicts.length).toBe(servers.length);
        const keys = servers.map((s) => identityKey('alibaba-gwlb', s));
        const firstIndices = [...new Set(keys)].map((k) => keys.indexOf(k));
        expect(unique).toEqual(firstIndices.map((i) => servers[i]));
        for (const [i, s] of unique.entries()) expect(s).toBe(servers[firstIndices[i]!]);
      }),
    );
  });

  it('detects every conflict and counts every exact duplicate', () => {
    fc.assert(
      fc.property(fc.array(huaweiServer, { maxLength: 40 }), (servers) => {
        const { duplicatesCollapsed, conflicts } = dedupeServers('huawei-elb', servers);
        const keys = servers.map((s) => identityKey('huawei-elb', s));
        let expectedDuplicates = 0;
        const expectedConflicts: number[] = [];
        keys.forEach((key, index) => {
          const first = keys.indexOf(key);
          if (first === index) return;
          const a = servers[first]!;
          const b = servers[index]!;
          if (a.weight === b.weight) expectedDuplicates++;
          else expectedConflicts.push(index);
        });
        expect(duplicatesCollapsed).toBe(expectedDuplicates);
        expect(conflicts.map((c) => c.index)).toEqual(expectedConflicts);
        for (const c of conflicts) {
          expect(c.fields).toEqual(['weight']);
          expect(keys[c.firstIndex]).toBe(c.key);
          expect(keys.indexOf(c.key)).toBe(c.firstIndex);
          expect(sameAttributes(servers[c.firstIndex]!, servers[c.index]!)).toBe(false);
        }
      }),
    );
  });

  it('gives the same result for the same input (deterministic, JSON-safe)', () => {
    fc.assert(
      fc.property(fc.array(alibabaServer, { maxLength: 30 }), (servers) => {
        const first = dedupeServers('alibaba-gwlb', servers);
        expect(dedupeServers('alibaba-gwlb', structuredClone(servers))).toEqual(first);
        expect(JSON.parse(JSON.stringify(first))).toEqual(first);
      }),
    );
  });
});
