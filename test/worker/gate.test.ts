// The per-provider call gate of the worker: a cap on calls in flight and a token bucket, both abortable.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallGate } from '../../src/worker/providers.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('provider call gate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never lets more calls run at once than its concurrency', async () => {
    const gate = new CallGate(0, 2);
    let running = 0;
    let peak = 0;
    const releases = Array.from({ length: 5 }, () => deferred());
    const calls = releases.map((d) =>
      gate.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await d.promise;
        running--;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(gate.inFlight).toBe(2);
    for (const d of releases) {
      d.resolve();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(calls);
    expect(peak).toBe(2);
  });

  it('spends one token per call and makes the next wait for the refill', async () => {
    vi.useFakeTimers();
    let now = 0;
    const gate = new CallGate(2, 10, () => now);
    const started: number[] = [];
    const calls = [0, 1, 2].map((i) => gate.run(async () => void started.push(i)));
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([0, 1]); // the burst is one second's worth: 2
    now = 500;
    await vi.advanceTimersByTimeAsync(500);
    await Promise.all(calls);
    expect(started).toEqual([0, 1, 2]);
  });

  it('gives up waiting when the caller aborts, without running the call', async () => {
    const gate = new CallGate(0, 1);
    const first = deferred();
    const running = gate.run(() => first.promise);
    const abort = new AbortController();
    let ran = false;
    const waiting = gate.run(async () => void (ran = true), abort.signal);
    abort.abort(new Error('activity cancelled'));
    await expect(waiting).rejects.toThrow('activity cancelled');
    first.resolve();
    await running;
    expect(ran).toBe(false);
    expect(gate.inFlight).toBe(0);
  });
});
