// The trail's cost: API writes to auditlogs per job lifecycle at 1 000 jobs, counted by the apiserver itself.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffRequestTotals, isWrite, scrapeRequestTotals } from "../../../hack/control-plane/index.js";
import type { AuditRecord } from "../../../src/audit/index.js";
import { FakeClock } from "../../../src/runtime/queue/index.js";
import { createNamespace, kubeConfig, kubeconfigPath, kubectl } from "../support/cluster.js";
import { auditClient, auditWriter } from "./support.js";

const JOBS = 1_000;
let namespaces: string[];

beforeAll(async () => {
  namespaces = await Promise.all([createNamespace("audit-cost-a"), createNamespace("audit-cost-b")]);
});

afterAll(async () => {
  await kubectl(["delete", "namespace", ...namespaces, "--wait=false"]);
});

/** What the controllers and agents record over one job's life: every fifth job is retried once. */
function decisions(namespace: string, job: string, retried: boolean): Omit<AuditRecord, "time">[] {
  const base = { namespace, kind: "Job", name: job };
  const attempt = (n: number, agent: string) => [
    { ...base, action: "assigned", attempt: n, agent, actor: "queue-priority" },
    { ...base, action: "started", attempt: n, agent, actor: agent },
  ];
  return [
    ...attempt(1, "agent-1"),
    ...(retried ? [{ ...base, action: "retried", attempt: 1, agent: "agent-1", reason: "HandlerFailed" }, ...attempt(2, "agent-2")] : []),
    { ...base, action: "succeeded", attempt: retried ? 2 : 1, agent: retried ? "agent-2" : "agent-1", actor: "agent" },
  ];
}

describe("audit write cost", () => {
  it(`stays below 0.05 API writes per job lifecycle at ${JOBS} jobs`, async () => {
    // Simulated time: 1 000 jobs arrive at 10 per second in two namespaces, each taking 3 s, so the
    // 5 s time bound (not only the 500-entry bound) seals chunks, as it would in a real run.
    const clock = new FakeClock(Date.now() - 3_600_000);
    const writer = auditWriter(kubeConfig(), { clock });
    const before = await scrapeRequestTotals(kubeconfigPath());
    let entries = 0;
    const timeline: { at: number; record: Omit<AuditRecord, "time"> }[] = [];
    for (let i = 0; i < JOBS; i++) {
      const start = i * 100;
      const steps = decisions(namespaces[i % 2] ?? "", `job-${i}`, i % 5 === 0);
      steps.forEach((record, k) => timeline.push({ at: start + (k * 3_000) / steps.length, record }));
    }
    timeline.sort((a, b) => a.at - b.at);
    let now = 0;
    for (const { at, record } of timeline) {
      clock.advance(at - now);
      now = at;
      writer.record({ ...record, time: new Date(clock.now()).toISOString() });
      entries += 1;
    }
    await writer.flush();
    const after = await scrapeRequestTotals(kubeconfigPath());
    const writes = diffRequestTotals(before, after)
      .filter((c) => c.resource === "auditlogs" && isWrite(c))
      .reduce((n, c) => n + c.count, 0);
    const stored = (await Promise.all(namespaces.map((ns) => auditClient(kubeConfig()).listAll({ namespace: ns })))).flatMap((l) => l.items);
    expect(stored.reduce((n, c) => n + c.spec.count, 0)).toBe(entries);
    expect(writes).toBe(stored.length);
    console.log(`audit cost: ${entries} entries for ${JOBS} jobs in ${writes} writes = ${(writes / JOBS).toFixed(3)} writes per job`);
    expect(writes / JOBS).toBeLessThan(0.05);
  });
});
