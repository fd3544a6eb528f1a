// An AuditSink that only logs: the operator's stand-in until the chunk writer is wired in.
import type { Logger } from "pino";
import type { AuditRecord, AuditSink } from "../../audit/sink.js";

/** Logs each decision as a pino line with `audit: true`; writes nothing to the cluster. */
export function logAuditSink(log: Logger): AuditSink {
  const audit = log.child({ audit: true });
  return {
    record(entry: AuditRecord): void {
      audit.info({ ...entry, time: entry.time ?? new Date().toISOString() }, `audit ${entry.action}`);
    },
  };
}
