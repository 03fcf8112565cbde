// The addServersToServerGroup workflow on Temporal's time-skipping server, with the real activities and
// provider clients talking HTTP to the simulators (whose clock follows the skipped time).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SEARCH_ATTRIBUTES,
  TIMINGS,
  type AddServersResult,
  type FailureDetails,
  type GroupView,
} from '../../src/domain/index.js';
import { coordinatorWorkflowId } from '../../src/registry/index.js';
import { progressQuery, type addServersToServerGroup } from '../../src/workflows/index.js';
import { DEFAULT_HUAWEI_FULL_POOL, DEFAULT_WORLD } from '../../src/simulator/index.js';
import {
  ALIBABA_DEMO_GROUP,
  alibabaRequest,
  alibabaServers,
  HUAWEI_NO_MONITOR_POOL,
  HUAWEI_PROJECT,
  huaweiRequest,
  huaweiServers,
  startHarness,
  timeSkippingPerTest,
  type Harness,
} from './harness.js';

const alibaba = alibabaRequest;
const huawei = huaweiRequest;

describe('addServersToServerGroup on the time-skipping server, simulators over HTTP', () => {
  const servers = timeSkippingPerTest();
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  beforeEach(() => {
    ({ env, bundle } = servers);
  });

  const start = (request: unknown, taskQueue: string): Promise<WorkflowHandle<typeof addServersToServerGroup>> =>
    env.client.workflow.start<typeof addServersToServerGroup>('addServersToServerGroup', {
      taskQueue,
      workflowId: `lbflow-test-${crypto.randomUUID()}`,
      args: [request],
    });
  const run = (request: unknown) => h.withWorker(async (taskQueue) => (await start(request, taskQueue)).result());
  const failureOf = async (request: unknown): Promise<ApplicationFailure> => {
    const error = await run(request).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return cause as ApplicationFailure;
  };
  const detailsOf = (f: ApplicationFailure) => f.details?.[0] as FailureDetails;
  const huaweiMembers = async () =>
    (
      await h.providers['huawei-elb'].listServers({
        provider: 'huawei-elb',
        region: 'cn-north-4',
        projectId: HUAWEI_PROJECT,
        poolId: HUAWEI_NO_MONITOR_POOL,
      } as never)
    ).members;
  const addCalls = (action = 'AddServersToServerGroup') =>
    h.sims.alibaba.simulator.calls.counts().byAction[action]?.calls ?? 0;

  it('adds 450 Alibaba servers in 3 calls of ≤ 200 and waits until every one is Available', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const result: AddServersResult = await run(alibaba(alibabaServers(450)));
    expect(result.added).toHaveLength(450);
    expect(result.alreadyPresent).toEqual([]);
    expect(result.servers.every((s) => s.status === 'Available')).toBe(true);
    expect(addCalls()).toBe(3);
    expect(result.timings.chunks).toBe(3);
  });

  it('adds 300 Huawei members in 2 calls and waits until they are NO_MONITOR', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const result = await run(huawei(huaweiServers(300)));
    expect(result.added).toHaveLength(300);
    expect(new Set(result.servers.map((s) => s.status))).toEqual(new Set(['NO_MONITOR']));
    expect(h.sims.huawei.simulator.calls.counts().byAction.BatchCreateMembers?.calls).toBe(2);
  });

  it('sets aside servers already in the group and never sends them again', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    await run(alibaba(alibabaServers(150)));
    const before = addCalls();
    const result = await run(alibaba(alibabaServers(250)));
    expect(result.alreadyPresent).toHaveLength(150);
    expect(result.added).toHaveLength(100);
    expect(addCalls() - before).toBe(1);
  });

  it('fails an invalid request as ValidationError listing every issue, having called no provider', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const servers = alibabaServers(3);
    servers[0]!.port = 80;
    servers[2]!.serverType = 'Ecss';
    const failure = await failureOf(alibaba(servers, { maxChunkSize: 500 }));
    expect(failure.type).toBe('ValidationError');
    expect(detailsOf(failure).issues?.map((i) => i.path)).toEqual([
      'servers[0].port',
      'servers[2].serverType',
      'options.maxChunkSize',
    ]);
    expect(h.sims.alibaba.simulator.calls.counts().total).toBe(0);
  });

  it('fails a request over the size limit started directly as ValidationError, having called no provider (issue 13 row 9)', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    // About 1.7 MB as JSON: under Temporal's 2 MB input limit, over lbflow's 1.5 MB.
    const servers = huaweiServers(4800).map((s, i) => ({ ...s, name: `${'n'.repeat(240)}${i}` }));
    const failure = await failureOf(huawei(servers));
    expect(failure.type).toBe('ValidationError');
    expect(failure.message).toMatch(/The request is 1\.\d\d MB as JSON; lbflow accepts at most 1\.5 MB/);
    expect(h.sims.huawei.simulator.calls.counts().total).toBe(0);
  });

  it("adds a Huawei member named with 255 emoji, and refuses 256 before any call: one count, ELB's, in lbflow and the simulator (issue 13 row 7)", async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const emoji = '\u{1F680}';
    const refused = await failureOf(huawei(huaweiServers(1).map((s) => ({ ...s, name: emoji.repeat(256) }))));
    expect(refused.type).toBe('ValidationError');
    expect(detailsOf(refused).issues?.map((i) => i.path)).toEqual(['servers[0].name']);
    expect(h.sims.huawei.simulator.calls.counts().total).toBe(0);
    const added = await run(huawei(huaweiServers(1).map((s) => ({ ...s, name: emoji.repeat(255) }))));
    expect(added.added).toHaveLength(1);
  });

  it('refuses a region the endpoint does not serve as ServerGroupNotFound before any change, for both providers (issue 13 row 8)', async () => {
    // The harness points both providers at one endpoint for every region, as LBFLOW_*_ENDPOINT does.
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const ali = await failureOf({ ...alibaba(alibabaServers(2)), region: 'zz-nowhere-1' });
    // GWLB judges the group against the RegionId sent with it: not found in the region the request names (the
    // shared endpoint's host names no region, so without RegionId the cn-hangzhou group would have been changed).
    expect(ali.type).toBe('ServerGroupNotFound');
    expect(ali.message).toContain('ResourceNotFound.ServerGroup');
    expect(addCalls()).toBe(0);
    const hw = await failureOf({ ...huawei(huaweiServers(2)), region: 'zz-nowhere-1' });
    expect(hw.type).toBe('ServerGroupNotFound');
    expect(hw.message).toMatch(/is not in region zz-nowhere-1: its load balancer .* is in cn-north-4a/);
    expect(h.sims.huawei.simulator.calls.counts().byAction.BatchCreateMembers?.calls ?? 0).toBe(0);
    // The group's own region still works.
    expect((await run(alibaba(alibabaServers(2)))).added).toHaveLength(2);
  });

  it('times out after 30 minutes of workflow time as AvailabilityTimeout naming exactly the stragglers', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    h.sims.huawei.simulator.faults.replace({
      rules: [{ action: 'BatchCreateMembers', effect: 'neverAvailable', sequence: '.x' }],
    });
    const started = performance.now();
    const failure = await failureOf(
      huawei(
        huaweiServers(6),
        { maxChunkSize: 3, availabilityTimeoutSeconds: 1800, pollIntervalSeconds: 30 },
        '04a9bc65-b75b-478d-b4d6-e693bb61dd35',
      ),
    );
    console.log(
      `AvailabilityTimeout after 1800 s of workflow time took ${Math.round(performance.now() - started)} ms of wall time`,
    );
    expect(failure.type).toBe('AvailabilityTimeout');
    const details = detailsOf(failure);
    expect(details.stragglers?.map((s) => s.key)).toEqual(['192.168.0.4:8080', '192.168.0.5:8080', '192.168.0.6:8080']);
    expect(details.added).toHaveLength(6);
  });

  // ---------------------------------------------------------------- failures, rollback, cancellation, idempotency

  const counts = () => h.sims.alibaba.simulator.calls.counts();
  const members = async (serverGroupId = ALIBABA_DEMO_GROUP) =>
    (
      await h.providers['alibaba-gwlb'].listServers({
        provider: 'alibaba-gwlb',
        region: 'cn-hangzhou',
        serverGroupId,
      } as never)
    ).members
      .map((m) => m.key)
      .sort();
  const keyOf = (s: { serverId: string }) => `Ecs:${s.serverId}:6081`;

  it('keeps history flat while polling: a wait of 200 polls records as many events as a wait of a few', async () => {
    // Both waits outlast the interval at which a request hears of a phase change, so each hears of it once: what
    // differs is only the number of polls.
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const historyOf = async (addingMs: number, first: number) => {
      h.sims.alibaba.simulator.updateSettings({ timings: { addingMs, configuringMs: 0 } });
      const before = counts().byAction.ListServerGroupServers?.calls ?? 0;
      const events = await h.withWorker(async (taskQueue) => {
        const handle = await start(alibaba(alibabaServers(5, first), { availabilityTimeoutSeconds: 3600 }), taskQueue);
        await handle.result();
        return (await handle.fetchHistory()).events?.length ?? 0;
      });
      return { events, polls: (counts().byAction.ListServerGroupServers?.calls ?? 0) - before - 1 };
    };
    const short = await historyOf(TIMINGS.progressPhaseMs + 1_000, 0);
    const long = await historyOf(199_500, 10);
    console.log(`history events: ${short.events} after ${short.polls} polls, ${long.events} after ${long.polls} polls`);
    expect(long.polls).toBeGreaterThanOrEqual(195);
    expect(short.polls).toBeLessThanOrEqual(5);
    expect(long.events).toBe(short.events);
  });

  it('fails a group that does not exist as ServerGroupNotFound with the provider code and request id', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const failure = await failureOf(alibaba(alibabaServers(2), {}, 'sgp-doesnotexist0000'));
    expect(failure.type).toBe('ServerGroupNotFound');
    expect(failure.nonRetryable).toBe(true);
    expect(detailsOf(failure)).toMatchObject({ code: 'ResourceNotFound.ServerGroup', httpStatus: 404, added: [] });
    expect(detailsOf(failure).requestId).toMatch(/\S/);
  });

  it('fails on the group quota as QuotaExceeded, listing the 200 servers already added', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const failure = await failureOf(alibaba(alibabaServers(320), {}, 'sgp-atstuj3rtoptyui0001'));
    expect(failure.type).toBe('QuotaExceeded');
    const details = detailsOf(failure);
    expect(details.code).toBe('QuotaExceeded.ServerGroupServersNum');
    expect(details.added).toEqual(alibabaServers(200).map(keyOf));
    expect(await members('sgp-atstuj3rtoptyui0001')).toEqual(alibabaServers(200).map(keyOf).sort());
    // What an operator needs (issue 14): the group holds 200 (counted), its quota is 300, 100 more fit.
    expect(details.quota).toEqual({ requested: 320, change: 120, limit: 300, groupHolds: 200, fits: 100 });
    expect(failure.message).toContain(
      '(The group holds 200 of its quota of 300; this request asked for 320 servers, 100 fit.)',
    );
  });

  it('fails a full Huawei pool as QuotaExceeded with what it holds (listed) and its quota (ListQuotaDetails) (issue 14)', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const failure = await failureOf(huawei(huaweiServers(3), {}, DEFAULT_HUAWEI_FULL_POOL));
    expect(failure.type).toBe('QuotaExceeded');
    // ELB.8905 names the quota only ("Quota exceeded for resources: members_per_pool"): the figures are read.
    expect(detailsOf(failure).code).toBe('ELB.8905');
    expect(detailsOf(failure).quota).toEqual({ requested: 3, change: 3, limit: 500, groupHolds: 500, fits: 0 });
    expect(failure.message).toContain(
      '(The group holds 500 of its quota of 500; this request asked for 3 servers, none fits.)',
    );
  });

  it('says how many more fit in a Huawei pool: the lesser of the pool quota and the project member quota (issue 14)', async () => {
    const world = structuredClone(DEFAULT_WORLD);
    const project = world.huawei!.projects![0]!;
    const seeded = (project.pools ?? []).reduce(
      (n, p) => n + (p.members ?? []).length + (p.memberRanges ?? []).reduce((m, r) => m + r.count, 0),
      0,
    );
    // 300 per pool; the project may hold what it has seeded and 250 more: after 200, 100 fit the pool but 50 the project.
    project.quotas = { membersPerPool: 300, members: seeded + 250 };
    h = await startHarness(env, bundle, { followTemporalTime: true, world });
    const failure = await failureOf(huawei(huaweiServers(320)));
    expect(failure.type).toBe('QuotaExceeded');
    expect(detailsOf(failure).added).toHaveLength(200);
    expect(detailsOf(failure).quota).toEqual({ requested: 320, change: 120, limit: 300, groupHolds: 200, fits: 50 });
    expect(failure.message).toContain(
      '(The group holds 200 of its quota of 300; this request asked for 320 servers, 50 fit.)',
    );
  });

  it('fails a wrong secret as AuthenticationFailed after one provider call, without retrying', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true, alibabaSecret: 'not-the-secret' });
    const failure = await failureOf(alibaba(alibabaServers(2)));
    expect(failure.type).toBe('AuthenticationFailed');
    expect(detailsOf(failure).code).toBe('SignatureDoesNotMatch');
    expect(counts().total).toBe(1);
  });

  it.each([
    [
      'an ECS instance that does not exist',
      { serverId: 'i-bp67acfmxazb4p9999', serverType: 'Ecs' },
      'BackendNotFound',
      'ResourceNotFound.Ecs',
    ],
    [
      'an ECS instance in another VPC',
      { serverId: 'i-bp1othervpc0001', serverType: 'Ecs', serverIp: '172.16.0.11' },
      'ProviderRejected',
      'Mismatch.VpcId',
    ],
  ])('fails %s as %s with the provider code', async (_what, server, type, code) => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const failure = await failureOf(alibaba([server]));
    expect([failure.type, detailsOf(failure).code]).toEqual([type, code]);
  });

  it('fails a member whose address is taken as BackendConflict after a bounded number of tries', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    // 192.168.200.10 is the demo load balancer's own VIP.
    const failure = await failureOf(
      huawei([{ address: '192.168.200.10', protocolPort: 80, subnetCidrId: '61da8098-954b-4809-bc5a-b99ccef80002' }]),
    );
    expect([failure.type, detailsOf(failure).code]).toEqual(['BackendConflict', 'ELB.8907']);
    expect(h.sims.huawei.simulator.calls.counts().byAction.BatchCreateMembers?.calls).toBe(3);
  });

  it('fails as ProviderUnavailable when the provider keeps answering 503, after retrying for the whole window', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    h.sims.alibaba.simulator.faults.replace({
      rules: [{ action: 'AddServersToServerGroup', effect: 'error', status: 503, code: 'ServiceUnavailable' }],
    });
    const failure = await failureOf(alibaba(alibabaServers(2), { availabilityTimeoutSeconds: 60 }));
    expect(failure.type).toBe('ProviderUnavailable');
    expect(counts().byAction.AddServersToServerGroup?.calls).toBeGreaterThan(10);
    expect(await members()).toEqual([]);
  });

  it('rolls back exactly the servers it added when a chunk never becomes Available, leaving others alone', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    await run(alibaba(alibabaServers(1, 100)));
    h.sims.alibaba.simulator.faults.replace({
      rules: [{ action: 'AddServersToServerGroup', effect: 'neverAvailable', sequence: '.x' }],
    });
    const request = alibaba([...alibabaServers(1, 100), ...alibabaServers(4)], {
      maxChunkSize: 2,
      onFailure: 'rollback',
      availabilityTimeoutSeconds: 60,
    });
    const failure = await failureOf(request);
    expect(failure.type).toBe('AvailabilityTimeout');
    const details = detailsOf(failure);
    expect(details.alreadyPresent).toEqual([keyOf(alibabaServers(1, 100)[0]!)]);
    expect(details.added).toEqual(alibabaServers(4).map(keyOf));
    expect(details.rolledBack).toEqual(alibabaServers(4).map(keyOf));
    expect(await members()).toEqual([keyOf(alibabaServers(1, 100)[0]!)]);
  });

  it('keeps what it added on failure with onFailure keep, and does not start the next chunk', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    h.sims.alibaba.simulator.faults.replace({
      rules: [{ action: 'AddServersToServerGroup', effect: 'neverAvailable', sequence: 'x' }],
    });
    const failure = await failureOf(alibaba(alibabaServers(6), { maxChunkSize: 2, availabilityTimeoutSeconds: 60 }));
    expect(failure.type).toBe('AvailabilityTimeout');
    expect(counts().byAction.AddServersToServerGroup?.calls).toBe(1);
    expect(await members()).toEqual(alibabaServers(2).map(keyOf).sort());
  });

  it('on cancellation with rollback, stops and removes what it added', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    h.sims.alibaba.simulator.faults.replace({
      rules: [{ action: 'AddServersToServerGroup', effect: 'neverAvailable' }],
    });
    const outcome = await h.withWorker(async (taskQueue) => {
      const handle = await start(alibaba(alibabaServers(4), { maxChunkSize: 2, onFailure: 'rollback' }), taskQueue);
      // Queries do not skip time, so the run sits in its first wait until it is cancelled.
      for (let i = 0; i < 100 && (await handle.query(progressQuery)).phase !== 'waiting'; i++)
        await new Promise((r) => setTimeout(r, 50));
      await handle.cancel();
      return handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
    });
    expect(outcome).toBeInstanceOf(WorkflowFailedError);
    expect((outcome as WorkflowFailedError).cause?.name).toBe('CancelledFailure');
    expect(counts().byAction.AddServersToServerGroup?.calls).toBe(1);
    expect(await members()).toEqual([]);
  });

  it('adds each chunk once when the provider applies a change and drops the answer', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    h.sims.alibaba.simulator.faults.replace({
      rules: [{ action: 'AddServersToServerGroup', effect: 'commitThenDrop', sequence: 'x.x' }],
    });
    const result = await run(alibaba(alibabaServers(400)));
    expect(result.added).toEqual(alibabaServers(400).map(keyOf));
    const tokens = Object.values(counts().byClientToken).filter((t) => t.action === 'AddServersToServerGroup');
    expect(tokens.map((t) => t.committed)).toEqual([1, 1]);
    expect(tokens.reduce((n, t) => n + t.replayed, 0)).toBe(2);
    expect(await members()).toEqual(alibabaServers(400).map(keyOf).sort());
  });

  it('adds each Huawei member once when batch-add is applied and its answer dropped (existed on retry)', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    h.sims.huawei.simulator.faults.replace({
      rules: [{ action: 'BatchCreateMembers', effect: 'commitThenDrop', sequence: 'x' }],
    });
    const result = await run(huawei(huaweiServers(150)));
    expect(result.added).toHaveLength(150);
    const listed = await h.providers['huawei-elb'].listServers({
      provider: 'huawei-elb',
      region: 'cn-north-4',
      projectId: HUAWEI_PROJECT,
      poolId: HUAWEI_NO_MONITOR_POOL,
    } as never);
    expect(listed.members).toHaveLength(150);
  });

  it("sends a Huawei request's chunks back to back in one activity (up to chunksPerAdd), each member once", async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    // The first add is slow, so the coordinator can be asked what it has in flight.
    h.sims.huawei.simulator.faults.replace({
      rules: [{ action: 'BatchCreateMembers', effect: 'latency', latencyMs: 1_500, sequence: 'x' }],
    });
    const { result, adds, inFlight } = await h.withWorker(async (taskQueue) => {
      const handle = await start(huawei(huaweiServers(400), { chunksAhead: 50, maxChunkSize: 80 }), taskQueue);
      const coordinator = env.client.workflow.getHandle(
        coordinatorWorkflowId({
          provider: 'huawei-elb',
          region: 'cn-north-4',
          projectId: HUAWEI_PROJECT,
          poolId: HUAWEI_NO_MONITOR_POOL,
        }),
      );
      let inFlight: GroupView['inFlight'];
      for (let i = 0; i < 100 && !inFlight; i++) {
        inFlight = (await coordinator.query<GroupView>('group').catch(() => undefined))?.inFlight;
        if (!inFlight) await new Promise((r) => setTimeout(r, 20));
      }
      const result = await handle.result();
      const events = (await coordinator.fetchHistory()).events ?? [];
      return {
        result,
        inFlight,
        adds: events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'addChunk').length,
      };
    });
    expect(inFlight).toMatchObject({ kind: 'add', chunks: 5, servers: 400 });
    expect(result.added).toHaveLength(400);
    expect(adds).toBe(1);
    expect(h.sims.huawei.simulator.calls.counts().byAction.BatchCreateMembers?.calls).toBe(5);
    expect(await huaweiMembers()).toHaveLength(400);
  });

  it('sends again, on its own, a chunk of a run that failed or lost its answer, and adds each member once', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    // Third call of the run: a 500; after it the fifth: applied, and its answer dropped.
    h.sims.huawei.simulator.faults.replace({
      rules: [
        { action: 'BatchCreateMembers', effect: 'error', status: 500, code: 'ELB.8906', sequence: '..x' },
        { action: 'BatchCreateMembers', effect: 'commitThenDrop', sequence: '.....x' },
      ],
    });
    const result = await run(huawei(huaweiServers(400), { chunksAhead: 50, maxChunkSize: 80 }));
    expect(result.added).toHaveLength(400);
    expect(new Set(result.added).size).toBe(400);
    expect(result.alreadyPresent).toEqual([]);
    // Five chunks and the failed one again; the one whose answer was dropped is not sent again: a list found it.
    expect(h.sims.huawei.simulator.calls.counts().byAction.BatchCreateMembers?.calls).toBe(6);
    expect(await huaweiMembers()).toHaveLength(400);
  });

  it('checks a dry run with the provider and changes nothing', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const result = await run(alibaba(alibabaServers(3), { dryRun: true }));
    expect(result.dryRun).toBe(true);
    expect(result.added).toEqual([]);
    expect(result.servers.map((s) => s.status)).toEqual(['dry-run', 'dry-run', 'dry-run']);
    expect(counts().byAction.AddServersToServerGroup?.byOutcome.dryRun).toBe(1);
    expect(await members()).toEqual([]);
  });

  it('answers the progress query and sets the search attributes as the phase changes', async () => {
    h = await startHarness(env, bundle, { followTemporalTime: true });
    const { progress, phase, groupId } = await h.withWorker(async (taskQueue) => {
      const handle = await start(alibaba(alibabaServers(250)), taskQueue);
      await handle.result();
      const description = await handle.describe();
      return {
        progress: await handle.query(progressQuery),
        phase: description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.phase),
        groupId: description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.serverGroupId),
      };
    });
    expect(progress).toEqual({
      phase: 'completed',
      chunksDone: 2,
      chunksTotal: 2,
      requested: 250,
      added: 250,
      alreadyPresent: 0,
      states: { ready: 250 },
      providerStatuses: { Available: 250 },
    });
    expect(phase).toBe('completed');
    expect(groupId).toBe(ALIBABA_DEMO_GROUP);
  });
});
