// When a listed member counts as done: the provider's own status words, read the same way by activities and tests.
import type { Provider } from './request.js';

/** `available`: usable (Alibaba `Available`; Huawei `ONLINE`, or `NO_MONITOR` in a pool without health checks); `registered`: listed. */
export type WaitFor = 'available' | 'registered';

const AVAILABLE: Record<Provider, readonly string[]> = {
  'alibaba-gwlb': ['Available'],
  'huawei-elb': ['ONLINE', 'NO_MONITOR'],
};

// A member on its way out is not "registered" even though it is still listed.
const LEAVING: Record<Provider, readonly string[]> = {
  'alibaba-gwlb': ['Removing', 'Draining'],
  'huawei-elb': [],
};

/** Whether a member listed with `status` satisfies `waitFor`. */
export function memberReady(provider: Provider, status: string, waitFor: WaitFor): boolean {
  if (waitFor === 'registered') return !LEAVING[provider].includes(status);
  return AVAILABLE[provider].includes(status);
}

/**
 * Whether a group takes its next change as soon as the last one is answered. A GWLB group is `Configuring` after
 * every change and refuses the next until it is `Available` again; an ELB v3 pool has no pending state between
 * batch-adds (research/huawei-elb.md: members carry no provisioning status, the pool none, the dedicated load
 * balancer only ACTIVE or PENDING_DELETE). Where it does, the coordinator sends several chunks in one activity.
 */
export const BACK_TO_BACK_CHANGES: Record<Provider, boolean> = {
  'alibaba-gwlb': false,
  'huawei-elb': true,
};
