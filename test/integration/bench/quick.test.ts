// `make bench QUICK=1` as CI runs it: the built bench on its own private control plane finishes in
// time, exits 0, and writes a report of the documented shape plus its SVG chart.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { benchReportSchema } from "../../../bench/report.js";

const QUICK_BUDGET_MS = 180_000;
const out = mkdtempSync(join(tmpdir(), "helios-bench-"));

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Compiles the project; tsc emits even with type errors elsewhere (work in progress), so check the output. */
function build(): void {
  try {
    execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "ignore" });
  } catch {
    // judged below
  }
  for (const file of ["dist/bench/main.js", "dist/bench/agent-host.js", "dist/src/cli/main.js"]) {
    if (!existsSync(file)) throw new Error(`${file} was not built`);
  }
}

function runQuick(): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ["dist/bench/main.js", "--quick", "--out", out], { maxBuffer: 16 << 20, timeout: QUICK_BUDGET_MS + 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr, ms: Date.now() - started }),
    );
    child.stdin?.end();
  });
}

describe("make bench QUICK=1", () => {
  it("runs every scenario within the CI budget and writes the report and chart", async () => {
    build();
    const run = await runQuick();
    expect(run.code, `bench failed:\n${run.stderr.slice(-4000)}`).toBe(0);
    expect(run.ms).toBeLessThan(QUICK_BUDGET_MS);
    // Progress while it ran: a line per phase, counts as jobs complete.
    expect(run.stderr).toMatch(/\[bench \+[\d.]+s\] throughput: jobs succeeded: \d+\/300/);
    expect(run.stdout).toContain("verdict");

    const files = readdirSync(out);
    const json = files.find((f) => f.endsWith(".json"));
    const svg = files.find((f) => f.endsWith(".svg"));
    expect(json).toBeDefined();
    expect(svg).toBeDefined();
    const report = benchReportSchema.parse(JSON.parse(readFileSync(join(out, json ?? ""), "utf8")));
    expect(report.quick).toBe(true);
    expect(report.notes.filter((n) => n.includes("failed"))).toEqual([]);
    for (const section of ["scheduler", "leaseChurn", "limit", "throughput", "burst", "paced", "flags", "recovery", "dashboard", "scale"] as const) expect(report[section], section).toBeDefined();
    expect(report.throughput?.jobs).toBe(300);
    expect(report.throughput?.latencyMs.createdToSucceeded.count).toBe(300);
    expect(report.throughput?.writes.byResource.some((w) => w.resource === "jobs" && w.verb === "POST")).toBe(true);
    expect(report.scale).toMatchObject({ jobs: 2_000, pending: 1_000, cachedJobs: 2_000 });
    expect(report.recovery?.victimJobs).toBeGreaterThan(0);
    // No agent runs in the leaseChurn scenario, so the operator caches no Lease at all.
    expect(report.leaseChurn).toMatchObject({ foreignLeases: 400, cachedLeases: 0, agentHealthReconciles: 0 });
    expect(report.targets.map((t) => t.name)).toHaveLength(7);
    expect(report.targets.every((t) => t.pass !== null)).toBe(true);
    const chart = readFileSync(join(out, svg ?? ""), "utf8");
    expect(chart.startsWith("<svg")).toBe(true);
    expect(chart).toContain("Throughput");
  }, QUICK_BUDGET_MS + 120_000);
});
