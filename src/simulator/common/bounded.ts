// Maps with a hard cap on entries: the oldest insertion goes first, so no client can grow memory without bound.

export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer; got ${capacity}`);
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** Sets `key`; an existing key keeps its place in the eviction order. */
  set(key: K, value: V): void {
    if (!this.#map.has(key)) {
      while (this.#map.size >= this.capacity) {
        const oldest = this.#map.keys().next();
        if (oldest.done) break;
        this.#map.delete(oldest.value);
      }
    }
    this.#map.set(key, value);
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  entries(): IterableIterator<[K, V]> {
    return this.#map.entries();
  }

  /** Drops entries from the oldest on while `expired` says so (entries are in insertion order). */
  dropWhile(expired: (value: V, key: K) => boolean): void {
    for (const [key, value] of this.#map) {
      if (!expired(value, key)) break;
      this.#map.delete(key);
    }
  }
}

/**
 * Remembers nonces for a time window (wall clock) to refuse replays; bounded, oldest first.
 * Returns false from `use` when the nonce was seen within the window.
 */
export class NonceCache {
  readonly #seen: BoundedMap<string, number>;

  constructor(
    readonly windowMs: number,
    capacity: number,
    private readonly wall: () => number = Date.now,
  ) {
    this.#seen = new BoundedMap(capacity);
  }

  use(nonce: string): boolean {
    const now = this.wall();
    this.#seen.dropWhile((at) => now - at > this.windowMs);
    if (this.#seen.has(nonce)) return false;
    this.#seen.set(nonce, now);
    return true;
  }

  clear(): void {
    this.#seen.clear();
  }
}
