// Attempts this agent finished, remembered for a while so a late watch event does not start them again.

/**
 * A set of keys that forgets each key `ttlMs` after it was added, and its oldest keys beyond
 * `maxSize`. A watch event older than the TTL is far past any real watch lag, so a busy agent's
 * memory is bounded by its recent work, and reaches its steady size within minutes.
 */
export class RecentKeys {
  readonly #addedAt = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #maxSize: number;

  constructor(ttlMs: number, maxSize: number) {
    this.#ttlMs = ttlMs;
    this.#maxSize = maxSize;
  }

  get size(): number {
    return this.#addedAt.size;
  }

  add(key: string, now: number): void {
    this.#addedAt.delete(key); // re-adding moves it to the newest end
    this.#addedAt.set(key, now);
    // Insertion order is age order: evict from the oldest end only.
    for (const [oldest, at] of this.#addedAt) {
      if (this.#addedAt.size <= this.#maxSize && now - at < this.#ttlMs) break;
      this.#addedAt.delete(oldest);
    }
  }

  has(key: string): boolean {
    return this.#addedAt.has(key);
  }
}
