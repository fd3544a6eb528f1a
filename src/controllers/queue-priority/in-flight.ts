// Writes this dispatcher made that its cache has not caught up with yet, so a cycle never re-plans them.
import type { Job } from "../../api/index.js";
import type { ReadonlyStore } from "../../runtime/cache/index.js";
import type { HeldSlot } from "./snapshot.js";

interface Entry {
  /** The resourceVersion the write was based on: while the cache still shows it, the write is unseen. */
  readonly fromVersion: string;
  readonly writtenAt: number;
  readonly slot?: HeldSlot;
}

/**
 * The "in flight" overlay. After a successful write based on version V, the next version of the
 * object in its history is ours, so the cache has caught up as soon as it shows any version other
 * than V (or the object is gone). Until then the job is hidden from planning and, if it was an
 * assignment, its slot is held. An entry older than `maxAgeMs` (10 s: a write lost with a cut connection must not hide its job for long) is dropped anyway: a stale plan then
 * costs one 409, never a double assignment (the resourceVersion is the lock).
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

  record(key: string, fromVersion: string, writtenAt: number, slot?: HeldSlot): void {
    this.#entries.set(key, slot === undefined ? { fromVersion, writtenAt } : { fromVersion, writtenAt, slot });
  }

  /** Drops entries the cache has caught up with, or that are too old. */
  prune(jobs: Pick<ReadonlyStore<Job>, "get">, now: number): void {
    for (const [key, entry] of this.#entries) {
      const cached = jobs.get(key);
      if (cached === undefined || cached.metadata.resourceVersion !== entry.fromVersion || now - entry.writtenAt > this.#maxAgeMs) {
        this.#entries.delete(key);
      }
    }
  }

  /** True while `job` (cached) is the version one of our writes replaced. */
  hides(key: string, job: Job): boolean {
    return this.#entries.get(key)?.fromVersion === job.metadata.resourceVersion;
  }

  heldSlots(): HeldSlot[] {
    const out: HeldSlot[] = [];
    for (const entry of this.#entries.values()) if (entry.slot !== undefined) out.push(entry.slot);
    return out;
  }
}
