// What the domain knows of a provider without naming one. Each provider's folder (src/providers/<name>/definition/)
// adds its entry to `ProviderModels` (a module augmentation: its name → its shapes) and exports one
// `ProviderDefinition` (src/domain/definition.ts), which src/registry lists. The domain's rules take what they need
// of a provider (its readiness words, its identity rules) as arguments, so no domain module names one.

/** A parsed group reference: every provider's carries its name and region, and its own id fields. */
export interface GroupBase {
  readonly provider: string;
  readonly region: string;
}

/** The shapes of one provider, as its definition declares them in `ProviderModels`. */
export interface ProviderModel {
  /** One server of a parsed request (defaults applied). */
  readonly server: object;
  /** The fields that identify a server in the group (a listed member has them too). */
  readonly identity: object;
  /** The group a request targets. */
  readonly group: GroupBase;
  /** A parsed request (defaults applied). */
  readonly request: GroupBase & { readonly servers: readonly object[] };
  /** A request as a caller writes it. */
  readonly requestInput: object;
}

/**
 * The providers lbflow drives, by name: empty here, filled by each provider's definition, e.g.
 * `declare module '…/domain/provider.js' { interface ProviderModels { 'acme-lb': { server: …; … } } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by module augmentation
export interface ProviderModels {}

/** The name of a provider lbflow drives; the discriminator of every request. */
export type Provider = keyof ProviderModels & string;

type ModelOf<P extends Provider> = Extract<ProviderModels[P], ProviderModel>;
export type ServerOf<P extends Provider = Provider> = ModelOf<P>['server'];
export type IdentityOf<P extends Provider = Provider> = ModelOf<P>['identity'];
export type GroupRefOf<P extends Provider = Provider> = ModelOf<P>['group'];
export type RequestOf<P extends Provider = Provider> = ModelOf<P>['request'];
export type RequestInputOf<P extends Provider = Provider> = ModelOf<P>['requestInput'];

/** Either provider's parsed server. */
export type Server = ServerOf;

/** A provider's own words for a member's state, and how its group takes changes (research/alibaba-gwlb.md, huawei-elb.md). */
export interface Readiness {
  /** Statuses in which a member serves traffic: `waitFor: 'available'` waits for one of them. */
  readonly available: readonly string[];
  /** Statuses of a member on its way out: still listed, but not `registered`. */
  readonly leaving: readonly string[];
  /** The group takes its next change as soon as the last is answered: the coordinator sends several chunks in one activity. */
  readonly backToBack: boolean;
}

/** How a provider identifies a server in a group (so duplicates collapse and servers already there are skipped). */
export interface IdentityRules<I extends object = object> {
  /** The identity fields, in the order the key writes them. */
  readonly fields: readonly string[];
  /** The identity key: one string per server in the group (`Ecs:i-abc:6081`, `10.0.0.1:80`). */
  key(server: I): string;
  /** The identity in words for messages: `Ecs i-abc port 6081`, `10.0.0.1 port 80`. */
  describe(server: I): string;
  /** A key back to the identity a list filter or a removal takes (the inverse of `key`). */
  fromKey(key: string): I;
}
