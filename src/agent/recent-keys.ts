// Attempts this agent finished, remembered for a while so a late watch event does not start them again.

/**
 * A set of keys, each with a value, that forgets a key `ttlMs` after it was added unless
 * `retain(value)` says it is still needed (then its time starts again), and forgets its oldest keys
 * beyond `maxSize` regardless. Memory is bounded by recent work, and reaches its steady size within
 * minutes.
 */
export class RecentKeys<T> {
  readonly #entries = new Map<string, { readonly at: number; readonly value: T }>();
  readonly #ttlMs: number;
  readonly #maxSize: number;
  readonly #retain: (value: T) => boolean;

  constructor(ttlMs: number, maxSize: number, retain: (value: T) => boolean = () => false) {
    this.#ttlMs = ttlMs;
    this.#maxSize = maxSize;
    this.#retain = retain;
  }

  get size(): number {
    return this.#entries.size;
  }

  add(key: string, value: T, now: number): void {
    this.#entries.delete(key); // re-adding moves it to the newest end
    this.#entries.set(key, { at: now, value });
    // Insertion order is age order: look at the oldest end only.
    const renewed: [string, T][] = [];
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxSize && now - entry.at < this.#ttlMs) break;
      this.#entries.delete(oldest);
      if (this.#entries.size < this.#maxSize && this.#retain(entry.value)) renewed.push([oldest, entry.value]);
    }
    for (const [k, v] of renewed) this.#entries.set(k, { at: now, value: v });
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }
}
