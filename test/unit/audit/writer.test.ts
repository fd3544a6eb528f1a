// The audit writer's buffering, bounds, retries, drops and shutdown, driven by a fake clock.
import { describe, expect, it } from "vitest";
import { auditLogSchema } from "../../../src/api/index.js";
import { AuditWriter, type AuditWriterOptions } from "../../../src/audit/index.js";
import type { AuditRecord } from "../../../src/audit/index.js";
import { AlreadyExistsError, InvalidError, NotFoundError, UnavailableError } from "../../../src/runtime/client/index.js";
import { createRegistry } from "../../../src/runtime/metrics/index.js";
import { FakeClock } from "../../../src/runtime/queue/index.js";
import { RecordingClient, captureLog, metricValue, until } from "./support.js";

const START = Date.UTC(2031, 0, 2, 3, 4, 5);

function setup(options: Partial<AuditWriterOptions> = {}) {
  const client = new RecordingClient();
  const clock = new FakeClock(START);
  const registry = createRegistry({ processMetrics: false });
  const { log, lines } = captureLog();
  const writer = new AuditWriter({ client, clock, registry, log, random: () => 0.5, ...options });
  return { client, clock, registry, lines, writer };
}

const job = (name: string, namespace = "tenant-a", extra: Partial<AuditRecord> = {}): AuditRecord => ({
  namespace,
  action: "assigned",
  kind: "Job",
  name,
  attempt: 1,
  agent: "agent-1",
  ...extra,
});

describe("AuditWriter", () => {
  it("seals a chunk at the size bound without waiting for the timer", async () => {
    const { client, writer } = setup({ maxChunkEntries: 500 });
    for (let i = 0; i < 1_200; i++) writer.record(job(`job-${i}`));
    await until(() => client.created.length === 2);
    expect(client.created.map((c) => c.spec.count)).toEqual([500, 500]);
    expect(writer.pendingEntries).toBe(200);
    await writer.flush();
    expect(client.created.map((c) => c.spec.count)).toEqual([500, 500, 200]);
    expect(client.entries().map((e) => e.name)).toEqual(Array.from({ length: 1_200 }, (_, i) => `job-${i}`));
    for (const chunk of client.created) expect(auditLogSchema.safeParse(chunk).success).toBe(true);
    expect(writer.pendingEntries).toBe(0);
  });

  it("seals a chunk when its first entry is maxChunkAgeMs old", async () => {
    const { client, clock, writer } = setup({ maxChunkAgeMs: 5_000 });
    writer.record(job("a"));
    clock.advance(3_000);
    writer.record(job("b"));
    clock.advance(1_999);
    expect(client.calls).toBe(0);
    clock.advance(1);
    await until(() => client.created.length === 1);
    expect(client.entries().map((e) => e.name)).toEqual(["a", "b"]);
    // Entries are stamped with the clock's time when they give none.
    expect(client.created[0]?.spec.startTime).toBe(new Date(START).toISOString());
  });

  it("keeps one trail per namespace", async () => {
    const { client, writer } = setup();
    writer.record(job("a1", "tenant-a"));
    writer.record(job("b1", "tenant-b"));
    writer.record(job("a2", "tenant-a"));
    await writer.flush();
    expect(client.entries("tenant-a").map((e) => e.name)).toEqual(["a1", "a2"]);
    expect(client.entries("tenant-b").map((e) => e.name)).toEqual(["b1"]);
  });

  it("retries a failed write with capped exponential backoff and writes it exactly once", async () => {
    const { client, clock, registry, writer } = setup({ retryInitialMs: 100, retryMaxMs: 400, maxChunkAgeMs: 0 });
    const unavailable = () => new UnavailableError({ message: "apiserver down", status: 503 });
    client.failures.push(unavailable(), unavailable(), unavailable(), unavailable());
    writer.record(job("a"));
    clock.advance(0);
    await until(() => client.calls === 1 && clock.pendingTimers() === 1);
    // Delays with jitter pinned at its midpoint: 100, 200, 400, 400 (capped).
    for (const [i, delay] of [100, 200, 400, 400].entries()) {
      clock.advance(delay - 1);
      expect(client.calls).toBe(i + 1);
      clock.advance(1);
      expect(client.calls).toBe(i + 2);
      await until(() => clock.pendingTimers() === 1 || client.created.length === 1);
    }
    await writer.flush();
    expect(client.created).toHaveLength(1);
    expect(await metricValue(registry, "helios_audit_write_errors_total", { code: "Unavailable" })).toBe(4);
    expect(await metricValue(registry, "helios_audit_chunks_written_total")).toBe(1);
    expect(await metricValue(registry, "helios_audit_entries_dropped_total")).toBe(0);
  });

  it("treats AlreadyExists as written: the retried chunk has the same name", async () => {
    const { client, registry, writer } = setup();
    client.failures.push(new AlreadyExistsError({ message: "exists", status: 409 }));
    writer.record(job("a"));
    await writer.flush();
    expect(client.calls).toBe(1);
    expect(writer.pendingEntries).toBe(0);
    expect(await metricValue(registry, "helios_audit_chunks_written_total")).toBe(1);
  });

  it("drops, counts and logs a chunk the apiserver refuses for good; a missing CRD is retried", async () => {
    const { client, clock, registry, lines, writer } = setup({ retryInitialMs: 10, maxChunkAgeMs: 0 });
    client.failures.push(new NotFoundError({ message: 'namespaces "gone" not found', status: 404, details: { kind: "namespaces", name: "gone" } }));
    writer.record(job("a", "gone"));
    await writer.flush();
    expect(await metricValue(registry, "helios_audit_entries_dropped_total", { reason: "rejected" })).toBe(1);
    expect(lines.some((l) => l["msg"] === "audit entries dropped" && l["level"] === "error" && l["reason"] === "rejected")).toBe(true);

    client.failures.push(new InvalidError({ message: "bad", status: 422 }));
    writer.record(job("b"));
    await writer.flush();
    expect(await metricValue(registry, "helios_audit_entries_dropped_total", { reason: "rejected" })).toBe(2);

    // 404 without a namespace in its details: the resource type is missing; retry, do not drop.
    client.failures.push(new NotFoundError({ message: "the server could not find the requested resource", status: 404 }));
    writer.record(job("c"));
    clock.advance(0);
    await until(() => client.calls === 3 && clock.pendingTimers() === 1);
    clock.advance(10);
    await writer.flush();
    expect(client.entries().map((e) => e.name)).toEqual(["c"]);
  });

  it("under the hard bound drops the oldest waiting entries (not the chunk in flight), counts and logs them", async () => {
    const { client, clock, registry, lines, writer } = setup({ maxPendingEntries: 10, maxChunkEntries: 5, retryInitialMs: 50, retryMaxMs: 50 });
    client.failAlways = new UnavailableError({ message: "down", status: 503 });
    for (let i = 0; i < 25; i++) writer.record(job(`job-${i}`));
    // job-0..4 are in flight (kept); job-5..19 were dropped chunk by chunk as newer entries came.
    expect(writer.pendingEntries).toBe(10);
    expect(await metricValue(registry, "helios_audit_entries_dropped_total", { reason: "overflow" })).toBe(15);
    expect(lines.some((l) => l["msg"] === "audit entries dropped" && l["level"] === "error")).toBe(true);
    await until(() => clock.pendingTimers() === 1);
    client.failAlways = undefined;
    clock.advance(50);
    await writer.flush();
    const kept = [0, 1, 2, 3, 4, 20, 21, 22, 23, 24].map((i) => `job-${i}`);
    expect(client.entries().map((e) => e.name)).toEqual(kept);
  });

  it("drops the oldest open entries first when nothing is sealed", async () => {
    const { client, registry, writer } = setup({ maxPendingEntries: 3 });
    for (let i = 0; i < 5; i++) writer.record(job(`job-${i}`));
    expect(await metricValue(registry, "helios_audit_entries_dropped_total", { reason: "overflow" })).toBe(2);
    await writer.flush();
    expect(client.entries().map((e) => e.name)).toEqual(["job-2", "job-3", "job-4"]);
  });

  it("rejects an entry that does not fit the schema loudly, and truncates long messages", async () => {
    const { client, registry, lines, writer } = setup();
    writer.record({ namespace: "tenant-a", action: "Not An Action", kind: "Job", name: "a" });
    writer.record(job("b", "tenant-a", { message: "x".repeat(5_000) }));
    await writer.flush();
    expect(await metricValue(registry, "helios_audit_entries_dropped_total", { reason: "invalid" })).toBe(1);
    expect(lines.some((l) => l["level"] === "error" && String(l["msg"]).includes("rejected"))).toBe(true);
    expect(client.entries().map((e) => e.name)).toEqual(["b"]);
    expect(client.entries()[0]?.message?.length).toBe(1024);
  });

  it("logs every entry as a pino JSON line with audit: true and counts it", async () => {
    const { registry, lines, writer } = setup({ defaultActor: "helios-operator" });
    writer.record(job("a", "tenant-a", { reason: "Placed", uid: "u-1" }));
    const line = lines.find((l) => l["audit"] === true);
    expect(line).toMatchObject({
      audit: true,
      level: "info",
      namespace: "tenant-a",
      action: "assigned",
      kind: "Job",
      name: "a",
      uid: "u-1",
      attempt: 1,
      agent: "agent-1",
      reason: "Placed",
      actor: "helios-operator",
      auditTime: new Date(START).toISOString(),
    });
    expect(await metricValue(registry, "helios_audit_entries_total", { action: "assigned" })).toBe(1);
    await writer.flush();
  });

  it("close() writes what is buffered; past its deadline it reports and counts what is lost", async () => {
    const ok = setup();
    ok.writer.record(job("a"));
    expect(await ok.writer.close()).toEqual({ unwritten: 0 });
    expect(ok.client.entries().map((e) => e.name)).toEqual(["a"]);
    // Recorded after close: logged, counted as dropped, never buffered.
    ok.writer.record(job("late"));
    expect(await metricValue(ok.registry, "helios_audit_entries_dropped_total", { reason: "shutdown" })).toBe(1);

    const down = setup({ retryInitialMs: 1_000 });
    down.client.failAlways = new UnavailableError({ message: "down", status: 503 });
    down.writer.record(job("a"));
    down.writer.record(job("b"));
    const closing = down.writer.close(2_000);
    await until(() => down.client.calls >= 1 && down.clock.pendingTimers() >= 1);
    down.clock.advance(2_000);
    expect(await closing).toEqual({ unwritten: 2 });
    expect(await metricValue(down.registry, "helios_audit_entries_dropped_total", { reason: "shutdown" })).toBe(2);
  });

  it("as a Runnable, flushes when its signal aborts", async () => {
    const { client, writer } = setup();
    const stop = new AbortController();
    const running = writer.start(stop.signal);
    writer.record(job("a"));
    stop.abort();
    await running;
    expect(client.entries().map((e) => e.name)).toEqual(["a"]);
  });
});
