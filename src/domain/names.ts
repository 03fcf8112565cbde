import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// The names other services, operators and the Web UI see: one definition for worker, client and tests.

/** Task queue the lbflow worker polls. */
export const TASK_QUEUE = 'lbflow';

/** Workflow type that adds servers to one server group. */
export const WORKFLOW_TYPE = 'addServersToServerGroup';

/** Search attributes (all Keyword) lbflow sets on its runs, to find them in the Web UI. */
export const SEARCH_ATTRIBUTES = {
  provider: defineSearchAttributeKey('LbProvider', SearchAttributeType.KEYWORD),
  region: defineSearchAttributeKey('LbRegion', SearchAttributeType.KEYWORD),
  serverGroupId: defineSearchAttributeKey('LbServerGroupId', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('LbPhase', SearchAttributeType.KEYWORD),
} as const;

/** The search attributes as a list, to register them on a namespace or dev server. */
export const SEARCH_ATTRIBUTE_KEYS = Object.values(SEARCH_ATTRIBUTES);

/** A caller's key for one request: what makes its workflow id unique within the group (a deploy id, a change id). */
export const REQUEST_KEY = /^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}$/;

/** The group a request targets, as its workflow id and the `LbServerGroupId` search attribute name it. */
export function serverGroupIdOf(request: { provider: string; serverGroupId?: string; poolId?: string }): string {
  return (request.provider === 'huawei-elb' ? request.poolId : request.serverGroupId) ?? '';
}

/**
 * The workflow id of a request: `lbflow/<provider>/<region>/<groupId>/<requestKey>`. One id per group and key,
 * so starting the same request twice finds the run already going instead of adding twice, and the Web UI lists
 * a group's runs by prefix.
 */
export function addServersWorkflowId(request: { provider: string; region: string; serverGroupId?: string; poolId?: string }, requestKey: string): string {
  if (!REQUEST_KEY.test(requestKey)) {
    throw new TypeError(`requestKey must be 1 to 128 characters: a letter or digit, then letters, digits or . _ : @ + = -; got ${JSON.stringify(requestKey)}`);
  }
  return `lbflow/${request.provider}/${request.region}/${serverGroupIdOf(request)}/${requestKey}`;
}
