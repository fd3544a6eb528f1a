// The audit trail's business metrics: entries recorded, chunks written, entries dropped, backlog.
import type { Counter, Gauge, Registry } from "prom-client";
import { heliosCounter, heliosGauge } from "../runtime/metrics/index.js";

/** Why entries were dropped; every drop is also an error log line. */
export type AuditDropReason =
  /** The pending backlog passed the hard memory bound; the oldest entries went. */
  | "overflow"
  /** The entry did not fit the AuditLog schema even after truncation (a caller bug). */
  | "invalid"
  /** The apiserver refused the chunk in a way no retry can fix (namespace gone, validation). */
  | "rejected"
  /** Still unwritten when the shutdown deadline passed, or recorded after close. */
  | "shutdown";

export interface AuditWriterMetrics {
  readonly entries: Counter<"action">;
  readonly chunks: Counter<never>;
  readonly dropped: Counter<"reason">;
  readonly writeErrors: Counter<"code">;
  readonly pending: Gauge<never>;
}

/** Declares (or reuses) the audit writer's metric families on `registry`. */
export function auditWriterMetrics(registry: Registry): AuditWriterMetrics {
  return {
    entries: heliosCounter(registry, {
      name: "helios_audit_entries_total",
      help: "Audit entries recorded, by action.",
      labelNames: ["action"],
    }),
    chunks: heliosCounter(registry, {
      name: "helios_audit_chunks_written_total",
      help: "AuditLog chunks created in the apiserver.",
    }),
    dropped: heliosCounter(registry, {
      name: "helios_audit_entries_dropped_total",
      help: "Audit entries that never reached an AuditLog chunk, by reason (overflow, invalid, rejected, shutdown).",
      labelNames: ["reason"],
    }),
    writeErrors: heliosCounter(registry, {
      name: "helios_audit_write_errors_total",
      help: "Failed AuditLog chunk writes (retried unless the reason says otherwise), by API error code.",
      labelNames: ["code"],
    }),
    pending: heliosGauge(registry, {
      name: "helios_audit_pending_entries",
      help: "Audit entries recorded but not yet written to an AuditLog chunk.",
    }),
  };
}
