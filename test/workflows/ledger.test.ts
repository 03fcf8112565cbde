// The coordinator's rules on their own (no Temporal): how requests coalesce into changes, who created what, what a
// rollback may remove, how a failed change is split, and what each request is told.
import { describe, expect, it } from 'vitest';
import { type AddServersRequest, type SubmitMessage } from '../../src/domain/index.js';
import { requestSchemas } from '../../src/registry/index.js';
import {
  emptyLedger,
  Ledger,
  MAX_CARRIED_BYTES,
  MAX_HELD_BYTES,
  CARRIED_BYTES_1MB,
  HELD_BYTES_1MB,
  applyFetched,
  fetchDue,
  fromCarried,
  abandon,
  admissionsDue,
  applyAddFailed,
  applyAdded,
  applyListing,
  applyNotSent,
  applyRead,
  applyRemoved,
  applyUnanswered,
  cancel,
  answered,
  followingWrites,
  own,
  nextWrite,
  phaseChangeDueAt,
  progressDue,
  readsDue,
  submit,
  takeEndings,
  toList,
  isAdmitted,
  endedStage,
  toCarried,
  type Change,
  type RequestEntry,
} from '../../src/workflows/ledger/index.js';
import { alibabaServers } from './harness.js';

const GROUP = { provider: 'alibaba-gwlb', region: 'cn-hangzhou', serverGroupId: 'sgp-ledgertest0' } as const;
const keyOf = (s: { serverId: string }) => `Ecs:${s.serverId}:6081`;

function submission(id: string, servers: unknown[], options: Record<string, unknown> = {}): SubmitMessage {
  const request = requestSchemas().AddServersRequestSchema.parse({
    provider: 'alibaba-gwlb',
    region: 'cn-hangzhou',
    serverGroupId: GROUP.serverGroupId,
    servers,
    options: { pollIntervalSeconds: 1, ...options },
  }) as AddServersRequest;
  return { kind: 'submit', requester: { workflowId: id, runId: `${id}-run` }, nonce: `${id}-nonce`, request };
}

/** A ledger whose requests were all listed against an empty group (or `present`). */
function ledgerWith(requests: SubmitMessage[], present: string[] = []): Ledger {
  const l = new Ledger(emptyLedger(GROUP), 'incarnation-1');
  for (const r of requests) expect(submit(l, r, 0)).toBeUndefined();
  applyListing(
    l,
    toList(l).map((r) => r.id),
    present.map((key) => ({ key, status: 'Available' })),
    ['list-1'],
    new Set(),
  );
  return l;
}

type Add = Extract<Change, { kind: 'add' }>;
const endingOf = (r: RequestEntry | undefined) => (r ? endedStage(r)?.ending : undefined);
/** The outcomes due, as a coordinator that tells no final progress (as before 0.3.0) sends them. */
const takeOutcomes = (l: Ledger) => takeEndings(l, { finalProgress: () => false, delivering: new Set() }).outcomes;
const nextAdd = (l: Ledger, now = 0): Add => {
  const op = nextWrite(l, now);
  if (op?.kind !== 'add') throw new Error(`expected an add, got ${JSON.stringify(op)}`);
  return op;
};
const accept = (l: Ledger, op: Add, now = 1) =>
  applyAdded(l, op, { all: op.dry ? 'dry-run' : 'accepted' }, undefined, [`req-${op.token}`], now);
const readAll = (l: Ledger, now = 2) => {
  for (const read of readsDue(l, now, new Set())) applyRead(l, read, { all: 'Available' }, [], false);
};

describe('the coordinator ledger', () => {
  it('coalesces 20 requests of 50 into chunks of 200 in arrival order, each server once', () => {
    const l = ledgerWith(Array.from({ length: 20 }, (_, n) => submission(`r${n}`, alibabaServers(50, n * 50))));
    const chunks: string[][] = [];
    for (let op = nextWrite(l, 0); op; op = nextWrite(l, 0)) {
      expect(op.kind).toBe('add');
      chunks.push((op as Add).keys);
      accept(l, op as Add);
    }
    expect(chunks.map((c) => c.length)).toEqual([200, 200, 200, 200, 200]);
    expect(chunks.flat()).toEqual(alibabaServers(1000).map(keyOf));
    readAll(l);
    const outcomes = takeOutcomes(l);
    expect(outcomes).toHaveLength(20);
    for (const [n, o] of outcomes.entries()) {
      expect(o.update.kind).toBe('completed');
      expect((o.update as { added: string[] }).added).toEqual(alibabaServers(50, n * 50).map(keyOf));
    }
  });

  it('never puts more in a chunk than the smallest maxChunkSize of the requests in it', () => {
    const l = ledgerWith([
      submission('a', alibabaServers(30)),
      submission('b', alibabaServers(30, 30), { maxChunkSize: 40 }),
    ]);
    expect(l.live.map((r) => l.queued(r))).toEqual([30, 30]);
    const first = nextAdd(l);
    expect([l.queued(), ...l.live.map((r) => l.queued(r))]).toEqual([20, 0, 20]);
    expect(first.keys).toHaveLength(40);
    expect(first.requests).toEqual(['a', 'b']);
  });

  it('keeps a dry run out of a chunk of real adds', () => {
    const l = ledgerWith([
      submission('real', alibabaServers(10)),
      submission('dry', alibabaServers(10, 10), { dryRun: true }),
      submission('real2', alibabaServers(10, 20)),
    ]);
    const first = nextAdd(l);
    expect([first.dry, first.requests]).toEqual([false, ['real', 'real2']]);
    accept(l, first);
    const second = nextAdd(l);
    expect([second.dry, second.requests]).toEqual([true, ['dry']]);
  });

  it('sends a server two requests want once: the first reports it added, the other already present', () => {
    const l = ledgerWith([submission('a', alibabaServers(50)), submission('b', alibabaServers(50))]);
    const op = nextAdd(l);
    expect(op.keys).toHaveLength(50);
    accept(l, op);
    expect(nextWrite(l, 0)).toBeUndefined();
    readAll(l);
    const [a, b] = takeOutcomes(l).map((o) => o.update as { added: string[]; alreadyPresent: string[] });
    expect([a!.added.length, a!.alreadyPresent.length, b!.added.length, b!.alreadyPresent.length]).toEqual([
      50, 0, 0, 50,
    ]);
  });

  it('a request arriving while a server is in flight joins it instead of sending it again', () => {
    const l = ledgerWith([submission('a', alibabaServers(10))]);
    const op = nextAdd(l);
    submit(l, submission('b', alibabaServers(5)), 0);
    applyListing(l, ['b'], [], [], new Set());
    expect(nextWrite(l, 0)).toBeUndefined();
    accept(l, op);
    readAll(l);
    const b = takeOutcomes(l).find((o) => o.request.id === 'b')!.update as {
      added: string[];
      alreadyPresent: string[];
    };
    expect([b.added, b.alreadyPresent]).toEqual([[], alibabaServers(5).map(keyOf)]);
  });

  it('rolls back only what the request created and nobody else asked for, and says what it kept', () => {
    const l = ledgerWith([submission('a', alibabaServers(20), { onFailure: 'rollback' })]);
    accept(l, nextAdd(l));
    // b wants 5 of a's servers while a still lives (waiting for them), and completes first.
    submit(l, submission('b', alibabaServers(5)), 0);
    applyListing(
      l,
      ['b'],
      alibabaServers(20).map((s) => ({ key: keyOf(s), status: 'Adding' })),
      [],
      new Set(),
    );
    expect(cancel(l, 'a', 'a-nonce')).toBeUndefined();
    expect(takeOutcomes(l)).toEqual([]);
    const removal = nextWrite(l, 0);
    expect(removal).toMatchObject({ kind: 'remove', request: 'a', keys: alibabaServers(15, 5).map(keyOf) });
    applyRemoved(l, removal as Extract<Change, { kind: 'remove' }>, ['rm-1']);
    expect(nextWrite(l, 0)).toBeUndefined();
    const a = takeOutcomes(l).find((o) => o.request.id === 'a')!.update;
    expect(a).toMatchObject({
      kind: 'cancelled',
      report: {
        added: alibabaServers(20).map(keyOf),
        rolledBack: alibabaServers(15, 5).map(keyOf),
        keptForOthers: alibabaServers(5).map(keyOf),
      },
    });
  });

  it('tells a request that failed its last progress before its outcome: chunks sent of those planned, servers as left', () => {
    const l = ledgerWith([submission('a', alibabaServers(6), { maxChunkSize: 2, onFailure: 'rollback' })]);
    accept(l, nextAdd(l));
    expect(cancel(l, 'a', 'a-nonce')).toBeUndefined();
    const removal = nextWrite(l, 0) as Extract<Change, { kind: 'remove' }>;
    applyRemoved(l, removal, ['rm-1']);
    const rules = { finalProgress: () => true, delivering: new Set<string>() };
    const first = takeEndings(l, rules);
    expect(first.outcomes).toEqual([]);
    expect(first.finals.map((f) => f.update)).toMatchObject([
      {
        kind: 'progress',
        progress: { phase: 'failed', chunksDone: 1, chunksTotal: 3, added: 2, states: { removed: 2, pending: 4 } },
      },
    ]);
    // The outcome waits while the final progress is on its way (signals keep no order), and goes once it arrived.
    expect(takeEndings(l, { ...rules, delivering: new Set(['a']) })).toEqual({ finals: [], outcomes: [] });
    const [told] = takeEndings(l, rules).outcomes;
    expect(takeEndings(l, rules)).toEqual({ finals: [], outcomes: [] });
    // Only the two it added have a status: the outcome names them one by one, so no reader counts the rest removed.
    expect(told!.update).toMatchObject({
      kind: 'cancelled',
      statuses: { each: alibabaServers(2).map((s) => ({ key: keyOf(s), value: 'removed' })) },
    });
  });

  it('tells a completed request its outcome alone, which counts its chunks', () => {
    const l = ledgerWith([submission('a', alibabaServers(2))]);
    accept(l, nextAdd(l));
    readAll(l);
    const { finals, outcomes } = takeEndings(l, { finalProgress: () => true, delivering: new Set() });
    expect(finals).toEqual([]);
    expect(outcomes[0]!.update).toMatchObject({ kind: 'completed', chunks: 1, statuses: { all: 'Available' } });
  });

  it('keeps out of a rollback the servers a request that arrived and is not listed yet asked for', () => {
    const l = ledgerWith([submission('a', alibabaServers(20), { onFailure: 'rollback' })]);
    accept(l, nextAdd(l));
    expect(cancel(l, 'a', 'a-nonce')).toBeUndefined();
    // b arrives before the removal is sent; its list has not come back yet. A dry run of the same servers asks for nothing.
    submit(l, submission('b', alibabaServers(5, 15)), 0);
    submit(l, submission('dry', alibabaServers(20), { dryRun: true }), 0);
    expect(toList(l).map((r) => r.id)).toEqual(['b', 'dry']);
    const removal = nextWrite(l, 0);
    expect(removal).toMatchObject({ kind: 'remove', request: 'a', keys: alibabaServers(15).map(keyOf) });
    applyRemoved(l, removal as Extract<Change, { kind: 'remove' }>, []);
    expect(nextWrite(l, 0)).toBeUndefined();
    const a = takeOutcomes(l).find((o) => o.request.id === 'a')!.update;
    expect(a).toMatchObject({
      kind: 'cancelled',
      report: { rolledBack: alibabaServers(15).map(keyOf), keptForOthers: alibabaServers(5, 15).map(keyOf) },
    });
    // b's list then finds them in the group: already present, never removed and added again.
    applyListing(
      l,
      ['b'],
      alibabaServers(5, 15).map((s) => ({ key: keyOf(s), status: 'Available' })),
      [],
      new Set(),
    );
    expect(l.request('b')!.alreadyPresent).toEqual(alibabaServers(5, 15).map(keyOf));
    expect(nextWrite(l, 0)).toBeUndefined();
  });

  it('drops what a request that closed unheard (terminated) still had queued, and rolls back what it created', () => {
    const l = ledgerWith([
      submission('a', alibabaServers(400), { onFailure: 'rollback', chunksAhead: 1 }),
      submission('b', alibabaServers(10, 400)),
    ]);
    const first = nextAdd(l);
    expect(first.requests).toEqual(['a']);
    accept(l, first);
    // Another run of the same workflow id is not this request.
    expect(abandon(l, 'a', 'another-run')).toBe(false);
    expect(abandon(l, 'a', 'a-run')).toBe(true);
    expect(abandon(l, 'a', 'a-run')).toBe(false);
    // a's second chunk is never sent: its 200 first servers come out again, then b goes on alone.
    const removal = nextWrite(l, 0);
    expect(removal).toMatchObject({ kind: 'remove', request: 'a', keys: alibabaServers(200).map(keyOf) });
    applyRemoved(l, removal as Extract<Change, { kind: 'remove' }>, []);
    const next = nextAdd(l);
    expect([next.requests, next.keys]).toEqual([['b'], alibabaServers(10, 400).map(keyOf)]);
    expect(nextWrite(l, 0)).toBeUndefined();
  });

  it('a cancelled request waits for the answer of its change in flight before it rolls back, and reports that chunk', () => {
    const l = ledgerWith([submission('a', alibabaServers(300), { onFailure: 'rollback' })]);
    const op = nextAdd(l);
    cancel(l, 'a', 'a-nonce');
    expect(takeOutcomes(l)).toEqual([]);
    expect(nextWrite(l, 0)).toBeUndefined();
    accept(l, op);
    const removal = nextWrite(l, 0);
    expect(removal).toMatchObject({ kind: 'remove', keys: alibabaServers(200).map(keyOf) });
    applyRemoved(l, removal as Extract<Change, { kind: 'remove' }>, []);
    const [out] = takeOutcomes(l);
    expect(out!.update).toMatchObject({
      kind: 'cancelled',
      report: { added: alibabaServers(200).map(keyOf), rolledBack: alibabaServers(200).map(keyOf), keptForOthers: [] },
    });
    expect(l.idle).toBe(true);
  });

  it('splits a chunk a bad server failed by request, so only the request it belongs to fails', () => {
    const l = ledgerWith([submission('a', alibabaServers(100)), submission('b', alibabaServers(100, 100))]);
    const mixed = nextAdd(l);
    applyAddFailed(l, mixed, {
      type: 'BackendNotFound',
      message: 'no such instance',
      details: { code: 'ResourceNotFound.Ecs' },
    });
    const aPiece = nextAdd(l);
    expect(aPiece.requests).toEqual(['a']);
    accept(l, aPiece);
    const bPiece = nextAdd(l);
    expect(bPiece.requests).toEqual(['b']);
    applyAddFailed(l, bPiece, {
      type: 'BackendNotFound',
      message: 'no such instance',
      details: { code: 'ResourceNotFound.Ecs' },
    });
    expect(nextWrite(l, 0)).toBeUndefined();
    readAll(l);
    const outcomes = Object.fromEntries(takeOutcomes(l).map((o) => [o.request.id, o.update.kind]));
    expect(outcomes).toEqual({ a: 'completed', b: 'failed' });
  });

  it('bisects a failed piece whose servers other requests share, down to the server at fault', () => {
    const l = ledgerWith([submission('a', alibabaServers(4)), submission('b', alibabaServers(1, 3))]);
    let op = nextAdd(l);
    const bad = keyOf(alibabaServers(1, 1)[0]!);
    const failed: string[][] = [];
    for (let n = 0; op && n < 10; n++) {
      if (op.keys.includes(bad)) {
        failed.push(op.keys);
        applyAddFailed(l, op, { type: 'BackendNotFound', message: 'no such instance', details: {} });
      } else accept(l, op);
      const next = nextWrite(l, 0);
      op = next?.kind === 'add' ? next : (undefined as never);
    }
    // Halves until the failing piece holds only servers `a` alone asked for: then `a` fails, and b's shared server goes on.
    expect(failed.at(-1)).toContain(bad);
    expect(failed.at(-1)).not.toContain(keyOf(alibabaServers(1, 3)[0]!));
    expect(failed.length).toBe(2);
    readAll(l);
    const outcomes = Object.fromEntries(takeOutcomes(l).map((o) => [o.request.id, o.update.kind]));
    expect(outcomes).toEqual({ a: 'failed', b: 'completed' });
  });

  it('fails every live request on a group-wide failure', () => {
    const l = ledgerWith([submission('a', alibabaServers(10)), submission('b', alibabaServers(10, 10))]);
    applyAddFailed(l, nextAdd(l), { type: 'ServerGroupNotFound', message: 'gone', details: {} });
    expect(takeOutcomes(l).map((o) => o.update.kind)).toEqual(['failed', 'failed']);
  });

  it('holds a request back until its earlier chunk is confirmed (chunksAhead 0), folding the wait into the next add', () => {
    const l = ledgerWith([submission('a', alibabaServers(400))]);
    accept(l, nextAdd(l), 1000);
    const second = nextAdd(l, 1000);
    expect(second.confirm).toMatchObject({
      request: 'a',
      keys: alibabaServers(200).map(keyOf),
      deadline: 1000 + 900_000,
    });
    applyNotSent(l, second, false, [], []);
    expect(nextWrite(l, 2000)).toBeUndefined();
    const [read] = readsDue(l, 2000, new Set());
    expect(read!.entries).toMatchObject([{ kind: 'confirm', request: 'a' }]);
    applyRead(l, read!, { all: 'Available' }, [], false);
    expect(nextAdd(l, 3000).confirm).toBeUndefined();
  });

  it('reads the servers of all requests due at once in one wait, and each request ends by its own servers and deadline', () => {
    const l = ledgerWith([
      submission('a', alibabaServers(50)),
      submission('b', alibabaServers(50, 50), { availabilityTimeoutSeconds: 60 }),
      submission('c', alibabaServers(50, 100), { pollIntervalSeconds: 5 }),
      submission('d', alibabaServers(50, 25)),
    ]);
    accept(l, nextAdd(l), 1000);
    const reads = readsDue(l, 1000, new Set());
    // c polls at another interval: a read of its own. a, b and d share one; d's 25 new servers were created by a's add… or d's.
    expect(reads.map((r) => r.entries.map((e) => e.request))).toEqual([['a', 'b', 'd'], ['c']]);
    const [shared] = reads;
    expect(shared!.sets).toEqual(shared!.entries.map((e) => e.keys.length));
    expect(shared!.keys).toHaveLength(shared!.sets.reduce((a, b) => a + b, 0));
    expect(shared!.deadline).toBe(1000 + 60_000);
    // Running reads are not started twice.
    expect(readsDue(l, 1000, new Set(['a', 'b', 'c', 'd']))).toEqual([]);
    // The wait ended with a's servers ready and b's not yet: a completes, b and d are read again.
    const bKeys = new Set(shared!.entries[1]!.keys);
    const statuses = { each: shared!.keys.map((key) => ({ key, value: bKeys.has(key) ? 'Adding' : 'Available' })) };
    applyRead(l, shared!, statuses, ['req-read'], false);
    expect(endingOf(l.request('a'))).toMatchObject({ kind: 'completed' });
    const dRest = l.request('d')!.toConfirm;
    expect(dRest.every((k) => bKeys.has(k))).toBe(true);
    expect(endingOf(l.request('b'))).toBeUndefined();
    // b's deadline passes with its servers not ready: b fails with its own stragglers, d (a later deadline) waits on.
    const [again] = readsDue(l, 2000, new Set(['c']));
    expect(again!.entries.map((e) => e.request)).toEqual(['b', 'd']);
    applyRead(l, again!, { each: again!.keys.map((key) => ({ key, value: 'Adding' })) }, [], true);
    expect(endingOf(l.request('b'))).toMatchObject({
      kind: 'failed',
      type: 'AvailabilityTimeout',
      details: { stragglers: expect.arrayContaining([{ key: [...bKeys][0], status: 'Adding' }]) },
    });
    expect(endingOf(l.request('d'))).toBeUndefined();
  });

  it('lets a later request go first while an earlier one waits for its servers', () => {
    const l = ledgerWith([
      submission('a', alibabaServers(400)),
      submission('b', alibabaServers(10, 400), { chunksAhead: 0 }),
    ]);
    const first = nextAdd(l);
    expect(first.requests).toEqual(['a']);
    accept(l, first);
    const second = nextAdd(l);
    expect([second.requests, second.confirm]).toEqual([['b'], undefined]);
  });

  it('asks a request to resend when it arrived with no room, once room is free', () => {
    const big = alibabaServers(8000);
    const l = new Ledger(emptyLedger(GROUP), 'incarnation-1');
    submit(l, submission('a', big), 0);
    submit(l, submission('b', big), 0);
    expect(JSON.stringify(big).length * 2).toBeGreaterThan(MAX_HELD_BYTES);
    expect(l.live.map(isAdmitted)).toEqual([true, false]);
    expect(admissionsDue(l)).toEqual([]);
    cancel(l, 'a', 'a-nonce');
    takeOutcomes(l);
    expect(admissionsDue(l).map((r) => r.id)).toEqual(['b']);
  });

  // Every admitted server queued, then added, with its status and its wait: the state at its largest, as carried.
  const largestCarried = (rules?: Parameters<typeof submit>[3]) => {
    const l = new Ledger(emptyLedger(GROUP), 'incarnation-1');
    for (let n = 0; n < 12; n++)
      submit(
        l,
        submission(`r${n}`, alibabaServers(1000, n * 1000), { onFailure: 'rollback', chunksAhead: 50 }),
        0,
        rules,
      );
    const admitted = l.live.filter(isAdmitted).length;
    applyListing(
      l,
      toList(l).map((r) => r.id),
      [],
      [],
      new Set(),
    );
    let largest = JSON.stringify(toCarried(l.state)).length;
    for (let op = nextWrite(l, 0); op?.kind === 'add'; op = nextWrite(l, 0)) {
      accept(l, op);
      largest = Math.max(largest, JSON.stringify(toCarried(l.state)).length);
    }
    return { admitted, largest };
  };

  it.each([
    ['before 0.4', undefined, MAX_CARRIED_BYTES],
    [
      'since 0.4 (CARRY_UNDER_1MB: no payload over 1 MB)',
      { rebind: () => true, confirm: () => false, held: () => HELD_BYTES_1MB },
      CARRIED_BYTES_1MB,
    ],
  ] as const)(
    'holds no more servers than a state it can carry across continue-as-new, at its largest: %s',
    (_, rules, most) => {
      const { admitted, largest } = largestCarried(rules);
      expect(admitted).toBeGreaterThan(1);
      expect(admitted).toBeLessThan(12);
      expect(largest).toBeLessThanOrEqual(most);
      console.log(
        `${admitted} of 12 requests of 1,000 admitted; largest state ${largest} bytes (carried at most ${most})`,
      );
    },
  );

  describe('a submission of its servers count alone (pages, since 0.4)', () => {
    const paged = (id: string, servers: unknown[]): SubmitMessage => {
      const whole = submission(id, servers);
      const unique = whole.request.servers;
      return {
        ...whole,
        request: { ...whole.request, servers: unique.slice(0, 1) } as AddServersRequest,
        pages: { count: unique.length, bytes: JSON.stringify(unique).length },
      };
    };
    const page = (l: Ledger, id: string, offset: number) => ({ id, runId: `${id}-run`, nonce: `${id}-nonce`, offset });

    it('is listed only once every page of its servers is in, fetched from the first', () => {
      const servers = alibabaServers(500);
      const l = new Ledger(emptyLedger(GROUP), 'incarnation-1');
      expect(submit(l, paged('a', servers), 0)).toBeUndefined();
      expect([l.live[0]!.requested, l.queued(l.live[0]!)]).toEqual([500, 500]);
      expect(toList(l)).toEqual([]);
      expect(fetchDue(l)).toMatchObject({ request: { id: 'a' }, offset: 0 });
      expect(applyFetched(l, page(l, 'a', 0), servers.slice(0, 300) as never)).toBeUndefined();
      // A page for another offset (a repeat) is not taken.
      expect(applyFetched(l, page(l, 'a', 0), servers.slice(0, 300) as never)).toBe('stale');
      expect(fetchDue(l)?.offset).toBe(300);
      expect(toList(l)).toEqual([]);
      expect(applyFetched(l, page(l, 'a', 300), servers.slice(300) as never)).toBeUndefined();
      expect(fetchDue(l)).toBeUndefined();
      expect(toList(l).map((r) => r.id)).toEqual(['a']);
      applyListing(l, ['a'], [], [], new Set());
      expect(l.queued()).toBe(500);
    });

    it('carries servers part fetched as a request waiting for room (fetched again), whole ones as they are', () => {
      const servers = alibabaServers(500);
      const l = new Ledger(emptyLedger(GROUP), 'incarnation-1');
      submit(l, paged('a', servers), 0);
      applyFetched(l, page(l, 'a', 0), servers.slice(0, 300) as never);
      const carried = toCarried(l.state).requests[0]!;
      expect([carried.admitted, carried.servers, carried.pages]).toEqual([false, undefined, true]);
      const next = new Ledger(fromCarried(toCarried(l.state)), 'incarnation-1');
      expect(admissionsDue(next)).toEqual([]);
      expect(fetchDue(next)).toMatchObject({ request: { id: 'a' }, offset: 0 });
      applyFetched(next, page(next, 'a', 0), servers as never);
      const whole = toCarried(next.state).requests[0]!;
      expect([whole.admitted, whole.servers?.length]).toEqual([true, 500]);
    });

    it('ends as abandoned, nothing of it sent, when the request gives no servers or others than it said', () => {
      const servers = alibabaServers(300);
      const l = new Ledger(emptyLedger(GROUP), 'incarnation-1');
      submit(l, paged('a', servers), 0);
      submit(l, paged('b', servers), 0);
      expect(applyFetched(l, page(l, 'a', 0), undefined)).toBe('it gave no servers');
      expect(applyFetched(l, page(l, 'b', 0), alibabaServers(300, 5000) as never)).toBe(
        'its servers are not what it submitted',
      );
      expect(l.live.map((r) => endingOf(r)?.kind)).toEqual(['cancelled', 'cancelled']);
      expect(l.state.queue).toEqual([]);
    });

    it('waits for room like any other, and is fetched (not asked to resend) when its turn comes', () => {
      const big = alibabaServers(8000);
      const l = new Ledger(emptyLedger(GROUP), 'incarnation-1');
      submit(l, submission('a', big), 0);
      submit(l, paged('b', big), 0);
      expect(l.live.map(isAdmitted)).toEqual([true, false]);
      expect(fetchDue(l)).toBeUndefined();
      cancel(l, 'a', 'a-nonce');
      takeOutcomes(l);
      expect(admissionsDue(l)).toEqual([]);
      expect(fetchDue(l)).toMatchObject({ request: { id: 'b' }, offset: 0 });
    });
  });

  it('ignores a submission or a cancellation that does not carry the live request nonce', () => {
    const l = ledgerWith([submission('a', alibabaServers(10), { onFailure: 'rollback' })]);
    const forged = { ...submission('a', alibabaServers(10, 10)), nonce: 'guess' };
    expect(submit(l, forged, 0)).toMatch(/ignored/);
    expect(cancel(l, 'a', 'guess')).toMatch(/ignored/);
    expect(endingOf(l.live[0])).toBeUndefined();
  });

  it('never reuses a ClientToken within an incarnation, and tokens carry the incarnation', () => {
    const l = ledgerWith([submission('a', alibabaServers(600), { chunksAhead: 5 })]);
    const tokens: string[] = [];
    for (let op = nextWrite(l, 0); op; op = nextWrite(l, 0)) {
      tokens.push((op as Add).token);
      accept(l, op as Add);
    }
    expect(tokens).toEqual(['lbflow-incarnation-1-a0', 'lbflow-incarnation-1-a1', 'lbflow-incarnation-1-a2']);
    const carried = new Ledger(JSON.parse(JSON.stringify(l.state)), 'incarnation-1');
    expect(carried.state.seq).toBe(3);
  });

  it('tells a request of a phase change at most every second (not in its first), of its counts at most every interval, and nothing when nothing changed', () => {
    const l = ledgerWith([submission('a', alibabaServers(600), { chunksAhead: 2 })]);
    // Submitted at 0: its first second passes in silence, and the coordinator is told when to wake for the change.
    expect(progressDue(l, 500, 5000, 1000)).toEqual([]);
    expect(phaseChangeDueAt(l, 1000)).toBe(1000);
    expect(progressDue(l, 1000, 5000, 1000).map((p) => p.update)).toMatchObject([
      { kind: 'progress', progress: { phase: 'adding', chunksDone: 0 } },
    ]);
    expect(phaseChangeDueAt(l, 1000)).toBeUndefined();
    accept(l, nextAdd(l), 1000);
    // Counts changed, the phase did not: not before the interval.
    expect(progressDue(l, 1500, 5000, 1000)).toEqual([]);
    accept(l, nextAdd(l), 1600);
    accept(l, nextAdd(l), 1700);
    expect(phaseChangeDueAt(l, 1000)).toBe(2000);
    expect(progressDue(l, 1800, 5000, 1000)).toEqual([]);
    expect(progressDue(l, 2000, 5000, 1000).map((p) => p.update)).toMatchObject([
      { progress: { phase: 'waiting', chunksDone: 3, added: 600 } },
    ]);
    expect(progressDue(l, 20_000, 5000, 1000)).toEqual([]);
  });

  it('counts the servers a failed change put in the group after all (answers lost) as added, so every report lists them', () => {
    const l = ledgerWith([submission('a', alibabaServers(3), { onFailure: 'rollback' })]);
    const op = nextAdd(l);
    applyAddFailed(
      l,
      op,
      { type: 'ProviderUnavailable', message: 'no answer', details: {} },
      new Set(alibabaServers(2).map(keyOf)),
    );
    const removal = nextWrite(l, 0);
    expect(removal).toMatchObject({ kind: 'remove', keys: alibabaServers(2).map(keyOf) });
    applyRemoved(l, removal as Extract<Change, { kind: 'remove' }>, []);
    expect(takeOutcomes(l)[0]!.update).toMatchObject({
      kind: 'failed',
      details: {
        type: 'ProviderUnavailable',
        added: alibabaServers(2).map(keyOf),
        rolledBack: alibabaServers(2).map(keyOf),
      },
    });
  });
  it('lets full chunks follow an add in the same activity only within chunksAhead, and leaves a chunk that is not full', () => {
    const ahead2 = ledgerWith([submission('a', alibabaServers(1000), { chunksAhead: 2 })]);
    const first = nextAdd(ahead2);
    // Chunks 1 and 2 may be in the group unconfirmed with chunk 0; chunk 3 waits for chunk 0.
    expect(followingWrites(ahead2, first, 9).map((op) => op.keys)).toEqual([
      alibabaServers(200, 200).map(keyOf),
      alibabaServers(200, 400).map(keyOf),
    ]);

    const ahead0 = ledgerWith([submission('a', alibabaServers(1000))]);
    expect(followingWrites(ahead0, nextAdd(ahead0), 9)).toEqual([]);

    const partial = ledgerWith([submission('a', alibabaServers(450), { chunksAhead: 50 })]);
    const following = followingWrites(partial, nextAdd(partial), 9);
    expect(following.map((op) => op.keys.length)).toEqual([200]);
    // The 50 left go on their own, where requests that arrive meanwhile may join them.
    expect(nextAdd(partial).keys).toEqual(alibabaServers(50, 400).map(keyOf));

    const capped = ledgerWith([submission('a', alibabaServers(1000), { chunksAhead: 50 })]);
    expect(followingWrites(capped, nextAdd(capped), 2)).toHaveLength(2);
  });

  it('sends no chunk after a dry run, a piece of a split change or a removal', () => {
    const dry = ledgerWith([submission('a', alibabaServers(600), { dryRun: true, chunksAhead: 50 })]);
    expect(followingWrites(dry, nextAdd(dry), 9)).toEqual([]);

    const split = ledgerWith([
      submission('a', alibabaServers(100)),
      submission('b', alibabaServers(900, 1000), { chunksAhead: 50 }),
    ]);
    applyAddFailed(split, nextAdd(split), { type: 'BackendNotFound', message: 'no such instance', details: {} });
    const piece = nextAdd(split);
    expect(piece.split).toBeDefined();
    expect(followingWrites(split, piece, 9)).toEqual([]);

    const rollback = ledgerWith([
      submission('a', alibabaServers(200), { onFailure: 'rollback', chunksAhead: 50 }),
      submission('b', alibabaServers(800, 1000), { chunksAhead: 50 }),
    ]);
    accept(rollback, nextAdd(rollback));
    cancel(rollback, 'a', 'a-nonce');
    const removal = nextWrite(rollback, 0) as Change;
    expect(removal.kind).toBe('remove');
    expect(followingWrites(rollback, removal, 9)).toEqual([]);
  });

  it('queues again a chunk of a run that got no answer, counting as added what a list found of it', () => {
    const l = ledgerWith([submission('a', alibabaServers(600), { chunksAhead: 50 })]);
    const first = nextAdd(l);
    const [second, third] = followingWrites(l, first, 9);
    accept(l, first);
    applyUnanswered(l, second!, new Set(alibabaServers(2, 200).map(keyOf)));
    applyUnanswered(l, third!, new Set());
    const again = nextAdd(l);
    expect(again.keys).toEqual([...alibabaServers(198, 202), ...alibabaServers(2, 400)].map(keyOf));
    accept(l, again);
    accept(l, nextAdd(l));
    readAll(l);
    const [outcome] = takeOutcomes(l);
    expect(outcome!.update).toMatchObject({ kind: 'completed' });
    const added = (outcome!.update as { added: string[] }).added;
    expect([...added].sort()).toEqual(alibabaServers(600).map(keyOf).sort());
    expect(new Set(added).size).toBe(600);
  });

  it('a request handed over again to a new incarnation owns what lbflow sent for it: listed, it is its own added, and a cancel before the list waits for it so the rollback removes them too', () => {
    const servers = alibabaServers(4);
    const l = new Ledger(emptyLedger(GROUP), 'incarnation-2');
    const message = submission('again', servers, { onFailure: 'rollback' });
    const confirm = { rebind: () => false, confirm: () => true };
    expect(submit(l, message, 0, confirm)).toBeUndefined();
    // Nothing of an unconfirmed submission is listed.
    expect(toList(l)).toEqual([]);
    const owned = {
      kind: 'owned' as const,
      requester: message.requester,
      nonce: message.nonce,
      keys: servers.slice(0, 2).map(keyOf),
    };
    expect(own(l, owned, confirm)).toBeUndefined();
    expect(cancel(l, 'again', message.nonce)).toBeUndefined();
    const request = l.request('again')!;
    expect(endedStage(request)).toBeUndefined();
    for (const ask of [...request.asks!]) answered(l, 'again', ask, 'yes');
    expect(toList(l).map((r) => r.id)).toEqual(['again']);
    // The group holds the two it owns (an earlier incarnation added them) and one someone else added.
    applyListing(
      l,
      ['again'],
      [...servers.slice(0, 3)].map((s) => ({ key: keyOf(s), status: 'Available' })),
      [],
      new Set(),
    );
    expect(request.added).toEqual(servers.slice(0, 2).map(keyOf));
    expect(request.alreadyPresent).toEqual([keyOf(servers[2]!)]);
    expect(endedStage(request)?.ending.kind).toBe('cancelled');
    const change = nextWrite(l, 0) as Change;
    expect(change.kind).toBe('remove');
    expect(change.keys).toEqual(servers.slice(0, 2).map(keyOf));
  });

  it('a request whose claim of what it owns waits for its answer is not listed before it (drill 12: a cancel then ended it with them as already present)', () => {
    const servers = alibabaServers(4);
    const l = new Ledger(emptyLedger(GROUP), 'incarnation-2');
    const message = submission('again', servers, { onFailure: 'rollback' });
    const confirm = { rebind: () => false, confirm: () => true };
    submit(l, message, 0, confirm);
    const request = l.request('again')!;
    // The submission is asked about and confirmed before the claim arrives.
    answered(l, 'again', request.asks![0]!, 'yes');
    expect(toList(l).map((r) => r.id)).toEqual(['again']);
    const keys = servers.slice(0, 2).map(keyOf);
    own(l, { kind: 'owned', requester: message.requester, nonce: message.nonce, keys }, confirm);
    expect(toList(l)).toEqual([]);
    cancel(l, 'again', message.nonce);
    answered(l, 'again', request.asks![0]!, 'yes');
    expect(toList(l).map((r) => r.id)).toEqual(['again']);
    applyListing(
      l,
      ['again'],
      keys.map((key) => ({ key, status: 'Available' })),
      [],
      new Set(),
    );
    expect([request.added, request.alreadyPresent, endedStage(request)?.ending.kind]).toEqual([keys, [], 'cancelled']);
  });

  it('a forged claim the request does not confirm moves nothing, and a submission nobody confirms leaves untold', () => {
    const servers = alibabaServers(3);
    const l = new Ledger(emptyLedger(GROUP), 'incarnation-3');
    const confirm = { rebind: () => false, confirm: () => true };
    const forged = submission('victim', servers, { onFailure: 'rollback' });
    expect(submit(l, forged, 0, confirm)).toBeUndefined();
    const [ask] = l.request('victim')!.asks!;
    expect(answered(l, 'victim', ask!, 'no')).toContain('refused');
    expect(l.request('victim')).toBeUndefined();
    expect(l.idle).toBe(true);
  });
});
