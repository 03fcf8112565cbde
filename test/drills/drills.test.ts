// The fault drills at small size (drills/table.ts SMALL): the same code `npm run drills` runs at full size, on the
// real dev server, the production worker in child processes and the simulators over HTTP. Drill 2 restarts its
// server, so it gets one of its own; the others share one, each in a namespace of its own (a group has one coordinator per namespace), and run side by side; the credentials drill runs last,
// because it scans every history the others left on the shared server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bigPool } from '../../drills/big-pool.js';
import { credentials } from '../../drills/credentials.js';
import { hostileInput } from '../../drills/hostile-input.js';
import { operatorActs } from '../../drills/operator.js';
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

  const servers: DevServer[] = [];
  const closing: (() => Promise<void>)[] = [];
  let bundlePath: string;
  /** The server the drills share, one namespace each (a group has one coordinator per namespace). */
  let shared: DevServer;

  /** A context in `namespace` of `server`, its client closed after the file. */
  const contextIn = async (server: DevServer, namespace = server.namespace): Promise<DrillContext> => {
    const temporal = server.in(namespace);
    const { client, close } = await clientFor(temporal);
    closing.push(close);
    return { temporal, client, bundlePath, log: (line) => console.log(line) };
  };
  /** A dev server of its own (drill 2 stops and starts it). */
  const ownServer = async () => {
    const server = await DevServer.start(cli(), dir);
    servers.push(server);
    return contextIn(server);
  };
  const drill = (n: string) => contextIn(shared, `drill-${n}`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lbflow-drills-'));
    bundlePath = await writeWorkflowBundle(dir);
    shared = await DevServer.start(
      cli(),
      dir,
      ['1', '3', '4', '5', '6', '7', '8', '9', '10', '8-control', '11', '12', '13', '14'].map((n) => `drill-${n}`),
    );
    servers.push(shared);
  }, 120_000);
  afterAll(async () => {
    for (const close of closing) await close();
    for (const server of servers) await server.down('SIGTERM');
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
    async () => clean(await workerKilled(await drill('1'), SMALL.workerKilled)),
    180_000,
  );

  it.concurrent(
    '2. runs survive the Temporal dev server stopping and starting on its database file',
    async () => clean(await temporalRestarted(await ownServer(), SMALL.temporalRestarted)),
    180_000,
  );

  it.concurrent(
    '3. 20% provider faults cost extra calls, never a duplicate',
    async () => clean(await providerFaults(await drill('3'), SMALL.providerFaults)),
    180_000,
  );

  it.concurrent(
    '4. stuck servers end as AvailabilityTimeout naming them; rollback removes only what the run added',
    async () => clean(await stuckServers(await drill('4'), SMALL.stuckServers)),
    180_000,
  );

  it.concurrent(
    '5. hostile requests end as ValidationError with no provider call, and the worker stays healthy',
    async () => clean(await hostileInput(await drill('5'), SMALL.hostileInput)),
    180_000,
  );

  it(
    "7. overlapping requests on one group across three workers, one cancelled mid-run with rollback: nobody else's server removed, nothing unreported",
    async () => clean(await sharedGroup(await drill('7'), SMALL.sharedGroup)),
    180_000,
  );

  it.concurrent(
    "11. two deployments (two task queues) on one group: one coordinator writes it, nobody else's server removed, nothing unreported",
    async () => clean(await sharedGroup(await drill('11'), SMALL.twoDeployments)),
    180_000,
  );

  it.concurrent(
    '12. a coordinator terminated mid-run: its request is taken up again within seconds, what its adds created stays its own (reported added, rolled back on failure)',
    async () => clean(await operatorActs(await drill('12'), SMALL.terminatedCoordinator)),
    180_000,
  );

  it.concurrent(
    '13. a request reset mid-run (to its first or last task): its new run is served at once, what its adds created stays its own',
    async () => clean(await operatorActs(await drill('13'), SMALL.resetRequest)),
    180_000,
  );

  it.concurrent(
    '14. a big pool: requests at once into a pool already holding thousands, every payload under 1 MB and every coordinator run under 10,240 events and 10 MB',
    async () => clean(await bigPool(await drill('14'), SMALL.bigPool)),
    180_000,
  );

  it.concurrent(
    '8. a new version deployed with runs in flight on both providers, then rolled back: 0 workflow tasks failed, 0 runs stuck, nothing lost or added twice',
    async () => {
      const report = await upgrade(await drill('8'), SMALL.upgrade);
      clean(report);
      expect([report.failedTasks, report.nondeterminism, report.stuck]).toEqual([0, 0, 0]);
    },
    240_000,
  );

  it.concurrent(
    '9. release 0.1.0 (unversioned workers) upgraded to this tree with runs in flight, then rolled back to it: 0 workflow tasks failed, nothing lost or added twice',
    async () => {
      const report = await upgrade(await drill('9'), { ...SMALL.upgrade, from: 'oldest-release' });
      clean(report);
      expect([report.failedTasks, report.nondeterminism, report.stuck]).toEqual([0, 0, 0]);
    },
    240_000,
  );

  it.concurrent(
    `10. release ${previousRelease().release}, the version before this tree, upgraded to it with runs in flight (versioned workers, its coordinators moving on continue-as-new), then rolled back to it: 0 workflow tasks failed, nothing lost or added twice`,
    async () => {
      const report = await upgrade(await drill('10'), { ...SMALL.upgrade, from: 'previous-release' });
      clean(report);
      expect([report.failedTasks, report.nondeterminism, report.stuck]).toEqual([0, 0, 0]);
    },
    240_000,
  );

  it.concurrent(
    '8, control: the same deploy on unversioned workers (lbflow 0.1) wedges with non-determinism, which the drill sees',
    async () => {
      const report = await upgrade(await drill('8-control'), {
        ...SMALL.upgrade,
        versioning: false,
        drainTimeoutMs: 15_000,
      });
      console.log(formatTable([report]));
      expect(report.passed).toBe(0);
      expect(report.nondeterminism).toBeGreaterThan(0);
    },
    240_000,
  );

  it(
    '6. a wrong secret fails after one call; no history holds a secret',
    async () => clean(await credentials(await drill('6'), { ...SMALL.credentials, cli: cli() })),
    180_000,
  );
});
