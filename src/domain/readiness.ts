// When a listed member counts as done, in its provider's own status words (each provider's definition.ts): read the
// same way by activities, the coordinator and tests.
import type { LifecycleState, Progress } from './contract.js';
import type { Readiness } from './provider.js';

/** `available`: usable (Alibaba `Available`; Huawei `ONLINE`, or `NO_MONITOR` in a pool without health checks); `registered`: listed. */
export type WaitFor = 'available' | 'registered';

/** What a read says of a server the group does not list. */
export const ABSENT = 'absent';

/** Whether a member listed with `status` satisfies `waitFor`, in its provider's words. */
export function memberReady(readiness: Readiness, status: string, waitFor: WaitFor): boolean {
  if (waitFor === 'registered') return !readiness.leaving.includes(status);
  return readiness.available.includes(status);
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
export function lifecycleOf(readiness: Readiness, status: string | undefined, waitFor: WaitFor): LifecycleState {
  if (status === undefined) return 'pending';
  if (Object.hasOwn(LBFLOW_WORDS, status)) return LBFLOW_WORDS[status] as LifecycleState;
  return memberReady(readiness, status, waitFor) ? 'ready' : 'settling';
}

/** Counts statuses two ways: lifecycle states (every server, `pending` for the unknown) and provider statuses (those seen). */
export function countStates(
  readiness: Readiness,
  waitFor: WaitFor,
  statuses: Iterable<string>,
  unknown = 0,
): Pick<Progress, 'states' | 'providerStatuses'> {
  // Maps, then own properties: a provider word such as "__proto__" stays a word.
  const states = new Map<LifecycleState, number>();
  const words = new Map<string, number>();
  if (unknown > 0) states.set('pending', unknown);
  for (const status of statuses) {
    const state = lifecycleOf(readiness, status, waitFor);
    states.set(state, (states.get(state) ?? 0) + 1);
    if (!Object.hasOwn(LBFLOW_WORDS, status)) words.set(status, (words.get(status) ?? 0) + 1);
  }
  return { states: Object.fromEntries(states), providerStatuses: Object.fromEntries(words) };
}
