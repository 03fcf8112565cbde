// Records the workflow histories of a release, which test/replay.test.ts replays against the workflow code of every
// later release, so that a change which breaks determinism for runs already in flight fails CI. Run it once per
// release (package.json's version): it writes test/fixtures/histories/<version>/ and lists the files with their
// SHA-256 in releases.json, and it refuses a version already there: released histories are never re-recorded.
//
//   node --import tsx test/integration/record-histories.ts            # writes test/fixtures/histories/<version>/
//
// Each run uses the dev server, a real worker and the simulators over HTTP, with small server counts so the
// fixtures stay small. The files are `historyToJSON` output (the shape `temporal workflow show --output json` writes).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { executableOption, provision } from '../../scripts/temporal-servers.mjs';
import { type GroupView } from '../../src/domain/index.js';
import { coordinatorWorkflowId, groupRefOf, validateAddServersRequest } from '../../src/registry/index.js';
import type { FaultPlanInput } from '../../src/simulator/index.js';
import type { addServersToServerGroup } from '../../src/workflows/index.js';
import {
  alibabaServers,
  bundleLbflowWorkflows,
  HUAWEI_DEMO_POOL,
  huaweiServers,
  startHarness,
} from '../workflows/harness.js';
import {
  ALIBABA_BIG_GROUP,
  alibabaIpServers,
  alibabaRequest,
  huaweiRequest,
  integrationWorld,
  startDevServer,
} from './support.js';

const HISTORIES = new URL('../fixtures/histories/', import.meta.url);
const RELEASE = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
const MANIFEST_FILE = new URL('releases.json', HISTORIES);
const manifest = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as { releases: Record<string, unknown> };
if (manifest.releases[RELEASE] !== undefined)
  throw new Error(
    `release ${RELEASE} has recorded its histories already (releases.json): they are kept as recorded; a new release (package.json's version) records its own`,
  );
const OUT = fileURLToPath(new URL(`${RELEASE}/`, HISTORIES));

interface Recording {
  /** The fixture's file name, without `.json`. */
  name: string;
  request: unknown;
  faults?: { alibaba?: FaultPlanInput; huawei?: FaultPlanInput };
  /** How the run must end for the recording to be kept. */
  expect: 'completed' | 'failed';
}

const RECORDINGS: Recording[] = [
  { name: 'alibaba-success', request: alibabaRequest(alibabaServers(5), { maxChunkSize: 3 }), expect: 'completed' },
  // chunksAhead 1: the second chunk goes back to back in the first add's activity, the third in an add of its own.
  {
    name: 'huawei-success',
    request: huaweiRequest(huaweiServers(6), { maxChunkSize: 2, chunksAhead: 1 }, HUAWEI_DEMO_POOL),
    expect: 'completed',
  },
  {
    // Never Available: the wait times out, and the rollback removes what the run added.
    name: 'alibaba-availability-timeout-rollback',
    request: alibabaRequest(alibabaServers(2, 10), { availabilityTimeoutSeconds: 3, onFailure: 'rollback' }),
    faults: { alibaba: { rules: [{ action: 'AddServersToServerGroup', effect: 'neverAvailable', times: 1 }] } },
    expect: 'failed',
  },
  {
    // Every fresh add applied and its answer lost, plus a 503 and a reset on fixed calls: retries with the same token.
    name: 'alibaba-faults',
    request: alibabaRequest(alibabaServers(4, 20), { maxChunkSize: 2 }),
    faults: {
      alibaba: {
        rules: [
          { action: 'AddServersToServerGroup', effect: 'commitThenDrop', sequence: 'x', repeat: true },
          { action: 'ListServerGroups', effect: 'error', sequence: '.x' },
          { action: 'ListServerGroupServers', effect: 'reset', sequence: '..x' },
        ],
      },
    },
    expect: 'completed',
  },
  {
    name: 'huawei-faults',
    request: huaweiRequest(huaweiServers(4, 100), { maxChunkSize: 2 }),
    faults: {
      huawei: {
        rules: [
          {
            action: 'BatchCreateMembers',
            effect: 'commitThenDrop',
            drop: 'error',
            status: 500,
            sequence: 'x',
            repeat: true,
          },
          { action: 'ShowPool', effect: 'reset', sequence: '.x' },
        ],
      },
    },
    expect: 'completed',
  },
];

async function record(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  r: Recording,
  extra: { followRuns?: boolean } = {},
): Promise<string[]> {
  const h = await startHarness(env, bundle, { followTemporalTime: false, world: integrationWorld() });
  try {
    if (r.faults?.alibaba) h.sims.alibaba.simulator.faults.replace(r.faults.alibaba);
    if (r.faults?.huawei) h.sims.huawei.simulator.faults.replace(r.faults.huawei);
    return await h.withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof addServersToServerGroup>('addServersToServerGroup', {
        taskQueue,
        workflowId: `lbflow-fixture-${r.name}`,
        args: [r.request],
      });
      const outcome = await handle.result().then(
        () => 'completed',
        () => 'failed',
      );
      if (outcome !== r.expect) throw new Error(`${r.name}: the run ${outcome}, expected ${r.expect}`);
      const checked = validateAddServersRequest(r.request);
      if (!checked.ok) throw new Error(`${r.name}: the recorded request is invalid`);
      // The group's coordinator (still running, idle) made the provider calls: its history is recorded beside the request's.
      const coordinator = env.client.workflow.getHandle(coordinatorWorkflowId(groupRefOf(checked.request)));
      const requestFile = write(r.name, historyToJSON(await handle.fetchHistory()));
      const chain = extra.followRuns
        ? await writeChain(
            env,
            coordinator.workflowId,
            await incarnationOf(env, coordinator.workflowId),
            `${r.name}.coordinator`,
          )
        : [write(`${r.name}.coordinator`, historyToJSON(await coordinator.fetchHistory()))];
      return [requestFile, ...chain];
    });
  } finally {
    await h.close();
  }
}

/** The first run of a coordinator's chain (its incarnation), from its `group` query. */
async function incarnationOf(env: TestWorkflowEnvironment, workflowId: string): Promise<string> {
  return (await env.client.workflow.getHandle(workflowId).query<GroupView>('group')).incarnation;
}

/** Writes every run of a continue-as-new chain as `<name>-run<n>.json`. */
async function writeChain(
  env: TestWorkflowEnvironment,
  workflowId: string,
  firstRunId: string,
  name: string,
): Promise<string[]> {
  const files: string[] = [];
  for (let runId: string | undefined = firstRunId, n = 1; runId !== undefined; n++) {
    const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    files.push(write(`${name}-run${n}`, historyToJSON(history)));
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return files;
}

function write(name: string, json: string): string {
  const file = `${OUT}${name}.json`;
  writeFileSync(file, `${JSON.stringify(JSON.parse(json), null, 1)}\n`);
  console.log(`${name}.json: ${(json.length / 1024).toFixed(1)} KiB`);
  return file;
}

mkdirSync(OUT, { recursive: true });
const executable = executableOption(provision('cli'));
const bundle = await bundleLbflowWorkflows();

const env = await startDevServer([], executable);
try {
  for (const r of RECORDINGS) await record(env, bundle, r);
} finally {
  await env.teardown();
}

// A chain of coordinator runs: a server that suggests continue-as-new after 40 events, 8 chunks of one server (at about 6 events a chunk, the chain needs more than 5).
const canEnv = await startDevServer(
  ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'],
  executable,
);
try {
  const files = await record(
    canEnv,
    bundle,
    {
      name: 'alibaba-continue-as-new',
      request: alibabaRequest(alibabaIpServers(8), { maxChunkSize: 1 }, ALIBABA_BIG_GROUP),
      expect: 'completed',
    },
    { followRuns: true },
  );
  if (files.length < 3)
    throw new Error(`alibaba-continue-as-new: expected a chain of coordinator runs, got ${files.length - 1}`);
} finally {
  await canEnv.teardown();
}

// The release's entry: the files with their SHA-256, so that test/replay.test.ts notices a history changed in place.
const written = readdirNames(OUT);
manifest.releases[RELEASE] = {
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
  workers: 'versioned (Worker Deployments): its runs are pinned to its build (recorded on an in-process worker)',
  replayedBy: 'current',
  histories: Object.fromEntries(
    written.map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(`${OUT}${f}`))
        .digest('hex'),
    ]),
  ),
};
writeFileSync(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(
  `releases.json: release ${RELEASE}, ${written.length} histories (${written.filter((f) => !f.includes('.coordinator')).length} requests and their coordinators)`,
);

function readdirNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
}
