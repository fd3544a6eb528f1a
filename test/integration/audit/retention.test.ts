// audit-retention on the real apiserver: exact batches of old chunks, dry run, meta-audit entries, timed runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditLog } from "../../../src/api/index.js";
import type { AuditRow } from "../../../src/audit/index.js";
import { AUDIT_RETENTION_REQUEST, AuditRetentionReconciler } from "../../../src/controllers/audit-retention/index.js";
import { Controller } from "../../../src/runtime/controller/index.js";
import { silentLogger } from "../../../src/runtime/log/index.js";
import { createRegistry } from "../../../src/runtime/metrics/index.js";
import type { ReconcileContext } from "../../../src/runtime/reconcile/index.js";
import { createNamespace, kubeConfig, kubeconfigPath, kubectl } from "../support/cluster.js";
import { auditClient, auditWriter, helios } from "./support.js";
import { requeueAfter } from "../../../src/runtime/reconcile/index.js";

const kc = kubeConfig();
const client = auditClient(kc);
const HOUR = 3_600_000;
let nsA: string;
let nsB: string;
let opNs: string;

const ctx: ReconcileContext = { signal: new AbortController().signal, log: silentLogger(), reconcileId: "test" };

/** Writes one chunk per `hoursAgo` value (one entry each) into `namespace`; returns job names. */
async function seed(namespace: string, hoursAgo: readonly number[], prefix: string): Promise<void> {
  const writer = auditWriter(kc, { maxChunkEntries: 1 });
  const now = Date.now();
  for (const [i, h] of hoursAgo.entries()) {
    writer.record({ namespace, time: new Date(now - h * HOUR).toISOString(), action: "assigned", kind: "Job", name: `${prefix}-${h}h-${i}` });
  }
  expect(await writer.close()).toEqual({ unwritten: 0 });
}

async function chunks(namespace: string): Promise<AuditLog[]> {
  return (await client.listAll({ namespace })).items;
}

async function remainingNames(): Promise<string[]> {
  const all = [...(await chunks(nsA)), ...(await chunks(nsB))];
  return all.map((c) => c.spec.entries[0]?.name ?? "").sort();
}

async function metaEntries(): Promise<AuditRow[]> {
  const out = await helios(["audit", "--kubeconfig", kubeconfigPath(), "-n", opNs, "--action", "records-deleted", "-o", "json"]);
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout) as AuditRow[];
}

async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  [nsA, nsB, opNs] = await Promise.all([createNamespace("audit-ret-a"), createNamespace("audit-ret-b"), createNamespace("audit-ret-op")]);
});

afterAll(async () => {
  await kubectl(["delete", "namespace", nsA, nsB, opNs, "--wait=false"]);
});

describe("audit retention", () => {
  it("dry run deletes nothing and reports the count; real runs delete exactly the old chunks, oldest first, in batches", async () => {
    // Seven chunks older than 24 h (across two namespaces and several days), three newer.
    await seed(nsA, [200, 150, 100, 30], "old-a");
    await seed(nsB, [120, 72, 25], "old-b");
    await seed(nsA, [23, 1], "new-a");
    await seed(nsB, [0], "new-b");
    const before = await remainingNames();
    expect(before).toHaveLength(10);
    const writer = auditWriter(kc);
    const registry = createRegistry({ processMetrics: false });
    const reconciler = (dryRun: boolean) =>
      new AuditRetentionReconciler({
        client,
        audit: writer,
        namespaces: [nsA, nsB],
        operatorNamespace: opNs,
        retentionMs: 24 * HOUR,
        intervalMs: HOUR,
        batch: 3,
        dryRun,
        registry,
        pageSize: 2,
      });

    expect(await reconciler(true).reconcile(AUDIT_RETENTION_REQUEST, ctx)).toEqual(requeueAfter(HOUR));
    expect(await remainingNames()).toEqual(before);

    const real = reconciler(false);
    const oldestFirst = ["old-a-200h-0", "old-a-150h-1", "old-b-120h-0", "old-a-100h-2", "old-b-72h-1", "old-a-30h-3", "old-b-25h-2"];
    for (const [run, upTo] of [[1, 3], [2, 6], [3, 7]] as const) {
      const result = await real.reconcile(AUDIT_RETENTION_REQUEST, ctx);
      expect(result).toEqual(requeueAfter(run < 3 ? 60_000 : HOUR));
      expect(await remainingNames()).toEqual(before.filter((n) => !oldestFirst.slice(0, upTo).includes(n)));
    }
    expect(await remainingNames()).toEqual(["new-a-1h-1", "new-a-23h-0", "new-b-0h-0"]);
    expect(await real.reconcile(AUDIT_RETENTION_REQUEST, ctx)).toEqual(requeueAfter(HOUR));
    expect(await remainingNames()).toHaveLength(3);

    await writer.flush();
    const meta = await metaEntries();
    expect(meta.map((m) => m.reason)).toEqual(["DryRun", "RetentionExpired", "RetentionExpired", "RetentionExpired", "RetentionExpired"]);
    expect(meta[0]?.message).toMatch(/^dry run: would delete 3 AuditLog chunk\(s\) \(3 entries\); 7 chunk\(s\) ended before /);
    expect(meta[1]?.message).toMatch(/^deleted 3 AuditLog chunk\(s\) \(3 entries\); 7 chunk\(s\) ended before .*; 4 left for later runs; oldest kept: /);
    expect(meta[3]?.message).toMatch(/^deleted 1 AuditLog chunk\(s\).*; oldest kept: /);
    expect(meta[4]?.message).toMatch(/^deleted 0 AuditLog chunk\(s\) \(0 entries\); 0 chunk\(s\)/);
    expect(meta.every((m) => m.namespace === opNs && m.actor === "audit-retention" && m.kind === "AuditLog")).toBe(true);
    const deleted = await registry.getSingleMetric("helios_audit_records_deleted_total")?.get();
    expect(deleted?.values[0]?.value).toBe(7);
    await writer.close();
  });

  it("as a controller, runs on its own timer with a tiny retention and drains in batches", async () => {
    await seed(nsA, [0.01, 0.01, 0.01, 0.01, 0.01], "timed");
    const writer = auditWriter(kc, { maxChunkAgeMs: 100 });
    const controller = new Controller({
      name: "audit-retention-test",
      reconciler: new AuditRetentionReconciler({
        client,
        audit: writer,
        namespaces: [nsA, nsB],
        operatorNamespace: opNs,
        retentionMs: 1,
        intervalMs: 200,
        batch: 2,
        dryRun: false,
        backlogPauseMs: 50,
      }),
      logger: silentLogger(),
    });
    controller.enqueue(AUDIT_RETENTION_REQUEST);
    const stop = new AbortController();
    const running = controller.start(stop.signal);
    try {
      // Everything is older than 1 ms; batches of 2 clear all 8 chunks over four or more runs.
      await waitFor(remainingNames, (names) => names.length === 0);
      const metaBefore = (await waitFor(metaEntries, (m) => m.length >= 5 + 4)).length;
      // Nothing left: it keeps running on the interval, recording a meta entry each time.
      await waitFor(metaEntries, (m) => m.length >= metaBefore + 2);
    } finally {
      stop.abort();
      await running;
      await writer.close();
    }
  });
});
