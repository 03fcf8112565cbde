// The coordinator's read of several requests' servers at once: it ends as soon as one request's set is ready, and
// at the deadline it answers the statuses it saw instead of failing, so each request can be judged by its own.
import {
  ApplicationFailure,
  ApplicationFailureCategory,
  DefaultFailureConverter,
  defaultPayloadConverter,
} from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { POLL_SHOWS_STRAGGLERS } from '../../src/activities/boundary.js';
import { createActivities } from '../../src/activities/index.js';
import type { GroupRef } from '../../src/domain/index.js';
import type { LoadBalancerProvider } from '../../src/providers/index.js';
import type { WaitServersInput, WaitServersResult } from '../../src/activities/index.js';

const group: GroupRef = { provider: 'alibaba-gwlb', region: 'cn-hangzhou', serverGroupId: 'sgp-wait' };
const server = (n: number) => ({ serverType: 'Ecs', serverId: `i-wait${String(n).padStart(4, '0')}`, port: 80 });
const keyOf = (n: number) => `Ecs:i-wait${String(n).padStart(4, '0')}:80`;

/** A group whose servers turn Available at the given ms after the test starts (never: stay Adding); lists are counted. */
function groupSettlingAt(readyAfterMs: Map<number, number>) {
  const started = Date.now();
  const filters: number[] = [];
  const provider = {
    provider: 'alibaba-gwlb',
    async listServers(_g: unknown, options?: { servers?: { serverId: string }[] }) {
      filters.push(options?.servers?.length ?? -1);
      const members = [...readyAfterMs].map(([n, after]) => ({
        key: keyOf(n),
        status: Date.now() - started >= after ? 'Available' : 'Adding',
      }));
      const wanted = options?.servers ? new Set(options.servers.map((s) => s.serverId)) : undefined;
      return { members: members.filter((m) => !wanted || wanted.has(m.key.split(':')[1]!)), requestIds: ['req-list'] };
    },
  } as unknown as LoadBalancerProvider;
  return { activities: createActivities({ providerFor: () => provider }), filters };
}

/** An activity environment whose attempt was scheduled now, so the wait's deadlines (Temporal's time) line up with ours. */
const now = () =>
  new MockActivityEnvironment({ scheduledTimestampMs: Date.now(), currentAttemptScheduledTimestampMs: Date.now() });

const waitIn = (activities: ReturnType<typeof createActivities>, input: WaitServersInput) =>
  now().run(activities.waitServersReady, input) as Promise<WaitServersResult>;

describe("waitServersReady over several requests' sets", () => {
  it('answers once one set is all ready, with every status, and lists a server two sets share once', async () => {
    // Set 1: servers 0–1, ready at once. Set 2: servers 1–2, server 2 never ready.
    const { activities, filters } = groupSettlingAt(
      new Map([
        [0, 0],
        [1, 0],
        [2, Infinity],
      ]),
    );
    const result = await waitIn(activities, {
      group,
      servers: [server(0), server(1), server(1), server(2)],
      sets: [2, 2],
      waitFor: 'available' as const,
      pollMs: 20,
      deadlineMs: Date.now() + 10_000,
    });
    expect(result.timedOut).toBeUndefined();
    expect(result.statuses).toEqual({
      each: [
        { key: keyOf(0), value: 'Available' },
        { key: keyOf(1), value: 'Available' },
        { key: keyOf(1), value: 'Available' },
        { key: keyOf(2), value: 'Adding' },
      ],
    });
    expect(filters).toEqual([3]);
  });

  it('keeps polling while no set is ready, then answers at the deadline with what it saw', async () => {
    const { activities, filters } = groupSettlingAt(
      new Map([
        [0, 60],
        [1, Infinity],
        [2, Infinity],
      ]),
    );
    const result = await waitIn(activities, {
      group,
      servers: [server(0), server(1), server(2)],
      sets: [2, 1],
      waitFor: 'available' as const,
      pollMs: 20,
      deadlineMs: Date.now() + 300,
    });
    expect(result.timedOut).toBe(true);
    expect(result.statuses).toEqual({
      each: [
        { key: keyOf(0), value: 'Available' },
        { key: keyOf(1), value: 'Adding' },
        { key: keyOf(2), value: 'Adding' },
      ],
    });
    // Once seen ready, server 0 is not asked for again.
    expect(filters[0]).toBe(3);
    expect(filters.at(-1)).toBe(2);
    expect(filters.length).toBeGreaterThan(3);
  });

  it('waits for every server when there is one set', async () => {
    const { activities } = groupSettlingAt(
      new Map([
        [0, 0],
        [1, 80],
      ]),
    );
    const result = await waitIn(activities, {
      group,
      servers: [server(0), server(1)],
      waitFor: 'available' as const,
      pollMs: 20,
      deadlineMs: Date.now() + 10_000,
    });
    expect(result).toMatchObject({ statuses: { all: 'Available' } });
  });
});

describe('a poll that is not ready yet, as the Web UI shows it (issue 14)', () => {
  it('fails its attempt with a short message, no stack trace and small details, however many servers wait', async () => {
    const waiting = new Map(Array.from({ length: 400 }, (_, n) => [n, Infinity] as [number, number]));
    const { activities } = groupSettlingAt(waiting);
    const servers = [...waiting.keys()].map(server);
    // A poll interval above the retry floor: the attempt ends at once and the retry policy polls on.
    const error = await waitIn(activities, {
      group,
      servers,
      waitFor: 'available' as const,
      pollMs: 5_000,
      deadlineMs: Date.now() + 60_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    const failure = error as ApplicationFailure;
    expect(failure.type).toBe('ServersNotReady');
    expect(failure.message).toBe('400 of 400 servers are not available yet');
    expect(failure.category).toBe(ApplicationFailureCategory.BENIGN);
    expect(failure.details?.[0]).toEqual({
      notReady: 400,
      byStatus: { Adding: 400 },
      first: servers.slice(0, POLL_SHOWS_STRAGGLERS).map((_, n) => ({ key: keyOf(n), status: 'Adding' })),
      lastRequestId: 'req-list',
    });
    // What Temporal stores as the activity's last failure: well under the size it replaces with "Failure exceeds size limit."
    const proto = new DefaultFailureConverter().errorToFailure(failure, defaultPayloadConverter);
    expect(proto.stackTrace).toBe('');
    const payloadBytes = (proto.applicationFailureInfo?.details?.payloads ?? []).reduce(
      (n, p) => n + (p.data?.length ?? 0),
      0,
    );
    expect(payloadBytes + (proto.message ?? '').length).toBeLessThan(1024);
  });
});
