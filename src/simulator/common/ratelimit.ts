// Token buckets per key (an AccessKeyId, an API): requests beyond the rate are throttled. Wall clock on purpose:
// throttling is about how fast requests arrive, not about simulated settle time.

export interface RateLimit {
  /** Sustained requests per second; 0 turns the limit off. */
  readonly requestsPerSecond: number;
  /** Bucket size: how many requests may arrive at once. */
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    public limit: RateLimit,
    /** Keys are bounded by the world (credentials, actions); this cap only guards against surprises. */
    private readonly maxKeys = 10_000,
    private readonly wall: () => number = () => performance.now(),
  ) {}

  /** Takes one token for `key`; false when the bucket is empty. */
  take(key: string): boolean {
    const { requestsPerSecond, burst } = this.limit;
    if (requestsPerSecond <= 0) return true;
    const now = this.wall();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.maxKeys) this.#buckets.clear();
      bucket = { tokens: Math.max(1, burst), at: now };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(Math.max(1, burst), bucket.tokens + ((now - bucket.at) / 1000) * requestsPerSecond);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  reset(limit?: RateLimit): void {
    if (limit) this.limit = limit;
    this.#buckets.clear();
  }
}

/** A vendor's documented ration of one API: at most `calls` in any `perSeconds` (a sliding window). */
export interface ApiLimit {
  readonly calls: number;
  readonly perSeconds: number;
}

/** Rations by API, keyed by whatever the vendor counts per (an account and region, a project), as documented. */
export type ApiLimits = Readonly<Record<string, ApiLimit>>;

/**
 * Sliding windows per key: a call is refused when `calls` were already taken in the last `perSeconds`. A sliding window
 * is the strictest reading of "N calls per 60 s" (a client within it is within a fixed window too). Wall clock, as
 * RateLimiter. Refused calls do not count (a vendor's refusal costs the caller nothing of its ration, as documented
 * nowhere otherwise: an assumption, see the README).
 */
export class WindowLimiter {
  readonly #taken = new Map<string, number[]>();

  constructor(
    private readonly maxKeys = 10_000,
    private readonly wall: () => number = () => performance.now(),
  ) {}

  /** Takes one call of `limit` for `key`; false when the window is full. */
  take(key: string, limit: ApiLimit): boolean {
    const now = this.wall();
    let taken = this.#taken.get(key);
    if (!taken) {
      if (this.#taken.size >= this.maxKeys) this.#taken.clear();
      taken = [];
      this.#taken.set(key, taken);
    }
    const since = now - limit.perSeconds * 1000;
    let first = 0;
    while (first < taken.length && taken[first]! <= since) first++;
    if (first > 0) taken.splice(0, first);
    if (taken.length >= limit.calls) return false;
    taken.push(now);
    return true;
  }

  reset(): void {
    this.#taken.clear();
  }
}
