// The demo's renderers: what a person sees must reflect the jobs and agents it is given.
import { describe, expect, it } from "vitest";
import type { Agent, Job } from "../../../src/api/index.js";
import { renderLive, renderPlainLine, renderSummary, type DemoSnapshot } from "../../../hack/demo/view.js";

const now = new Date("2026-01-01T00:01:00Z");

function job(name: string, namespace: string, status: Job["status"], priority: Job["spec"]["priority"] = "normal"): Job {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Job",
    metadata: { name, namespace, creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: { type: "sleep", priority, queue: "default", retry: { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 } },
    ...(status ? { status } : {}),
  };
}

const agent: Agent = {
  apiVersion: "helios.dev/v1alpha1",
  kind: "Agent",
  metadata: { name: "alpha", namespace: "team-a" },
  spec: { capabilities: ["sleep"], queues: ["default"], maxConcurrency: 2 },
  status: { phase: "Ready" },
};

const snapshot = (jobs: Job[]): DemoSnapshot => ({ now, elapsedMs: 65_000, stage: "testing", jobs, agents: [agent], notes: [{ atMs: 1000, text: "hello" }] });

describe("demo view", () => {
  it("shows running progress, queue depth by priority, agent load and recent notes", () => {
    const view = renderLive(
      snapshot([
        job("a", "team-a", { phase: "Running", assignedAgent: "alpha", attempt: 1, progress: { percent: 50, message: "halfway" } }),
        job("b", "team-a", undefined, "high"),
        job("c", "team-a", { phase: "Pending", queuedAt: "2026-01-01T00:00:30Z" }, "high"),
      ]),
    );
    expect(view).toContain("01:05");
    expect(view).toContain("█████░░░░░ 50% halfway");
    expect(view).toMatch(/team-a\/default\s+2\s+0\s+2\s+0\s+0\s+60s/);
    expect(view).toMatch(/alpha\s+team-a\s+Ready\s+sleep\s+1\/2/);
    expect(view).toContain("00:01 hello");
  });

  it("shows a retry countdown for a job in backoff", () => {
    const view = renderLive(snapshot([job("r", "team-a", { phase: "Pending", nextAttemptAt: "2026-01-01T00:01:03Z", lastError: { reason: "HandlerFailed", message: "x" } })]));
    expect(view).toContain("retry in 3.0s (HandlerFailed)");
  });

  it("prints plain counts for CI", () => {
    const line = renderPlainLine(snapshot([job("a", "team-a", { phase: "Succeeded" }), job("b", "team-a", undefined)]));
    expect(line).toBe("[demo 01:05] testing | jobs pending=1 assigned=0 running=0 succeeded=1 failed=0 | agents ready=1/1");
  });

  it("marks jobs that did not end as expected", () => {
    const text = renderSummary({
      outcomes: [
        { name: "team-a/ok", expected: "Succeeded", actual: "Succeeded", attempts: 1, note: "" },
        { name: "team-a/bad", expected: "Succeeded", actual: "Failed", attempts: 4, note: "" },
      ],
      retries: 3,
      scheduleLatencyMs: [10, 20, 30],
      recoveryMs: 7000,
      staleTimeoutMs: 6000,
      pausedAssignments: 0,
      durationMs: 60_000,
      kubeconfig: "/x/kubeconfig",
    });
    expect(text).toContain("1 job(s) did NOT end as expected");
    expect(text).toContain("✗ team-a/bad");
    expect(text).toContain("(expected Succeeded)");
    expect(text).toContain("p50 20 ms");
    expect(text).toContain("export KUBECONFIG=/x/kubeconfig");
  });
});

describe("demo view width", () => {
  it("cuts lines to the terminal width instead of wrapping", () => {
    const long = job("a-job-with-a-very-long-name-indeed", "team-a", { phase: "Failed", lastError: { reason: "RetriesExhausted", message: "x".repeat(300) } });
    const lines = renderLive(snapshot([long]), 40, 60).split("\n");
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(60);
    expect(lines.some((l) => l.endsWith("…"))).toBe(true);
  });
});
