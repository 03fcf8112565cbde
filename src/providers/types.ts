// The one interface the activities use for any cloud: list, readiness, add, remove, close. Nothing more.
import type { GroupRef, GroupRefOf, Provider, ServerOf } from '../domain/index.js';

/** The group refs are the domain's (the workflow's contract), declared by each provider's definition. */
export type { GroupRef, GroupRefOf };

/** What a provider's client adds to its model (its `plugin.ts` declares it, next to the definition's `ProviderModels`). */
export interface ProviderClientModel {
  /** A member as the provider's list call returns it. */
  readonly member: { readonly key: string; readonly status: string };
  /** What its remove call takes: an identity (a listed member or a request's server both fit). */
  readonly removable: object;
  /** Its client's configuration (credentials, endpoint, connections). */
  readonly config: object;
}

/** Each provider's client shapes, by name: filled by each provider's `plugin.ts` (a module augmentation). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by module augmentation
export interface ProviderClientModels {}

type ClientModelOf<P extends Provider> = Extract<
  ProviderClientModels[P & keyof ProviderClientModels],
  ProviderClientModel
>;
/** What one provider removes. */
export type RemovableOf<P extends Provider> = ClientModelOf<P>['removable'];
/** A member of one provider's group, as its list call returns it. */
export type MemberOf<P extends Provider> = ClientModelOf<P>['member'];
/** The configuration of one provider's client. */
export type ClientConfigOf<P extends Provider> = ClientModelOf<P>['config'];

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
