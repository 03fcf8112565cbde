// Replay: every history recorded in test/fixtures/histories/ (requests and their group coordinators, (by test/integration/record-histories.ts, on the dev
// server with a real worker and the simulators) must replay against the current workflow code. A change that
// would break runs already in flight fails here, with no server. Re-record only for a deliberate break.
import { readdirSync, readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import './setup/servers.js'; // the quiet Temporal runtime, as in every Temporal test file
import { coordinatorWorkflowId, groupRefOf } from '../src/domain/index.js';
import { bundleLbflowWorkflows } from './workflows/harness.js';

const DIR = new URL('./fixtures/histories/', import.meta.url);
const FIXTURES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

interface JsonEvent {
  eventType: string;
  workflowExecutionStartedEventAttributes?: {
    workflowType?: { name?: string };
    taskQueue?: { name?: string };
    input?: { payloads?: { data: string }[] };
  };
  workflowExecutionFailedEventAttributes?: { failure?: { applicationFailureInfo?: { type?: string } } };
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  markerRecordedEventAttributes?: { markerName?: string; details?: { data?: { payloads?: { data: string }[] } } };
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
  const submit = signal ? JSON.parse(Buffer.from(signal.input.payloads[0].data, 'base64').toString('utf8')) : undefined;
  const carried = events[0]!.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  const group = submit?.request
    ? groupRefOf(submit.request)
    : JSON.parse(Buffer.from(carried ?? '', 'base64').toString('utf8')).ledger.group;
  return coordinatorWorkflowId(group, taskQueue);
}

const typeOf = (file: string) => load(file).events[0]!.workflowExecutionStartedEventAttributes?.workflowType?.name;

describe('replay of recorded request and coordinator histories against the current workflow code', () => {
  let workflowBundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    workflowBundle = await bundleLbflowWorkflows();
  });

  it('has request fixtures for each provider, a typed failure with rollback and provider faults, each with its coordinator, and a coordinator chain', () => {
    const requests = FIXTURES.filter((f) => !f.includes('.coordinator'));
    expect(Object.fromEntries(requests.map((f) => [f, ending(f)]))).toEqual({
      'alibaba-availability-timeout-rollback.json': 'FAILED AvailabilityTimeout',
      'alibaba-continue-as-new.json': 'COMPLETED',
      'alibaba-faults.json': 'COMPLETED',
      'alibaba-success.json': 'COMPLETED',
      'huawei-faults.json': 'COMPLETED',
      'huawei-success.json': 'COMPLETED',
    });
    for (const f of requests) {
      expect(typeOf(f)).toBe('addServersToServerGroup');
      expect(FIXTURES.filter((c) => c.startsWith(f.replace('.json', '.coordinator'))).length).toBeGreaterThan(0);
    }
    const chain = FIXTURES.filter((f) => f.startsWith('alibaba-continue-as-new.coordinator-run')).sort();
    expect(chain.length).toBeGreaterThan(1);
    expect(chain.slice(0, -1).map(ending)).toEqual(chain.slice(0, -1).map(() => 'CONTINUED_AS_NEW'));
    for (const f of FIXTURES) {
      if (f.includes('.coordinator')) expect(typeOf(f)).toBe('serverGroupCoordinator');
      expect(readFileSync(new URL(f, DIR)).length).toBeLessThan(300 * 1024);
    }
  });

  it.each(FIXTURES)('replays %s', async (file) => {
    await expect(
      Worker.runReplayHistory({ workflowBundle, replayName: file }, historyFromJSON(load(file)), workflowIdOf(file)),
    ).resolves.toBeUndefined();
  });

  it('reports a determinism violation when the coordinator would schedule other commands than the history holds', async () => {
    const history = load('alibaba-success.coordinator.json');
    const add = history.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'addChunk')!;
    add.activityTaskScheduledEventAttributes!.activityType!.name = 'removeChunk';
    await expect(
      Worker.runReplayHistory(
        { workflowBundle, replayName: 'altered' },
        historyFromJSON(history),
        workflowIdOf('alibaba-success.coordinator.json'),
      ),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it('reports a determinism violation when the request would hand over differently than the history holds', async () => {
    const history = load('alibaba-success.json');
    // The hand-over is a local activity: its record is a marker whose data names the activity type.
    const marker = history.events.find((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')!;
    const payload = marker.markerRecordedEventAttributes!.details!.data!.payloads![0]!;
    const data = JSON.parse(Buffer.from(payload.data, 'base64').toString()) as { activity_type: string };
    expect(data.activity_type).toBe('handOver');
    payload.data = Buffer.from(JSON.stringify({ ...data, activity_type: 'listGroupServers' })).toString('base64');
    await expect(
      Worker.runReplayHistory({ workflowBundle, replayName: 'altered-request' }, historyFromJSON(history)),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
