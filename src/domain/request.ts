// The AddServers request contract: zod schemas whose every message names the field's problem and the rule it broke.
import { z } from 'zod';
import { dedupeServers, describeIdentity } from './dedupe.js';
import {
  GWLB_IP_TARGET_BLOCKS,
  PRIVATE_IPV4_BLOCKS,
  ipv4InBlocks,
  ipv4NumberInBlocks,
  ipv4NumberSpecialUse,
  ipv4SpecialUse,
  ipv6SpecialUse,
  isIpv4,
  isIpv6,
  parseIpv4,
} from './ip.js';
import { PROVIDERS, type Provider } from './provider.js';
import { describeValue, listNames } from './text.js';

/** GWLB speaks GENEVE, and AddServersToServerGroup documents 6081 as the only Port value. */
export const GENEVE_PORT = 6081;
/** Upper bound on one request; near it a request nears Temporal's 2 MB payload limit, so callers should stay well under. */
export const MAX_SERVERS_PER_REQUEST = 10_000;
/** Both APIs take at most 200 servers per call (GWLB maxItems 200; ELB "一次最多创建200个"). */
export const MAX_SERVERS_PER_CALL = 200;
/** GWLB ServerType enum, case-sensitive as the API spells it. */
export const ALIBABA_SERVER_TYPES = ['Ecs', 'Eni', 'Eci', 'Ip'] as const;
/** `available`: wait until the provider reports the servers usable; `registered`: stop once the add is accepted. */
export const WAIT_FOR_VALUES = ['available', 'registered'] as const;
/** `keep`: leave added servers on failure; `rollback`: remove what this run added. */
export const ON_FAILURE_VALUES = ['keep', 'rollback'] as const;
/** Default poll interval; shortened to the timeout when the timeout is shorter, so a short timeout alone is valid. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 5;

/**
 * Sub-second polls (tenths) for providers whose groups settle in well under a second; whole seconds above one,
 * as before, so every request that was valid stays valid.
 */
const POLL_INTERVAL_RULE = 'a number of seconds: tenths from 0.1 to 0.9, or an integer from 1 to 300';
function isPollInterval(n: number): boolean {
  if (n >= 1) return Number.isInteger(n) && n <= 300;
  return n >= 0.1 && Math.abs(n * 10 - Math.round(n * 10)) < 1e-9;
}
/** How many chunks an add may run ahead of the check that an earlier chunk's servers are ready (see the workflow). */
export const MAX_CHUNKS_AHEAD = 50;

const REGION = /^[a-z]{2,}(?:-[a-z0-9]+)+$/;
const SERVER_GROUP_ID = /^sgp-[a-z0-9]+$/;
const PROJECT_ID = /^[a-z0-9]{32}$/;
const UUID_LOWER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_ANY_CASE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONTROL_CHARACTER = /\p{Cc}/u;
const AVAILABILITY_ZONE = /^[^\s\p{Cc}]{1,64}$/u;

type Input = unknown;

/** Builds "X must be R; got V." or "X is required: it must be R." so every rule reads the same way. */
function must(field: string, requirement: string, hint?: (input: Input) => string) {
  return (input: Input): string =>
    input === undefined
      ? `${field} is required: it must be ${requirement}.`
      : `${field} must be ${requirement}; got ${describeValue(input)}${hint?.(input) ?? ''}.`;
}

/** A zod error-map option that renders `message` from the rejected input. */
function says(message: (input: Input) => string) {
  return { error: (issue: { input?: unknown }) => message(issue.input) };
}

/** A string field with one rule and one message for both a wrong type and a broken rule. */
function text(test: (value: string) => boolean, message: (input: Input) => string) {
  return z.string(says(message)).refine(test, says(message));
}

/** An integer field in [min, max]; z.int() is avoided because its issue aborts sibling cross-field checks. */
function integer(min: number, max: number, message: (input: Input) => string) {
  return z.number(says(message)).refine((n) => Number.isInteger(n) && n >= min && n <= max, says(message));
}

/** A strict object (unknown keys, including `__proto__`, are rejected) whose unknown-key message lists the allowed fields. */
function strictObject<S extends z.core.$ZodLooseShape>(what: string, shape: S) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const plural = issue.keys.length === 1 ? '' : 's';
        return `Unknown field${plural} ${listNames(issue.keys)} in ${what}; allowed fields are ${allowed}.`;
      }
      if (issue.code === 'invalid_type')
        return must(what.charAt(0).toUpperCase() + what.slice(1), 'a JSON object')(issue.input);
      return undefined;
    },
  });
}

/** Lets a cross-field check run even when some fields failed, so independent rules still report. */
const whenObject = { when: (payload: { value: unknown }) => isRecord(payload.value) };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function uuidHint(input: Input): string {
  return typeof input === 'string' && UUID_ANY_CASE.test(input)
    ? ' (write it in lower case, as Huawei returns ids)'
    : '';
}

// ---------------------------------------------------------------- Alibaba GWLB

const ALIBABA_ID_RULES = {
  Ecs: { prefix: 'i-', example: 'i-bp67acfmxazb4p0001' },
  Eni: { prefix: 'eni-', example: 'eni-bp1abcdefg0002' },
  Eci: { prefix: 'eci-', example: 'eci-2zelg8vwnlzdhf8hv6pf' },
} as const;

const GWLB_IP_RANGES = '10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12 or 192.168.0.0/16';

/** The problem with a GWLB ServerId for its ServerType, or undefined when it is fine. */
function alibabaServerIdProblem(serverType: unknown, serverId: string): string | undefined {
  if (serverType === 'Ip') {
    const special = ipv4SpecialUse(serverId);
    if (special !== undefined)
      return `For serverType "Ip" the server id must be a backend's address, not ${special}; got ${describeValue(serverId)}.`;
    return ipv4InBlocks(serverId, GWLB_IP_TARGET_BLOCKS)
      ? undefined
      : must(
          'For serverType "Ip" the server id',
          `the backend's IPv4 address (dotted quad) in ${GWLB_IP_RANGES}`,
        )(serverId);
  }
  if (serverType === 'Ecs' || serverType === 'Eni' || serverType === 'Eci') {
    const { prefix, example } = ALIBABA_ID_RULES[serverType];
    const ok =
      serverId.length <= 64 && serverId.startsWith(prefix) && /^[a-z0-9]+$/.test(serverId.slice(prefix.length));
    return ok
      ? undefined
      : must(
          `An ${serverType} server id`,
          `"${prefix}" followed by lower-case letters and digits, at most 64 characters (e.g. "${example}")`,
        )(serverId);
  }
  // Unknown serverType is reported on its own field; only the length rule applies here.
  return serverId.length >= 1 && serverId.length <= 64 ? undefined : must('Server id', '1 to 64 characters')(serverId);
}

// ---------------------------------------------------------------- Huawei ELB

const PRIVATE_RANGES = '10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16';

/** Counts code points up to a limit; a string longer than 2×limit UTF-16 units is over without counting. */
function atMostCodePoints(value: string, limit: number): boolean {
  if (value.length <= limit) return true;
  if (value.length > 2 * limit) return false;
  let count = 0;
  for (const _ of value) if (++count > limit) return false;
  return true;
}

// ---------------------------------------------------------------- requests

/** The server list: size-checked before any element is parsed, then checked for conflicting duplicates among the valid elements. */
function serversField<E extends z.ZodType>(provider: Provider, element: E) {
  const sizeMessage = (input: Input) =>
    Array.isArray(input) && input.length > 0
      ? `servers must list at most ${MAX_SERVERS_PER_REQUEST} servers per request; got ${input.length}.`
      : must('servers', `a list of 1 to ${MAX_SERVERS_PER_REQUEST} servers`)(input);
  return z
    .array(element, says(sizeMessage))
    .min(1, says(sizeMessage))
    .max(MAX_SERVERS_PER_REQUEST, says(sizeMessage))
    .superRefine(
      (value, ctx) => {
        // Elements that failed their own rules are left out: a conflict is only meaningful between valid servers.
        const broken = new Set<PropertyKey>();
        for (const issue of ctx.issues)
          if (issue.path !== undefined && issue.path.length > 0) broken.add(issue.path[0] as PropertyKey);
        const indices: number[] = [];
        const valid: Server[] = [];
        (value as unknown[]).forEach((server, index) => {
          if (!broken.has(index)) {
            indices.push(index);
            valid.push(server as Server);
          }
        });
        for (const conflict of dedupeServers(provider, valid).conflicts) {
          const index = indices[conflict.index] ?? conflict.index;
          const first = indices[conflict.firstIndex] ?? conflict.firstIndex;
          const kept = valid[conflict.firstIndex] as Server;
          ctx.addIssue({
            code: 'custom',
            path: [index],
            input: (value as unknown[])[index],
            message: `Same identity as servers[${first}] (${describeIdentity(provider, kept)}) but different attributes (${conflict.fields.join(', ')}); remove one or make them identical.`,
          });
        }
      },
      { when: (payload) => Array.isArray(payload.value) },
    );
}

// ---------------------------------------------------------------- the schemas

/**
 * Builds the request schemas. Called once per realm through `requestSchemas()`: inside the workflow sandbox once per
 * worker, before the first workflow (src/workflows/preload.ts), so no workflow pays for building them. They live in a
 * closure, never in a module export: the SDK freezes what shared modules export, and zod memoises into its schemas.
 */
function buildRequestSchemas() {
  const regionSchema = text(
    (v) => v.length <= 32 && REGION.test(v),
    must(
      'Region',
      'a lower-case region id such as "cn-hangzhou" or "ap-southeast-1" (letters, digits and hyphens, at most 32 characters)',
    ),
  );

  // ---------------------------------------------------------------- options

  const optionsObject = strictObject('options', {
    maxChunkSize: integer(
      1,
      MAX_SERVERS_PER_CALL,
      must(
        'maxChunkSize',
        `an integer from 1 to ${MAX_SERVERS_PER_CALL} (both APIs take at most ${MAX_SERVERS_PER_CALL} servers per call)`,
      ),
    ).default(MAX_SERVERS_PER_CALL),
    dryRun: z.boolean(says(must('dryRun', 'true or false'))).default(false),
    waitFor: z.enum(WAIT_FOR_VALUES, says(must('waitFor', '"available" or "registered"'))).default('available'),
    availabilityTimeoutSeconds: integer(
      1,
      86_400,
      must('availabilityTimeoutSeconds', 'an integer from 1 to 86400 (one day)'),
    ).default(900),
    pollIntervalSeconds: z
      .number(says(must('pollIntervalSeconds', POLL_INTERVAL_RULE)))
      .refine(isPollInterval, says(must('pollIntervalSeconds', POLL_INTERVAL_RULE)))
      .optional(),
    chunksAhead: integer(
      0,
      MAX_CHUNKS_AHEAD,
      must('chunksAhead', `an integer from 0 to ${MAX_CHUNKS_AHEAD}`),
    ).optional(),
    onFailure: z.enum(ON_FAILURE_VALUES, says(must('onFailure', '"keep" or "rollback"'))).default('keep'),
  });

  /** Options shared by both providers; every field has a default, so `{}` is valid. */
  const AddServersOptionsSchema = optionsObject
    .superRefine((value, ctx) => {
      const { pollIntervalSeconds: poll, availabilityTimeoutSeconds: timeout } = value as Record<string, unknown>;
      if (
        typeof poll === 'number' &&
        typeof timeout === 'number' &&
        isPollInterval(poll) &&
        Number.isInteger(timeout) &&
        poll > timeout
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['pollIntervalSeconds'],
          input: poll,
          message: `pollIntervalSeconds (${poll}) must not exceed availabilityTimeoutSeconds (${timeout}): the wait would time out before its first poll.`,
        });
      }
    }, whenObject)
    .transform((o) => ({
      ...o,
      pollIntervalSeconds:
        o.pollIntervalSeconds ?? Math.min(DEFAULT_POLL_INTERVAL_SECONDS, o.availabilityTimeoutSeconds),
    }));

  // Absent options parse as `{}`, so the parsed request always carries every default.
  const optionsField = AddServersOptionsSchema.prefault({});

  const alibabaServerObject = strictObject('a GWLB server', {
    serverId: z.string(says(must('Server id', 'an Ecs/Eni/Eci resource id, or the IPv4 address for serverType "Ip"'))),
    serverType: z.enum(ALIBABA_SERVER_TYPES, says(must('Server type', 'one of Ecs, Eni, Eci, Ip (exact case)'))),
    serverIp: text(
      isIpv4,
      must('Server IP', 'a dotted-quad IPv4 address (four numbers 0-255, no leading zeros)', (input) =>
        typeof input === 'string' && isIpv6(input) ? ' (IPv6 is not accepted by GWLB)' : '',
      ),
    ).optional(),
    port: z
      .literal(GENEVE_PORT, says(must('Port', `${GENEVE_PORT} (the GENEVE port, the only value GWLB accepts)`)))
      .default(GENEVE_PORT),
  });

  /** One GWLB backend server; Port defaults to 6081 so the parsed value always carries it. */
  const AlibabaServerSchema = alibabaServerObject.superRefine((value, ctx) => {
    const { serverId, serverType, serverIp } = value as Record<string, unknown>;
    if (typeof serverId !== 'string') return;
    const problem = alibabaServerIdProblem(serverType, serverId);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['serverId'], input: serverId, message: problem });
    const special = typeof serverIp === 'string' ? ipv4SpecialUse(serverIp) : undefined;
    if (special !== undefined && serverType !== 'Ip') {
      ctx.addIssue({
        code: 'custom',
        path: ['serverIp'],
        input: serverIp,
        message: `Server IP must be the backend's address, not ${special}; got ${describeValue(serverIp)}.`,
      });
    }
    if (serverType === 'Ip' && typeof serverIp === 'string' && isIpv4(serverIp) && serverIp !== serverId) {
      ctx.addIssue({
        code: 'custom',
        path: ['serverIp'],
        input: serverIp,
        message: `For serverType "Ip" the server IP must equal the server id (${describeValue(serverId)}) or be omitted; got ${describeValue(serverIp)}.`,
      });
    }
  }, whenObject);

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
  const HuaweiServerSchema = huaweiServerObject.superRefine((value, ctx) => {
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
  }, whenObject);

  /** An AddServers request for an Alibaba GWLB server group. */
  const AlibabaAddServersRequestSchema = strictObject('the request', {
    provider: z.literal('alibaba-gwlb'),
    region: regionSchema,
    serverGroupId: text(
      (v) => v.length <= 64 && SERVER_GROUP_ID.test(v),
      must(
        'Server group id',
        '"sgp-" followed by lower-case letters and digits, at most 64 characters (e.g. "sgp-atstuj3rtoptyui0000")',
      ),
    ),
    servers: serversField('alibaba-gwlb', AlibabaServerSchema),
    options: optionsField,
  });

  /** An AddServers request for a Huawei ELB v3 backend server group (pool). */
  const HuaweiAddServersRequestSchema = strictObject('the request', {
    provider: z.literal('huawei-elb'),
    region: regionSchema,
    projectId: text((v) => PROJECT_ID.test(v), must('Project id', 'exactly 32 lower-case letters and digits')),
    poolId: text(
      (v) => UUID_LOWER.test(v),
      must('Pool id', 'a lower-case UUID such as "04a9bc65-b75b-478d-b4d6-e693bb61dd35"', uuidHint),
    ),
    servers: serversField('huawei-elb', HuaweiServerSchema),
    options: optionsField,
  });

  /** The workflow input: one request, discriminated on `provider`. */
  const AddServersRequestSchema = z.discriminatedUnion(
    'provider',
    [AlibabaAddServersRequestSchema, HuaweiAddServersRequestSchema],
    {
      error: (issue) => {
        if (issue.code === 'invalid_union') {
          const provider = isRecord(issue.input) ? issue.input.provider : undefined;
          return must('provider', `"${PROVIDERS.join('" or "')}"`)(provider);
        }
        if (issue.code === 'invalid_type') return must('The request', 'a JSON object')(issue.input);
        return undefined;
      },
    },
  );

  return {
    AddServersOptionsSchema,
    AlibabaServerSchema,
    HuaweiServerSchema,
    AlibabaAddServersRequestSchema,
    HuaweiAddServersRequestSchema,
    AddServersRequestSchema,
  };
}

export type RequestSchemas = ReturnType<typeof buildRequestSchemas>;
let built: RequestSchemas | undefined;
/** The request schemas, built on first use and shared after (they hold no per-request state). */
export function requestSchemas(): RequestSchemas {
  return (built ??= buildRequestSchemas());
}

export type AlibabaServerInput = z.input<RequestSchemas['AlibabaServerSchema']>;
export type AlibabaServer = z.output<RequestSchemas['AlibabaServerSchema']>;
export type HuaweiServerInput = z.input<RequestSchemas['HuaweiServerSchema']>;
export type HuaweiServer = z.output<RequestSchemas['HuaweiServerSchema']>;
export type AddServersOptionsInput = z.input<RequestSchemas['AddServersOptionsSchema']>;
export type AddServersOptions = z.output<RequestSchemas['AddServersOptionsSchema']>;
export type AlibabaAddServersRequestInput = z.input<RequestSchemas['AlibabaAddServersRequestSchema']>;
export type AlibabaAddServersRequest = z.output<RequestSchemas['AlibabaAddServersRequestSchema']>;
export type HuaweiAddServersRequestInput = z.input<RequestSchemas['HuaweiAddServersRequestSchema']>;
export type HuaweiAddServersRequest = z.output<RequestSchemas['HuaweiAddServersRequestSchema']>;
export type AddServersRequestInput = z.input<RequestSchemas['AddServersRequestSchema']>;
export type AddServersRequest = z.output<RequestSchemas['AddServersRequestSchema']>;
/** Either provider's parsed server. */
export type Server = AlibabaServer | HuaweiServer;
/** The parsed server type of one provider, so generic helpers keep their element type. */
export type ServerOf<P extends Provider> = P extends 'alibaba-gwlb' ? AlibabaServer : HuaweiServer;
