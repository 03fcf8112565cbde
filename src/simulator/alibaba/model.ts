// The GWLB model: regions, inventory, server groups and their state machines. No HTTP here; the front
// parses requests into these calls and renders what they return or throw.
//
// State is computed lazily from simulated timestamps, so a manual clock (advanced by tests) and the real clock
// behave the same: a group is Configuring until `configuringUntil`, a server Adding until `availableAt`, etc.
import { createHash } from 'node:crypto';
import type { SimClock } from '../common/clock.js';
import { isIPv4, isPrivateOrSharedIpv4, rangeAddress } from '../common/ip.js';
import { WorldError, type AlibabaGroupWorld, type AlibabaRegionWorld, type AlibabaWorld } from '../common/world.js';
import {
  ConflictServer,
  DryRunOperation,
  DuplicatedParamServer,
  IllegalParamEcsNetworkType,
  IllegalParamIP,
  IllegalParamServerIp,
  IncorrectStatusEni,
  IncorrectStatusServerGroup,
  InvalidParameter,
  MismatchIP,
  MismatchServerType,
  MismatchVpcId,
  QuotaExceededServerGroupAzServersNum,
  QuotaExceededServerGroupServersNum,
  ResourceInUseEni,
  ResourceInUseIP,
  ResourceNotFoundBackendServer,
  ResourceNotFoundEci,
  ResourceNotFoundEcs,
  ResourceNotFoundEni,
  ResourceNotFoundServerGroup,
} from './errors.js';

export type ServerType = 'Ecs' | 'Eni' | 'Eci' | 'Ip';
export type ServerStatus = 'Adding' | 'Available' | 'Removing' | 'Draining';
export type GroupStatus = 'Creating' | 'Configuring' | 'Available';

/** One entry of `Servers` as the front parsed it. */
export interface ServerSpec {
  serverId: string;
  serverType: ServerType;
  port: number;
  serverIp?: string;
}

/** How a change settles; faults slow it down or keep servers from ever becoming Available. */
export interface ChangeOptions {
  dryRun?: boolean;
  settleFactor?: number;
  settleExtraMs?: number;
  neverAvailable?: boolean;
}

interface Member {
  seq: number;
  groupId: string;
  serverId: string;
  serverType: ServerType;
  port: number;
  serverIp: string;
  /** Zone of an instance-type backend (Ip servers have none and do not count against zone quotas). */
  zoneId: string | undefined;
  phase: 'adding' | 'removing';
  /** adding: Available from then on (Infinity: never). */
  availableAt: number;
  /** removing: Removing until then, Draining until `goneAt`, then gone. */
  removingUntil: number;
  goneAt: number;
}

interface Group {
  seq: number;
  regionId: string;
  def: AlibabaGroupWorld;
  createdAt: number;
  creatingUntil: number;
  configuringUntil: number;
  /** In insertion order, which is `seq` order: re-adding a Draining server keeps its entry. */
  members: Map<string, Member>;
  /** Members in the removing phase: the sweep has nothing to do while this is 0. */
  removing: number;
}

interface Backend {
  kind: 'Ecs' | 'Eni' | 'Eci';
  id: string;
  vpcId: string;
  zoneId: string;
  ips: string[];
  networkType?: 'vpc' | 'classic';
  status?: string;
  usedByLoadBalancerId?: string;
}

interface Region {
  id: string;
  def: AlibabaRegionWorld;
  vpcs: Set<string>;
  backends: Map<string, Backend>;
  loadBalancerIps: Set<string>;
}

export interface ServerView {
  ServerGroupId: string;
  ServerId: string;
  ServerIp: string;
  ServerType: ServerType;
  Port: number;
  Status: ServerStatus;
}

export interface GroupView {
  ServerGroupId: string;
  ServerGroupName: string;
  ServerGroupStatus: GroupStatus;
  ServerGroupType: 'Instance' | 'Ip';
  Protocol: string;
  Scheduler: string;
  ServerFailoverMode: string;
  ServerCount: number;
  VpcId: string;
  ResourceGroupId: string;
  CreateTime: string;
  RelatedLoadBalancerIds: string[];
  Tags: Array<{ Key: string; Value: string }>;
  ConnectionDrainConfig: { ConnectionDrainEnabled: boolean; ConnectionDrainTimeout: number };
  HealthCheckConfig: {
    HealthCheckEnabled: boolean;
    HealthCheckProtocol: string;
    HealthCheckConnectPort: number;
    HealthCheckConnectTimeout: number;
    HealthCheckInterval: number;
    HealthyThreshold: number;
    UnhealthyThreshold: number;
    HealthCheckPath: string;
    HealthCheckDomain: string;
    HealthCheckHttpCode: string[];
    /** The expected answer and the request of a UDP health check (the SDK's model has both; empty for TCP). */
    HealthCheckExp: string;
    HealthCheckReq: string;
  };
}

export interface Page<T> {
  items: T[];
  nextToken: string;
  totalCount: number;
  maxResults: number;
}

export interface ListServerGroupsQuery {
  regionId?: string;
  serverGroupIds?: string[];
  serverGroupNames?: string[];
  serverGroupType?: 'Instance' | 'Ip';
  vpcId?: string;
  resourceGroupId?: string;
  tags?: Array<{ key: string; value?: string }>;
  maxResults: number;
  nextToken?: string;
  skip?: number;
}

export interface ListServerGroupServersQuery {
  regionId?: string;
  serverGroupId?: string;
  serverIds?: string[];
  serverIps?: string[];
  maxResults: number;
  nextToken?: string;
  skip?: number;
}

const memberKey = (type: string, id: string, port: number): string => `${type}|${id}|${port}`;
const describe = (s: { serverType: string; serverId: string; port: number }): string =>
  `${s.serverType}:${s.serverId}:${s.port}`;
const ENI_ADDABLE = new Set(['InUse', 'Available']);

export class GwlbModel {
  #world!: AlibabaWorld;
  #regions = new Map<string, Region>();
  #groups = new Map<string, Group>();
  #seq = 0;
  timings!: AlibabaWorld['timings'];

  constructor(
    world: AlibabaWorld,
    private readonly clock: SimClock,
  ) {
    this.reset(world);
  }

  get world(): AlibabaWorld {
    return this.#world;
  }

  /** Rebuilds every region, inventory and group from `world`; members seeded by the world start Available. */
  reset(world: AlibabaWorld): void {
    this.#world = world;
    this.timings = { ...world.timings };
    this.#regions.clear();
    this.#groups.clear();
    this.#seq = 0;
    const now = this.clock.now();
    for (const def of world.regions) {
      if (this.#regions.has(def.id)) throw new WorldError(`alibaba: region ${def.id} is declared twice`);
      const region: Region = {
        id: def.id,
        def,
        vpcs: new Set(def.vpcs.map((v) => v.id)),
        backends: new Map(),
        loadBalancerIps: new Set(),
      };
      this.#regions.set(def.id, region);
      const addBackend = (b: Backend) => {
        if (region.backends.has(b.id)) throw new WorldError(`alibaba: backend ${b.id} is declared twice in ${def.id}`);
        if (!region.vpcs.has(b.vpcId))
          throw new WorldError(`alibaba: ${b.id} is in VPC ${b.vpcId}, which ${def.id} does not declare`);
        region.backends.set(b.id, b);
      };
      for (const e of def.ecs)
        addBackend({ kind: 'Ecs', id: e.id, vpcId: e.vpcId, zoneId: e.zoneId, ips: e.ips, networkType: e.networkType });
      for (const r of def.ecsRanges) {
        for (let i = 0; i < r.count; i++) {
          addBackend({
            kind: 'Ecs',
            id: `${r.idPrefix}${String(r.start + i).padStart(r.digits, '0')}`,
            vpcId: r.vpcId,
            zoneId: r.zones[i % r.zones.length] as string,
            ips: [rangeAddress(r.firstIp, i, r.perBlock)],
            networkType: r.networkType,
          });
        }
      }
      for (const e of def.enis) {
        const b: Backend = { kind: 'Eni', id: e.id, vpcId: e.vpcId, zoneId: e.zoneId, ips: e.ips, status: e.status };
        if (e.usedByLoadBalancerId !== undefined) b.usedByLoadBalancerId = e.usedByLoadBalancerId;
        addBackend(b);
      }
      for (const e of def.ecis) addBackend({ kind: 'Eci', id: e.id, vpcId: e.vpcId, zoneId: e.zoneId, ips: [e.ip] });
      for (const lb of def.loadBalancers) for (const ip of lb.ips) region.loadBalancerIps.add(ip);
      for (const g of def.serverGroups) {
        if (this.#groups.has(g.id)) throw new WorldError(`alibaba: server group ${g.id} is declared twice`);
        if (!region.vpcs.has(g.vpcId))
          throw new WorldError(`alibaba: server group ${g.id} is in VPC ${g.vpcId}, which ${def.id} does not declare`);
        const createdAt = g.createTime ? Date.parse(g.createTime) : now;
        const group: Group = {
          seq: ++this.#seq,
          regionId: def.id,
          def: g,
          createdAt,
          creatingUntil: now + g.creatingMs,
          configuringUntil: 0,
          members: new Map(),
          removing: 0,
        };
        this.#groups.set(g.id, group);
        const seeds: ServerSpec[] = [
          ...g.servers.map((s) => ({
            serverId: s.serverId,
            serverType: s.serverType,
            port: s.port,
            ...(s.serverIp ? { serverIp: s.serverIp } : {}),
          })),
        ];
        for (const r of g.serverRanges) {
          for (let i = 0; i < r.count; i++) {
            if (r.serverType === 'Ip') {
              if (!r.firstIp) throw new WorldError(`alibaba: an Ip server range of ${g.id} needs firstIp`);
              const ip = rangeAddress(r.firstIp, i, r.perBlock);
              seeds.push({ serverId: ip, serverType: 'Ip', port: 6081, serverIp: ip });
            } else {
              if (!r.idPrefix) throw new WorldError(`alibaba: an Ecs server range of ${g.id} needs idPrefix`);
              seeds.push({
                serverId: `${r.idPrefix}${String(r.start + i).padStart(r.digits, '0')}`,
                serverType: 'Ecs',
                port: 6081,
              });
            }
          }
        }
        for (const s of seeds) {
          const resolved = this.#resolveSeed(region, group, s);
          group.members.set(memberKey(s.serverType, s.serverId, s.port), {
            seq: ++this.#seq,
            groupId: g.id,
            ...resolved,
            phase: 'adding',
            availableAt: now,
            removingUntil: 0,
            goneAt: 0,
          });
        }
      }
    }
  }

  #resolveSeed(
    region: Region,
    group: Group,
    s: ServerSpec,
  ): Pick<Member, 'serverId' | 'serverType' | 'port' | 'serverIp' | 'zoneId'> {
    if (s.serverType === 'Ip') {
      if (group.def.type !== 'Ip')
        throw new WorldError(`alibaba: group ${group.def.id} is Instance type but seeds Ip server ${s.serverId}`);
      return {
        serverId: s.serverId,
        serverType: 'Ip',
        port: s.port,
        serverIp: s.serverIp ?? s.serverId,
        zoneId: undefined,
      };
    }
    const b = region.backends.get(s.serverId);
    if (!b || b.kind !== s.serverType)
      throw new WorldError(
        `alibaba: group ${group.def.id} seeds ${s.serverType} ${s.serverId}, which the inventory does not have`,
      );
    return {
      serverId: s.serverId,
      serverType: s.serverType,
      port: s.port,
      serverIp: s.serverIp ?? (b.ips[0] as string),
      zoneId: b.zoneId,
    };
  }

  // ------------------------------------------------------------------ queries of state

  groupStatus(group: Group, now = this.clock.now()): GroupStatus {
    if (now < group.creatingUntil) return 'Creating';
    if (now < group.configuringUntil) return 'Configuring';
    return 'Available';
  }

  static memberStatus(m: Member, now: number): ServerStatus | undefined {
    if (m.phase === 'adding') return now < m.availableAt ? 'Adding' : 'Available';
    if (now < m.removingUntil) return 'Removing';
    if (now < m.goneAt) return 'Draining';
    return undefined;
  }

  /** Drops members whose removal has completed. */
  #sweep(group: Group, now: number): void {
    if (group.removing === 0) return;
    for (const [key, m] of group.members) {
      if (m.phase === 'removing' && now >= m.goneAt) {
        group.members.delete(key);
        group.removing--;
      }
    }
  }

  #group(regionId: string | undefined, groupId: string): Group {
    const group = this.#groups.get(groupId);
    if (!group || (regionId !== undefined && group.regionId !== regionId))
      throw new ResourceNotFoundServerGroup(groupId);
    return group;
  }

  #quotas(group: Group): { perGroup: number; perZone: number } {
    return {
      perGroup: group.def.quotas.serversPerGroup ?? this.#world.quotas.serversPerGroup,
      perZone: group.def.quotas.serversPerGroupPerZone ?? this.#world.quotas.serversPerGroupPerZone,
    };
  }

  // ------------------------------------------------------------------ changes

  /** AddServersToServerGroup: validates everything, then applies all or nothing. */
  addServers(
    regionId: string | undefined,
    groupId: string,
    servers: readonly ServerSpec[],
    options: ChangeOptions = {},
  ): void {
    const now = this.clock.now();
    const group = this.#group(regionId, groupId);
    const status = this.groupStatus(group, now);
    if (status !== 'Available') throw new IncorrectStatusServerGroup(groupId, status);
    this.#sweep(group, now);
    const region = this.#regions.get(group.regionId) as Region;

    // Per-server checks, in the order a request reads.
    const seen = new Set<string>();
    const resolved: Array<Pick<Member, 'serverId' | 'serverType' | 'port' | 'serverIp' | 'zoneId'>> = [];
    for (const [i, s] of servers.entries()) {
      const n = i + 1;
      if (s.serverIp !== undefined && !isIPv4(s.serverIp)) throw new IllegalParamServerIp(`Servers.${n}.ServerIp`);
      const key = memberKey(s.serverType, s.serverId, s.port);
      if (seen.has(key)) throw new DuplicatedParamServer(describe(s));
      seen.add(key);
      if ((s.serverType === 'Ip') !== (group.def.type === 'Ip'))
        throw new MismatchServerType(group.def.type, s.serverType);
      if (s.serverType === 'Ip') {
        if (!isIPv4(s.serverId) || !isPrivateOrSharedIpv4(s.serverId)) throw new IllegalParamIP(s.serverId);
        if (s.serverIp !== undefined && s.serverIp !== s.serverId) throw new MismatchIP(s.serverId, s.serverIp);
        if (region.loadBalancerIps.has(s.serverId)) throw new ResourceInUseIP(s.serverId);
        resolved.push({
          serverId: s.serverId,
          serverType: 'Ip',
          port: s.port,
          serverIp: s.serverId,
          zoneId: undefined,
        });
        continue;
      }
      const b = region.backends.get(s.serverId);
      if (!b || b.kind !== s.serverType) {
        if (s.serverType === 'Ecs') throw new ResourceNotFoundEcs(s.serverId);
        if (s.serverType === 'Eni') throw new ResourceNotFoundEni(s.serverId);
        throw new ResourceNotFoundEci(s.serverId);
      }
      if (b.kind === 'Ecs' && b.networkType === 'classic') throw new IllegalParamEcsNetworkType(b.id);
      if (b.kind === 'Eni') {
        if (b.usedByLoadBalancerId !== undefined) throw new ResourceInUseEni(b.id);
        if (!ENI_ADDABLE.has(b.status ?? 'InUse')) throw new IncorrectStatusEni(b.id, b.status ?? '');
      }
      if (b.vpcId !== group.def.vpcId) throw new MismatchVpcId(group.def.vpcId, b.vpcId);
      if (s.serverIp !== undefined && !b.ips.includes(s.serverIp)) throw new MismatchIP(s.serverId, s.serverIp);
      resolved.push({
        serverId: s.serverId,
        serverType: s.serverType,
        port: s.port,
        serverIp: s.serverIp ?? (b.ips[0] as string),
        zoneId: b.zoneId,
      });
    }

    // Against the group as it is.
    const ipOwners = new Map<string, string>();
    for (const [key, m] of group.members) ipOwners.set(m.serverIp, key);
    const fresh: typeof resolved = [];
    const readds: Member[] = [];
    for (const r of resolved) {
      const key = memberKey(r.serverType, r.serverId, r.port);
      const existing = group.members.get(key);
      if (existing) {
        // A Draining server may come back (Draining → Adding → Available); anything else is already there.
        if (GwlbModel.memberStatus(existing, now) === 'Draining') {
          readds.push(existing);
          continue;
        }
        throw new ConflictServer(describe(r));
      }
      const owner = ipOwners.get(r.serverIp);
      if (owner !== undefined && owner !== key) throw new ResourceInUseIP(r.serverIp);
      ipOwners.set(r.serverIp, key);
      fresh.push(r);
    }
    const quotas = this.#quotas(group);
    const usage = group.members.size + fresh.length;
    if (usage > quotas.perGroup) throw new QuotaExceededServerGroupServersNum(groupId, usage, quotas.perGroup);
    const perZone = new Map<string, number>();
    for (const m of group.members.values())
      if (m.zoneId !== undefined) perZone.set(m.zoneId, (perZone.get(m.zoneId) ?? 0) + 1);
    for (const r of fresh) {
      if (r.zoneId === undefined) continue;
      const inZone = (perZone.get(r.zoneId) ?? 0) + 1;
      perZone.set(r.zoneId, inZone);
      if (inZone > quotas.perZone)
        throw new QuotaExceededServerGroupAzServersNum(groupId, r.zoneId, inZone, quotas.perZone);
    }

    if (options.dryRun) throw new DryRunOperation();

    const settle = (ms: number) => ms * (options.settleFactor ?? 1) + (options.settleExtraMs ?? 0);
    const availableAt = options.neverAvailable ? Number.POSITIVE_INFINITY : now + settle(this.timings.addingMs);
    for (const m of readds) {
      group.removing--;
      m.phase = 'adding';
      m.availableAt = availableAt;
    }
    for (const r of fresh) {
      group.members.set(memberKey(r.serverType, r.serverId, r.port), {
        seq: ++this.#seq,
        groupId,
        ...r,
        phase: 'adding',
        availableAt,
        removingUntil: 0,
        goneAt: 0,
      });
    }
    group.configuringUntil = now + settle(this.timings.configuringMs);
  }

  /** RemoveServersFromServerGroup: every server must be a member that is not already on its way out. */
  removeServers(
    regionId: string | undefined,
    groupId: string,
    servers: readonly ServerSpec[],
    options: ChangeOptions = {},
  ): void {
    const now = this.clock.now();
    const group = this.#group(regionId, groupId);
    const status = this.groupStatus(group, now);
    if (status !== 'Available') throw new IncorrectStatusServerGroup(groupId, status);
    this.#sweep(group, now);
    const seen = new Set<string>();
    const targets: Member[] = [];
    for (const [i, s] of servers.entries()) {
      if (s.serverIp !== undefined && !isIPv4(s.serverIp)) throw new IllegalParamServerIp(`Servers.${i + 1}.ServerIp`);
      const key = memberKey(s.serverType, s.serverId, s.port);
      if (seen.has(key)) throw new DuplicatedParamServer(describe(s));
      seen.add(key);
      if ((s.serverType === 'Ip') !== (group.def.type === 'Ip'))
        throw new MismatchServerType(group.def.type, s.serverType);
      const m = group.members.get(key);
      const st = m ? GwlbModel.memberStatus(m, now) : undefined;
      if (!m || st === 'Removing' || st === 'Draining') throw new ResourceNotFoundBackendServer(describe(s));
      if (s.serverIp !== undefined && s.serverIp !== m.serverIp) throw new MismatchIP(s.serverId, s.serverIp);
      targets.push(m);
    }
    if (options.dryRun) throw new DryRunOperation();
    const settle = (ms: number) => ms * (options.settleFactor ?? 1) + (options.settleExtraMs ?? 0);
    const drain = group.def.connectionDrain.enabled ? group.def.connectionDrain.timeoutSeconds * 1000 : 0;
    for (const m of targets) {
      group.removing++;
      m.phase = 'removing';
      m.removingUntil = now + settle(this.timings.removingMs);
      m.goneAt = m.removingUntil + drain;
    }
    group.configuringUntil = now + settle(this.timings.configuringMs);
  }

  // ------------------------------------------------------------------ lists

  listServerGroups(q: ListServerGroupsQuery): Page<GroupView> {
    const now = this.clock.now();
    const ids = q.serverGroupIds?.length ? new Set(q.serverGroupIds) : undefined;
    const names = q.serverGroupNames?.length ? new Set(q.serverGroupNames) : undefined;
    const groups = [...this.#groups.values()].filter((g) => {
      const d = g.def;
      if (q.regionId !== undefined && g.regionId !== q.regionId) return false;
      if (ids && !ids.has(d.id)) return false;
      if (names && !names.has(d.name ?? d.id)) return false;
      if (q.serverGroupType !== undefined && d.type !== q.serverGroupType) return false;
      if (q.vpcId !== undefined && d.vpcId !== q.vpcId) return false;
      if (q.resourceGroupId !== undefined && d.resourceGroupId !== q.resourceGroupId) return false;
      if (
        q.tags?.length &&
        !q.tags.every((t) => d.tags.some((gt) => gt.key === t.key && (t.value === undefined || gt.value === t.value)))
      )
        return false;
      return true;
    });
    return paginate(
      'sg',
      groups,
      (g) => g.seq,
      q,
      (g) => this.#groupView(g, now),
    );
  }

  listServerGroupServers(q: ListServerGroupServersQuery): Page<ServerView> {
    const now = this.clock.now();
    let groups: Group[];
    if (q.serverGroupId !== undefined) groups = [this.#group(q.regionId, q.serverGroupId)];
    else groups = [...this.#groups.values()].filter((g) => q.regionId === undefined || g.regionId === q.regionId);
    const ids = q.serverIds?.length ? new Set(q.serverIds) : undefined;
    const ips = q.serverIps?.length ? new Set(q.serverIps) : undefined;
    const members: Member[] = [];
    for (const g of groups) {
      this.#sweep(g, now);
      for (const m of g.members.values()) {
        if (ids && !ids.has(m.serverId)) continue;
        if (ips && !ips.has(m.serverIp)) continue;
        members.push(m);
      }
    }
    if (groups.length > 1) members.sort((a, b) => a.seq - b.seq);
    return paginate(
      'sv',
      members,
      (m) => m.seq,
      q,
      (m) => ({
        ServerGroupId: m.groupId,
        ServerId: m.serverId,
        ServerIp: m.serverIp,
        ServerType: m.serverType,
        Port: m.port,
        Status: GwlbModel.memberStatus(m, now) as ServerStatus,
      }),
    );
  }

  #groupView(g: Group, now: number): GroupView {
    this.#sweep(g, now);
    const d = g.def;
    return {
      ServerGroupId: d.id,
      ServerGroupName: d.name ?? d.id,
      ServerGroupStatus: this.groupStatus(g, now),
      ServerGroupType: d.type,
      Protocol: d.protocol,
      Scheduler: d.scheduler,
      ServerFailoverMode: d.serverFailoverMode,
      ServerCount: g.members.size,
      VpcId: d.vpcId,
      ResourceGroupId: d.resourceGroupId,
      CreateTime: new Date(g.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      RelatedLoadBalancerIds: [...d.relatedLoadBalancerIds],
      Tags: d.tags.map((t) => ({ Key: t.key, Value: t.value })),
      ConnectionDrainConfig: {
        ConnectionDrainEnabled: d.connectionDrain.enabled,
        ConnectionDrainTimeout: d.connectionDrain.timeoutSeconds,
      },
      HealthCheckConfig: {
        HealthCheckEnabled: d.healthCheckEnabled,
        HealthCheckProtocol: 'TCP',
        HealthCheckConnectPort: 80,
        HealthCheckConnectTimeout: 5,
        HealthCheckInterval: 10,
        HealthyThreshold: 2,
        UnhealthyThreshold: 2,
        HealthCheckPath: '',
        HealthCheckDomain: '',
        HealthCheckHttpCode: [],
        HealthCheckExp: '',
        HealthCheckReq: '',
      },
    };
  }

  // ------------------------------------------------------------------ the admin state dump

  snapshot(): unknown {
    const now = this.clock.now();
    const time = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : null);
    return {
      regions: [...this.#regions.values()].map((r) => ({
        id: r.id,
        zones: r.def.zones,
        vpcs: r.def.vpcs,
        loadBalancers: r.def.loadBalancers,
        inventory: {
          ecs: [...r.backends.values()].filter((b) => b.kind === 'Ecs').length,
          enis: r.def.enis.length,
          ecis: r.def.ecis.length,
        },
      })),
      quotas: this.#world.quotas,
      timings: this.timings,
      serverGroups: [...this.#groups.values()].map((g) => {
        this.#sweep(g, now);
        const byStatus: Record<string, number> = {};
        const servers = [...g.members.values()].map((m) => {
          const status = GwlbModel.memberStatus(m, now) as ServerStatus;
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          return {
            serverId: m.serverId,
            serverType: m.serverType,
            serverIp: m.serverIp,
            port: m.port,
            zoneId: m.zoneId ?? null,
            status,
            availableAt: m.phase === 'adding' ? time(m.availableAt) : null,
            goneAt: m.phase === 'removing' ? time(m.goneAt) : null,
          };
        });
        return {
          id: g.def.id,
          regionId: g.regionId,
          type: g.def.type,
          vpcId: g.def.vpcId,
          status: this.groupStatus(g, now),
          configuringUntil: g.configuringUntil > now ? time(g.configuringUntil) : null,
          quotas: this.#quotas(g),
          serverCount: g.members.size,
          byStatus,
          servers,
        };
      }),
    };
  }
}

// ------------------------------------------------------------------ pagination

interface PageQuery {
  maxResults: number;
  nextToken?: string;
  skip?: number;
}

/** An opaque token: the position (seq) after which the next page starts, bound to the kind of list. */
function encodeToken(kind: string, seq: number): string {
  const body = `${kind}.${seq}`;
  const mac = createHash('sha256').update(`gwlb-simulator:${body}`).digest('hex').slice(0, 8);
  return Buffer.from(`${body}.${mac}`).toString('base64url');
}

function decodeToken(kind: string, token: string): number {
  const [k, seqText] = Buffer.from(token, 'base64url').toString().split('.');
  const seq = Number(seqText);
  if (k !== kind || !Number.isSafeInteger(seq) || encodeToken(kind, seq) !== token)
    throw new InvalidParameter('NextToken');
  return seq;
}

function paginate<T, V>(
  kind: string,
  items: readonly T[],
  seqOf: (t: T) => number,
  q: PageQuery,
  view: (t: T) => V,
): Page<V> {
  let start = 0;
  if (q.nextToken) {
    const after = decodeToken(kind, q.nextToken);
    start = items.findIndex((t) => seqOf(t) > after);
    if (start < 0) start = items.length;
  } else if (q.skip) start = Math.min(q.skip, items.length);
  const page = items.slice(start, start + q.maxResults);
  const last = page[page.length - 1];
  const more = start + page.length < items.length;
  return {
    items: page.map(view),
    nextToken: more && last !== undefined ? encodeToken(kind, seqOf(last)) : '',
    totalCount: items.length,
    maxResults: q.maxResults,
  };
}
