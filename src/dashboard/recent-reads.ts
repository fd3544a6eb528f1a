// Reads the dashboard makes of the apiserver itself (what no shared watch covers: a job's Events, a job
// or audit trail outside the watched scope), each answered from the last read for a while, so a page
// refreshed on every pushed change costs the apiserver at most one read per key per period.

/** Remembers each key's read (its promise) for `ttlMs`; a failed read is forgotten at once. */
export class RecentReads<T> {
  readonly #ttlMs: number;
  readonly #reads = new Map<string, { readonly at: number; readonly read: Promise<T> }>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** The read of `key` started less than the period before `nowMs`, else a new `read()`. */
  get(key: string, nowMs: number, read: () => Promise<T>): Promise<T> {
    const recent = this.#reads.get(key);
    if (recent !== undefined && nowMs - recent.at < this.#ttlMs) return recent.read;
    for (const [k, v] of this.#reads) if (nowMs - v.at >= this.#ttlMs) this.#reads.delete(k);
    const fresh = read();
    fresh.catch(() => this.#reads.delete(key));
    this.#reads.set(key, { at: nowMs, read: fresh });
    return fresh;
  }
}
