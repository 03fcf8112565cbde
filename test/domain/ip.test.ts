import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalIpv6,
  PRIVATE_OR_SHARED_IPV4_BLOCKS,
  ipv4InBlocks,
  isIpv4,
  isIpv6,
  parseIpv4,
  parseIpv6,
  PRIVATE_IPV4_BLOCKS,
} from '../../src/domain/ip.js';

describe('IPv4 parsing', () => {
  it.each([
    ['0.0.0.0', 0],
    ['10.0.0.1', 0x0a000001],
    ['255.255.255.255', 0xffffffff],
    ['192.168.1.10', 0xc0a8010a],
  ])('accepts the dotted quad %s', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
  });

  it.each([
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '1.2.3.04',
    '1.2.3.-1',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1..2.3',
    '0x1.2.3.4',
    '',
    '::1',
    '1.2.3.4/8',
  ])('rejects %j (not a strict dotted quad)', (text) => {
    expect(isIpv4(text)).toBe(false);
  });

  it('agrees with the rule written as a pattern on any short string of digits, dots and near misses', () => {
    // The rule stated plainly: four '.'-separated octets, each 0 or 1-3 digits without a leading zero, at most 255.
    const byRule = (t: string): number | undefined => {
      const parts = t.split('.');
      if (
        t.length > 15 ||
        parts.length !== 4 ||
        !parts.every((p) => /^(?:0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)
      )
        return undefined;
      return parts.reduce((v, p) => v * 256 + Number(p), 0);
    };
    const octet = fc.constantFrom(
      '0',
      '1',
      '9',
      '10',
      '99',
      '100',
      '199',
      '255',
      '256',
      '300',
      '1000',
      '00',
      '01',
      '010',
      '',
      'a',
      ' 1',
      '1 ',
      '-1',
      '+1',
      '1e1',
      '0x1',
      '\u0661',
    );
    const quadLike = fc.array(octet, { minLength: 3, maxLength: 5 }).map((parts) => parts.join('.'));
    const anyShort = fc
      .array(fc.constantFrom('0', '1', '5', '.', '25', '255', '01', 'a', ' '), { minLength: 1, maxLength: 9 })
      .map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(quadLike, anyShort), (text) => {
        expect(parseIpv4(text)).toBe(byRule(text));
      }),
      { numRuns: 20_000, seed: 4 },
    );
  });
});

describe('IPv4 ranges', () => {
  it.each([
    ['10.0.0.0', true],
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    ['172.16.0.0', true],
    ['172.31.255.255', true],
    ['172.32.0.0', false],
    ['172.15.255.255', false],
    ['192.168.0.0', true],
    ['192.169.0.0', false],
    ['100.64.0.1', false],
    ['8.8.8.8', false],
    ['not an ip', false],
  ])('private (RFC 1918) %s → %s', (text, expected) => {
    expect(ipv4InBlocks(text, PRIVATE_IPV4_BLOCKS)).toBe(expected);
  });

  it.each([
    ['100.64.0.0', true],
    ['100.127.255.255', true],
    ['100.128.0.0', false],
    ['100.63.255.255', false],
    ['10.1.2.3', true],
    ['192.168.3.4', true],
    ['1.1.1.1', false],
  ])('GWLB Ip target (RFC 1918 + 100.64/10) %s → %s', (text, expected) => {
    expect(ipv4InBlocks(text, PRIVATE_OR_SHARED_IPV4_BLOCKS)).toBe(expected);
  });
});

describe('IPv6 parsing and RFC 5952 canonical form', () => {
  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0db8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['FE80::A', 'fe80::a'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::ffff:c000:0201', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('canonicalises %s as %s', (text, canonical) => {
    expect(canonicalIpv6(text)).toBe(canonical);
  });

  it.each([
    ':::',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '12345::',
    'g::1',
    'fe80::1%eth0',
    ':1::',
    '1:',
    '1.2.3.4::',
    '1:2:3:4:5:6:7:8::',
    '::1.2.3',
    '192.168.0.1',
    '',
  ])('rejects %j', (text) => {
    expect(isIpv6(text)).toBe(false);
    expect(canonicalIpv6(text)).toBeUndefined();
  });

  const groups = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });

  it('renders the same address the same way whatever the spelling (leading zeros, case, full form)', () => {
    fc.assert(
      fc.property(groups, fc.boolean(), (g, upper) => {
        const full = g.map((n) => n.toString(16).padStart(4, '0')).join(':');
        const spelled = upper ? full.toUpperCase() : full;
        const canonical = canonicalIpv6(spelled);
        expect(canonical).toBeDefined();
        expect(parseIpv6(canonical!)).toEqual(g);
        expect(canonicalIpv6(canonical!)).toBe(canonical);
      }),
    );
  });
});
