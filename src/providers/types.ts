// The one interface the activities use for either cloud: list, readiness, add, remove, close. Nothing more.
import type { GroupRef, Provider, ServerOf } from '../domain/index.js';
import type { AlibabaIdentity } from '../providers/alibaba/definition/index.js';
import type { HuaweiIdentity } from '../providers/huawei/definition/index.js';

/** The group refs are the domain's (the workflow's contract); one per provider here, for the clients' signatures. */
export type { GroupRef };
/** An Alibaba GWLB server group: the region picks the endpoint `gwlb.{region}.aliyuncs.com`. */
export type AlibabaGroupRef = Extract<GroupRef, { provider: 'alibaba-gwlb' }>;
/** A Huawei ELB v3 backend server group (pool): the region picks `elb.{region}.myhuaweicloud.com`. */
export type HuaweiGroupRef = Extract<GroupRef, { provider: 'huawei-elb' }>;
export type GroupRefOf<P extends Provider> = P extends 'alibaba-gwlb' ? AlibabaGroupRef : HuaweiGroupRef;

/** What one provider removes: an identity (a listed member or a request's server both fit). */
export type RemovableOf<P extends Provider> = P extends 'alibaba-gwlb'
  ? AlibabaIdentity & { readonly serverIp?: string | undefined }
  : HuaweiIdentity;

/** A GWLB server as ListServerGroupServers returns it. */
export interface AlibabaMember {
  /** Domain `identityKey`: `Type:id:port`. */
  readonly key: string;
  /** Raw `Status`: Adding, Available, Draining, Removing, Replacing. */
  readonly status: string;
  readonly serverId: string;
  readonly serverType: string;
  readonly port: number;
  readonly serverIp?: string;
}

/** An ELB member as ListMembers returns it. */
export interface HuaweiMember {
  /** Domain `identityKey`: `address:port` (IPv6 in brackets). */
  readonly key: string;
  /** Raw `operating_status`: INITIAL, ONLINE, OFFLINE, NO_MONITOR, UNKNOWN. */
  readonly status: string;
  /** The member id, which batch-delete by id and ShowMember take. */
  readonly memberId: string;
  readonly address: string;
  readonly protocolPort: number;
  readonly subnetCidrId?: string;
  readonly weight?: number;
  readonly name?: string;
}

export type MemberOf<P extends Provider> = P extends 'alibaba-gwlb' ? AlibabaMember : HuaweiMember;

export interface CallOptions {
  /** Aborts the HTTP request; the abort is rethrown as it is (never a ProviderError, never retried here). */
  readonly signal?: AbortSignal | undefined;
}

export interface ListServersOptions<P extends Provider> extends CallOptions {
  /** Only these servers (matched by identity key); sent as provider filters in batches of at most 200. */
  readonly servers?: readonly RemovableOf<P>[] | undefined;
}

export interface ListServersResult<P extends Provider> {
  readonly members: MemberOf<P>[];
  /** One per page read, in order. */
  readonly requestIds: string[];
}

export interface GroupReadiness {
  /** True when the group accepts a change now. */
  readonly ready: boolean;
  /** Alibaba `ServerGroupStatus` (Creating, Configuring, Available); Huawei: the load balancer's `provisioning_status`. */
  readonly status: string;
  /** Huawei: the pool's load balancer, when the pool names one. */
  readonly loadBalancerId?: string;
  readonly requestIds: string[];
}

export interface ChangeOptions extends CallOptions {
  /** Alibaba `ClientToken` (≤ 64 printable ASCII), the same across retries of one chunk; Huawei has no token and ignores it. */
  readonly idempotencyKey: string;
  /** Check without changing: Alibaba `DryRun`; Huawei (no dry run) reads the pool and its load balancer only. */
  readonly dryRun?: boolean | undefined;
}

/**
 * accepted: Alibaba took the change (asynchronous: poll the group and the servers);
 * added / existed: Huawei batch-add `ret_status` successful / existed;
 * removed / not-found: Huawei batch-delete `ret_status` successful / not found;
 * dry-run: nothing changed, the checks passed;
 * unconfirmed: the answer did not mention this server (list to find out).
 */
export type ServerOutcome = 'accepted' | 'added' | 'existed' | 'removed' | 'not-found' | 'dry-run' | 'unconfirmed';

export interface ServerChange {
  readonly key: string;
  readonly outcome: ServerOutcome;
  /** Huawei member id, when the answer gives one. */
  readonly memberId?: string;
  /** Huawei `operating_status` right after batch-add. */
  readonly status?: string;
}

export interface ChangeResult<P extends Provider> {
  readonly provider: P;
  /** True only when the provider confirmed a dry run (Alibaba `DryRunOperation`) or, for Huawei, nothing was sent. */
  readonly dryRun: boolean;
  readonly requestIds: string[];
  /** One per server sent, in the order sent. */
  readonly servers: ServerChange[];
}

/** A group's server quota as the provider's quota API states it; a figure left out is unlimited or was not stated. */
export interface GroupQuota {
  /** Servers one group may hold (Huawei `members_per_pool`). */
  readonly perGroup?: number;
  /** Servers the account or project may still add, over all its groups (Huawei `member` quota less its use). */
  readonly accountRoom?: number;
  readonly requestIds: string[];
}

/** The real cloud client behind the activities; every failure is a `ProviderError` (or the caller's abort). */
export interface LoadBalancerProvider<P extends Provider = Provider> {
  readonly provider: P;
  /** Every member of the group, all pages. */
  listServers(group: GroupRefOf<P>, options?: ListServersOptions<P>): Promise<ListServersResult<P>>;
  /** Whether the group accepts a change now. */
  groupReadiness(group: GroupRefOf<P>, options?: CallOptions): Promise<GroupReadiness>;
  /** One call of 1 to 200 servers. */
  addServers(group: GroupRefOf<P>, servers: readonly ServerOf<P>[], options: ChangeOptions): Promise<ChangeResult<P>>;
  /** One call of 1 to 200 servers. */
  removeServers(
    group: GroupRefOf<P>,
    servers: readonly RemovableOf<P>[],
    options: ChangeOptions,
  ): Promise<ChangeResult<P>>;
  /**
   * The quota that bounds the group, for a provider whose quota refusal does not state it (Huawei's ELB.8905 names
   * the quota only). Alibaba's refusal states its usage and quota, so it has no such call.
   */
  groupQuota?(group: GroupRefOf<P>, options?: CallOptions): Promise<GroupQuota>;
  /** Closes the connection pools; calls after close fail. */
  close(): Promise<void>;
}
