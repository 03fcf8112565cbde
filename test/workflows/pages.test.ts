// Submissions bounded by design (issue 32): a request whose servers take more than INLINE_SUBMISSION_BYTES hands its
// coordinator their count alone, and the coordinator fetches them from the request in pages when it has room, so a
// burst of big requests never lands in one coordinator history at once. A coordinator whose code does not fetch (an
// earlier release's, as after a rollback) is sent the servers instead. Both on the dev server, with real workers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, describe, expect, it } from 'vitest';
import { previousRelease, releaseBundle } from '../../drills/releases.js';
import {
  COORDINATOR_SIGNAL,
  COORDINATOR_WORKFLOW_TYPE,
  INLINE_SUBMISSION_BYTES,
  SERVER_PAGE_BYTES,
  type AddServersResult,
  type GroupRef,
  type Server,
} from '../../src/domain/index.js';
import { coordinatorWorkflowId, identityKey } from '../../src/registry/index.js';
import { ALIBABA_BIG_GROUP, alibabaIpServers, alibabaRequest, huaweiRequest } from '../integration/support.js';
import { devServerTests } from './dev-harness.js';
import { huaweiServers, SIDES } from './harness.js';

/** A coordinator's history as the tests read it: each signal it got (bytes and kind) and each page it fetched. */
async function coordinatorRecord(env: TestWorkflowEnvironment, id: string) {
  const history = await env.client.workflow.getHandle(id).fetchHistory();
  const signals: { bytes: number; kind: string; pages: boolean; servers: number }[] = [];
  const pages: number[] = [];
  const fetches = new Set<number>();
  for (const e of history.events ?? []) {
    const signal = e.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName === COORDINATOR_SIGNAL && signal.input?.payloads?.[0]) {
      const payload = signal.input.payloads[0];
      const message = defaultPayloadConverter.fromPayload(payload) as {
        kind: string;
        pages?: unknown;
        request?: { servers: unknown[] };
      };
      signals.push({
        bytes: payload.data?.length ?? 0,
        kind: message.kind,
        pages: message.pages !== undefined,
        servers: message.request?.servers.length ?? 0,
      });
    }
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'fetchServers') fetches.add(Number(e.eventId));
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed && fetches.has(Number(completed.scheduledEventId)))
      pages.push(completed.result?.payloads?.[0]?.data?.length ?? 0);
  }
  return { signals, pages };
}

describe('big submissions carry their servers count alone, and the coordinator fetches the servers (dev server)', () => {
  const t = devServerTests();
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const cases = [
    {
      provider: 'alibaba-gwlb' as const,
      // Ip-type servers into the big group: two requests of 3,500, each more than a page.
      group: { provider: 'alibaba-gwlb', region: 'cn-hangzhou', serverGroupId: ALIBABA_BIG_GROUP } as GroupRef,
      asked: [0, 3500].map((first) => alibabaIpServers(3500, first) as Server[]),
      request: (servers: Server[]) => alibabaRequest(servers, { waitFor: 'registered' }, ALIBABA_BIG_GROUP),
      pagesEach: 2,
    },
    {
      provider: 'huawei-elb' as const,
      // The pool takes 1,000 members here: two requests of 450, each more than a submission carries.
      group: SIDES[1]!.group,
      asked: [0, 500].map((first) => huaweiServers(450, first) as Server[]),
      request: (servers: Server[]) => huaweiRequest(servers, { waitFor: 'registered' }),
      pagesEach: 1,
    },
  ];
  for (const side of cases) {
    const keyOf = (s: Server) => identityKey(side.provider, s);

    it(`${side.provider}: ${side.asked.length} requests of ${side.asked[0]!.length.toLocaleString('en')} servers reach the coordinator as signals of a few KB, their servers fetched in pages of at most ${SERVER_PAGE_BYTES / 1024} KB; each adds all its own`, async () => {
      const { asked } = side;
      expect(JSON.stringify(asked[0]).length).toBeGreaterThan(INLINE_SUBMISSION_BYTES);
      const results = await t.h.withWorker(async (taskQueue) =>
        Promise.all(
          asked.map(
            async (servers, n) =>
              (await t.env.client.workflow.execute('addServersToServerGroup', {
                taskQueue,
                workflowId: `paged-${n}-${crypto.randomUUID()}`,
                args: [side.request(servers)],
              })) as AddServersResult,
          ),
        ),
      );
      for (const [n, result] of results.entries())
        expect([...result.added].sort()).toEqual(asked[n]!.map(keyOf).sort());
      const { signals, pages } = await coordinatorRecord(t.env, coordinatorWorkflowId(side.group));
      const submissions = signals.filter((s) => s.kind === 'submit');
      expect(submissions.length).toBeGreaterThanOrEqual(asked.length);
      expect(submissions.every((s) => s.pages && s.servers === 1)).toBe(true);
      expect(Math.max(...signals.map((s) => s.bytes))).toBeLessThan(4096);
      // Every server of each, in pages none of which is over the page size.
      expect(pages.length).toBeGreaterThanOrEqual(asked.length * side.pagesEach);
      expect(Math.max(...pages)).toBeLessThanOrEqual(SERVER_PAGE_BYTES + 1024);
    });
  }

  it(`a coordinator running release ${previousRelease().release}'s code (it does not fetch: a rollback) is sent the servers, and serves the request`, async () => {
    const side = SIDES[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'lbflow-pages-'));
    dirs.push(dir);
    const old = await releaseBundle(dir, previousRelease());
    const oldQueue = `old-${crypto.randomUUID()}`;
    const oldWorker = await Worker.create({
      connection: t.env.nativeConnection,
      taskQueue: oldQueue,
      workflowBundle: { codePath: old.bundlePath },
      activities: t.h.activities,
    });
    const servers = side.servers(600);
    const result = await oldWorker.runUntil(async () => {
      // The group's coordinator, started on the earlier release's workers (idle until a submission comes).
      const coordinator = await t.env.client.workflow.start(COORDINATOR_WORKFLOW_TYPE, {
        taskQueue: oldQueue,
        workflowId: coordinatorWorkflowId(side.group),
        args: [],
      });
      const done = await t.h.withWorker(
        async (taskQueue) =>
          (await t.env.client.workflow.execute('addServersToServerGroup', {
            taskQueue,
            workflowId: `to-old-${crypto.randomUUID()}`,
            args: [side.request(servers, { waitFor: 'registered' })],
          })) as AddServersResult,
      );
      // Ended with the request's worker (asked to exit once idle), on the earlier release's.
      await coordinator.result();
      return done;
    });
    expect([...result.added].sort()).toEqual(servers.map((s) => identityKey(side.provider, s)).sort());
    const { signals, pages } = await coordinatorRecord(t.env, coordinatorWorkflowId(side.group));
    const submissions = signals.filter((s) => s.kind === 'submit');
    // The count alone first (refused by that code), then the servers.
    expect(submissions.map((s) => [s.pages, s.servers])).toEqual([
      [true, 1],
      [false, 600],
    ]);
    expect(pages).toEqual([]);
  });
});
