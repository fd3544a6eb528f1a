// The audit trail: every control-plane decision goes through the AuditSink to a buffered writer
// that stores immutable AuditLog chunks per namespace, and pure queries read them back
// (`helios audit`). The audit-retention controller deletes old chunks.
export type { AuditRecord, AuditSink } from "./sink.js";
export {
  AUDIT_CHUNK_AGE_MS,
  AUDIT_CLOSE_TIMEOUT_MS,
  AuditWriter,
  createAuditWriter,
  type AuditCloseResult,
  type AuditLogCreator,
  type AuditWriterOptions,
} from "./writer.js";
export { AUDIT_DAY_LABEL, MANAGED_BY, MANAGED_BY_LABEL, auditDay, buildChunk, chunkName, sortEntries } from "./chunk.js";
export { daysBetween, matchesQuery, queryEntries, sinceDaySelector, type AuditQuery, type AuditRow } from "./query.js";
export { auditKey, RecoverySink, type KeyedEntry } from "./recovery-sink.js";
export { readAuditTrail, type ReadAuditOptions } from "./reader.js";
export { auditWriterMetrics, type AuditDropReason, type AuditWriterMetrics } from "./metrics.js";
