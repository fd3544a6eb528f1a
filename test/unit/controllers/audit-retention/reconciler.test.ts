// The retention reconciler's decisions over an in-memory trail: batches, dry run, meta-audit, timing.
import { describe, expect, it } from "vitest";
import type { AuditLog } from "../../../../src/api/index.js";
import { buildChunk, type AuditRecord, type AuditSink } from "../../../../src/audit/index.js";
import { AuditRetentionReconciler, RetentionDeleteError } from "../../../../src/controllers/audit-retention/index.js";
import { InternalError, NotFoundError, type ListOptions, type ObjectList, type ObjectRef } from "../../../../src/runtime/client/index.js";
import { silentLogger } from "../../../../src/runtime/log/index.js";
import { createRegistry } from "../../../../src/runtime/metrics/index.js";
import { FakeClock } from "../../../../src/runtime/queue/index.js";
import type { ReconcileContext } from "../../../../src/runtime/reconcile/index.js";
import { metricValue } from "../../audit/support.js";
import { requeueAfter } from "../../../../src/runtime/reconcile/index.js";

const NOW = Date.UTC(2031, 5, 10, 12);
const HOUR = 3_600_000;

/** An in-memory trail: list pages through it (ignoring selectors), delete removes or fails on demand. */
class MemoryTrail {
  readonly chunks = new Map<string, AuditLog>();
  readonly deleteFailures = new Map<string, Error>();
  readonly lists: ListOptions[] = [];

  add(namespace: string, endTimeMs: number, name: string): void {
    const chunk = buildChunk(namespace, [{ time: new Date(endTimeMs).toISOString(), action: "assigned", kind: "Job", name }]);
    this.chunks.set(`${namespace}/${chunk.metadata.name}`, { ...chunk, metadata: { ...chunk.metadata, uid: `uid-${name}` } });
  }

  list(options: ListOptions = {}): Promise<ObjectList<AuditLog>> {
    this.lists.push(options);
    const all = [...this.chunks.values()].filter((c) => options.namespace === undefined || c.metadata.namespace === options.namespace);
    const start = Number(options.continue ?? 0);
    const end = start + (options.limit ?? all.length);
    const next = end < all.length ? String(end) : undefined;
    return Promise.resolve({ items: all.slice(start, end), metadata: { resourceVersion: "1", ...(next ? { continue: next } : {}) } });
  }

  delete(ref: ObjectRef): Promise<void> {
    const key = `${ref.namespace}/${ref.name}`;
    const failure = this.deleteFailures.get(key);
    if (failure !== undefined) return Promise.reject(failure);
    if (!this.chunks.delete(key)) return Promise.reject(new NotFoundError({ message: "gone", status: 404 }));
    return Promise.resolve();
  }

  names(): string[] {
    return [...this.chunks.values()].map((c) => c.spec.entries[0]?.name ?? "").sort();
  }
}

class RecordingSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  record(entry: AuditRecord): void {
    this.records.push(entry);
  }
}

function setup(options: { batch?: number; dryRun?: boolean; namespaces?: string[] } = {}) {
  const trail = new MemoryTrail();
  const audit = new RecordingSink();
  const registry = createRegistry({ processMetrics: false });
  const reconciler = new AuditRetentionReconciler({
    client: trail,
    audit,
    namespaces: options.namespaces ?? [],
    operatorNamespace: "helios-system",
    retentionMs: 24 * HOUR,
    intervalMs: 6 * HOUR,
    batch: options.batch ?? 1000,
    dryRun: options.dryRun ?? false,
    clock: new FakeClock(NOW),
    registry,
    pageSize: 2,
  });
  const ctx: ReconcileContext = { signal: new AbortController().signal, log: silentLogger(), reconcileId: "r" };
  return { trail, audit, registry, reconciler, ctx };
}

function seed(trail: MemoryTrail): void {
  // Five expired (older than 24 h) across two namespaces, three kept.
  for (const [ns, hoursAgo, name] of [
    ["a", 100, "old-1"],
    ["b", 90, "old-2"],
    ["a", 80, "old-3"],
    ["b", 50, "old-4"],
    ["a", 25, "old-5"],
    ["a", 23, "new-1"],
    ["b", 2, "new-2"],
    ["a", 0, "new-3"],
  ] as const) {
    trail.add(ns, NOW - hoursAgo * HOUR, name);
  }
}

describe("AuditRetentionReconciler", () => {
  it("deletes the oldest expired chunks in batches and drains a backlog sooner than the interval", async () => {
    const { trail, audit, registry, reconciler, ctx } = setup({ batch: 2 });
    seed(trail);
    expect(await reconciler.reconcile({ name: "audit-retention" }, ctx)).toEqual(requeueAfter(60_000));
    expect(trail.names()).toEqual(["new-1", "new-2", "new-3", "old-3", "old-4", "old-5"]);
    expect(await reconciler.reconcile({ name: "audit-retention" }, ctx)).toEqual(requeueAfter(60_000));
    expect(trail.names()).toEqual(["new-1", "new-2", "new-3", "old-5"]);
    // Last batch: nothing expired is left, so the next run is a full interval away.
    expect(await reconciler.reconcile({ name: "audit-retention" }, ctx)).toEqual(requeueAfter(6 * HOUR));
    expect(trail.names()).toEqual(["new-1", "new-2", "new-3"]);
    expect(await metricValue(registry, "helios_audit_records_deleted_total")).toBe(5);
    // A run lists with paging and a day selector.
    expect(trail.lists.every((l) => l.limit === 2 && (l.labelSelector ?? "").includes("notin"))).toBe(true);

    expect(audit.records).toHaveLength(3);
    const [first, , last] = audit.records;
    expect(first).toMatchObject({ namespace: "helios-system", action: "records-deleted", kind: "AuditLog", actor: "audit-retention", reason: "RetentionExpired" });
    expect(first?.message).toMatch(/^deleted 2 AuditLog chunk\(s\) \(2 entries\); 5 chunk\(s\) ended before .*; 3 left for later runs; oldest kept: a\/\S+ ended /);
    expect(last?.message).toMatch(/^deleted 1 AuditLog chunk\(s\).*oldest kept: a\/\S+ ended /);
  });

  it("in dry run deletes nothing and reports what it would delete", async () => {
    const { trail, audit, registry, reconciler, ctx } = setup({ dryRun: true, batch: 3 });
    seed(trail);
    expect(await reconciler.reconcile({ name: "audit-retention" }, ctx)).toEqual(requeueAfter(6 * HOUR));
    expect(trail.chunks.size).toBe(8);
    expect(await metricValue(registry, "helios_audit_records_deleted_total")).toBe(0);
    expect(await metricValue(registry, "helios_audit_retention_expired_chunks")).toBe(5);
    expect(audit.records[0]?.reason).toBe("DryRun");
    expect(audit.records[0]?.message).toMatch(/^dry run: would delete 3 AuditLog chunk\(s\) \(3 entries\); 5 chunk\(s\) ended before/);
    // Nothing went, so the oldest kept is the oldest chunk of all.
    expect(audit.records[0]?.message).toContain(`ended ${new Date(NOW - 100 * HOUR).toISOString().replace(".000", "")}`);
  });

  it("lists only the watched namespaces when given", async () => {
    const { trail, reconciler, ctx } = setup({ namespaces: ["b"] });
    seed(trail);
    await reconciler.reconcile({ name: "audit-retention" }, ctx);
    expect(trail.names()).toEqual(["new-1", "new-2", "new-3", "old-1", "old-3", "old-5"]);
  });

  it("records the run, then throws to retry with backoff when deletions fail; already-gone is fine", async () => {
    const { trail, audit, reconciler, ctx } = setup();
    seed(trail);
    const [firstKey, secondKey] = [...trail.chunks.keys()];
    trail.deleteFailures.set(firstKey ?? "", new InternalError({ message: "etcd unhappy", status: 500 }));
    trail.deleteFailures.set(secondKey ?? "", new NotFoundError({ message: "gone", status: 404 }));
    await expect(reconciler.reconcile({ name: "audit-retention" }, ctx)).rejects.toBeInstanceOf(RetentionDeleteError);
    expect(audit.records[0]?.reason).toBe("DeleteFailed");
    expect(audit.records[0]?.message).toMatch(/deleted 3 .*1 already gone; 1 deletion\(s\) failed/);
  });
});
