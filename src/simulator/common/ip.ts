// IPv4 helpers for the simulated networks (own code: the simulators share nothing with the clients).
import { isIPv4, isIPv6 } from 'node:net';

/** A dotted-quad IPv4 address as an unsigned 32-bit number, or undefined when `text` is not one. */
export function ipv4ToNumber(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  return text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

export function numberToIpv4(n: number): string {
  return [Math.floor(n / 2 ** 24) % 256, Math.floor(n / 2 ** 16) % 256, Math.floor(n / 2 ** 8) % 256, n % 256].join(
    '.',
  );
}

export interface Cidr {
  readonly base: number;
  readonly bits: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const [ip, bitsText, ...rest] = text.split('/');
  if (ip === undefined || bitsText === undefined || rest.length > 0 || !/^\d{1,2}$/.test(bitsText)) return undefined;
  const base = ipv4ToNumber(ip);
  const bits = Number(bitsText);
  if (base === undefined || bits > 32) return undefined;
  return { base, bits };
}

export function cidrContains(cidr: Cidr, address: number): boolean {
  const size = 2 ** (32 - cidr.bits);
  return Math.floor(address / size) === Math.floor(cidr.base / size);
}

export function inCidr(cidrText: string, ip: string): boolean {
  const cidr = parseCidr(cidrText);
  const address = ipv4ToNumber(ip);
  return cidr !== undefined && address !== undefined && cidrContains(cidr, address);
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
const PRIVATE_OR_SHARED = [...PRIVATE, '100.64.0.0/10'];

/** RFC 1918 private IPv4. */
export function isPrivateIpv4(ip: string): boolean {
  return PRIVATE.some((cidr) => inCidr(cidr, ip));
}

/** RFC 1918 or the RFC 6598 shared range (GWLB Ip-type groups accept both). */
export function isPrivateOrSharedIpv4(ip: string): boolean {
  return PRIVATE_OR_SHARED.some((cidr) => inCidr(cidr, ip));
}

export { isIPv4, isIPv6 };

/**
 * The i-th address of a generated range: `perBlock` addresses per /24 starting at `first`'s last octet
 * (e.g. first 192.168.0.1, perBlock 250: .0.1 … .0.250, then .1.1 …); without `perBlock`, consecutive.
 */
export function rangeAddress(first: string, i: number, perBlock?: number): string {
  const base = ipv4ToNumber(first);
  if (base === undefined) throw new Error(`range start "${first}" is not an IPv4 address`);
  if (perBlock === undefined) return numberToIpv4(base + i);
  return numberToIpv4(base + Math.floor(i / perBlock) * 256 + (i % perBlock));
}
