// The providers lbflow drives, in a leaf module: every domain module may name them without importing the request
// schemas (dedupe.ts and request.ts imported each other for this one type).

/** The provider APIs lbflow drives; the discriminator of every request. */
export const PROVIDERS = ['alibaba-gwlb', 'huawei-elb'] as const;
export type Provider = (typeof PROVIDERS)[number];
