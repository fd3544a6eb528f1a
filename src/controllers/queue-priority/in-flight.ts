// Writes this dispatcher started that its cache has not caught up with yet, so a cycle never re-plans them.
import type { Job } from "../../api/index.js";
import type { ReadonlyStore } from "../../runtime/cache/index.js";
import type { HeldSlot } from "./snapshot.js";

type Entry =
  /**
   * Sent (or waiting for a write slot). An assignment's job is hidden and its slot held whatever the
   * cache shows; a condition write's job keeps its place in line but cannot be written to yet.
   */
  | { readonly state: "writing"; readonly fromVersion: string; readonly slot?: HeldSlot }
  /**
   * Done, based on `fromVersion`: while the cache still shows that version, an assignment's job is
   * hidden (its slot held), and a condition write's job is planned on `object`, the version written.
   */
  | { readonly state: "written"; readonly fromVersion: string; readonly at: number; readonly slot?: HeldSlot; readonly object?: Job }
  /** Failed (not a 409): hidden until `retryAt`, so a failing write is not resent by every cycle. */
  | { readonly state: "failed"; readonly fromVersion: string; readonly retryAt: number };

/**
 * The "in flight" overlay. A job enters it when a cycle plans a write for it, before the write is
 * sent, so the next cycle (which may start while this one's writes are still in flight) neither
 * plans the job again nor gives its agent slot away. After a successful write based on version V,
 * the next version of the object in its history is ours, so the cache has caught up as soon as it
 * shows any version other than V (or the object is gone). A written entry older than `maxAgeMs`
 * (10 s: a write lost with a cut connection must not hide its job for long) is dropped anyway: a
 * stale plan then costs one 409, never a double assignment (the resourceVersion is the lock).
 */
export class InFlightWrites {
  readonly #entries = new Map<string, Entry>();
  readonly #maxAgeMs: number;

  constructor(maxAgeMs = 10_000) {
    this.#maxAgeMs = maxAgeMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** A write of `key` based on `fromVersion` is about to be sent; `slot` when it assigns. */
  start(key: string, fromVersion: string, slot?: HeldSlot): void {
    this.#entries.set(key, slot === undefined ? { state: "writing", fromVersion } : { state: "writing", fromVersion, slot });
  }

  /**
   * The write succeeded at `at`, giving `object`. A condition write's job stays plannable on the
   * version written: hiding it until the watch delivers that version let a lower-priority job take
   * a slot that freed meanwhile (a priority inversion for as long as the watch lags).
   */
  written(key: string, at: number, object: Job): void {
    const entry = this.#entries.get(key);
    if (entry?.state !== "writing") return;
    const { fromVersion, slot } = entry;
    this.#entries.set(key, slot === undefined ? { state: "written", fromVersion, at, object } : { state: "written", fromVersion, at, slot });
  }

  /** The write failed; the job may be planned again from `retryAt`. */
  failed(key: string, retryAt: number): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) this.#entries.set(key, { state: "failed", fromVersion: entry.fromVersion, retryAt });
  }

  /** The write found the job changed or gone (409, 404): the next cycle decides on what the cache shows. */
  drop(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops entries the cache has caught up with, that are too old, or whose retry time has come. */
  prune(jobs: Pick<ReadonlyStore<Job>, "get">, now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.state === "writing") continue;
      const cached = jobs.get(key);
      const moved = cached === undefined || cached.metadata.resourceVersion !== entry.fromVersion;
      const expired = entry.state === "written" ? now - entry.at > this.#maxAgeMs : now >= entry.retryAt;
      if (moved || expired) this.#entries.delete(key);
    }
  }

  /**
   * What to plan for `cached`: undefined while it must not be planned (its assignment is under way
   * or not yet seen, a failed write is backing off); the version this dispatcher wrote if the cache
   * still lags behind a condition write; else `cached` itself, `busy` while a condition write of it
   * is under way. A busy job still ranks (hiding it let a lower-priority job take a slot that freed
   * meanwhile), but nothing may be written to it until its write has answered.
   */
  current(key: string, cached: Job): { readonly job: Job; readonly busy: boolean } | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return { job: cached, busy: false };
    if (entry.state === "writing") return entry.slot === undefined ? { job: cached, busy: true } : undefined;
    if (entry.fromVersion !== cached.metadata.resourceVersion) return { job: cached, busy: false };
    return entry.state === "written" && entry.object !== undefined ? { job: entry.object, busy: false } : undefined;
  }

  /**
   * The agent slots of assignments the cache does not show yet. Once the cache shows another
   * version of the job, its Assigned copy (or whatever happened instead) counts itself: the watch
   * often delivers a write before its answer arrives, and counting both made a full agent of one
   * with a free slot (a Pending job then waited for the next event).
   */
  heldSlots(jobs: Pick<ReadonlyStore<Job>, "get">): HeldSlot[] {
    const out: HeldSlot[] = [];
    for (const [key, entry] of this.#entries) {
      if (entry.state === "failed" || entry.slot === undefined) continue;
      if (jobs.get(key)?.metadata.resourceVersion === entry.fromVersion) out.push(entry.slot);
    }
    return out;
  }

  /** The earliest time a failed write may be retried. */
  nextRetryAt(): number | undefined {
    let at: number | undefined;
    for (const entry of this.#entries.values()) if (entry.state === "failed") at = at === undefined ? entry.retryAt : Math.min(at, entry.retryAt);
    return at;
  }
}
