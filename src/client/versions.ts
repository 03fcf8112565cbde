// What an operator watches during a deploy (docs/upgrading.md): the versions of lbflow's Worker Deployment, which one
// takes new runs, and how many runs each still has open, by workflow type. A version is drained once it has none.
import type { Client } from '@temporalio/client';
import { COORDINATOR_WORKFLOW_TYPE, WORKFLOW_TYPE } from '../domain/index.js';

export interface VersionView {
  readonly buildId: string;
  /** `current` takes new runs; `ramping` some of them; `draining` still has pinned runs; `drained`, `inactive`. */
  readonly status: string;
  /** Runs still open on this version: requests and coordinator runs. */
  readonly open: { readonly requests: number; readonly coordinators: number };
}

export interface DeploymentView {
  readonly deploymentName: string;
  /** The build id that takes new runs, or undefined: unversioned workers do (before the first versioned deploy). */
  // (A deployment no versioned worker has polled has no versions: `versions` is empty.)
  readonly current: string | undefined;
  readonly ramping: { readonly buildId: string; readonly percentage: number } | undefined;
  readonly versions: readonly VersionView[];
}

/** temporal.api.enums.v1.WorkerDeploymentVersionStatus, by number. */
const STATUSES: readonly string[] = ['unspecified', 'inactive', 'current', 'ramping', 'draining', 'drained', 'created'];

/** The deployment's versions, newest first, each with its open runs (a visibility count per workflow type). */
export async function describeDeployment(client: Client, deploymentName: string): Promise<DeploymentView> {
  const { namespace } = client.options;
  let answer;
  try {
    answer = await client.workflowService.describeWorkerDeployment({ namespace, deploymentName });
  } catch (error) {
    // NOT_FOUND: no versioned worker of this deployment has polled yet (unversioned workers take every run).
    if ((error as { code?: number }).code === 5)
      return { deploymentName, current: undefined, ramping: undefined, versions: [] };
    throw error;
  }
  const info = answer.workerDeploymentInfo;
  const routing = info?.routingConfig;
  const summaries = [...(info?.versionSummaries ?? [])].sort(
    (a, b) => Number(b.createTime?.seconds ?? 0) - Number(a.createTime?.seconds ?? 0),
  );
  const open = async (buildId: string, type: string) =>
    (
      await client.workflow.count(
        `TemporalWorkerDeploymentVersion = '${deploymentName}:${buildId}' AND ExecutionStatus = 'Running' AND WorkflowType = '${type}'`,
      )
    ).count;
  const versions = await Promise.all(
    summaries.map(async (s): Promise<VersionView> => {
      const buildId = s.deploymentVersion?.buildId ?? '';
      return {
        buildId,
        status: STATUSES[s.status ?? 0] ?? `status ${String(s.status)}`,
        open: {
          requests: await open(buildId, WORKFLOW_TYPE),
          coordinators: await open(buildId, COORDINATOR_WORKFLOW_TYPE),
        },
      };
    }),
  );
  const ramping = routing?.rampingDeploymentVersion?.buildId;
  return {
    deploymentName,
    current: routing?.currentDeploymentVersion?.buildId || undefined,
    ramping: ramping ? { buildId: ramping, percentage: routing?.rampingVersionPercentage ?? 0 } : undefined,
    versions,
  };
}
