import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// The names other services, operators and the Web UI see: one definition for worker, client and tests.

/** Task queue the lbflow worker polls. */
export const TASK_QUEUE = 'lbflow';

/** Workflow type that adds servers to one server group. */
export const WORKFLOW_TYPE = 'addServersToServerGroup';

/** Query on a request's run: its phase and counts (`Progress`), answered by the workflow and asked by the client and CLI. */
export const PROGRESS_QUERY = 'progress';

/** Search attributes (all Keyword) lbflow sets on its runs, to find them in the Web UI. */
export const SEARCH_ATTRIBUTES = {
  provider: defineSearchAttributeKey('LbProvider', SearchAttributeType.KEYWORD),
  region: defineSearchAttributeKey('LbRegion', SearchAttributeType.KEYWORD),
  serverGroupId: defineSearchAttributeKey('LbServerGroupId', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('LbPhase', SearchAttributeType.KEYWORD),
} as const;

/** The search attributes as a list, to register them on a namespace or dev server. */
export const SEARCH_ATTRIBUTE_KEYS = Object.values(SEARCH_ATTRIBUTES);

/**
 * Why a task queue name is refused, or undefined. Temporal takes any UTF-8 up to 1,000 bytes, so a stray newline
 * or space makes a queue no worker polls and the run waits forever: lbflow takes 1–200 visible characters with
 * no whitespace or control characters, not under Temporal's reserved `/_sys/` prefix.
 */
export function taskQueueIssue(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'must be a non-empty string such as lbflow';
  if (name.length > 200) return `must be at most 200 characters; got ${name.length}`;
  if (/[\s\p{Cc}\p{Cf}]/u.test(name))
    return `must not contain whitespace or control characters (no worker polls such a queue); got ${JSON.stringify(name)}`;
  if (name.startsWith('/_sys/'))
    return `must not start with /_sys/, which Temporal reserves; got ${JSON.stringify(name)}`;
  return undefined;
}

/**
 * The Worker Deployment of an lbflow task queue when LBFLOW_DEPLOYMENT_NAME is not set (docs/upgrading.md): the queue's
 * name, made a name Temporal's CLI and Web UI take as it is (letters, digits, _ + -; no dot).
 */
export function defaultDeploymentName(taskQueue: string): string {
  const name = taskQueue.replace(/[^A-Za-z0-9_+-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (name || 'lbflow').slice(0, 100);
}

/** Why a request key is refused, or undefined. */
export function requestKeyIssue(key: unknown): string | undefined {
  if (typeof key === 'string' && REQUEST_KEY.test(key)) return undefined;
  return `must be 1 to 128 characters: a letter or digit, then letters, digits or . _ : @ + = -; got ${JSON.stringify(key)}`;
}

/** A caller's key for one request: what makes its workflow id unique within the group (a deploy id, a change id). */
export const REQUEST_KEY = /^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}$/;
