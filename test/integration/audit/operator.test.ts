// The audit trail inside `helios operator` (in-process): retention runs from CONTROLLERS on its
// timer, and the writer flushes its meta-audit entries when the operator stops.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOperator } from "../../../src/cli/commands/operator.js";
import { resolveOperatorConfig } from "../../../src/runtime/config/index.js";
import { silentLogger } from "../../../src/runtime/log/index.js";
import { createNamespace, kubeConfig, kubectl } from "../support/cluster.js";
import { auditClient, auditWriter } from "./support.js";

let ns: string;
let opNs: string;
const client = auditClient(kubeConfig());

beforeAll(async () => {
  [ns, opNs] = await Promise.all([createNamespace("audit-op"), createNamespace("audit-op-system")]);
});

afterAll(async () => {
  await kubectl(["delete", "namespace", ns, opNs, "--wait=false"]);
});

async function until(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met before the deadline");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("audit in the operator", () => {
  it("deletes expired chunks of watched namespaces and flushes its meta-audit entry on stop", async () => {
    const writer = auditWriter(kubeConfig(), { maxChunkEntries: 1 });
    const now = Date.now();
    for (const hoursAgo of [48, 30, 1]) {
      writer.record({ namespace: ns, time: new Date(now - hoursAgo * 3_600_000).toISOString(), action: "assigned", kind: "Job", name: `job-${hoursAgo}h` });
    }
    await writer.close();
    const config = resolveOperatorConfig(
      {
        namespace: [ns, opNs],
        operatorNamespace: opNs,
        metricsBindAddress: "0",
        healthProbeBindAddress: "0",
        auditRetention: "24h",
        auditRetentionInterval: "1h",
      },
      {},
    );
    const manager = buildOperator(config, kubeConfig(), silentLogger());
    const stop = new AbortController();
    const running = manager.start(stop.signal);
    try {
      await until(async () => (await client.listAll({ namespace: ns })).items.length === 1);
      const left = (await client.listAll({ namespace: ns })).items;
      expect(left[0]?.spec.entries[0]?.name).toBe("job-1h");
    } finally {
      // Stop at once: the meta-audit entry is still in the writer's 5 s buffer and must be flushed.
      stop.abort();
      await running;
    }
    const meta = (await client.listAll({ namespace: opNs })).items.flatMap((c) => c.spec.entries);
    expect(meta).toHaveLength(1);
    expect(meta[0]).toMatchObject({ action: "records-deleted", actor: "audit-retention", reason: "RetentionExpired" });
    expect(meta[0]?.message).toMatch(/^deleted 2 AuditLog chunk\(s\)/);
  });
});
