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
