// A request's group in its provider's terms: its reference, its id, its workflow ids and the words that name it.
import {
  requestKeyIssue,
  serverCount,
  TASK_QUEUE,
  type GroupRef,
  type GroupRefOf,
  type Provider,
  type RequestOf,
} from '../domain/index.js';
import { definitionOf, findDefinition } from './providers.js';

/** The group a parsed request targets. */
export function groupRefOf<P extends Provider>(request: RequestOf<P>): GroupRefOf<P> {
  return definitionOf(request.provider as P).group.ref(request);
}

/** The provider's id of the group: Alibaba's server group id, Huawei's pool id. */
export function groupIdOf(group: GroupRef): string {
  return String((group as unknown as Record<string, unknown>)[definitionOf(group.provider).group.idField]);
}

/** The group id a request names, '' when it names none or its provider is unknown (unvalidated input too). */
export function serverGroupIdOf(request: { readonly provider?: unknown; readonly [field: string]: unknown }): string {
  const field = findDefinition(request.provider)?.group.idField;
  const id = field === undefined ? undefined : (request as Record<string, unknown>)[field];
  return typeof id === 'string' ? id : '';
}

/**
 * The coordinator's workflow id: `lbflow-group/<provider>/<region>/<groupId>`, one per group whatever the task queue,
 * so Temporal itself guarantees one writer: a request of any deployment hands its servers to the one coordinator of
 * its group, which runs on the task queue of whoever started it.
 */
export function coordinatorWorkflowId(group: GroupRef): string {
  return `lbflow-group/${group.provider}/${group.region}/${groupIdOf(group)}`;
}

/**
 * The id a request of 0.3.0 or earlier gave its coordinator: on a task queue other than `lbflow`, one coordinator per
 * group and queue (`…@<taskQueue>`), so two deployments wrote one group side by side. Kept for the runs started then
 * (they replay with it) and for finding their coordinator while they drain (the hand-over delivers there).
 */
export function queueCoordinatorWorkflowId(group: GroupRef, taskQueue: string): string {
  const id = coordinatorWorkflowId(group);
  return taskQueue === TASK_QUEUE ? id : `${id}@${taskQueue}`;
}

/**
 * The workflow id of a request: `lbflow/<provider>/<region>/<groupId>/<requestKey>`. One id per group and key,
 * so starting the same request twice finds the run already going instead of adding twice, and the Web UI lists
 * a group's runs by prefix.
 */
export function addServersWorkflowId(
  request: { readonly provider: string; readonly region: string },
  requestKey: string,
): string {
  const issue = requestKeyIssue(requestKey);
  if (issue !== undefined) throw new TypeError(`requestKey ${issue}`);
  return `lbflow/${request.provider}/${request.region}/${serverGroupIdOf(request)}/${requestKey}`;
}

/** "alibaba-gwlb cn-hangzhou sgp-…" for a group, or for a request that names one. */
export function groupLabel(group: { readonly provider: string; readonly region: string }): string {
  return `${group.provider} ${group.region} ${serverGroupIdOf(group) || '?'}`;
}

/** A request's static summary: "add 1,000 servers to alibaba-gwlb cn-hangzhou sgp-…" ("dry run: check …" for a dry run). */
export function requestSummary(request: {
  readonly provider: string;
  readonly region: string;
  readonly servers?: readonly unknown[];
  readonly options?: { readonly dryRun?: boolean };
}): string {
  const what = serverCount(Array.isArray(request.servers) ? request.servers.length : 0);
  return request.options?.dryRun === true
    ? `dry run: check ${what} for ${groupLabel(request)}`
    : `add ${what} to ${groupLabel(request)}`;
}

/** The group coordinator's static summary. */
export function coordinatorSummary(group: GroupRef): string {
  return `coordinator of ${groupLabel(group)}: every change to this group goes through it`;
}
