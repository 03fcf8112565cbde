// Replay: every history recorded in test/fixtures/histories/ (by test/integration/record-histories.ts, on the dev
// server with a real worker and the simulators) must replay against the current workflow code. A change that
// would break runs already in flight fails here, with no server. Re-record only for a deliberate break.
import { readdirSync, readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import './setup/servers.js'; // the quiet Temporal runtime, as in every Temporal test file
import { bundleLbflowWorkflows } from './workflows/harness.js';

const DIR = new URL('./fixtures/histories/', import.meta.url);
const FIXTURES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

interface JsonEvent {
  eventType: string;
  workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } };
  workflowExecutionFailedEventAttributes?: { failure?: { applicationFailureInfo?: { type?: string } } };
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
}
const load = (file: string) => JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as { events: JsonEvent[] };
const ending = (file: string) => {
  const events = load(file).events;
  const last = events.at(-1)!;
  return `${last.eventType.replace('EVENT_TYPE_WORKFLOW_EXECUTION_', '')}${last.workflowExecutionFailedEventAttributes ? ` ${last.workflowExecutionFailedEventAttributes.failure?.applicationFailureInfo?.type}` : ''}`;
};

describe('replay of recorded addServersToServerGroup histories against the current workflow code', () => {
  let workflowBundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    workflowBundle = await bundleLbflowWorkflows();
  });

  it('has fixtures for each provider, a typed failure with rollback, provider faults and a continue-as-new chain', () => {
    expect(Object.fromEntries(FIXTURES.map((f) => [f, ending(f)]))).toEqual({
      'alibaba-availability-timeout-rollback.json': 'FAILED AvailabilityTimeout',
      'alibaba-continue-as-new-run1.json': 'CONTINUED_AS_NEW',
      'alibaba-continue-as-new-run2.json': 'COMPLETED',
      'alibaba-faults.json': 'COMPLETED',
      'alibaba-success.json': 'COMPLETED',
      'huawei-faults.json': 'COMPLETED',
      'huawei-success.json': 'COMPLETED',
    });
    for (const f of FIXTURES) {
      expect(load(f).events[0]!.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe('addServersToServerGroup');
      expect(readFileSync(new URL(f, DIR)).length).toBeLessThan(300 * 1024);
    }
  });

  it.each(FIXTURES)('replays %s', async (file) => {
    await expect(Worker.runReplayHistory({ workflowBundle, replayName: file }, historyFromJSON(load(file)))).resolves.toBeUndefined();
  });

  it('reports a determinism violation when the code would schedule other commands than the history holds', async () => {
    const history = load('alibaba-success.json');
    const add = history.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'addChunk')!;
    add.activityTaskScheduledEventAttributes!.activityType!.name = 'removeChunk';
    await expect(Worker.runReplayHistory({ workflowBundle, replayName: 'altered' }, historyFromJSON(history))).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
