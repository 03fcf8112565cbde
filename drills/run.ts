// `npm run drills`: every fault drill at full size on the real dev server, then one table.
//   npm run drills                      all of them, full size
//   npm run drills -- --only 1,4        some of them
//   npm run drills -- --small           the sizes `npm test` uses
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { provisionAll } from '../scripts/temporal-servers.mjs';
import { bigPool } from './big-pool.js';
import { credentials } from './credentials.js';
import { hostileInput } from './hostile-input.js';
import { operatorActs } from './operator.js';
import { providerFaults } from './provider-faults.js';
import { sharedGroup } from './shared-group.js';
import { stuckServers } from './stuck-servers.js';
import { clientFor, DevServer, seconds, writeWorkflowBundle, type DrillContext, type DrillReport } from './support.js';
import { formatTable, FULL, SMALL } from './table.js';
import { temporalRestarted } from './temporal-restarted.js';
import { upgrade } from './upgrade.js';
import { workerKilled } from './worker-killed.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

const numbers = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
const args = process.argv.slice(2);
const sizes = args.includes('--small') ? SMALL : FULL;
const onlyArg = args[args.indexOf('--only') + 1];
const only = args.includes('--only') && onlyArg ? new Set(onlyArg.split(',').map(Number)) : new Set(numbers);

const { cli } = provisionAll({ log: () => {} });
if (!cli.path) throw new Error('no Temporal CLI: run `npm run temporal:provision`');
const dir = mkdtempSync(join(tmpdir(), 'lbflow-drills-'));
const log = (line: string) => process.stdout.write(`${line}\n`);
const started = performance.now();
log(
  `lbflow drills, ${new Date().toISOString()}: Node ${process.version}, Temporal CLI ${cli.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
);

// Each drill in a namespace of its own, as in `npm test`: a group has one coordinator per namespace, and one drill's
// must not outlive it into the next drill's world.
const temporal = await DevServer.start(
  cli.path,
  dir,
  numbers.map((n) => `drill-${n}`),
);
const bundlePath = await writeWorkflowBundle(dir);
const closing: (() => Promise<void>)[] = [];
const reports: DrillReport[] = [];
try {
  const contextOf = async (n: number): Promise<DrillContext> => {
    const at = temporal.in(`drill-${n}`);
    const { client, close } = await clientFor(at);
    closing.push(close);
    return { temporal: at, client, bundlePath, log };
  };
  const drills: [number, (ctx: DrillContext) => Promise<DrillReport>][] = [
    [1, (ctx) => workerKilled(ctx, sizes.workerKilled)],
    [2, (ctx) => temporalRestarted(ctx, sizes.temporalRestarted)],
    [3, (ctx) => providerFaults(ctx, sizes.providerFaults)],
    [4, (ctx) => stuckServers(ctx, sizes.stuckServers)],
    [5, (ctx) => hostileInput(ctx, sizes.hostileInput)],
    [6, (ctx) => credentials(ctx, { ...sizes.credentials, cli: cli.path! })],
    [7, (ctx) => sharedGroup(ctx, sizes.sharedGroup)],
    [8, (ctx) => upgrade(ctx, sizes.upgrade)],
    [9, (ctx) => upgrade(ctx, { ...sizes.upgrade, from: 'oldest-release' })],
    [10, (ctx) => upgrade(ctx, { ...sizes.upgrade, from: 'previous-release' })],
    [11, (ctx) => sharedGroup(ctx, sizes.twoDeployments)],
    [12, (ctx) => operatorActs(ctx, sizes.terminatedCoordinator)],
    [13, (ctx) => operatorActs(ctx, sizes.resetRequest)],
    [14, (ctx) => bigPool(ctx, sizes.bigPool)],
  ];
  for (const [n, drill] of drills) {
    if (!only.has(n)) continue;
    const t = performance.now();
    log(`drill ${n} …`);
    const report = await drill(await contextOf(n));
    reports.push(report);
    log(
      `drill ${n}: ${report.passed}/${report.trials} passed in ${seconds(performance.now() - t)}${report.failures.length ? `\n  ${report.failures.join('\n  ')}` : ''}`,
    );
    // Its row at once: a long run stopped part way keeps the figures of the drills it finished.
    log(formatTable([report]).split('\n').at(-1)!);
  }
} finally {
  for (const close of closing) await close();
  await temporal.down('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
log(`\n${formatTable(reports)}\n\nall drills in ${seconds(performance.now() - started)}`);
process.exitCode = reports.every((r) => r.passed === r.trials && r.duplicates === 0 && r.lost === 0) ? 0 : 1;
