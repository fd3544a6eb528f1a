// Pure audit queries: which entries of which chunks match `helios audit` filters, oldest first.
import type { AuditEntry, AuditLog } from "../api/index.js";
import { AUDIT_DAY_LABEL, auditDay } from "./chunk.js";

/** Filters of `helios audit`; every one given must match. */
export interface AuditQuery {
  /** Entries about the Job of this name. */
  readonly job?: string | undefined;
  /** Entries naming this agent, or about the Agent of this name. */
  readonly agent?: string | undefined;
  /** Entries with one of these actions. */
  readonly actions?: readonly string[] | undefined;
  /** Entries at or after this instant (epoch ms). */
  readonly sinceMs?: number | undefined;
}

/** One matching entry and the namespace whose trail holds it. */
export interface AuditRow extends AuditEntry {
  readonly namespace: string;
}

const DAY_MS = 86_400_000;

/** True if `entry` passes every filter of `query`. */
export function matchesQuery(entry: AuditEntry, query: AuditQuery): boolean {
  if (query.job !== undefined && !(entry.kind === "Job" && entry.name === query.job)) return false;
  if (query.agent !== undefined && entry.agent !== query.agent && !(entry.kind === "Agent" && entry.name === query.agent)) return false;
  if (query.actions !== undefined && query.actions.length > 0 && !query.actions.includes(entry.action)) return false;
  if (query.sinceMs !== undefined && !(Date.parse(entry.time) >= query.sinceMs)) return false;
  return true;
}

/**
 * The matching entries of `chunks`, flattened and ordered by time; equal times keep chunk order
 * (by start time, then namespace and name) and the order within each chunk.
 */
export function queryEntries(chunks: readonly AuditLog[], query: AuditQuery): AuditRow[] {
  const ordered = [...chunks].sort(
    (a, b) =>
      Date.parse(a.spec.startTime) - Date.parse(b.spec.startTime) ||
      compare(a.metadata.namespace ?? "", b.metadata.namespace ?? "") ||
      compare(a.metadata.name ?? "", b.metadata.name ?? ""),
  );
  const rows: AuditRow[] = [];
  for (const chunk of ordered) {
    // A chunk that ended before `since` holds nothing newer: skip its entries wholesale.
    if (query.sinceMs !== undefined && Date.parse(chunk.spec.endTime) < query.sinceMs) continue;
    const namespace = chunk.metadata.namespace ?? "";
    for (const entry of chunk.spec.entries) {
      if (matchesQuery(entry, query)) rows.push({ namespace, ...entry });
    }
  }
  return rows.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

/**
 * A label selector over the day label naming every day from `sinceMs` to a day past `nowMs` (clock
 * skew), so a `--since` read lists only chunks that can match; undefined (list everything) when
 * that spans more than `maxDays`.
 */
export function sinceDaySelector(sinceMs: number, nowMs: number, maxDays = 62): string | undefined {
  const days = daysBetween(sinceMs, nowMs + DAY_MS);
  if (days.length === 0 || days.length > maxDays) return undefined;
  return `${AUDIT_DAY_LABEL} in (${days.join(",")})`;
}

/** The day labels from the day of `fromMs` through the day of `toMs`, inclusive. */
export function daysBetween(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  const start = Math.floor(fromMs / DAY_MS);
  const end = Math.floor(toMs / DAY_MS);
  for (let d = start; d <= end; d++) days.push(auditDay(d * DAY_MS));
  return days;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
