// The simulated world: regions, networks, inventory, server groups/pools, credentials, quotas, timings.
// A world file is JSON or YAML; sections left out come from the built-in default world.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { faultPlanSchema } from './faults.js';
import { isIPv4, parseCidr } from './ip.js';

const id = z.string().min(1).max(128);
const ipv4 = z.string().refine((s) => isIPv4(s), { message: 'must be an IPv4 address' });
const cidr = z
  .string()
  .refine((s) => parseCidr(s) !== undefined, { message: 'must be an IPv4 CIDR block such as 192.168.0.0/16' });
const ms = z
  .number()
  .int()
  .min(0)
  .max(7 * 24 * 3600 * 1000);
const count = z.number().int().min(1).max(100_000);

export const rateLimitSchema = z.strictObject({
  /** Sustained requests per second; 0 turns the limit off. */
  requestsPerSecond: z.number().min(0),
  burst: z.number().int().min(1),
});

/** Per-API rations (`{}`: none): at most `calls` in any `perSeconds`, per account and region (Huawei: per project). */
export const apiLimitsSchema = z.record(
  z.string().min(1).max(100),
  z.strictObject({ calls: z.number().int().min(1).max(1_000_000), perSeconds: z.number().int().min(1).max(86_400) }),
);

/**
 * GWLB's documented rations per region, API and account (ParentUid), from its quota page
 * (api-gwlb-2024-04-15-quota, "API speed limit dimension: regionId, API, ParentUid"): AddServersToServerGroup and
 * CreateServerGroup 200 per 60 s, ListServerGroups and GetLoadBalancerAttribute 600 per 60 s. The page has no row for
 * RemoveServersFromServerGroup or ListServerGroupServers: assumed like their neighbours (200 and 600 per 60 s).
 */
export const ALIBABA_API_LIMITS = {
  AddServersToServerGroup: { calls: 200, perSeconds: 60 },
  RemoveServersFromServerGroup: { calls: 200, perSeconds: 60 },
  ListServerGroups: { calls: 600, perSeconds: 60 },
  ListServerGroupServers: { calls: 600, perSeconds: 60 },
  GetLoadBalancerAttribute: { calls: 600, perSeconds: 60 },
} as const;

/**
 * ELB's member rations: the v2 member-create page says "a maximum of 200 times per minute globally"
 * (support.huaweicloud.com/intl/en-us/api-elb/elb_qy_hd_0001.html); no number is published for the v3 batch APIs, so
 * batch-add and batch-delete are assumed to be rationed the same, per project. Every other API keeps the API
 * gateway's default (200 per second per API: `rateLimit`).
 */
export const HUAWEI_API_LIMITS = {
  BatchCreateMembers: { calls: 200, perSeconds: 60 },
  BatchDeleteMembers: { calls: 200, perSeconds: 60 },
} as const;

// ---------------------------------------------------------------- Alibaba Cloud GWLB

const aliCredential = z.strictObject({
  accessKeyId: id,
  accessKeySecret: z.string().min(1).max(256),
  /** Set for STS credentials: requests must carry this token (x-acs-security-token / SecurityToken). */
  securityToken: z.string().min(1).max(8192).optional(),
  disabled: z.boolean().default(false),
  /** STS expiry (ISO 8601). */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  /**
   * The account (ParentUid) the key belongs to: API rations count per account and region. Absent: the world's one
   * account, as every key issued by STS or the metadata service.
   */
  account: id.optional(),
});

const aliVpc = z.strictObject({ id, cidr });

const aliLoadBalancer = z.strictObject({
  id,
  vpcId: id,
  /** Addresses of the GWLB instance's own ENIs: an Ip-type server with one of them is `ResourceInUse.IP`. */
  ips: z.array(ipv4).default([]),
});

const aliEcs = z.strictObject({
  id,
  vpcId: id,
  zoneId: id,
  /** Private IPs; the first is the primary. */
  ips: z.array(ipv4).min(1).max(64),
  networkType: z.enum(['vpc', 'classic']).default('vpc'),
});

const aliEcsRange = z.strictObject({
  /** Ids are `${idPrefix}${String(start + i).padStart(digits, '0')}`. */
  idPrefix: id,
  start: z.number().int().min(0).default(0),
  count,
  digits: z.number().int().min(1).max(12).default(4),
  vpcId: id,
  /** Zones in turn: instance i is in zones[i % zones.length]. */
  zones: z.array(id).min(1),
  /** Address of instance i: see `perBlock`. */
  firstIp: ipv4,
  /** Addresses per /24 block from firstIp's last octet on (e.g. 250: .0.1 … .0.250, .1.1 …); default consecutive. */
  perBlock: z.number().int().min(1).max(256).optional(),
  networkType: z.enum(['vpc', 'classic']).default('vpc'),
});

export const ENI_STATUSES = ['Available', 'InUse', 'Attaching', 'Detaching', 'Creating', 'Deleting'] as const;

const aliEni = z.strictObject({
  id,
  vpcId: id,
  zoneId: id,
  ips: z.array(ipv4).min(1).max(64),
  /** Only Available and InUse ENIs can be added; others are `IncorrectStatus.Eni`. */
  status: z.enum(ENI_STATUSES).default('InUse'),
  /** Set when the ENI belongs to a GWLB instance: adding it is `ResourceInUse.Eni`. */
  usedByLoadBalancerId: id.optional(),
});

const aliEci = z.strictObject({ id, vpcId: id, zoneId: id, ip: ipv4 });

export const ALI_SERVER_TYPES = ['Ecs', 'Eni', 'Eci', 'Ip'] as const;

const aliServerSeed = z.strictObject({
  serverId: id,
  serverType: z.enum(ALI_SERVER_TYPES),
  serverIp: ipv4.optional(),
  port: z.literal(6081).default(6081),
});

const aliServerSeedRange = z.strictObject({
  serverType: z.enum(['Ip', 'Ecs']),
  count,
  /** Ip: the addresses, as for ECS ranges. */
  firstIp: ipv4.optional(),
  perBlock: z.number().int().min(1).max(256).optional(),
  /** Ecs: instance ids from the inventory, as for ECS ranges. */
  idPrefix: id.optional(),
  start: z.number().int().min(0).default(0),
  digits: z.number().int().min(1).max(12).default(4),
});

const aliGroup = z.strictObject({
  id,
  name: z.string().max(128).optional(),
  type: z.enum(['Instance', 'Ip']).default('Instance'),
  vpcId: id,
  protocol: z.literal('GENEVE').default('GENEVE'),
  scheduler: z.enum(['5TCH', '3TCH', '2TCH']).default('5TCH'),
  serverFailoverMode: z.enum(['NoRebalance', 'Rebalance']).default('NoRebalance'),
  resourceGroupId: id.default('rg-acfmsimulator0000'),
  connectionDrain: z
    .strictObject({
      enabled: z.boolean().default(false),
      timeoutSeconds: z.number().int().min(1).max(3600).default(300),
    })
    .default({ enabled: false, timeoutSeconds: 300 }),
  healthCheckEnabled: z.boolean().default(true),
  /** Per-group quota overrides (the console raises them on request). */
  quotas: z
    .strictObject({
      serversPerGroup: z.number().int().min(0).optional(),
      serversPerGroupPerZone: z.number().int().min(0).optional(),
    })
    .default({}),
  tags: z
    .array(z.strictObject({ key: z.string().min(1).max(128), value: z.string().max(128).default('') }))
    .max(20)
    .default([]),
  relatedLoadBalancerIds: z.array(id).default([]),
  createTime: z.iso.datetime().optional(),
  /** The group starts `Creating` for this long. */
  creatingMs: ms.default(0),
  /** Members at start (already Available). */
  servers: z.array(aliServerSeed).max(100_000).default([]),
  serverRanges: z.array(aliServerSeedRange).default([]),
});

const aliRegion = z.strictObject({
  id,
  zones: z.array(id).min(1),
  vpcs: z.array(aliVpc).default([]),
  loadBalancers: z.array(aliLoadBalancer).default([]),
  serverGroups: z.array(aliGroup).default([]),
  ecs: z.array(aliEcs).default([]),
  ecsRanges: z.array(aliEcsRange).default([]),
  enis: z.array(aliEni).default([]),
  ecis: z.array(aliEci).default([]),
});

/** A RAM role the STS stand-in lets callers assume. */
const aliRole = z.strictObject({
  /** `acs:ram::<account>:role/<name>`. */
  arn: z.string().regex(/^acs:ram::\d+:role\/[\w.@-]+$/, 'a role ARN is acs:ram::<account id>:role/<name>'),
  /** AccessKeyIds (of `credentials`) allowed to call AssumeRole on it; default: every key of the world. */
  trustedAccessKeyIds: z.array(id).optional(),
  /** AssumeRoleWithOIDC: the OIDC provider's ARN and the tokens it accepts (an ACK RRSA token file's contents). */
  oidc: z
    .strictObject({ providerArn: z.string().min(1).max(512), tokens: z.array(z.string().min(1).max(16_384)).min(1) })
    .optional(),
});

/**
 * Local stand-ins for what the credential chain calls: the ECS metadata service (the RAM roles attached to this
 * "instance") and STS (AssumeRole, AssumeRoleWithOIDC). The temporary keys they issue live `keyLifetimeMs`.
 */
const aliIdentity = z.strictObject({
  ecsRoles: z.array(z.string().regex(/^[\w.@-]{1,64}$/, 'a RAM role name')).default([]),
  roles: z.array(aliRole).default([]),
  /** Lifetime of every issued key (STS would give DurationSeconds, at least 900 s; shorter here, to test renewal). */
  keyLifetimeMs: ms.default(3600 * 1000),
});

export const alibabaWorldSchema = z.strictObject({
  credentials: z.array(aliCredential).max(1000).default([]),
  identity: aliIdentity.default({ ecsRoles: [], roles: [], keyLifetimeMs: 3600 * 1000 }),
  /** User flow control per AccessKeyId (`Throttling.User`). */
  rateLimit: rateLimitSchema.default({ requestsPerSecond: 200, burst: 400 }),
  /** API flow control per region, API and account (`Throttling.User`): the documented rations unless set. */
  apiLimits: apiLimitsSchema.default(ALIBABA_API_LIMITS),
  timings: z
    .strictObject({
      /** How long a group stays `Configuring` after each change. */
      configuringMs: ms.default(1000),
      /** How long an added server stays `Adding`. */
      addingMs: ms.default(1000),
      /** How long a removed server stays `Removing` (then `Draining` when connection draining is on, or gone). */
      removingMs: ms.default(1000),
    })
    .default({ configuringMs: 1000, addingMs: 1000, removingMs: 1000 }),
  quotas: z
    .strictObject({
      /** gwlb_quota_servers_num: backend servers per server group. */
      serversPerGroup: z.number().int().min(0).default(300),
      /** gwlb_quota_servergroup_az_servers_num: backend servers per server group per zone. */
      serversPerGroupPerZone: z.number().int().min(0).default(100),
    })
    .default({ serversPerGroup: 300, serversPerGroupPerZone: 100 }),
  /** How long a ClientToken is remembered (simulated time). */
  idempotencyWindowMs: ms.default(24 * 3600 * 1000),
  regions: z.array(aliRegion).min(1),
  faults: faultPlanSchema.optional(),
});

export type AlibabaWorld = z.output<typeof alibabaWorldSchema>;
export type AlibabaWorldInput = z.input<typeof alibabaWorldSchema>;
export type AlibabaGroupWorld = z.output<typeof aliGroup>;
export type AlibabaRegionWorld = z.output<typeof aliRegion>;

// ---------------------------------------------------------------- Huawei Cloud ELB v3

const hwCredential = z.strictObject({
  accessKey: id,
  secretKey: z.string().min(1).max(256),
  /** Temporary AK/SK: requests must carry this X-Security-Token. */
  securityToken: z.string().min(1).max(16_384).optional(),
  disabled: z.boolean().default(false),
  /** Projects the key may use; default all. */
  projectIds: z.array(id).optional(),
});

const hwToken = z.strictObject({
  /** A label for the state dump (the token itself is never shown). */
  name: z.string().max(128).optional(),
  token: z.string().min(1).max(16_384),
  projectId: id,
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

const hwSubnet = z.strictObject({ id, vpcId: id, cidr, availabilityZone: id.optional() });
const hwVpc = z.strictObject({ id, cidr });

const hwLoadBalancer = z.strictObject({
  id,
  name: z.string().max(255).default(''),
  vpcId: id,
  vipSubnetId: id,
  vipAddress: ipv4,
  ipTargetEnable: z.boolean().default(false),
  availabilityZones: z.array(id).default([]),
});

export const HW_POOL_PROTOCOLS = ['TCP', 'UDP', 'IP', 'TLS', 'GRPC', 'HTTP', 'HTTPS', 'QUIC'] as const;

const hwMemberSeed = z.strictObject({
  address: ipv4,
  protocolPort: z.number().int().min(0).max(65535),
  subnetId: id.optional(),
  name: z.string().max(255).optional(),
  weight: z.number().int().min(0).max(100).default(1),
  availabilityZone: id.optional(),
});

const hwMemberRange = z.strictObject({
  count,
  firstIp: ipv4,
  perBlock: z.number().int().min(1).max(256).optional(),
  protocolPort: z.number().int().min(0).max(65535),
  subnetId: id.optional(),
  namePrefix: z.string().max(200).optional(),
});

const hwPool = z.strictObject({
  id,
  name: z.string().max(255).default(''),
  loadBalancerId: id,
  protocol: z.enum(HW_POOL_PROTOCOLS),
  lbAlgorithm: z
    .enum(['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP', 'QUIC_CID', '2_TUPLE_HASH', '3_TUPLE_HASH', '5_TUPLE_HASH'])
    .default('ROUND_ROBIN'),
  /** A pool with a health monitor settles members to ONLINE; without one they are NO_MONITOR. */
  healthMonitorId: id.optional(),
  /** `ip`: IP-type members only; `instance`/"": any. */
  type: z.enum(['', 'ip', 'instance']).default(''),
  anyPortEnable: z.boolean().default(false),
  memberDeletionProtection: z.boolean().default(false),
  azAffinity: z.boolean().default(false),
  members: z.array(hwMemberSeed).max(100_000).default([]),
  memberRanges: z.array(hwMemberRange).default([]),
});

const hwServer = z.strictObject({
  id,
  name: z.string().max(255).optional(),
  address: ipv4,
  subnetId: id,
  /** Shut down: its members are OFFLINE. */
  down: z.boolean().default(false),
});

const hwServerRange = z.strictObject({
  idPrefix: id,
  start: z.number().int().min(0).default(0),
  count,
  digits: z.number().int().min(1).max(12).default(4),
  subnetId: id,
  firstIp: ipv4,
  perBlock: z.number().int().min(1).max(256).optional(),
  /** Every n-th server (i % n === n - 1) is down. */
  downEvery: z.number().int().min(1).optional(),
});

const hwProject = z.strictObject({
  id: z.string().regex(/^[a-z0-9]{32}$/, 'a project id is 32 lowercase letters and digits'),
  region: id,
  availabilityZones: z.array(id).default([]),
  vpcs: z.array(hwVpc).default([]),
  subnets: z.array(hwSubnet).default([]),
  loadBalancers: z.array(hwLoadBalancer).default([]),
  pools: z.array(hwPool).default([]),
  servers: z.array(hwServer).default([]),
  serverRanges: z.array(hwServerRange).default([]),
  /** Addresses of IP-type (cross-VPC) backends that are down: their members are OFFLINE. */
  downAddresses: z.array(ipv4).default([]),
  /** This project's ELB quotas, where they differ from the world's (quotas are per project, never per pool). */
  quotas: z
    .strictObject({
      membersPerPool: z.number().int().min(-1).optional(),
      members: z.number().int().min(-1).optional(),
    })
    .default({}),
});

/** The ECS metadata service's `securitykey` stand-in: temporary AK/SK of the agency attached to this "instance". */
const hwMetadata = z.strictObject({
  /** The agency's name; none: securitykey answers 404, as an instance without an agency does. */
  agency: z
    .string()
    .regex(/^[\w.@-]{1,64}$/, 'an agency name')
    .optional(),
  /** Lifetime of every issued key. */
  keyLifetimeMs: ms.default(24 * 3600 * 1000),
  /** Require the IMDSv2 token (`X-Metadata-Token`); otherwise a request without one is answered too. */
  tokenRequired: z.boolean().default(false),
});

export const huaweiWorldSchema = z.strictObject({
  credentials: z.array(hwCredential).max(1000).default([]),
  metadata: hwMetadata.default({ keyLifetimeMs: 24 * 3600 * 1000, tokenRequired: false }),
  tokens: z.array(hwToken).max(1000).default([]),
  /** API gateway flow control per API (`APIGW.0308`); the documented default is 200 calls per second per API. */
  rateLimit: rateLimitSchema.default({ requestsPerSecond: 200, burst: 200 }),
  /** Member API rations per project and API (`APIGW.0308`): the documented ones unless set. */
  apiLimits: apiLimitsSchema.default(HUAWEI_API_LIMITS),
  /** Consecutive AK/SK failures that lock the key for 5 minutes (0: never). */
  lockAfterFailures: z.number().int().min(0).default(5),
  timings: z
    .strictObject({
      /** How long a member of a monitored pool stays INITIAL before ONLINE/OFFLINE. */
      initialMs: ms.default(1000),
    })
    .default({ initialMs: 1000 }),
  quotas: z
    .strictObject({
      /** members_per_pool: members in any one pool of a project (-1: unlimited, as ListQuotaDetails says it). */
      membersPerPool: z.number().int().min(-1).default(500),
      /** member: members in all pools of a project (-1: unlimited). */
      members: z.number().int().min(-1).default(10_000),
    })
    .default({ membersPerPool: 500, members: 10_000 }),
  projects: z.array(hwProject).min(1),
  faults: faultPlanSchema.optional(),
});

export type HuaweiWorld = z.output<typeof huaweiWorldSchema>;
export type HuaweiWorldInput = z.input<typeof huaweiWorldSchema>;
export type HuaweiProjectWorld = z.output<typeof hwProject>;
export type HuaweiPoolWorld = z.output<typeof hwPool>;

// ---------------------------------------------------------------- the whole world

export const worldSchema = z.strictObject({
  alibaba: alibabaWorldSchema.optional(),
  huawei: huaweiWorldSchema.optional(),
});

export type WorldInput = z.input<typeof worldSchema>;

export interface World {
  alibaba: AlibabaWorld;
  huawei: HuaweiWorld;
}

export class WorldError extends Error {
  override name = 'WorldError';
}

function describeIssues(error: z.ZodError, where: string): string {
  const lines = error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return `${where} is not a valid world:\n${lines.join('\n')}`;
}

/** Validates a world; provider sections left out come from `fallback` (the default world). */
export function parseWorld(input: unknown, fallback: WorldInput, where = 'world'): World {
  const parsed = worldSchema.safeParse(input ?? {});
  if (!parsed.success) throw new WorldError(describeIssues(parsed.error, where));
  const alibaba = parsed.data.alibaba ?? alibabaWorldSchema.parse(fallback.alibaba);
  const huawei = parsed.data.huawei ?? huaweiWorldSchema.parse(fallback.huawei);
  return { alibaba, huawei };
}

/** Reads a world file: `.json`, `.yaml`/`.yml`, or anything else tried as JSON, then YAML. */
export function readWorldFile(path: string, fallback: WorldInput): World {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new WorldError(`cannot read world file ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  const ext = extname(path).toLowerCase();
  try {
    if (ext === '.json') data = JSON.parse(text);
    else if (ext === '.yaml' || ext === '.yml') data = parseYaml(text);
    else {
      try {
        data = JSON.parse(text);
      } catch {
        data = parseYaml(text);
      }
    }
  } catch (error) {
    throw new WorldError(
      `world file ${path} is not valid ${ext === '.json' ? 'JSON' : 'JSON or YAML'}: ${(error as Error).message}`,
    );
  }
  return parseWorld(data, fallback, path);
}
