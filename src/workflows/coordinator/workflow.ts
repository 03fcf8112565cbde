// serverGroupCoordinator: the one writer of a server group. Requests hand their servers over (Signal-with-Start on
// the group's fixed workflow id); the coordinator lists, plans (the ledger), runs one change at a time and the reads
// beside it, and tells each request its progress and outcome (machine.ts). It exits when idle and continues as new
// with its ledger, so its history stays bounded however long the group is busy.
import {
  ApplicationFailure,
  defineQuery,
  defineSignal,
  makeContinueAsNewFunc,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { COORDINATOR_SIGNAL, firstIssue, GROUP_QUERY, REQUEST_SIGNAL, type GroupView } from '../../domain/index.js';
import { coordinationSchemas } from '../../registry/index.js';
import { GroupCoordinator } from './machine.js';
import type { CarriedState } from './state.js';

export type { CarriedState } from './state.js';

export const coordinatorSignal = defineSignal<[unknown]>(COORDINATOR_SIGNAL);
export const requestSignal = defineSignal<[unknown]>(REQUEST_SIGNAL);
export const groupQuery = defineQuery<GroupView>(GROUP_QUERY);

/**
 * A coordinator run is pinned to the worker version it started on, so it is never replayed by code of another
 * version; each next run starts on the deployment's current version (AUTO_UPGRADE is the first task's behavior only:
 * the run then pins itself again). What one version hands the next, the carried state, is read by both (docs/upgrading.md).
 */
const continueOnCurrentVersion = (state: CarriedState) =>
  makeContinueAsNewFunc<typeof serverGroupCoordinator>({ initialVersioningBehavior: 'AUTO_UPGRADE' })(state);

function validationFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'ValidationError',
    message,
    nonRetryable: true,
    details: [{ type: 'ValidationError', added: [], alreadyPresent: [], issues: [{ path: '', message }] }],
  });
}

/** The state a run starts from: none on a fresh start, the carried state when it continued from an earlier run. */
function startingState(input: unknown[]): CarriedState | undefined {
  if (workflowInfo().continuedFromExecutionRunId === undefined) {
    // A fresh start takes nothing: the ledger (who created which server) comes only from the coordinator's own continue-as-new.
    if (input.length > 0)
      throw validationFailure(
        `serverGroupCoordinator takes no input when started (it gets its state only from its own continue-as-new); got ${input.length} argument(s).`,
      );
    return undefined;
  }
  const carried = coordinationSchemas().CarriedStateFrameSchema.safeParse(input[0]);
  if (!carried.success)
    throw validationFailure(
      `serverGroupCoordinator was continued with a malformed state: ${firstIssue(carried.error)}`,
    );
  return carried.data as unknown as CarriedState;
}

export async function serverGroupCoordinator(...input: unknown[]): Promise<void> {
  const coordinator = new GroupCoordinator(workflowInfo(), startingState(input));
  setHandler(coordinatorSignal, (raw) => coordinator.hear(raw));
  setHandler(groupQuery, () => coordinator.view());
  const next = await coordinator.run();
  if (next) await continueOnCurrentVersion(next);
}
