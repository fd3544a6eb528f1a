// The seam every control-plane decision goes through to reach the audit trail.
import type { AuditEntry } from "../api/index.js";

/** One decision; `time` defaults to now, `namespace` picks the chunk (the tenant's own trail). */
export interface AuditRecord extends Omit<AuditEntry, "time"> {
  readonly namespace: string;
  readonly time?: string;
}

/** Buffered and written as immutable AuditLog chunks by the audit writer; `record` never blocks or throws. */
export interface AuditSink {
  record(entry: AuditRecord): void;
}
