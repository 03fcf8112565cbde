// The fault drills at small size (drills/table.ts SMALL): the same code `npm run drills` runs at full size, on the
// real dev server, the production worker in child processes and the simulators over HTTP. Drill 2 restarts its
// server, so it gets one of its own; the others share one and run side by side; the credentials drill runs last,
// because it scans every history the others left on the shared server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { credentials } from '../../drills/credentials.js';
import { hostileInput } from '../../drills/hostile-input.js';
import { providerFaults } from '../../drills/provider-faults.js';
import { sharedGroup } from '../../drills/shared-group.js';
import { stuckServers } from '../../drills/stuck-servers.js';
import {
  clientFor,
  DevServer,
  writeWorkflowBundle,
  type DrillContext,
  type DrillReport,
} from '../../drills/support.js';
import { previousRelease } from '../../drills/releases.js';
import { formatTable, SMALL } from '../../drills/table.js';
import { temporalRestarted } from '../../drills/temporal-restarted.js';
import { upgrade } from '../../drills/upgrade.js';
import { workerKilled } from '../../drills/worker-killed.js';
import '../setup/servers.js';

const cli = () => {
  const path = inject('temporalCli').path;
  if (!path) throw new Error('no Temporal CLI was provisioned');
  return path;
};

describe('fault drills (small)', () => {
  let dir: string;
  const opened: { temporal: DevServer; close: () => Promise<void> }[] = [];

  /** A dev server of its own with a client, closed after the file. */
  const context = async (): Promise<DrillContext> => {
    const temporal = await DevServer.start(cli(), dir);
    const { client, close } = await clientFor(temporal);
    opened.push({ temporal, close });
    return { temporal, client, bundlePath, log: (line) => console.log(line) };
  };
  let bundlePath: string;
  let shared: DrillContext;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lbflow-drills-'));
    bundlePath = await writeWorkflowBundle(dir);
    shared = await context();
  }, 120_000);
  afterAll(async () => {
    for (const { temporal, close } of opened) {
      await close();
      await temporal.down('SIGTERM');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const clean = (report: DrillReport) => {
    console.log(formatTable([report]));
    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(report.trials);
    expect(report.duplicates).toBe(0);
    expect(report.lost).toBe(0);
  };

  it.concurrent(
    '1. one of three workers SIGKILLed under requests that share a group loses nothing and adds nothing twice',
    async () => clean(await workerKilled(shared, SMALL.workerKilled)),
    180_000,
  );

  it.concurrent(
    '2. runs survive the Temporal dev server stopping and starting on its database file',
    async () => clean(await temporalRestarted(await context(), SMALL.temporalRestarted)),
    180_000,
  );

  it.concurrent(
    '3. 20% provider faults cost extra calls, never a duplicate',
    async () => clean(await providerFaults(shared, SMALL.providerFaults)),
    180_000,
  );

  it.concurrent(
    '4. stuck servers end as AvailabilityTimeout naming them; rollback removes only what the run added',
    async () => clean(await stuckServers(shared, SMALL.stuckServers)),
    180_000,
  );

  it.concurrent(
    '5. hostile requests end as ValidationError with no provider call, and the worker stays healthy',
    async () => clean(await hostileInput(shared, SMALL.hostileInput)),
    180_000,
  );

  it(
    "7. overlapping requests on one group across three workers, one cancelled mid-run with rollback: nobody else's server removed, nothing unreported",
    async () => clean(await sharedGroup(shared, SMALL.sharedGroup)),
    180_000,
  );

  it.concurrent(
    '8. a new version deployed with runs in flight on both providers, then rolled back: 0 workflow tasks failed, 0 runs stuck, nothing lost or added twice',
    async () => {
      const report = await upgrade(shared, SMALL.upgrade);
      clean(report);
      expect([report.failedTasks, report.nondeterminism, report.stuck]).toEqual([0, 0, 0]);
    },
    240_000,
  );

  it.concurrent(
    '9. release 0.1.0 (unversioned workers) upgraded to this tree with runs in flight, then rolled back to it: 0 workflow tasks failed, nothing lost or added twice',
    async () => {
      const report = await upgrade(shared, { ...SMALL.upgrade, from: 'oldest-release' });
      clean(report);
      expect([report.failedTasks, report.nondeterminism, report.stuck]).toEqual([0, 0, 0]);
    },
    240_000,
  );

  it.concurrent(
    `10. release ${previousRelease().release}, the version before this tree, upgraded to it with runs in flight (versioned workers, its coordinators moving on continue-as-new), then rolled back to it: 0 workflow tasks failed, nothing lost or added twice`,
    async () => {
      const report = await upgrade(shared, { ...SMALL.upgrade, from: 'previous-release' });
      clean(report);
      expect([report.failedTasks, report.nondeterminism, report.stuck]).toEqual([0, 0, 0]);
    },
    240_000,
  );

  it.concurrent(
    '8, control: the same deploy on unversioned workers (lbflow 0.1) wedges with non-determinism, which the drill sees',
    async () => {
      const report = await upgrade(shared, { ...SMALL.upgrade, versioning: false, drainTimeoutMs: 15_000 });
      console.log(formatTable([report]));
      expect(report.passed).toBe(0);
      expect(report.nondeterminism).toBeGreaterThan(0);
    },
    240_000,
  );

  it(
    '6. a wrong secret fails after one call; no history holds a secret',
    async () => clean(await credentials(shared, { ...SMALL.credentials, cli: cli() })),
    180_000,
  );
});
