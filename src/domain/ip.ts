// IP address parsing for request validation and identity keys; hand-written because node:net is not allowed in workflow code.

const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * Parses a strict dotted-quad IPv4 address (four decimal octets 0–255, no leading zeros) into an unsigned 32-bit
 * number. One pass over the characters, no allocation: it runs for every server of every request, twice.
 */
export function parseIpv4(text: string): number | undefined {
  // Longest valid form is 255.255.255.255; the cap keeps hostile input cheap.
  if (text.length > 15) return undefined;
  let value = 0;
  let octets = 0;
  let octet = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // the end closes the last octet like a '.'
    if (c === 46) {
      if (digits === 0 || octet > 255) return undefined;
      value = value * 256 + octet;
      octets++;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // No leading zeros: a 0 may only stand alone.
      if (digits === 1 && octet === 0) return undefined;
      octet = octet * 10 + (c - 48);
      if (++digits > 3) return undefined;
    } else {
      return undefined;
    }
  }
  return octets === 4 ? value : undefined;
}

/** True for a strict dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

/** An IPv4 CIDR block as text and as numbers: `base` is its first address, `end` the first address after it. */
export interface Ipv4Block {
  readonly cidr: string;
  readonly base: number;
  readonly bits: number;
  readonly end: number;
}

/** True when the IPv4 number lies inside the block: two comparisons, as every server is checked against each block. */
function inBlock(address: number, b: Ipv4Block): boolean {
  return address >= b.base && address < b.end;
}

function block(cidr: string): Ipv4Block {
  const [address = '', bits = ''] = cidr.split('/');
  const base = parseIpv4(address);
  const size = 2 ** (32 - Number(bits));
  if (base === undefined || base % size !== 0) throw new Error(`bad CIDR constant ${cidr}`);
  return { cidr, base, bits: Number(bits), end: base + size };
}

/** RFC 1918 private ranges: what Huawei means by "private IPv4" for IP-type members. */
export const PRIVATE_IPV4_BLOCKS: readonly Ipv4Block[] = [
  block('10.0.0.0/8'),
  block('172.16.0.0/12'),
  block('192.168.0.0/16'),
];

/** RFC 1918 plus RFC 6598 shared address space: what an Alibaba GWLB Ip-type server group accepts (research §2.5). */
export const PRIVATE_OR_SHARED_IPV4_BLOCKS: readonly Ipv4Block[] = [
  block('10.0.0.0/8'),
  block('100.64.0.0/10'),
  block('172.16.0.0/12'),
  block('192.168.0.0/16'),
];

/**
 * Addresses that can never be a backend, each with the reason (RFC 6890 special-purpose blocks, and the clouds'
 * metadata services): sending one would point a load balancer at the network itself or at the metadata service.
 */
const SPECIAL_IPV4: readonly (Ipv4Block & { readonly reason: string })[] = [
  { ...block('100.100.100.200/32'), reason: "Alibaba Cloud's metadata service" },
  { ...block('169.254.169.254/32'), reason: 'the metadata service of the ECS instance it runs on (link-local)' },
  { ...block('255.255.255.255/32'), reason: 'the broadcast address' },
  { ...block('0.0.0.0/8'), reason: 'unspecified ("this network", 0.0.0.0/8)' },
  { ...block('127.0.0.0/8'), reason: 'loopback (127.0.0.0/8)' },
  { ...block('169.254.0.0/16'), reason: 'link-local (169.254.0.0/16)' },
  { ...block('224.0.0.0/4'), reason: 'multicast (224.0.0.0/4)' },
  { ...block('240.0.0.0/4'), reason: 'reserved (240.0.0.0/4)' },
];

/** Why an IPv4 address cannot be a backend, or undefined (also for text that is not an IPv4 address). */
export function ipv4SpecialUse(text: string): string | undefined {
  const address = parseIpv4(text);
  if (address === undefined) return undefined;
  return ipv4NumberSpecialUse(address);
}

/** Why the IPv4 address (as a number, from parseIpv4) cannot be a backend, or undefined. */
export function ipv4NumberSpecialUse(address: number): string | undefined {
  for (const b of SPECIAL_IPV4) if (inBlock(address, b)) return b.reason;
  return undefined;
}

/** True when the IPv4 address (as a number, from parseIpv4) lies inside one of `blocks`. */
export function ipv4NumberInBlocks(address: number, blocks: readonly Ipv4Block[]): boolean {
  for (const b of blocks) if (inBlock(address, b)) return true;
  return false;
}

/** True when `text` is a strict IPv4 address inside one of `blocks`. */
export function ipv4InBlocks(text: string, blocks: readonly Ipv4Block[]): boolean {
  const address = parseIpv4(text);
  if (address === undefined) return false;
  return ipv4NumberInBlocks(address, blocks);
}

/** Parses any RFC 4291 textual IPv6 address (with `::` and an optional trailing dotted quad, no zone id) into eight 16-bit groups. */
export function parseIpv6(text: string): number[] | undefined {
  // 45 characters is the longest textual form (full groups plus an embedded IPv4).
  if (text.length < 2 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseSide = (side: string, allowIpv4Tail: boolean): number[] | undefined => {
    if (side === '') return [];
    const parts = side.split(':');
    const groups: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      if (allowIpv4Tail && i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        groups.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (IPV6_GROUP.test(part)) {
        groups.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  if (halves.length === 1) {
    const groups = parseSide(text, true);
    return groups?.length === 8 ? groups : undefined;
  }
  const head = parseSide(halves[0] ?? '', false);
  const tail = parseSide(halves[1] ?? '', true);
  if (head === undefined || tail === undefined) return undefined;
  // `::` stands for at least one zero group.
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** True for a valid textual IPv6 address. */
export function isIpv6(text: string): boolean {
  return parseIpv6(text) !== undefined;
}

/** The RFC 5952 canonical text of an IPv6 address (lower case, no leading zeros, longest zero run as `::`), or undefined if invalid. */
export function canonicalIpv6(text: string): string | undefined {
  const groups = parseIpv6(text);
  if (groups === undefined) return undefined;
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted-quad tail.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const hi = groups[6] ?? 0;
    const lo = groups[7] ?? 0;
    return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  // A single zero group is not compressed (RFC 5952 §4.2.2).
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Why an IPv6 address cannot be a backend (unspecified, loopback, link-local, multicast), or undefined. */
export function ipv6SpecialUse(text: string): string | undefined {
  const groups = parseIpv6(text);
  if (groups === undefined) return undefined;
  const [first = 0] = groups;
  if (groups.every((g) => g === 0)) return 'unspecified (::)';
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return 'loopback (::1)';
  if ((first & 0xffc0) === 0xfe80) return 'link-local (fe80::/10)';
  if ((first & 0xff00) === 0xff00) return 'multicast (ff00::/8)';
  return undefined;
}
