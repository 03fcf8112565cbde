// Temporal Worker Deployment versioning for the lbflow worker (docs/upgrading.md): which version this worker is, and
// when it makes that version the deployment's current one. Workflow runs are pinned to the version they started on
// (the request workflow until it ends, the coordinator until it continues as new), so a worker of a new version
// never replays a history an older version recorded, and a rollback is the same move the other way.
import { createHash } from 'node:crypto';
import type { NativeConnection } from '@temporalio/worker';
import type { PromotePolicy, VersioningSettings } from './config.js';

export interface DeploymentVersion {
  readonly deploymentName: string;
  readonly buildId: string;
}

/**
 * A build id from the workflow code itself: the same code always gets the same id, wherever it was built, and any
 * change to it a new one. The inline source map is left out: it names the folder the bundle was built in.
 */
export function buildIdOf(workflowCode: string): string {
  const map = workflowCode.lastIndexOf('//# sourceMappingURL=');
  const code = map === -1 ? workflowCode : workflowCode.slice(0, map);
  return `wf-${createHash('sha256').update(code).digest('hex').slice(0, 16)}`;
}

export function versionOf(settings: VersioningSettings, workflowCode: string): DeploymentVersion {
  return { deploymentName: settings.deploymentName, buildId: settings.buildId ?? buildIdOf(workflowCode) };
}

/** `deployment:buildId`, as the Temporal CLI and Web UI print a version. */
export const versionName = (v: DeploymentVersion) => `${v.deploymentName}:${v.buildId}`;

export type Promotion =
  | { readonly promoted: true; readonly previous: DeploymentVersion | undefined }
  | { readonly promoted: false; readonly current: DeploymentVersion | undefined; readonly why: string };

type Service = NativeConnection['workflowService'];

/**
 * The deployment's current version (undefined: unversioned workers take new runs), and whether anyone ever chose
 * one: a deployment set back to unversioned workers (a rollback to 0.1.0) has no current version, by choice.
 */
export async function routingOf(
  service: Service,
  namespace: string,
  deploymentName: string,
): Promise<{ current: DeploymentVersion | undefined; chosen: boolean }> {
  try {
    const routing = (await service.describeWorkerDeployment({ namespace, deploymentName })).workerDeploymentInfo
      ?.routingConfig;
    const current = routing?.currentDeploymentVersion;
    return {
      current: current?.buildId ? { deploymentName, buildId: current.buildId } : undefined,
      chosen: Boolean(routing?.currentVersionChangedTime),
    };
  } catch (error) {
    // No worker of this deployment has polled yet.
    if (grpcCode(error) === NOT_FOUND) return { current: undefined, chosen: false };
    throw error;
  }
}

const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;
const grpcCode = (error: unknown) => (error as { code?: number } | undefined)?.code;

/**
 * Makes `version` the deployment's current version if `policy` says so, once the server knows it (it learns a
 * version from its workers' polls, so this is called once the worker polls, and retries until the version is
 * there, for at most `waitMs`). `if-none`: only while no current version was ever chosen (a first deploy; a worker
 * of the version an operator rolled back from, restarting, must not undo the rollback); `always`: whatever is
 * current; `never`: an operator promotes (docs/upgrading.md).
 */
export async function promote(
  service: Service,
  namespace: string,
  version: DeploymentVersion,
  policy: PromotePolicy,
  { waitMs = 60_000, identity = 'lbflow-worker' }: { waitMs?: number; identity?: string } = {},
): Promise<Promotion> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { current, chosen } = await routingOf(service, namespace, version.deploymentName);
    if (current?.buildId === version.buildId) return { promoted: false, current, why: 'already current' };
    if (policy === 'never') return { promoted: false, current, why: 'LBFLOW_PROMOTE=never' };
    if (policy === 'if-none' && chosen)
      return {
        promoted: false,
        current,
        why: `${current ? 'another version is' : 'unversioned workers are'} current by choice (LBFLOW_PROMOTE=if-none)`,
      };
    try {
      await service.setWorkerDeploymentCurrentVersion({
        namespace,
        deploymentName: version.deploymentName,
        buildId: version.buildId,
        identity,
      });
      return { promoted: true, previous: current };
    } catch (error) {
      // The version is not known until this worker's pollers have reached the server: try again shortly.
      const code = grpcCode(error);
      if ((code !== NOT_FOUND && code !== FAILED_PRECONDITION) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
