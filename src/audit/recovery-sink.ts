// The operator's audit sink while a new leader recovers lost entries: idempotency keys keep one
// entry per decision between what this process records live and what recovery writes.
//
// Flow: from construction the sink remembers the key of every entry recorded live. `recover(records,
// written)` records each record whose key is neither in `written` (the trail read from the
// apiserver) nor recorded live, and remembers it as recovered; a live entry whose key was recovered
// is then skipped. `stopTracking()` forgets every key: past recovery, entries pass straight through.
//
// Guarantees: tracking is bounded in time (one recovery per process, see the audit-recovery
// controller), so the sink holds no memory in steady state. Live entries are never deduplicated
// against each other: a controller that decides twice still shows twice in the trail.
import { JOB_ENDING_ACTIONS, type AuditEntry } from "../api/index.js";
import type { AuditRecord, AuditSink } from "./sink.js";

/** The fields an idempotency key is built from. */
export type KeyedEntry = Pick<AuditEntry, "kind" | "action"> & { readonly uid?: string | undefined; readonly attempt?: number | undefined };

const ENDINGS: ReadonlySet<string> = new Set(Object.values(JOB_ENDING_ACTIONS));

/**
 * The idempotency key of an entry recovery covers: (job uid, attempt, action) for `assigned`, (job
 * uid, "end") for an ending; undefined for every other entry.
 */
export function auditKey(entry: KeyedEntry): string | undefined {
  if (entry.kind !== "Job" || entry.uid === undefined || entry.uid === "") return undefined;
  if (ENDINGS.has(entry.action)) return `${entry.uid}/end`;
  if (entry.action === "assigned" && entry.attempt !== undefined) return `${entry.uid}/${entry.attempt}/${entry.action}`;
  return undefined;
}

/** The keys seen while a recovery is due: recorded live, and written by recovery. */
interface Tracking {
  readonly live: Set<string>;
  readonly recovered: Set<string>;
}

/** An AuditSink that a leader's one recovery writes through; see the file comment. */
export class RecoverySink implements AuditSink {
  readonly #inner: AuditSink;
  #tracking: Tracking | undefined = { live: new Set(), recovered: new Set() };

  constructor(inner: AuditSink) {
    this.#inner = inner;
  }

  record(record: AuditRecord): void {
    const tracking = this.#tracking;
    const key = tracking === undefined ? undefined : auditKey(record);
    if (tracking !== undefined && key !== undefined) {
      if (tracking.recovered.has(key)) return;
      tracking.live.add(key);
    }
    this.#inner.record(record);
  }

  /** Records the records no entry audits yet (neither in `written` nor recorded live); returns how many. */
  recover(records: readonly AuditRecord[], written: ReadonlySet<string>): number {
    const tracking = this.#tracking;
    let count = 0;
    for (const record of records) {
      const key = auditKey(record);
      if (key === undefined || written.has(key) || tracking?.live.has(key) === true || tracking?.recovered.has(key) === true) continue;
      tracking?.recovered.add(key);
      this.#inner.record({ ...record, recovered: true });
      count += 1;
    }
    return count;
  }

  /** Forgets every key; later entries pass straight through. */
  stopTracking(): void {
    this.#tracking = undefined;
  }
}
