// The sentences a request's ending carries (its failure message is what the Web UI shows first), from the figures the
// coordinator and the activities learnt: kept here, apart from the rules that decide the ending.
import type { FailureDetails, ServerStatus } from './contract.js';
import { serverCount } from './summaries.js';

/** Stragglers named in a message before "…": the details list them all. */
const STRAGGLERS_SHOWN = 10;

/** "3 servers did not become ready in time: Ecs:i-1:6081 (Adding), …". */
export function notReadyMessage(stragglers: readonly ServerStatus[]): string {
  const shown = stragglers
    .slice(0, STRAGGLERS_SHOWN)
    .map((s) => `${s.key} (${s.status})`)
    .join(', ');
  return `${stragglers.length} servers did not become ready in time: ${shown}${stragglers.length > STRAGGLERS_SHOWN ? ', …' : ''}`;
}

/**
 * "2 servers left the group without lbflow removing them: Ip:10.0.0.7:6081, …": servers lbflow had added, found
 * absent by a read. `waiting`: others not ready yet, which the request stopped waiting for.
 */
export function goneMessage(gone: readonly string[], waiting: number): string {
  const shown = gone.slice(0, STRAGGLERS_SHOWN).join(', ');
  const rest = waiting > 0 ? `; ${serverCount(waiting)} not ready yet were no longer waited for` : '';
  return `${serverCount(gone.length)} left the group without lbflow removing them: ${shown}${gone.length > STRAGGLERS_SHOWN ? ', …' : ''}${rest}`;
}

/** A failure's message when its rollback stopped part way: what is still in the group is in the details. */
export function withRollbackStopped(message: string, rollbackFailure: string): string {
  return `${message} (rollback stopped: ${rollbackFailure})`;
}

/** What the activity learnt of a quota refusal: the group's count, and the quota where it read the quota API. */
export interface KnownQuota {
  readonly groupHolds?: number | undefined;
  readonly limit?: number | undefined;
  readonly fits?: number | undefined;
}

export type QuotaFigures = NonNullable<FailureDetails['quota']>;

/**
 * What a quota refusal means for a request: how many servers it asked for, how many the refused change carried,
 * and the quota, what the group holds and how many more fit: as the activity read them from the quota API (Huawei),
 * else from the provider's message where it gives its usage ("usage 310/300", the count the change would have made:
 * Alibaba).
 */
export function quotaFigures(message: string, change: number, requested: number, known: KnownQuota = {}): QuotaFigures {
  const counted = known.groupHolds;
  if (counted !== undefined && known.limit !== undefined && known.fits !== undefined)
    return { requested, change, limit: known.limit, groupHolds: counted, fits: known.fits };
  const m = /usage (\d+)\/(\d+)/.exec(message);
  // What the group holds: counted by the activity when it could list the group, else the usage less the change.
  const groupHolds = counted ?? (m ? Math.max(0, Number(m[1]) - change) : undefined);
  if (!m) return groupHolds === undefined ? { requested, change } : { requested, change, groupHolds };
  const limit = Number(m[2]);
  const holds = groupHolds as number;
  return { requested, change, limit, groupHolds: holds, fits: Math.max(0, limit - holds) };
}

/** A quota failure's message: the provider's, then the figures as a sentence. */
export function quotaMessage(message: string, q: QuotaFigures): string {
  const asked = `this request asked for ${serverCount(q.requested)}`;
  if (q.limit === undefined || q.fits === undefined)
    return `${message} (${q.groupHolds === undefined ? '' : `The group holds ${q.groupHolds}; `}${asked}; the provider did not state its quota.)`;
  return `${message} (The group holds ${q.groupHolds} of its quota of ${q.limit}; ${asked}, ${q.fits === 0 ? 'none fits' : `${q.fits} fit`}.)`;
}
