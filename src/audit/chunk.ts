// Pure chunk building: entries of one namespace → one immutable AuditLog with a deterministic name.
import { createHash } from "node:crypto";
import { API_VERSION, KINDS, type AuditEntry, type AuditLog } from "../api/index.js";

/** Label on every chunk: the UTC day (`YYYY-MM-DD`) of its newest entry, so readers can list by day. */
export const AUDIT_DAY_LABEL = "helios.dev/audit-day";
/** Label naming the writer, so `kubectl get haudit -l app.kubernetes.io/managed-by=helios` finds ours. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "helios";

/** The UTC day of an epoch-ms instant as the day label spells it. */
export function auditDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `2025-01-02T03:04:05.678Z` → `20250102t030405678z`: sortable and valid in an object name. */
function compactTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(".", "").toLowerCase();
}

/** Entries oldest first; equal times keep their recording order (Array.prototype.sort is stable). */
export function sortEntries(entries: readonly AuditEntry[]): AuditEntry[] {
  return [...entries].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

/**
 * The chunk's name: its first entry's time, compact, then a content hash. Deterministic, so a
 * create retried after a lost response answers AlreadyExists instead of writing a duplicate; names
 * sort by start time within a namespace (etcd lists in key order).
 */
export function chunkName(namespace: string, sorted: readonly AuditEntry[]): string {
  const first = sorted[0];
  if (first === undefined) throw new RangeError("an audit chunk needs at least one entry");
  const hash = createHash("sha256").update(namespace).update("\n").update(JSON.stringify(sorted)).digest("hex").slice(0, 16);
  return `${compactTime(Date.parse(first.time))}-${hash}`;
}

/** Builds the AuditLog for `entries` (1..LIMITS.auditEntries of them) in `namespace`. */
export function buildChunk(namespace: string, entries: readonly AuditEntry[]): AuditLog {
  const sorted = sortEntries(entries);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined) throw new RangeError("an audit chunk needs at least one entry");
  return {
    apiVersion: API_VERSION,
    kind: KINDS.auditLog,
    metadata: {
      name: chunkName(namespace, sorted),
      namespace,
      labels: { [AUDIT_DAY_LABEL]: auditDay(Date.parse(last.time)), [MANAGED_BY_LABEL]: MANAGED_BY },
    },
    spec: { startTime: first.time, endTime: last.time, count: sorted.length, entries: sorted },
  };
}
