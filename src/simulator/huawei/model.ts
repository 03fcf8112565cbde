// The ELB v3 model: projects, subnets, load balancers, pools and members. No HTTP here. Batch calls validate
// every item first and then apply all or nothing; members settle lazily from simulated timestamps.
import { createHash, randomUUID } from 'node:crypto';
import type { SimClock } from '../common/clock.js';
import { inCidr, isIPv4, isIPv6, isPrivateIpv4, rangeAddress } from '../common/ip.js';
import { WorldError, type HuaweiPoolWorld, type HuaweiProjectWorld, type HuaweiWorld } from '../common/world.js';
import { Elb8902, Elb8904, Elb8905, Elb8907, Elb8933, Elb8938, Elb8939 } from './errors.js';

export type OperatingStatus = 'INITIAL' | 'ONLINE' | 'OFFLINE' | 'NO_MONITOR';

/** IP-type (cross-VPC) members need one of these pool protocols (ELB.8938). */
const IP_MEMBER_PROTOCOLS = new Set(['UDP', 'TCP', 'TLS', 'HTTP', 'HTTPS', 'QUIC', 'GRPC']);

/** One member option of batch-add, as the front parsed it (types checked, unknown attributes refused). */
export interface MemberOption {
  address: string;
  protocolPort?: number;
  subnetCidrId?: string;
  weight?: number;
  name?: string;
  availabilityZone?: string;
}

/** One item of batch-delete: by id, or by address and port. */
export type DeleteOption = { id: string } | { address: string; protocolPort: number };

export interface ChangeOptions {
  settleFactor?: number;
  settleExtraMs?: number;
  /** Members stay INITIAL for ever. */
  neverAvailable?: boolean;
}

interface Member {
  seq: number;
  id: string;
  poolId: string;
  projectId: string;
  name: string;
  address: string;
  protocolPort: number;
  subnetCidrId: string | null;
  weight: number;
  availabilityZone: string;
  memberType: 'ip' | 'instance';
  createdAt: number;
  updatedAt: number;
  /** INITIAL until then (Infinity: for ever). */
  settleAt: number;
}

interface Server {
  id: string;
  address: string;
  subnetId: string;
  down: boolean;
}

interface LoadBalancer {
  id: string;
  name: string;
  vpcId: string;
  vipSubnetId: string;
  vipAddress: string;
  ipTargetEnable: boolean;
  availabilityZones: string[];
  createdAt: number;
}

interface Pool {
  def: HuaweiPoolWorld;
  projectId: string;
  lb: LoadBalancer;
  createdAt: number;
  /** Insertion order is creation (`seq`) order. */
  members: Map<string, Member>;
}

interface Project {
  def: HuaweiProjectWorld;
  subnets: Map<string, { id: string; vpcId: string; cidr: string }>;
  loadBalancers: Map<string, LoadBalancer>;
  pools: Map<string, Pool>;
  /** `${subnetId}|${address}` → server */
  servers: Map<string, Server>;
  downAddresses: Set<string>;
  vipOwners: Map<string, string>;
}

export interface MemberView {
  id: string;
  name: string;
  project_id: string;
  admin_state_up: boolean;
  subnet_cidr_id: string | null;
  protocol_port: number;
  weight: number;
  address: string;
  ip_version: 'v4';
  availability_zone: string;
  operating_status: OperatingStatus;
  status: never[];
  /** Why the health check failed; null while it has not (every member carries the field, as the SDK's model has it). */
  reason: { reason_code: string; expected_response: string | null; healthcheck_response: string | null } | null;
  member_type: 'ip' | 'instance';
  instance_id: string;
  created_at: string;
  updated_at: string;
}

export interface BatchMemberView extends Omit<MemberView, 'ip_version' | 'availability_zone'> {
  port_id: string;
  ret_status: 'successful' | 'existed';
}

export interface ListMembersQuery {
  marker?: string;
  limit: number;
  pageReverse: boolean;
  filters: Map<string, string[]>;
  adminStateUp?: boolean;
}

/** A stable UUID-shaped id for a resource the world does not model (a load balancer's port, its flavors). */
const derivedId = (seed: string): string => {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
const time = (t: number): string => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const memberKey = (address: string, port: number): string => `${address}|${port}`;

export class ElbModel {
  #world!: HuaweiWorld;
  #projects = new Map<string, Project>();
  #seq = 0;
  timings!: HuaweiWorld['timings'];

  constructor(
    world: HuaweiWorld,
    private readonly clock: SimClock,
  ) {
    this.reset(world);
  }

  get world(): HuaweiWorld {
    return this.#world;
  }

  reset(world: HuaweiWorld): void {
    this.#world = world;
    this.timings = { ...world.timings };
    this.#projects.clear();
    this.#seq = 0;
    const now = this.clock.now();
    for (const def of world.projects) {
      if (this.#projects.has(def.id)) throw new WorldError(`huawei: project ${def.id} is declared twice`);
      const p: Project = {
        def,
        subnets: new Map(),
        loadBalancers: new Map(),
        pools: new Map(),
        servers: new Map(),
        downAddresses: new Set(def.downAddresses),
        vipOwners: new Map(),
      };
      this.#projects.set(def.id, p);
      const vpcs = new Set(def.vpcs.map((v) => v.id));
      for (const s of def.subnets) {
        if (!vpcs.has(s.vpcId))
          throw new WorldError(`huawei: subnet ${s.id} is in VPC ${s.vpcId}, which project ${def.id} does not declare`);
        p.subnets.set(s.id, { id: s.id, vpcId: s.vpcId, cidr: s.cidr });
      }
      for (const lb of def.loadBalancers) {
        if (!p.subnets.has(lb.vipSubnetId))
          throw new WorldError(
            `huawei: load balancer ${lb.id} uses subnet ${lb.vipSubnetId}, which project ${def.id} does not declare`,
          );
        p.loadBalancers.set(lb.id, { ...lb, createdAt: now });
        p.vipOwners.set(lb.vipAddress, lb.id);
      }
      const addServer = (s: Server) => {
        if (!p.subnets.has(s.subnetId))
          throw new WorldError(
            `huawei: server ${s.id} is in subnet ${s.subnetId}, which project ${def.id} does not declare`,
          );
        p.servers.set(`${s.subnetId}|${s.address}`, s);
      };
      for (const s of def.servers) addServer({ id: s.id, address: s.address, subnetId: s.subnetId, down: s.down });
      for (const r of def.serverRanges) {
        for (let i = 0; i < r.count; i++) {
          addServer({
            id: `${r.idPrefix}${String(r.start + i).padStart(r.digits, '0')}`,
            address: rangeAddress(r.firstIp, i, r.perBlock),
            subnetId: r.subnetId,
            down: r.downEvery !== undefined && i % r.downEvery === r.downEvery - 1,
          });
        }
      }
      for (const pd of def.pools) {
        const lb = p.loadBalancers.get(pd.loadBalancerId);
        if (!lb)
          throw new WorldError(
            `huawei: pool ${pd.id} uses load balancer ${pd.loadBalancerId}, which project ${def.id} does not declare`,
          );
        const pool: Pool = { def: pd, projectId: def.id, lb, createdAt: now, members: new Map() };
        p.pools.set(pd.id, pool);
        const seeds: MemberOption[] = pd.members.map((m) => ({
          address: m.address,
          protocolPort: m.protocolPort,
          weight: m.weight,
          ...(m.subnetId ? { subnetCidrId: m.subnetId } : {}),
          ...(m.name ? { name: m.name } : {}),
          ...(m.availabilityZone ? { availabilityZone: m.availabilityZone } : {}),
        }));
        for (const r of pd.memberRanges) {
          for (let i = 0; i < r.count; i++) {
            seeds.push({
              address: rangeAddress(r.firstIp, i, r.perBlock),
              protocolPort: r.protocolPort,
              ...(r.subnetId ? { subnetCidrId: r.subnetId } : {}),
              ...(r.namePrefix ? { name: `${r.namePrefix}${i}` } : {}),
            });
          }
        }
        for (const seed of seeds) {
          const m = this.#newMember(p, pool, seed, now, now);
          if (pool.members.has(memberKey(m.address, m.protocolPort)))
            throw new WorldError(`huawei: pool ${pd.id} seeds ${m.address}:${m.protocolPort} twice`);
          pool.members.set(memberKey(m.address, m.protocolPort), m);
        }
      }
    }
  }

  #newMember(p: Project, pool: Pool, o: MemberOption, now: number, settleAt: number): Member {
    return {
      seq: ++this.#seq,
      id: randomUUID(),
      poolId: pool.def.id,
      projectId: p.def.id,
      name: o.name ?? '',
      address: o.address,
      protocolPort: o.protocolPort ?? 0,
      subnetCidrId: o.subnetCidrId ?? null,
      weight: o.weight ?? 1,
      availabilityZone: o.availabilityZone ?? '',
      memberType: o.subnetCidrId ? 'instance' : 'ip',
      createdAt: now,
      updatedAt: now,
      settleAt,
    };
  }

  #project(projectId: string): Project {
    const p = this.#projects.get(projectId);
    if (!p) throw new Elb8904('project', projectId);
    return p;
  }

  hasProject(projectId: string): boolean {
    return this.#projects.has(projectId);
  }

  #pool(projectId: string, poolId: string): { p: Project; pool: Pool } {
    const p = this.#project(projectId);
    const pool = p.pools.get(poolId);
    if (!pool) throw new Elb8904('pool', poolId);
    return { p, pool };
  }

  /** A project's quotas: its own where it sets them, else the world's. -1 is unlimited. */
  #quotas(p: Project): { membersPerPool: number; members: number } {
    return {
      membersPerPool: p.def.quotas.membersPerPool ?? this.#world.quotas.membersPerPool,
      members: p.def.quotas.members ?? this.#world.quotas.members,
    };
  }

  /**
   * ListQuotaDetails for the quota keys the simulator models (`members_per_pool`, `member`); other keys are left
   * out of the answer. `used` of members_per_pool is the fullest pool's count (the documents do not define it).
   */
  quotaDetails(
    projectId: string,
    keys: readonly string[],
  ): Array<{ quota_key: string; quota_limit: number; used: number; unit: 'count' }> {
    const p = this.#project(projectId);
    const quotas = this.#quotas(p);
    let total = 0;
    let fullest = 0;
    for (const pool of p.pools.values()) {
      total += pool.members.size;
      fullest = Math.max(fullest, pool.members.size);
    }
    const all = [
      { quota_key: 'members_per_pool', quota_limit: quotas.membersPerPool, used: fullest, unit: 'count' as const },
      { quota_key: 'member', quota_limit: quotas.members, used: total, unit: 'count' as const },
    ];
    return keys.length === 0 ? all : all.filter((q) => keys.includes(q.quota_key));
  }

  // ------------------------------------------------------------------ status

  #status(
    p: Project,
    pool: Pool,
    m: Member,
    now: number,
  ): { operating: OperatingStatus; adminStateUp: boolean; instanceId: string; unhealthy: boolean } {
    let instanceId = '';
    let down = false;
    let missing = false;
    if (m.memberType === 'instance') {
      const server = p.servers.get(`${m.subnetCidrId}|${m.address}`);
      if (server) {
        instanceId = server.id;
        down = server.down;
      } else missing = true;
    } else down = p.downAddresses.has(m.address);
    // An instance-type member without an ECS is OFFLINE at once (the seed's example); health checks decide the rest.
    if (missing) return { operating: 'OFFLINE', adminStateUp: false, instanceId, unhealthy: false };
    const monitored = pool.def.healthMonitorId !== undefined;
    // INITIAL means "monitored, no health data yet"; without a monitor only a never-settling fault shows it.
    if (now < m.settleAt && (monitored || m.settleAt === Number.POSITIVE_INFINITY))
      return { operating: 'INITIAL', adminStateUp: true, instanceId, unhealthy: false };
    if (down) return { operating: 'OFFLINE', adminStateUp: true, instanceId, unhealthy: monitored };
    return { operating: monitored ? 'ONLINE' : 'NO_MONITOR', adminStateUp: true, instanceId, unhealthy: false };
  }

  #view(p: Project, pool: Pool, m: Member, now: number): MemberView {
    const s = this.#status(p, pool, m, now);
    const view: MemberView = {
      id: m.id,
      name: m.name,
      project_id: m.projectId,
      admin_state_up: s.adminStateUp,
      subnet_cidr_id: m.subnetCidrId,
      protocol_port: m.protocolPort,
      weight: m.weight,
      address: m.address,
      ip_version: 'v4',
      availability_zone: m.availabilityZone,
      operating_status: s.operating,
      status: [],
      // expected_response and healthcheck_response are set only for RESPONSE_MISMATCH (an HTTP check's status code),
      // which the simulated TCP checks never give
      reason: s.unhealthy
        ? { reason_code: 'CONNECT_TIMEOUT', expected_response: null, healthcheck_response: null }
        : null,
      member_type: m.memberType,
      instance_id: s.instanceId,
      created_at: time(m.createdAt),
      updated_at: time(m.updatedAt),
    };
    return view;
  }

  #batchView(p: Project, pool: Pool, m: Member, now: number, ret: 'successful' | 'existed'): BatchMemberView {
    const { ip_version: _v, availability_zone: _az, ...rest } = this.#view(p, pool, m, now);
    return { ...rest, port_id: '', ret_status: ret };
  }

  // ------------------------------------------------------------------ batch-add

  batchCreateMembers(
    projectId: string,
    poolId: string,
    options: readonly MemberOption[],
    change: ChangeOptions = {},
  ): { members: BatchMemberView[]; created: number } {
    const now = this.clock.now();
    const { p, pool } = this.#pool(projectId, poolId);
    const lb = pool.lb;
    const def = pool.def;
    for (const [i, o] of options.entries()) {
      const at = `members[${i}]`;
      if (isIPv6(o.address)) throw new Elb8933();
      if (o.subnetCidrId !== undefined) {
        const subnet = p.subnets.get(o.subnetCidrId);
        if (!subnet) throw new Elb8904('subnet', o.subnetCidrId);
        if (!isIPv4(o.address)) throw Elb8902.invalid(`${at}.address`, `${o.address} is not an IPv4 address.`);
        if (subnet.vpcId !== lb.vpcId)
          throw Elb8902.invalid(
            `${at}.subnet_cidr_id`,
            `subnet ${subnet.id} is not in VPC ${lb.vpcId} of load balancer ${lb.id}.`,
          );
        if (def.protocol === 'IP' && subnet.id === lb.vipSubnetId)
          throw Elb8902.invalid(
            `${at}.subnet_cidr_id`,
            'a member of a gateway load balancer must be in another subnet than the load balancer.',
          );
        if (!inCidr(subnet.cidr, o.address))
          throw Elb8902.invalid(`${at}.address`, `${o.address} is not in subnet ${subnet.id} (${subnet.cidr}).`);
        if (def.type === 'ip')
          throw Elb8902.invalid(
            `${at}.subnet_cidr_id`,
            `pool ${def.id} has type ip and takes IP-type members only (no subnet_cidr_id).`,
          );
        if (o.availabilityZone !== undefined)
          throw Elb8902.invalid(`${at}.availability_zone`, 'only IP-type members (without subnet_cidr_id) may set it.');
      } else {
        if (!IP_MEMBER_PROTOCOLS.has(def.protocol)) throw new Elb8938();
        if (!lb.ipTargetEnable) throw new Elb8939();
        if (!isIPv4(o.address) || !isPrivateIpv4(o.address))
          throw Elb8902.invalid(`${at}.address`, `an IP-type member needs a private IPv4 address; got ${o.address}.`);
        if (def.azAffinity && !o.availabilityZone)
          throw Elb8902.invalid(
            `${at}.availability_zone`,
            `pool ${def.id} has AZ affinity: IP-type members need an availability zone.`,
          );
        if (o.availabilityZone !== undefined && !p.def.availabilityZones.includes(o.availabilityZone)) {
          throw Elb8902.invalid(
            `${at}.availability_zone`,
            `${o.availabilityZone} is not an availability zone of ${p.def.region}.`,
          );
        }
      }
      if (def.anyPortEnable) {
        // Port passthrough: protocol_port is ignored.
      } else if (o.protocolPort === undefined) throw Elb8902.invalid(`${at}.protocol_port`, 'it is required.');
      else if (def.protocol === 'IP' && o.protocolPort !== 0)
        throw Elb8902.invalid(`${at}.protocol_port`, 'it must be 0 in a pool with protocol IP.');
      else if (def.protocol !== 'IP' && (o.protocolPort < 1 || o.protocolPort > 65535))
        throw Elb8902.invalid(`${at}.protocol_port`, 'valid range 1-65535.');
      const owner = p.vipOwners.get(o.address);
      if (owner !== undefined)
        throw new Elb8907(`The IP address ${o.address} is already in use by load balancer ${owner}.`);
    }

    // Which are new, which exist (a repeat within the call reports the member created earlier in it).
    const plan: Array<{ key: string; option: MemberOption; existing?: Member }> = [];
    const fresh = new Set<string>();
    for (const o of options) {
      const port = def.anyPortEnable ? (o.protocolPort ?? 0) : (o.protocolPort as number);
      const key = memberKey(o.address, port);
      const existing = pool.members.get(key);
      if (existing) plan.push({ key, option: o, existing });
      else if (fresh.has(key)) plan.push({ key, option: o });
      else {
        fresh.add(key);
        plan.push({ key, option: { ...o, protocolPort: port } });
      }
    }
    const quotas = this.#quotas(p);
    if (quotas.membersPerPool >= 0 && pool.members.size + fresh.size > quotas.membersPerPool)
      throw new Elb8905('members_per_pool');
    let total = 0;
    for (const pp of p.pools.values()) total += pp.members.size;
    if (quotas.members >= 0 && total + fresh.size > quotas.members) throw new Elb8905('member');

    const settle = change.neverAvailable
      ? Number.POSITIVE_INFINITY
      : now + this.timings.initialMs * (change.settleFactor ?? 1) + (change.settleExtraMs ?? 0);
    const out: BatchMemberView[] = [];
    let created = 0;
    for (const step of plan) {
      if (step.existing) {
        out.push(this.#batchView(p, pool, step.existing, now, 'existed'));
        continue;
      }
      const already = pool.members.get(step.key);
      if (already) {
        out.push(this.#batchView(p, pool, already, now, 'existed'));
        continue;
      }
      const m = this.#newMember(p, pool, step.option, now, settle);
      pool.members.set(step.key, m);
      created++;
      out.push(this.#batchView(p, pool, m, now, 'successful'));
    }
    return { members: out, created };
  }

  // ------------------------------------------------------------------ batch-delete

  batchDeleteMembers(
    projectId: string,
    poolId: string,
    items: readonly DeleteOption[],
  ): { members: Array<{ id: string; ret_status: 'successful' | 'not found' }>; deleted: number } {
    const { pool } = this.#pool(projectId, poolId);
    if (pool.def.memberDeletionProtection) throw new Elb8907(`Pool ${poolId} has member deletion protection enabled.`);
    const out: Array<{ id: string; ret_status: 'successful' | 'not found' }> = [];
    let deleted = 0;
    for (const item of items) {
      let key: string | undefined;
      if ('id' in item) {
        for (const [k, m] of pool.members) {
          if (m.id === item.id) {
            key = k;
            break;
          }
        }
      } else if (pool.members.has(memberKey(item.address, item.protocolPort)))
        key = memberKey(item.address, item.protocolPort);
      const m = key === undefined ? undefined : pool.members.get(key);
      if (key === undefined || !m) {
        out.push({ id: 'id' in item ? item.id : '', ret_status: 'not found' });
        continue;
      }
      pool.members.delete(key);
      deleted++;
      out.push({ id: m.id, ret_status: 'successful' });
    }
    return { members: out, deleted };
  }

  // ------------------------------------------------------------------ reads

  listMembers(
    projectId: string,
    poolId: string,
    q: ListMembersQuery,
  ): { members: MemberView[]; pageInfo: { previous_marker?: string; next_marker?: string; current_count: number } } {
    const now = this.clock.now();
    const { p, pool } = this.#pool(projectId, poolId);
    const all = [...pool.members.values()];
    const filtering = q.filters.size > 0 || q.adminStateUp !== undefined;
    const matches = (m: Member): boolean => {
      if (!filtering) return true;
      const v = this.#view(p, pool, m, now);
      for (const [name, values] of q.filters) {
        const field = (v as unknown as Record<string, unknown>)[name];
        if (!values.includes(field === null || field === undefined ? '' : String(field))) return false;
      }
      return q.adminStateUp === undefined || v.admin_state_up === q.adminStateUp;
    };
    let candidates: Member[];
    if (q.marker !== undefined) {
      const at = all.findIndex((m) => m.id === q.marker);
      if (at < 0) throw Elb8902.invalid('marker', `${q.marker} is not a member of pool ${poolId}.`);
      candidates = q.pageReverse ? all.slice(0, at) : all.slice(at + 1);
    } else candidates = all;
    const filtered = filtering ? candidates.filter(matches) : candidates;
    const page = (
      q.pageReverse ? filtered.slice(Math.max(0, filtered.length - q.limit)) : filtered.slice(0, q.limit)
    ).map((m) => this.#view(p, pool, m, now));
    const first = page[0];
    const last = page[page.length - 1];
    const pageInfo: { previous_marker?: string; next_marker?: string; current_count: number } = {
      current_count: page.length,
    };
    // previous_marker is the page's first record, so an empty page has none; next_marker only while records follow,
    // so a list that ends on a full page costs no empty last page (the OTC example's last page has none)
    if (first) pageInfo.previous_marker = first.id;
    if (last && filtered.length > page.length) pageInfo.next_marker = last.id;
    return { members: page, pageInfo };
  }

  showMember(projectId: string, poolId: string, memberId: string): MemberView {
    const now = this.clock.now();
    const { p, pool } = this.#pool(projectId, poolId);
    for (const m of pool.members.values()) if (m.id === memberId) return this.#view(p, pool, m, now);
    throw new Elb8904('member', memberId);
  }

  showPool(projectId: string, poolId: string): Record<string, unknown> {
    const { pool } = this.#pool(projectId, poolId);
    const d = pool.def;
    return {
      id: d.id,
      name: d.name,
      description: '',
      project_id: pool.projectId,
      enterprise_project_id: '0',
      admin_state_up: true,
      protocol: d.protocol,
      lb_algorithm: d.lbAlgorithm,
      healthmonitor_id: d.healthMonitorId ?? '',
      ip_version: 'v4',
      type: d.type,
      vpc_id: pool.lb.vpcId,
      any_port_enable: d.anyPortEnable,
      member_deletion_protection_enable: d.memberDeletionProtection,
      // with affinity on, the count threshold of 1 is in force (exactly one of the two thresholds is -1 when enabled)
      az_affinity: {
        enable: d.azAffinity,
        az_minimum_healthy_member_percentage: -1,
        az_minimum_healthy_member_count: d.azAffinity ? 1 : -1,
        az_unhealthy_fallback_strategy: 'forward_to_all_member_of_local_az',
      },
      listeners: [],
      loadbalancers: [{ id: pool.lb.id }],
      members: [...pool.members.values()].map((m) => ({ id: m.id })),
      // no session persistence configured: null, as ELB shows it; the other features are there, switched off
      session_persistence: null,
      slow_start: { enable: false, duration: 30 },
      connection_drain: { enable: false, timeout: 300 },
      pool_health: { minimum_healthy_member_count: 0 },
      public_border_group: 'center',
      // a CID hash strategy belongs to QUIC pools only
      quic_cid_hash_strategy: null,
      protection_status: 'nonProtection',
      protection_reason: '',
      created_at: time(pool.createdAt),
      updated_at: time(pool.createdAt),
    };
  }

  showLoadBalancer(projectId: string, loadBalancerId: string): Record<string, unknown> {
    const p = this.#project(projectId);
    const lb = p.loadBalancers.get(loadBalancerId);
    if (!lb) throw new Elb8904('loadbalancer', loadBalancerId);
    const pools = [...p.pools.values()].filter((pool) => pool.lb.id === lb.id);
    // a load balancer serving IP-protocol pools is a gateway load balancer, with a gateway flavor and no L4/L7 ones
    const gateway = pools.some((pool) => pool.def.protocol === 'IP');
    return {
      id: lb.id,
      name: lb.name,
      description: '',
      project_id: p.def.id,
      provisioning_status: 'ACTIVE',
      operating_status: 'ONLINE',
      admin_state_up: true,
      guaranteed: true,
      vpc_id: lb.vpcId,
      vip_subnet_cidr_id: lb.vipSubnetId,
      vip_address: lb.vipAddress,
      ip_target_enable: lb.ipTargetEnable,
      availability_zone_list: lb.availabilityZones,
      elb_virsubnet_ids: [lb.vipSubnetId],
      pools: pools.map((pool) => ({ id: pool.def.id })),
      listeners: [],
      deletion_protection_enable: false,
      protection_status: 'nonProtection',
      protection_reason: '',
      provider: 'vlb',
      vip_port_id: derivedId(`port:${lb.id}`),
      tags: [],
      eips: [],
      publicips: [],
      global_eips: [],
      // IPv4 only: the IPv6 fields of a dual-stack load balancer are null
      ipv6_vip_address: null,
      ipv6_vip_virsubnet_id: null,
      ipv6_vip_port_id: null,
      elb_virsubnet_type: 'ipv4',
      enterprise_project_id: '0',
      billing_info: '',
      charge_mode: 'flavor',
      l4_flavor_id: gateway ? '' : derivedId(`l4-flavor:${lb.id}`),
      l4_scale_flavor_id: '',
      l7_flavor_id: '',
      l7_scale_flavor_id: '',
      gw_flavor_id: gateway ? derivedId(`gw-flavor:${lb.id}`) : '',
      loadbalancer_type: gateway ? 'gateway' : null,
      autoscaling: { enable: false, min_l7_flavor_id: '' },
      frozen_scene: '',
      public_border_group: 'center',
      service_lb_mode: 'lb',
      instance_type: '',
      instance_id: '',
      proxy_protocol_extensions: [],
      waf_failure_action: 'discard',
      log_group_id: '',
      log_topic_id: '',
      custom_qos_limit: null,
      created_at: time(lb.createdAt),
      updated_at: time(lb.createdAt),
    };
  }

  snapshot(): unknown {
    const now = this.clock.now();
    return {
      timings: this.timings,
      projects: [...this.#projects.values()].map((p) => ({
        id: p.def.id,
        region: p.def.region,
        quotas: this.#quotas(p),
        subnets: [...p.subnets.values()],
        loadBalancers: [...p.loadBalancers.values()].map((lb) => ({
          id: lb.id,
          name: lb.name,
          vipAddress: lb.vipAddress,
          ipTargetEnable: lb.ipTargetEnable,
        })),
        servers: p.servers.size,
        pools: [...p.pools.values()].map((pool) => {
          const byStatus: Record<string, number> = {};
          const members = [...pool.members.values()].map((m) => {
            const v = this.#view(p, pool, m, now);
            byStatus[v.operating_status] = (byStatus[v.operating_status] ?? 0) + 1;
            return {
              id: m.id,
              address: m.address,
              protocol_port: m.protocolPort,
              member_type: m.memberType,
              operating_status: v.operating_status,
            };
          });
          return {
            id: pool.def.id,
            name: pool.def.name,
            protocol: pool.def.protocol,
            loadBalancerId: pool.lb.id,
            healthMonitor: pool.def.healthMonitorId !== undefined,
            memberCount: pool.members.size,
            byStatus,
            members,
          };
        }),
      })),
    };
  }
}
