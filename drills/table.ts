// The drills' sizes (full for `npm run drills`, small for `npm test`) and the one table they print.
import type { DrillReport } from './support.js';

export const FULL = {
  workerKilled: { trials: 20, size: 2000, requests: 4, workers: 3, seed: 1 },
  temporalRestarted: { trials: 3, size: 1000, seed: 2 },
  providerFaults: { trials: 10, size: 1000, seed: 3, failureRate: 0.2 },
  stuckServers: { rounds: 2 },
  hostileInput: { requests: 5000, seed: 5, cliInputs: 150, workerEnvs: 90 },
  credentials: { trials: 3, size: 1000 },
  sharedGroup: { trials: 20, seed: 7 },
  twoDeployments: { trials: 20, seed: 11, deployments: 2 },
  terminatedCoordinator: { action: 'terminate-coordinator', trials: 20, size: 1000, seed: 12 },
  resetRequest: { action: 'reset-request', trials: 20, size: 1000, seed: 13 },
  bigPool: { preexisting: 10_000, requests: 30, size: 3000 },
  upgrade: { trials: 20, seed: 8 },
} as const;

export const SMALL = {
  workerKilled: { trials: 1, size: 400, requests: 4, workers: 3, seed: 1 },
  temporalRestarted: { trials: 1, size: 200, seed: 2 },
  providerFaults: { trials: 1, size: 200, seed: 3, failureRate: 0.2 },
  stuckServers: { rounds: 1 },
  hostileInput: { requests: 100, seed: 5, cliInputs: 16, workerEnvs: 8 },
  credentials: { trials: 1, size: 200 },
  sharedGroup: { trials: 2, seed: 7 },
  twoDeployments: { trials: 2, seed: 11, deployments: 2 },
  terminatedCoordinator: { action: 'terminate-coordinator', trials: 2, size: 600, seed: 12 },
  resetRequest: { action: 'reset-request', trials: 2, size: 600, seed: 13 },
  bigPool: { preexisting: 3000, requests: 6, size: 500 },
  upgrade: { trials: 1, seed: 8 },
} as const;

/** A Markdown table: drill, trials, passed, duplicates, lost, figures. */
export function formatTable(reports: readonly DrillReport[]): string {
  const rows = reports.map(
    (r) =>
      `| ${r.drill} | ${r.trials} | ${r.passed} | ${r.duplicates} | ${r.lost} | ${r.figures.replaceAll('|', '\\|')} |`,
  );
  return ['| drill | trials | passed | duplicates | lost | figures |', '|---|---:|---:|---:|---:|---|', ...rows].join(
    '\n',
  );
}
