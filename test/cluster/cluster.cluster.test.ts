// The cluster tier (`npm run test:cluster`): lbflow on the production topology, run for real on this machine —
// PostgreSQL, and the Temporal server's frontend, history, matching and worker services as four processes
// (scripts/cluster.mjs), SQL visibility, two lbflow worker processes and the simulators over HTTP. The runs of
// both providers, a failure, search-attribute queries on SQL visibility, and the faults only a cluster has: a
// service SIGKILLed mid-run and PostgreSQL restarted, each with nothing lost or doubled.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { retireCoordinators } from '../../drills/support.js';
import { formatTable } from '../../drills/table.js';
import { upgrade } from '../../drills/upgrade.js';
import * as api from '../../scripts/cluster.mjs';
import { QuotaExceededError, startAddServers } from '../../src/client/index.js';
import { startSimulators, type RunningSimulators } from '../../src/simulator/index.js';
import { workflowBundlerOptions } from '../../src/worker/worker.js';
import { startWorkerProcess, type WorkerProcess } from '../integration/child-worker.js';
import {
  alibabaGroupState,
  alibabaIpServers,
  alibabaKey,
  alibabaRequest,
  callLog,
  huaweiKey,
  huaweiRequest,
  integrationWorld,
  tokensOf,
} from '../integration/support.js';
import { huaweiServers } from '../workflows/harness.js';

type ClusterState = Awaited<ReturnType<typeof api.up>>;

const BIG_GROUP = 'sgp-lbflowintegration0';
const QUOTA_GROUP = 'sgp-atstuj3rtoptyui0003';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`lbflow on a Temporal ${api.TEMPORAL_SERVER_VERSION} cluster on PostgreSQL (four services, SQL visibility)`, () => {
  let state: ClusterState;
  let sims: RunningSimulators;
  let connection: Connection;
  let client: Client;
  let dir: string;
  const workers: WorkerProcess[] = [];
  const taskQueue = `cluster-${crypto.randomUUID()}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lbflow-cluster-'));
    // PostgreSQL runs as its own user (never as root): it must be able to reach its data directory.
    chmodSync(dir, 0o755);
    const started = Date.now();
    state = await api.up({ dir: join(dir, 'cluster'), log: (line) => process.stdout.write(`[cluster] ${line}\n`) });
    process.stdout.write(`cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${state.address}\n`);
    sims = await startSimulators({
      port: 0,
      world: integrationWorld({ alibaba: { configuringMs: 400, addingMs: 600 }, huawei: { initialMs: 500 } }),
    });
    connection = await Connection.connect({ address: state.address });
    client = new Client({ connection, namespace: state.namespace });
    const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
    const bundlePath = join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await bundleWorkflowCode({ ...workflowBundlerOptions(), logger: silent })).code);
    for (let i = 0; i < 2; i++) {
      workers.push(
        await startWorkerProcess({
          temporalAddress: state.address,
          namespace: state.namespace,
          taskQueue,
          bundlePath,
          alibabaEndpoint: sims.alibaba.url,
          huaweiEndpoint: sims.huawei.url,
        }),
      );
    }
  }, 600_000);

  // A group has one coordinator whatever the task queue: one this file's workers started must not serve the next
  // test's requests (drill 8 runs its own workers and simulators on queues of its own).
  afterEach(async () => {
    await retireCoordinators(client);
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) await w.stop('SIGTERM');
    await connection?.close();
    await sims?.close();
    if (state) await api.down(state.dir);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('adds 1,000 servers on each provider; the groups hold exactly them, each chunk committed once', async () => {
    const ali = alibabaIpServers(1000);
    const hw = huaweiServers(1000);
    const [a, h] = await Promise.all([
      startAddServers(client, alibabaRequest(ali, {}, BIG_GROUP) as never, {
        taskQueue,
        requestKey: 'cluster-alibaba',
      }),
      startAddServers(client, huaweiRequest(hw) as never, { taskQueue, requestKey: 'cluster-huawei' }),
    ]);
    const [ra, rh] = await Promise.all([a.result(), h.result()]);
    expect(ra.added).toHaveLength(1000);
    expect(rh.added).toHaveLength(1000);
    expect((await alibabaGroupState(sims.alibaba.url, BIG_GROUP)).members.map((m) => m.key).sort()).toEqual(
      ali.map(alibabaKey).sort(),
    );
    const members = (await callLog(sims.huawei.url, 'BatchCreateMembers')).entries.filter((e) => e.status === 201);
    expect(members).toHaveLength(5);
    expect(new Set(rh.added)).toEqual(new Set(hw.map(huaweiKey)));
    for (const t of tokensOf(await callLog(sims.alibaba.url))) expect(t.committed, t.token).toBeLessThanOrEqual(1);
  }, 180_000);

  it('fails a run on the group quota as QuotaExceeded with the quota figures', async () => {
    const handle = await startAddServers(
      client,
      alibabaRequest(
        [
          { serverId: '10.3.9.1', serverType: 'Ip' },
          { serverId: '10.3.9.2', serverType: 'Ip' },
        ],
        {},
        QUOTA_GROUP,
      ) as never,
      { taskQueue, requestKey: 'cluster-quota' },
    );
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect((error as QuotaExceededError).details?.quota).toMatchObject({
      requested: 2,
      limit: 300,
      groupHolds: 300,
      fits: 0,
    });
  }, 120_000);

  it("finds runs by lbflow's search attributes on SQL visibility: =, AND, STARTS_WITH, counts by group, and in the Web UI", async () => {
    const ids = async (query: string) => {
      const found: string[] = [];
      for await (const w of client.workflow.list({ query })) found.push(w.workflowId);
      return found;
    };
    // Visibility is written after the run closes: wait until it shows.
    let failed: string[] = [];
    for (let i = 0; i < 100 && failed.length === 0; i++) {
      failed = await ids(`LbPhase="failed" AND LbServerGroupId="${QUOTA_GROUP}"`);
      if (failed.length === 0) await sleep(200);
    }
    expect(failed).toHaveLength(1);
    expect((await ids(`LbServerGroupId="${BIG_GROUP}" AND LbPhase="completed"`)).length).toBe(1);
    expect((await ids(`LbProvider="huawei-elb" AND ExecutionStatus="Completed"`)).length).toBeGreaterThanOrEqual(1);
    expect((await ids(`LbServerGroupId STARTS_WITH "sgp-atstuj3rtoptyui"`)).length).toBeGreaterThanOrEqual(1);
    // The Web UI server reads the same visibility through the frontend (the API its pages call).
    const viaUi = (await (
      await fetch(
        `${state.ui!.url}/api/v1/namespaces/${state.namespace}/workflows?query=${encodeURIComponent(`LbServerGroupId="${QUOTA_GROUP}"`)}`,
      )
    ).json()) as { executions?: Array<{ execution: { workflowId: string } }> };
    // The group's coordinator carries the group's attribute too.
    const listed = viaUi.executions?.map((e) => e.execution.workflowId) ?? [];
    expect(listed).toContain(failed[0]);
    expect(listed).toContain(`lbflow-group/alibaba-gwlb/cn-hangzhou/${QUOTA_GROUP}`);
    expect((await fetch(state.ui!.url)).headers.get('content-type')).toMatch(/text\/html/);
    const counted = await client.workflow.count(`LbProvider="alibaba-gwlb" GROUP BY ExecutionStatus`);
    expect(counted.count).toBeGreaterThanOrEqual(2);
    expect(counted.groups.length).toBeGreaterThanOrEqual(1);
  }, 120_000);

  /** A 1,000-server Alibaba run interrupted by `fault` once its first chunk is in: how long it took after the fault. */
  const throughFault = async (label: string, group: string, first: number, fault: () => Promise<void>) => {
    const servers = alibabaIpServers(1000, first);
    const handle = await startAddServers(client, alibabaRequest(servers, {}, group) as never, {
      taskQueue,
      requestKey: `cluster-${label}`,
    });
    for (
      let i = 0;
      i < 600 &&
      (await alibabaGroupState(sims.alibaba.url, group)).members.filter((m) =>
        servers.some((s) => alibabaKey(s) === m.key),
      ).length === 0;
      i++
    )
      await sleep(50);
    const at = Date.now();
    await fault();
    const result = await handle.result();
    const after = Date.now() - at;
    const held = (await alibabaGroupState(sims.alibaba.url, group)).members.map((m) => m.key);
    const lost = servers.filter((s) => !held.includes(alibabaKey(s))).length;
    const doubled = held.length - new Set(held).size;
    const recommitted = tokensOf(await callLog(sims.alibaba.url)).filter((t) => t.committed > 1).length;
    process.stdout.write(
      `cluster fault ${label}: completed ${(after / 1000).toFixed(1)} s after it; ${result.added.length} added, ${lost} lost, ${doubled} doubled, ${recommitted} ClientTokens committed twice\n`,
    );
    expect({ added: result.added.length, lost, doubled, recommitted }).toEqual({
      added: 1000,
      lost: 0,
      doubled: 0,
      recommitted: 0,
    });
  };

  const killed = (service: string) => async () => {
    process.kill(state.services[service]!.pid, 'SIGKILL');
    for (let i = 0; i < 100 && api.alive(state.services[service]!.pid); i++) await sleep(50);
    await sleep(1000);
    await api.startAgain(state, service);
  };

  it(
    'survives SIGKILL of the history service mid-run',
    () => throughFault('history', BIG_GROUP, 1000, killed('history')),
    240_000,
  );
  it(
    'survives SIGKILL of the matching service mid-run',
    () => throughFault('matching', BIG_GROUP, 2000, killed('matching')),
    240_000,
  );
  it(
    'survives SIGKILL of the frontend mid-run',
    () => throughFault('frontend', BIG_GROUP, 3000, killed('frontend')),
    240_000,
  );
  it(
    'survives a PostgreSQL restart mid-run',
    () => throughFault('postgres', BIG_GROUP, 4000, async () => api.restartPostgres(state)),
    240_000,
  );

  it('deploys a new lbflow version with runs in flight and rolls it back (drill 8): 0 workflow tasks failed, 0 stuck, nothing lost or added twice', async () => {
    const report = await upgrade(
      {
        temporal: { address: state.address, namespace: state.namespace },
        client,
        bundlePath: join(dir, 'workflow-bundle.js'),
        log: (line) => process.stdout.write(`${line}\n`),
      },
      { trials: 1, seed: 80 },
    );
    process.stdout.write(`${formatTable([report])}\n`);
    expect(report.failures).toEqual([]);
    expect([report.passed, report.duplicates, report.lost]).toEqual([1, 0, 0]);
    expect([report.failedTasks, report.nondeterminism, report.stuck]).toEqual([0, 0, 0]);
  }, 300_000);
});
