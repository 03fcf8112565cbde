// The simulated clock: wall time by default; tests switch it to manual and advance it, so settle times follow
// Temporal's time-skipping server instead of the wall.

export type ClockMode = 'real' | 'manual';

export interface ClockState {
  readonly mode: ClockMode;
  /** Milliseconds since the epoch, simulated. */
  readonly now: number;
  readonly iso: string;
}

export class SimClock {
  #mode: ClockMode = 'real';
  /** Added to the wall clock in real mode. */
  #offset = 0;
  #frozenAt = 0;

  constructor(private readonly wall: () => number = Date.now) {}

  now(): number {
    return this.#mode === 'manual' ? this.#frozenAt : this.wall() + this.#offset;
  }

  get mode(): ClockMode {
    return this.#mode;
  }

  /** Freezes time at `at` (default: the current simulated time); it then moves only by `advance`. */
  setManual(at?: number): void {
    const target = at ?? this.now();
    this.#frozenAt = target;
    this.#mode = 'manual';
  }

  /** Lets time run with the wall clock again, from the current simulated time on. */
  setReal(): void {
    const current = this.now();
    this.#mode = 'real';
    this.#offset = current - this.wall();
  }

  /** Moves simulated time forward by `ms` (in either mode). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advance needs a finite, non-negative number of milliseconds; got ${ms}`);
    if (this.#mode === 'manual') this.#frozenAt += ms;
    else this.#offset += ms;
  }

  state(): ClockState {
    const now = this.now();
    return { mode: this.#mode, now, iso: new Date(now).toISOString() };
  }
}
