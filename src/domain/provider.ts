// The providers lbflow drives, in a leaf module: every domain module may name them without importing the request
// schemas (dedupe.ts and request.ts imported each other for this one type).

/** The provider APIs lbflow drives; the discriminator of every request. */
export const PROVIDERS = ['alibaba-gwlb', 'huawei-elb'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** A provider's own words for a member's state, and how its group takes changes (research/alibaba-gwlb.md, huawei-elb.md). */
export interface Readiness {
  /** Statuses in which a member serves traffic: `waitFor: 'available'` waits for one of them. */
  readonly available: readonly string[];
  /** Statuses of a member on its way out: still listed, but not `registered`. */
  readonly leaving: readonly string[];
  /** The group takes its next change as soon as the last is answered: the coordinator sends several chunks in one activity. */
  readonly backToBack: boolean;
}

/** What lbflow knows of one provider, workflow-safe: each provider's folder has one (`definition.ts`), listed in src/registry. */
export interface ProviderDefinition<P extends Provider = Provider> {
  readonly name: P;
  readonly readiness: Readiness;
}
