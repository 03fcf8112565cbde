// Replay: the histories every released version recorded (test/fixtures/histories/<release>/, requests and their group
// coordinators, by test/integration/record-histories.ts on the dev server with a real worker and the simulators) are
// kept as recorded, and each will be run only by code that can run it: here, the current workflow code replays them
// all, with no server. A change that would break runs already in flight fails here. A released history is never
// re-recorded in place (its SHA-256 is in releases.json); a deliberate break is a new version (docs/upgrading.md).
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseBundle, releases as keptReleases } from '../drills/releases.js';
import './setup/servers.js'; // the quiet Temporal runtime, as in every Temporal test file
import { groupRefOf, queueCoordinatorWorkflowId } from '../src/registry/index.js';
import { bundleLbflowWorkflows } from './workflows/harness.js';

const DIR = new URL('./fixtures/histories/', import.meta.url);
interface Release {
  commit: string;
  workers: string;
  /** Who runs this release's histories once a later version is current: the current code must replay them. */
  replayedBy: 'current';
  histories: Record<string, string>;
}
const MANIFEST = JSON.parse(readFileSync(new URL('releases.json', DIR), 'utf8')) as {
  releases: Record<string, Release>;
};
const RELEASES = Object.keys(MANIFEST.releases).sort();
/** Every recorded history on disk, as `<release>/<file>`. */
const FIXTURES = readdirSync(DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(new URL(`${d.name}/`, DIR)).map((f) => `${d.name}/${f}`))
  .filter((f) => f.endsWith('.json'))
  .sort();
const sha256 = (file: string) =>
  createHash('sha256')
    .update(readFileSync(new URL(file, DIR)))
    .digest('hex');

interface JsonEvent {
  eventType: string;
  workflowExecutionStartedEventAttributes?: {
    workflowType?: { name?: string };
    taskQueue?: { name?: string };
    input?: { payloads?: { data: string }[] };
  };
  workflowExecutionFailedEventAttributes?: { failure?: { applicationFailureInfo?: { type?: string } } };
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  workflowExecutionSignaledEventAttributes?: { input?: { payloads?: { data: string }[] } };
  markerRecordedEventAttributes?: {
    markerName?: string;
    /** `data` for a local activity's marker, `patch-data` for a patch's. */
    details?: Record<string, { payloads?: { data: string }[] } | undefined>;
  };
}
const load = (file: string) => JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as { events: JsonEvent[] };
const ending = (file: string) => {
  const events = load(file).events;
  const last = events.at(-1)!;
  return `${last.eventType.replace('EVENT_TYPE_WORKFLOW_EXECUTION_', '')}${last.workflowExecutionFailedEventAttributes ? ` ${last.workflowExecutionFailedEventAttributes.failure?.applicationFailureInfo?.type}` : ''}`;
};

/**
 * The workflow id a fixture ran under (histories do not carry it): a coordinator checks that submissions are
 * for its own group, whose id it derives from the submitted request and its task queue.
 */
function workflowIdOf(file: string): string {
  if (!file.includes('.coordinator')) return file;
  const events = load(file).events as (JsonEvent & Record<string, any>)[];
  const taskQueue = events[0]!.workflowExecutionStartedEventAttributes?.taskQueue?.name as string;
  const signal = events.find(
    (e) => e.workflowExecutionSignaledEventAttributes,
  )?.workflowExecutionSignaledEventAttributes;
  const data = signal?.input?.payloads?.[0]?.data;
  const submit = data ? JSON.parse(Buffer.from(data, 'base64').toString('utf8')) : undefined;
  const carried = events[0]!.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  const group = submit?.request
    ? groupRefOf(submit.request)
    : JSON.parse(Buffer.from(carried ?? '', 'base64').toString('utf8')).ledger.group;
  return queueCoordinatorWorkflowId(group, taskQueue);
}

const typeOf = (file: string) => load(file).events[0]!.workflowExecutionStartedEventAttributes?.workflowType?.name;

describe('replay of recorded request and coordinator histories against the current workflow code', () => {
  let workflowBundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    workflowBundle = await bundleLbflowWorkflows();
  });

  it('keeps every released history as it was recorded: each file is listed in releases.json with its SHA-256', () => {
    expect(RELEASES.length).toBeGreaterThan(0);
    const listed = RELEASES.flatMap((r) => Object.keys(MANIFEST.releases[r]!.histories).map((f) => `${r}/${f}`));
    expect(FIXTURES).toEqual(listed.sort());
    for (const release of RELEASES)
      for (const [file, hash] of Object.entries(MANIFEST.releases[release]!.histories))
        expect({ file: `${release}/${file}`, sha256: sha256(`${release}/${file}`) }).toEqual({
          file: `${release}/${file}`,
          sha256: hash,
        });
  });

  it.each(RELEASES)(
    'release %s recorded requests of each provider, a typed failure with rollback and provider faults, each with its coordinator, and a coordinator chain',
    (release) => {
      const own = FIXTURES.filter((f) => f.startsWith(`${release}/`));
      const requests = own.filter((f) => !f.includes('.coordinator'));
      expect(Object.fromEntries(requests.map((f) => [f.slice(release.length + 1), ending(f)]))).toEqual({
        'alibaba-availability-timeout-rollback.json': 'FAILED AvailabilityTimeout',
        'alibaba-continue-as-new.json': 'COMPLETED',
        'alibaba-faults.json': 'COMPLETED',
        'alibaba-success.json': 'COMPLETED',
        'huawei-faults.json': 'COMPLETED',
        'huawei-success.json': 'COMPLETED',
      });
      for (const f of requests) {
        expect(typeOf(f)).toBe('addServersToServerGroup');
        expect(own.filter((c) => c.startsWith(f.replace('.json', '.coordinator'))).length).toBeGreaterThan(0);
      }
      const chain = own.filter((f) => f.startsWith(`${release}/alibaba-continue-as-new.coordinator-run`)).sort();
      expect(chain.length).toBeGreaterThan(1);
      expect(chain.slice(0, -1).map(ending)).toEqual(chain.slice(0, -1).map(() => 'CONTINUED_AS_NEW'));
      for (const f of own) {
        if (f.includes('.coordinator')) expect(typeOf(f)).toBe('serverGroupCoordinator');
        expect(readFileSync(new URL(f, DIR)).length).toBeLessThan(300 * 1024);
      }
      expect(MANIFEST.releases[release]!.replayedBy).toBe('current');
    },
  );

  it.each(FIXTURES)('the current code replays released history %s', async (file) => {
    await expect(
      Worker.runReplayHistory({ workflowBundle, replayName: file }, historyFromJSON(load(file)), workflowIdOf(file)),
    ).resolves.toBeUndefined();
  });

  const patchesOf = (f: string) =>
    load(f)
      .events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
      .map(
        (e) =>
          JSON.parse(
            Buffer.from(
              Object.values(e.markerRecordedEventAttributes!.details!)[0]!.payloads![0]!.data,
              'base64',
            ).toString(),
          ) as { id: string },
      )
      .map((p) => p.id);
  const ofRelease = (release: string, suffix: string) =>
    FIXTURES.filter((f) => f.startsWith(`${release}/`) && f.endsWith(suffix));

  it("replays both sides of the 0.2 patch: 0.1.0's idle coordinators waited with one timer, 0.2.0's look at the version", () => {
    const idle = (release: string) => ofRelease(release, 'success.coordinator.json');
    expect(idle('0.1.0').length).toBeGreaterThan(0);
    for (const f of idle('0.1.0')) expect(patchesOf(f)).toEqual([]);
    expect(idle('0.2.0').length).toBeGreaterThan(0);
    for (const f of idle('0.2.0')) expect(patchesOf(f)).toEqual(['lbflow-0.2-idle-version-check']);
  });

  it('replays both sides of the 0.3 patch: before 0.3.0 a failed request heard its outcome alone, since 0.3.0 its final progress first', () => {
    const signals = (f: string) =>
      load(f)
        .events.filter((e) => e.workflowExecutionSignaledEventAttributes)
        .map(
          (e) =>
            JSON.parse(
              Buffer.from(e.workflowExecutionSignaledEventAttributes!.input!.payloads![0]!.data!, 'base64').toString(),
            ) as { kind: string; progress?: { phase: string; states: Record<string, number> } },
        );
    const failed = 'availability-timeout-rollback';
    for (const release of ['0.1.0', '0.2.0']) {
      for (const f of ofRelease(release, `${failed}.coordinator.json`))
        expect(patchesOf(f)).not.toContain('lbflow-0.3-final-progress');
      // Its last progress was the rollback's, which still counted the servers it removed as they were before.
      const [request] = ofRelease(release, `${failed}.json`);
      expect(signals(request!).at(-2)?.progress?.phase).toBe('rolling-back');
    }
    const [coordinator] = ofRelease('0.3.0', `${failed}.coordinator.json`);
    expect(patchesOf(coordinator!)).toContain('lbflow-0.3-final-progress');
    const [request] = ofRelease('0.3.0', `${failed}.json`);
    const [final, outcome] = signals(request!).slice(-2);
    expect(final).toMatchObject({ kind: 'progress', progress: { phase: 'failed', states: { removed: 2 } } });
    expect(outcome?.kind).toBe('failed');
  });

  it('reports a determinism violation when the coordinator would schedule other commands than the history holds', async () => {
    const history = load(`${RELEASES[0]}/alibaba-success.coordinator.json`);
    const add = history.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'addChunk')!;
    add.activityTaskScheduledEventAttributes!.activityType!.name = 'removeChunk';
    await expect(
      Worker.runReplayHistory(
        { workflowBundle, replayName: 'altered' },
        historyFromJSON(history),
        workflowIdOf(`${RELEASES[0]}/alibaba-success.coordinator.json`),
      ),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it('reports a determinism violation when the request would hand over differently than the history holds', async () => {
    const history = load(`${RELEASES[0]}/alibaba-success.json`);
    // The hand-over is a local activity: its record is a marker whose data names the activity type.
    const marker = history.events.find((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')!;
    const payload = marker.markerRecordedEventAttributes!.details!['data']!.payloads![0]!;
    const data = JSON.parse(Buffer.from(payload.data, 'base64').toString()) as { activity_type: string };
    expect(data.activity_type).toBe('handOver');
    payload.data = Buffer.from(JSON.stringify({ ...data, activity_type: 'listGroupServers' })).toString('base64');
    await expect(
      Worker.runReplayHistory({ workflowBundle, replayName: 'altered-request' }, historyFromJSON(history)),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});

describe('each release replays its own histories on its own build (built from its commit)', () => {
  // A release's runs are pinned to its build: this is the code that runs them while they drain. A release whose
  // histories the current code no longer replays (one whose runs can no longer move) is still proven here.
  const builds = new Map<string, string>();
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lbflow-releases-'));
    for (const r of keptReleases()) builds.set(r.release, (await releaseBundle(dir, r)).bundlePath);
  }, 180_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('builds every release listed in releases.json', () => {
    expect([...builds.keys()]).toEqual(RELEASES);
  });

  it.each(FIXTURES)('its own build replays %s', async (file) => {
    const codePath = builds.get(file.split('/')[0]!)!;
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: { codePath }, replayName: file },
        historyFromJSON(load(file)),
        workflowIdOf(file),
      ),
    ).resolves.toBeUndefined();
  });
});
