// Pure retention decisions: which audit chunks are past retention, which go this run, what is kept.
import { AUDIT_DAY_LABEL, daysBetween } from "../../audit/index.js";

/** What retention needs to know of one AuditLog chunk (its entries are never held). */
export interface ChunkSummary {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string | undefined;
  /** `spec.endTime` as epoch ms: the time of the chunk's newest entry; NaN if unreadable. */
  readonly endTimeMs: number;
  readonly entries: number;
}

export interface RetentionPolicy {
  readonly nowMs: number;
  /** Chunks whose newest entry is older than this are expired. */
  readonly retentionMs: number;
  /** At most this many deletions per run. */
  readonly batch: number;
}

export interface RetentionPlan {
  /** Chunks that ended before this instant are expired. */
  readonly cutoffMs: number;
  /** This run's deletions: the oldest expired chunks, at most `batch`, oldest first. */
  readonly delete: readonly ChunkSummary[];
  /** All expired chunks seen, this run's included. */
  readonly expired: number;
  /** Expired chunks left for later runs. */
  readonly remaining: number;
  /** The oldest chunk seen that survives this run; undefined if none seen survives. */
  readonly oldestKept: ChunkSummary | undefined;
}

function byAge(a: ChunkSummary, b: ChunkSummary): number {
  return a.endTimeMs - b.endTimeMs || cmp(a.namespace, b.namespace) || cmp(a.name, b.name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Plans one retention run over `chunks`. A chunk is expired when its newest entry is older than
 * the retention period; a chunk without a readable endTime is never expired (we do not delete
 * what we cannot date). Deletes go oldest first so an interrupted backlog shrinks from the far end.
 */
export function selectExpired(chunks: readonly ChunkSummary[], policy: RetentionPolicy): RetentionPlan {
  const cutoffMs = policy.nowMs - policy.retentionMs;
  const batch = Math.max(0, Math.floor(policy.batch));
  const expired = chunks.filter((c) => c.endTimeMs < cutoffMs).sort(byAge);
  const toDelete = expired.slice(0, batch);
  const oldestKept = oldestSurvivor(chunks, new Set(toDelete));
  return { cutoffMs, delete: toDelete, expired: expired.length, remaining: expired.length - toDelete.length, oldestKept };
}

/** The oldest datable chunk of `chunks` not in `removed`. */
export function oldestSurvivor(chunks: readonly ChunkSummary[], removed: ReadonlySet<ChunkSummary>): ChunkSummary | undefined {
  let oldest: ChunkSummary | undefined;
  for (const c of chunks) {
    if (removed.has(c) || Number.isNaN(c.endTimeMs)) continue;
    if (oldest === undefined || byAge(c, oldest) < 0) oldest = c;
  }
  return oldest;
}

const DAY_MS = 86_400_000;

/**
 * A label selector that leaves out chunks whose day label is after the cutoff's day (they cannot
 * be expired), so a run lists only the old end of the trail. Unlabelled chunks still match
 * (`notin`), and chunks on the cutoff day are listed and judged by their endTime. Undefined (list
 * everything) when the excluded days would be more than `maxValues`.
 */
export function retentionSelector(cutoffMs: number, nowMs: number, maxValues = 1000): string | undefined {
  // Through the day after today: a writer whose clock runs a little ahead still gets excluded.
  const recent = daysBetween(cutoffMs + DAY_MS, nowMs + DAY_MS);
  if (recent.length === 0 || recent.length > maxValues) return undefined;
  return `${AUDIT_DAY_LABEL} notin (${recent.join(",")})`;
}
