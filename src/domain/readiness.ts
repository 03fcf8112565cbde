// When a listed member counts as done: the provider's own status words, read the same way by activities and tests.
import type { LifecycleState, Progress } from './contract.js';
import type { Provider } from './provider.js';

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

/** Words lbflow itself records for a server before or instead of a provider status. */
const LBFLOW_WORDS: Record<string, LifecycleState> = {
  added: 'added',
  'dry-run': 'checked',
  removed: 'removed',
  pending: 'pending',
  unknown: 'pending',
};

/** A server's lifecycle state from its last-seen status (a provider's word, lbflow's own, or none yet). */
export function lifecycleOf(provider: Provider, status: string | undefined, waitFor: WaitFor): LifecycleState {
  if (status === undefined) return 'pending';
  if (Object.hasOwn(LBFLOW_WORDS, status)) return LBFLOW_WORDS[status] as LifecycleState;
  return memberReady(provider, status, waitFor) ? 'ready' : 'settling';
}

/** Counts statuses two ways: lifecycle states (every server, `pending` for the unknown) and provider statuses (those seen). */
export function countStates(
  provider: Provider,
  waitFor: WaitFor,
  statuses: Iterable<string>,
  unknown = 0,
): Pick<Progress, 'states' | 'providerStatuses'> {
  // Maps, then own properties: a provider word such as "__proto__" stays a word.
  const states = new Map<LifecycleState, number>();
  const words = new Map<string, number>();
  if (unknown > 0) states.set('pending', unknown);
  for (const status of statuses) {
    const state = lifecycleOf(provider, status, waitFor);
    states.set(state, (states.get(state) ?? 0) + 1);
    if (!Object.hasOwn(LBFLOW_WORDS, status)) words.set(status, (words.get(status) ?? 0) + 1);
  }
  return { states: Object.fromEntries(states), providerStatuses: Object.fromEntries(words) };
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
