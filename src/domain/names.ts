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
