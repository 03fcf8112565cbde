// Huawei ELB v3's batch-add request: its members and its pool, every rule from research/huawei-elb.md.
import { z } from 'zod';
import { integer, must, strictObject, text, whenObject, type Input } from '../../../domain/fields.js';
import {
  PRIVATE_IPV4_BLOCKS,
  ipv4NumberInBlocks,
  ipv4NumberSpecialUse,
  ipv6SpecialUse,
  isIpv6,
  parseIpv4,
  serversField,
  type RequestParts,
} from '../../../domain/index.js';
import { describeValue } from '../../../domain/text.js';
import { huaweiIdentity } from './identity.js';

const PROJECT_ID = /^[a-z0-9]{32}$/;
const UUID_LOWER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_ANY_CASE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONTROL_CHARACTER = /\p{Cc}/u;
const AVAILABILITY_ZONE = /^[^\s\p{Cc}]{1,64}$/u;

function uuidHint(input: Input): string {
  return typeof input === 'string' && UUID_ANY_CASE.test(input)
    ? ' (write it in lower case, as Huawei returns ids)'
    : '';
}

const PRIVATE_RANGES = '10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16';

/** Counts code points up to a limit; a string longer than 2×limit UTF-16 units is over without counting. */
function atMostCodePoints(value: string, limit: number): boolean {
  if (value.length <= limit) return true;
  if (value.length > 2 * limit) return false;
  let count = 0;
  for (const _ of value) if (++count > limit) return false;
  return true;
}

/** The rules across a member's fields: its address by its type (IP-type or in a subnet), and where a zone may be given. */
function checkMember(value: unknown, ctx: z.core.$RefinementCtx): void {
  const { address, subnetCidrId, availabilityZone } = value as Record<string, unknown>;
  const ipType = subnetCidrId === undefined;
  // Parsed once: this runs for every member of a request, in the request and again in its group's coordinator.
  const v4 = typeof address === 'string' ? parseIpv4(address) : undefined;
  const special =
    v4 !== undefined ? ipv4NumberSpecialUse(v4) : typeof address === 'string' ? ipv6SpecialUse(address) : undefined;
  const privateV4 = v4 !== undefined && ipv4NumberInBlocks(v4, PRIVATE_IPV4_BLOCKS);
  if (special !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['address'],
      input: address,
      message: `Address must be a backend's address, not ${special}; got ${describeValue(address)}.`,
    });
  } else if (!ipType && v4 !== undefined && !privateV4) {
    ctx.addIssue({
      code: 'custom',
      path: ['address'],
      input: address,
      message: `A member with subnetCidrId is an address of that subnet, so its IPv4 address must be private (${PRIVATE_RANGES}); got ${describeValue(address)}.`,
    });
  } else if (ipType && typeof address === 'string') {
    if (v4 === undefined && isIpv6(address)) {
      ctx.addIssue({
        code: 'custom',
        path: ['address'],
        input: address,
        message: `An IPv6 address needs subnetCidrId (the IPv6 subnet's neutron_network_id); without it the member is IP-type and must use a private IPv4 address; got ${describeValue(address)}.`,
      });
    } else if (v4 !== undefined && !privateV4) {
      ctx.addIssue({
        code: 'custom',
        path: ['address'],
        input: address,
        message: `Without subnetCidrId the member is IP-type and its address must be a private IPv4 address in ${PRIVATE_RANGES}; got ${describeValue(address)}.`,
      });
    }
  }
  if (!ipType && availabilityZone !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['availabilityZone'],
      input: availabilityZone,
      message:
        'availabilityZone is only allowed on IP-type members (those without subnetCidrId); remove availabilityZone or subnetCidrId.',
    });
  }
}

/**
 * Builds the schemas of one Huawei ELB request from the shared parts (see src/registry's `requestSchemas()`: once
 * per realm, in a closure).
 */
export function huaweiSchemas(parts: RequestParts) {
  const { regionSchema, optionsField } = parts;
  const huaweiServerObject = strictObject('a Huawei member', {
    address: text(
      (v) => v.length <= 64 && (parseIpv4(v) !== undefined || isIpv6(v)),
      must('Address', 'an IPv4 or IPv6 address'),
    ),
    protocolPort: integer(1, 65_535, must('Protocol port', 'an integer from 1 to 65535')),
    subnetCidrId: text(
      (v) => UUID_LOWER.test(v),
      must(
        'Subnet id (subnetCidrId)',
        "a lower-case UUID: the IPv4 subnet's neutron_subnet_id or the IPv6 subnet's neutron_network_id",
        uuidHint,
      ),
    ).optional(),
    weight: integer(0, 100, must('Weight', 'an integer from 0 to 100 (0 takes no new requests)')).default(1),
    name: text(
      (v) => atMostCodePoints(v, 255) && !CONTROL_CHARACTER.test(v),
      must(
        'Name',
        'at most 255 characters (Unicode characters, as ELB counts them: an emoji is one) without control characters',
      ),
    ).optional(),
    availabilityZone: text(
      (v) => AVAILABILITY_ZONE.test(v),
      must('Availability zone', '1 to 64 characters without spaces or control characters, such as "cn-north-4a"'),
    ).optional(),
  });

  /** One Huawei ELB member; weight defaults to 1 as the API does. */
  const HuaweiServerSchema = huaweiServerObject.superRefine(checkMember, whenObject);

  /** An AddServers request for a Huawei ELB v3 backend server group (pool). */
  const HuaweiAddServersRequestSchema = strictObject('the request', {
    provider: z.literal('huawei-elb'),
    region: regionSchema,
    projectId: text((v) => PROJECT_ID.test(v), must('Project id', 'exactly 32 lower-case letters and digits')),
    poolId: text(
      (v) => UUID_LOWER.test(v),
      must('Pool id', 'a lower-case UUID such as "04a9bc65-b75b-478d-b4d6-e693bb61dd35"', uuidHint),
    ),
    servers: serversField(huaweiIdentity, HuaweiServerSchema),
    options: optionsField,
  });

  return { server: HuaweiServerSchema, request: HuaweiAddServersRequestSchema };
}

type Schemas = ReturnType<typeof huaweiSchemas>;
export type HuaweiServerInput = z.input<Schemas['server']>;
export type HuaweiServer = z.output<Schemas['server']>;
export type HuaweiAddServersRequestInput = z.input<Schemas['request']>;
export type HuaweiAddServersRequest = z.output<Schemas['request']>;
