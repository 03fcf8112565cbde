// Alibaba GWLB's AddServers request: its servers and its group, every rule from research/alibaba-gwlb.md.
import { z } from 'zod';
import { must, says, strictObject, text, whenObject } from '../../../domain/fields.js';
import {
  PRIVATE_OR_SHARED_IPV4_BLOCKS,
  ipv4InBlocks,
  ipv4SpecialUse,
  isIpv4,
  isIpv6,
  serversField,
  type RequestParts,
} from '../../../domain/index.js';
import { describeValue } from '../../../domain/text.js';
import { alibabaIdentity } from './identity.js';

/** GWLB speaks GENEVE, and AddServersToServerGroup documents 6081 as the only Port value. */
export const GENEVE_PORT = 6081;
/** GWLB ServerType enum, case-sensitive as the API spells it. */
export const ALIBABA_SERVER_TYPES = ['Ecs', 'Eni', 'Eci', 'Ip'] as const;

const SERVER_GROUP_ID = /^sgp-[a-z0-9]+$/;

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
    return ipv4InBlocks(serverId, PRIVATE_OR_SHARED_IPV4_BLOCKS)
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

/**
 * Builds the schemas of one Alibaba GWLB request from the shared parts (see src/registry's `requestSchemas()`: once
 * per realm, in a closure).
 */
export function alibabaSchemas(parts: RequestParts) {
  const { regionSchema, optionsField } = parts;
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
    servers: serversField(alibabaIdentity, AlibabaServerSchema),
    options: optionsField,
  });

  return { server: AlibabaServerSchema, request: AlibabaAddServersRequestSchema };
}

type Schemas = ReturnType<typeof alibabaSchemas>;
export type AlibabaServerInput = z.input<Schemas['server']>;
export type AlibabaServer = z.output<Schemas['server']>;
export type AlibabaAddServersRequestInput = z.input<Schemas['request']>;
export type AlibabaAddServersRequest = z.output<Schemas['request']>;
