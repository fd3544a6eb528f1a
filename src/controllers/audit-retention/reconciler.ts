// The audit-retention reconciler: one run lists old chunks, deletes a batch, and audits itself.
//
// Flow of a run (the single key `audit-retention`): list the old end of the trail in every
// watched namespace (day-label selector, paged, only summaries kept) → `selectExpired` (pure) →
// delete the batch oldest first with a uid precondition (or, in dry run, delete nothing) → count
// → record a `records-deleted` entry in the operator's namespace → requeue after the interval.
// When expired chunks are left over (the batch bound hit), the next run comes after
// `backlogPauseMs` instead, so a backlog drains in bounded batches rather than one a day.
//
// Errors: a failed list throws (retried with backoff); failed deletes are counted in the
// meta-audit entry, then the run throws so it is retried with backoff.
import type { Registry } from "prom-client";
import { formatTime, type AuditLog } from "../../api/index.js";
import type { AuditSink } from "../../audit/index.js";
import { isApiError, type ResourceClient } from "../../runtime/client/index.js";
import { heliosCounter, heliosGauge } from "../../runtime/metrics/index.js";
import { realClock, type Clock } from "../../runtime/queue/index.js";
import { requeueAfter, type ReconcileContext, type Reconciler, type Request, type Result } from "../../runtime/reconcile/index.js";
import { oldestSurvivor, retentionSelector, selectExpired, type ChunkSummary, type RetentionPlan } from "./select.js";

/** The only key this controller reconciles: retention is one run over the whole trail. */
export const AUDIT_RETENTION_REQUEST: Request = { name: "audit-retention" };
/** `actor` of the meta-audit entries. */
export const AUDIT_RETENTION_ACTOR = "audit-retention";

export interface AuditRetentionOptions {
  readonly client: Pick<ResourceClient<AuditLog>, "list" | "delete">;
  /** Where the meta-audit entry of every run goes. */
  readonly audit: AuditSink;
  /** Watched namespaces; empty means all. */
  readonly namespaces: readonly string[];
  readonly operatorNamespace: string;
  readonly retentionMs: number;
  readonly intervalMs: number;
  readonly batch: number;
  readonly dryRun: boolean;
  readonly clock?: Clock;
  readonly registry?: Registry;
  /** Delay before the next run while expired chunks remain (default: min(interval, 1 min)). */
  readonly backlogPauseMs?: number;
  /** List page size (default 500). */
  readonly pageSize?: number;
}

/** What one run did; the meta-audit entry says the same in words. */
export interface RetentionRun {
  readonly plan: RetentionPlan;
  readonly dryRun: boolean;
  readonly deleted: number;
  readonly deletedEntries: number;
  /** Already gone when we tried (another replica, a user). */
  readonly alreadyGone: number;
  readonly failed: number;
  /** The oldest chunk seen that still exists after the run (in dry run: the oldest seen). */
  readonly oldestKept: ChunkSummary | undefined;
}

/** Some deletions of a run failed; the run is retried with backoff. */
export class RetentionDeleteError extends Error {
  readonly code = "RetentionDeleteFailed" as const;
  readonly retryable = true as const;

  constructor(failed: number, cause: unknown) {
    super(`audit retention: ${failed} chunk deletion(s) failed`, { cause });
    this.name = "RetentionDeleteError";
  }
}

export class AuditRetentionReconciler implements Reconciler {
  readonly #o: AuditRetentionOptions;
  readonly #clock: Clock;
  readonly #deleted;
  readonly #expired;

  constructor(options: AuditRetentionOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    const registry = options.registry;
    this.#deleted =
      registry &&
      heliosCounter(registry, {
        name: "helios_audit_records_deleted_total",
        help: "AuditLog chunks deleted by audit retention (dry runs delete none).",
      });
    this.#expired =
      registry &&
      heliosGauge(registry, {
        name: "helios_audit_retention_expired_chunks",
        help: "AuditLog chunks past retention found by the last retention run, before its deletions.",
      });
  }

  async reconcile(_req: Request, ctx: ReconcileContext): Promise<Result> {
    const run = await this.runOnce(ctx.signal);
    ctx.log.info(
      {
        dryRun: run.dryRun,
        expired: run.plan.expired,
        deleted: run.deleted,
        wouldDelete: run.dryRun ? run.plan.delete.length : undefined,
        remaining: run.plan.remaining,
        failed: run.failed,
      },
      "audit retention run",
    );
    const backlog = !run.dryRun && run.plan.remaining > 0;
    const pause = this.#o.backlogPauseMs ?? Math.min(this.#o.intervalMs, 60_000);
    return requeueAfter(backlog ? pause : this.#o.intervalMs);
  }

  /** One retention run: list, plan, delete (unless dry run), count, and record the meta-audit entry. */
  async runOnce(signal?: AbortSignal): Promise<RetentionRun> {
    const nowMs = this.#clock.now();
    const cutoffMs = nowMs - this.#o.retentionMs;
    const chunks = await this.#listOld(retentionSelector(cutoffMs, nowMs), signal);
    const plan = selectExpired(chunks, { nowMs, retentionMs: this.#o.retentionMs, batch: this.#o.batch });
    this.#expired?.set(plan.expired);
    let deleted = 0;
    let deletedEntries = 0;
    let alreadyGone = 0;
    let failed = 0;
    let firstError: unknown;
    const removed = new Set<ChunkSummary>();
    if (!this.#o.dryRun) {
      for (const chunk of plan.delete) {
        if (signal?.aborted) break;
        try {
          await this.#o.client.delete(
            { namespace: chunk.namespace, name: chunk.name },
            { ...(chunk.uid === undefined ? {} : { uid: chunk.uid }), ...(signal ? { signal } : {}) },
          );
          deleted += 1;
          deletedEntries += chunk.entries;
          removed.add(chunk);
        } catch (err) {
          if (signal?.aborted) break;
          // Gone already, or replaced by a new incarnation (uid precondition): not ours to count.
          if (isApiError(err, "NotFound") || isApiError(err, "Conflict")) {
            alreadyGone += 1;
            removed.add(chunk);
          } else {
            failed += 1;
            firstError ??= err;
          }
        }
      }
      this.#deleted?.inc(deleted);
    }
    // A dry run keeps everything; a real run keeps what it did not remove (failures included).
    const oldestKept = oldestSurvivor(chunks, removed);
    const run: RetentionRun = { plan, dryRun: this.#o.dryRun, deleted, deletedEntries, alreadyGone, failed, oldestKept };
    this.#o.audit.record({
      namespace: this.#o.operatorNamespace,
      time: new Date(nowMs).toISOString(),
      action: "records-deleted",
      kind: "AuditLog",
      name: "*",
      actor: AUDIT_RETENTION_ACTOR,
      reason: this.#o.dryRun ? "DryRun" : failed > 0 ? "DeleteFailed" : "RetentionExpired",
      message: describeRun(run, this.#o.retentionMs),
    });
    if (failed > 0) throw new RetentionDeleteError(failed, firstError);
    return run;
  }

  async #listOld(labelSelector: string | undefined, signal: AbortSignal | undefined): Promise<ChunkSummary[]> {
    const scopes = this.#o.namespaces.length === 0 ? [undefined] : this.#o.namespaces;
    const out: ChunkSummary[] = [];
    for (const namespace of scopes) {
      let continueToken: string | undefined;
      do {
        const page = await this.#o.client.list({
          namespace,
          labelSelector,
          limit: this.#o.pageSize ?? 500,
          continue: continueToken,
          signal,
        });
        for (const item of page.items) out.push(summarize(item));
        continueToken = page.metadata.continue;
      } while (continueToken);
    }
    return out;
  }
}

function summarize(chunk: AuditLog): ChunkSummary {
  return {
    namespace: chunk.metadata.namespace ?? "",
    name: chunk.metadata.name ?? "",
    uid: chunk.metadata.uid,
    endTimeMs: Date.parse(chunk.spec?.endTime ?? ""),
    entries: chunk.spec?.count ?? 0,
  };
}

/** The meta-audit message: what was (or would be) deleted, what is left, and the oldest chunk kept. */
export function describeRun(run: RetentionRun, retentionMs: number): string {
  const { plan } = run;
  const cutoff = formatTime(new Date(plan.cutoffMs));
  const batchEntries = plan.delete.reduce((n, c) => n + c.entries, 0);
  const parts = [
    run.dryRun
      ? `dry run: would delete ${plan.delete.length} AuditLog chunk(s) (${batchEntries} entries)`
      : `deleted ${run.deleted} AuditLog chunk(s) (${run.deletedEntries} entries)`,
    `${plan.expired} chunk(s) ended before ${cutoff} (retention ${Math.round(retentionMs / 1000)}s)`,
  ];
  if (plan.remaining > 0) parts.push(`${plan.remaining} left for later runs`);
  if (run.alreadyGone > 0) parts.push(`${run.alreadyGone} already gone`);
  if (run.failed > 0) parts.push(`${run.failed} deletion(s) failed`);
  parts.push(
    run.oldestKept === undefined
      ? `oldest kept: none ending on or before ${cutoff.slice(0, 10)}`
      : `oldest kept: ${run.oldestKept.namespace}/${run.oldestKept.name} ended ${formatTime(new Date(run.oldestKept.endTimeMs))}`,
  );
  return parts.join("; ");
}
