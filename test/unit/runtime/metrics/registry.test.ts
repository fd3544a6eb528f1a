// The shared registry helpers: get-or-create reuse, conflicting redeclarations, helios_* naming.
import { describe, expect, it } from "vitest";
import {
  createRegistry,
  getOrCreateCounter,
  getOrCreateGauge,
  heliosCounter,
  heliosHistogram,
} from "../../../../src/runtime/metrics/index.js";

describe("metrics registry helpers", () => {
  it("returns the same family to every caller so controllers share it by label", async () => {
    const registry = createRegistry({ processMetrics: false });
    const a = getOrCreateCounter(registry, { name: "x_total", help: "x", labelNames: ["controller"] });
    const b = getOrCreateCounter(registry, { name: "x_total", help: "x", labelNames: ["controller"] });
    expect(b).toBe(a);
    a.inc({ controller: "one" });
    b.inc({ controller: "two" }, 2);
    const text = await registry.metrics();
    expect(text).toContain('x_total{controller="one"} 1');
    expect(text).toContain('x_total{controller="two"} 2');
  });

  it("refuses a redeclaration with another type or other labels", () => {
    const registry = createRegistry({ processMetrics: false });
    getOrCreateCounter(registry, { name: "y_total", help: "y", labelNames: ["a"] });
    expect(() => getOrCreateGauge(registry, { name: "y_total", help: "y", labelNames: ["a"] })).toThrow(/different type/);
    expect(() => getOrCreateCounter(registry, { name: "y_total", help: "y", labelNames: ["b"] })).toThrow(/labels \[a\]/);
  });

  it("includes process metrics by default and requires the helios_ prefix for business metrics", async () => {
    const registry = createRegistry();
    expect(await registry.metrics()).toContain("process_cpu_seconds_total");
    heliosCounter(registry, { name: "helios_jobs_assigned_total", help: "jobs assigned", labelNames: ["queue"] }).inc({ queue: "q" });
    expect(await registry.metrics()).toContain('helios_jobs_assigned_total{queue="q"} 1');
    expect(() => heliosHistogram(registry, { name: "jobs_seconds", help: "no prefix" })).toThrow(/must start with helios_/);
  });
});
