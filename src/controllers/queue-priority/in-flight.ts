// Writes this dispatcher started that its cache has not caught up with yet, so a cycle never re-plans them.
import type { Job } from "../../api/index.js";
import type { ReadonlyStore } from "../../runtime/cache/index.js";
import type { CachedJob } from "../shared/index.js";
import type { HeldSlot } from "./snapshot.js";

type Entry =
  /**
   * Sent (or waiting for a write slot). An assignment's job is hidden and its slot held whatever the
   * cache shows; a condition write's job keeps its place in line but cannot be written to yet.
   */
  | { readonly state: "writing"; readonly from: Versions; readonly slot?: HeldSlot }
  /**
   * Done, based on `from`: while the cache still shows one of those versions, an assignment's job is
   * hidden (its slot held), and a condition write's job is planned on `object`, the version written.
   */
  | { readonly state: "written"; readonly from: Versions; readonly at: number; readonly slot?: HeldSlot; readonly object?: Job }
  /** Failed (not a 409): hidden until `retryAt`, so a failing write is not resent by every cycle. */
  | { readonly state: "failed"; readonly from: Versions; readonly retryAt: number };

/**
 * The versions of a job a write was planned from: the one it was based on and, when the plan used
 * the version of this dispatcher's own condition write, the older one the cache may still show.
 * While the cache shows one of them it has not caught up with the write.
 */
type Versions = readonly string[];

const showsOneOf = (cached: CachedJob | undefined, versions: Versions): boolean =>
  cached !== undefined && versions.includes(cached.metadata.resourceVersion ?? "");

/**
 * The "in flight" overlay. A job enters it when a cycle plans a write for it, before the write is
 * sent, so the next cycle (which may start while this one's writes are still in flight) neither
 * plans the job again nor gives its agent slot away. After a successful write based on version V,
 * the next version of the object in its history is ours, so the cache has caught up as soon as it
 * shows any version other than V, or than the older version the plan started from (`Versions`),
 * or the object is gone. A written entry older than `maxAgeMs`
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

  /**
   * A write of `key` based on `fromVersion` is about to be sent; `slot` when it assigns;
   * `cachedVersion` when the cache shows an older version than the one written on.
   */
  start(key: string, fromVersion: string, slot?: HeldSlot, cachedVersion?: string): void {
    const from = cachedVersion === undefined || cachedVersion === fromVersion ? [fromVersion] : [fromVersion, cachedVersion];
    this.#entries.set(key, slot === undefined ? { state: "writing", from } : { state: "writing", from, slot });
  }

  /**
   * The write succeeded at `at`, giving `object`. A condition write's job stays plannable on the
   * version written: hiding it until the watch delivers that version let a lower-priority job take
   * a slot that freed meanwhile (a priority inversion for as long as the watch lags).
   */
  written(key: string, at: number, object: Job): void {
    const entry = this.#entries.get(key);
    if (entry?.state !== "writing") return;
    const { from, slot } = entry;
    this.#entries.set(key, slot === undefined ? { state: "written", from, at, object } : { state: "written", from, at, slot });
  }

  /** The write failed; the job may be planned again from `retryAt`. */
  failed(key: string, retryAt: number): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) this.#entries.set(key, { state: "failed", from: entry.from, retryAt });
  }

  /** The write found the job changed or gone (409, 404): the next cycle decides on what the cache shows. */
  drop(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops entries the cache has caught up with, that are too old, or whose retry time has come. */
  prune(jobs: Pick<ReadonlyStore<CachedJob>, "get">, now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.state === "writing") continue;
      const moved = !showsOneOf(jobs.get(key), entry.from);
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
    if (!showsOneOf(cached, entry.from)) return { job: cached, busy: false };
    return entry.state === "written" && entry.object !== undefined ? { job: entry.object, busy: false } : undefined;
  }

  /**
   * The agent slots of assignments the cache does not show yet. Once the cache shows another
   * version of the job, its Assigned copy (or whatever happened instead) counts itself: the watch
   * often delivers a write before its answer arrives, and counting both made a full agent of one
   * with a free slot (a Pending job then waited for the next event).
   */
  heldSlots(jobs: Pick<ReadonlyStore<CachedJob>, "get">): HeldSlot[] {
    const out: HeldSlot[] = [];
    for (const [key, entry] of this.#entries) {
      if (entry.state === "failed" || entry.slot === undefined) continue;
      if (showsOneOf(jobs.get(key), entry.from)) out.push(entry.slot);
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
