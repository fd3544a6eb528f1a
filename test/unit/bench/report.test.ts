// The bench report: its JSON schema, issue 10's targets judged on it, the table, and the SVG chart.
import { describe, expect, it } from "vitest";
import { logMax, niceMax, renderChart } from "../../../bench/chart.js";
import { benchReportSchema, evaluateTargets, formatReport, type BenchReport } from "../../../bench/report.js";
import { summarize } from "../../../bench/stats.js";

const latency = { createdToAssigned: summarize([10, 20, 30, 240]), createdToSucceeded: summarize([50, 60, 70, 400]) };
const memory = { peakRssMb: 150, peakHeapUsedMb: 60, endRssMb: 140 };

function report(overrides: Partial<BenchReport> = {}): BenchReport {
  const sections = {
    limit: { rows: [{ concurrency: 8, jobs: 100, seconds: 1, jobsPerSecond: 100, writesPerJob: 4, cpuMsPerJob: { apiserver: 12, etcd: 1.5, client: 2 } }], best: { concurrency: 8, jobsPerSecond: 100 } },
    throughput: {
      jobs: 100,
      agents: 10,
      agentCapacity: 1000,
      createConcurrency: 32,
      createSeconds: 1,
      seconds: 1.25,
      jobsPerSecond: 80,
      ratioToLimit: 0.8,
      latencyMs: latency,
      writes: { total: 305, perJob: 3.05, byResource: [{ resource: "jobs", subresource: "status", verb: "PUT", count: 200, perJob: 2 }] },
      reads: [{ resource: "jobs", subresource: "", verb: "WATCH", count: 12, perJob: 0.12 }],
      operator: memory,
      cpuMsPerJob: { apiserver: 9, etcd: 1, operator: 3, agents: 2, bench: 1 },
      operatorMode: "child process (helios operator)",
    },
    paced: { jobs: 100, ratePerSecond: 40, freeCapacity: 1000, createSeconds: 2.5, latencyMs: latency },
    scale: {
      jobs: 2000,
      pending: 1000,
      createSeconds: 10,
      syncMs: 300,
      readyMs: 900,
      cachedJobs: 2000,
      operator: memory,
      rssAfterSyncMb: 120,
      dispatchCycles: { count: 20, meanMs: 50, p50Ms: 40, p99Ms: 90, conditionWrites: 1000 },
      planOnCache: { pending: 1000, agents: 100, assigned: 256, runs: 5, medianMs: 8, minMs: 7, maxMs: 12 },
    },
    recovery: { jobs: 100, agents: 20, killed: 5, victimJobs: 25, staleTimeoutMs: 5000, leaseDurationSeconds: 4, ackDelayMs: 200, backoffSeconds: 1, offlineAfterStaleMs: 100, reassignedAfterStaleMs: 1500, runningElsewhereAfterStaleMs: 1900 },
    flags: { pauseToLastAssignmentMs: 150, assignmentsAfterPause: 3, pendingAtResume: 40, resumeToFirstAssignmentMs: 200, observeWindowMs: 3000 },
    dashboard: { jobs: 5000, tabs: 3, createSeconds: 10, readySeconds: 2.5, apiFirstPageMs: 11, firstPageMs: [840, 620, 530], serverRssMb: 177 },
    leaseChurn: {
      foreignLeases: 2000,
      renewPeriodSeconds: 10,
      renewalsPerSecond: 198,
      idle: { seconds: 20, cpuMsPerSecond: 4.2, rssMb: 95, peakRssMb: 96 },
      churn: { seconds: 30.4, cpuMsPerSecond: 4.6, rssMb: 97, peakRssMb: 99 },
      cachedLeases: 0,
      agentHealthReconciles: 0,
    },
  } satisfies Partial<BenchReport>;
  const base = { ...sections, ...overrides };
  return {
    version: 1,
    quick: true,
    startedAt: "2030-01-01T00:00:00.000Z",
    finishedAt: "2030-01-01T00:02:00.000Z",
    operatorNodeOptions: ["--max-semi-space-size=8"],
    machine: { cpus: 2, totalMemoryMb: 8000, node: "24.21.0", kubernetes: "v1.36.3", loadAverageStart: [1, 2, 3], loadAverageEnd: [1, 2, 3] },
    notes: [],
    ...base,
    targets: evaluateTargets(base),
  };
}

describe("evaluateTargets", () => {
  it("passes every target a good run meets", () => {
    expect(report().targets.map((t) => [t.name, t.pass])).toEqual([
      ["throughput vs limit", true],
      ["API writes per job", true],
      ["p99 created→assigned", true],
      ["operator RSS at scale", true],
      ["recovery after stale timeout", true],
      ["dashboard first page", true],
      ["flag reaction", true],
    ]);
  });

  it("fails each target just past its bound, and says n/a for what was not measured", () => {
    const r = report({
      throughput: { ...report().throughput!, ratioToLimit: 0.69, writes: { total: 321, perJob: 3.21, byResource: [] } },
      paced: { ...report().paced!, latencyMs: { ...latency, createdToAssigned: summarize([250]) } },
      recovery: { ...report().recovery!, runningElsewhereAfterStaleMs: 2001 },
      flags: { ...report().flags!, resumeToFirstAssignmentMs: 1000 },
      dashboard: { ...report().dashboard!, firstPageMs: [400, 1000] },
    });
    delete r.scale;
    const verdicts = Object.fromEntries(evaluateTargets(r).map((t) => [t.name, t.pass]));
    expect(verdicts).toEqual({
      "throughput vs limit": false,
      "API writes per job": false,
      "p99 created→assigned": false,
      "operator RSS at scale": null,
      "recovery after stale timeout": false,
      "dashboard first page": false,
      "flag reaction": false,
    });
  });
});

describe("the report's faces", () => {
  it("round-trips through JSON and the schema (NaN becomes null)", () => {
    const r = report({ flags: { ...report().flags!, resumeToFirstAssignmentMs: Number.NaN } });
    const parsed = benchReportSchema.parse(JSON.parse(JSON.stringify(r)));
    expect(parsed.flags?.resumeToFirstAssignmentMs).toBeNull();
  });

  it("prints every scenario and the verdicts", () => {
    const text = formatReport(report());
    for (const word of ["limit", "throughput", "paced", "scale", "recovery", "flags", "leaseChurn", "PASS", "3.05"]) expect(text).toContain(word);
    expect(text).toContain("2000 foreign Leases renewed every 10 s");
    expect(text).toContain("4.6 CPU ms/s, RSS 97 MB (peak 99)");
  });

  it("renders a well-formed SVG, the same bytes for the same report", () => {
    const r = report();
    const svg = renderChart(r);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("Helios");
    expect(svg).toContain("70 % of the limit");
    expect(svg).not.toContain("NaN");
    expect(renderChart(r)).toBe(svg);
    // Text is escaped: a version string with markup cannot break the document.
    expect(renderChart({ ...r, machine: { ...r.machine, kubernetes: "v1<&>" } })).toContain("v1&lt;&amp;&gt;");
  });

  it("rounds axis maxima up: 1, 2 or 5 times a power of ten, or the next power of ten on a log axis", () => {
    expect([0, 0.3, 7, 12, 150, 4999].map(niceMax)).toEqual([1, 0.5, 10, 20, 200, 5000]);
    expect([0, 5, 11, 362, 24_048, Number.NaN].map(logMax)).toEqual([10, 10, 100, 1000, 100_000, 10]);
  });
});
