// Soak: the whole system (a `helios operator` process and three `helios agent` processes) under a
// steady load at half its measured capacity for SOAK_MINUTES (default 20). Memory must not grow
// (RSS and heap within 10 % of the level after warm-up), nor active handles and timers (the
// operator's nodejs_active_resources, from process.getActiveResourcesInfo()), and the invariants
// must hold over every job, including those deleted by their TTL along the way.
//
// Levels are compared as the minimum (heap and RSS: their post-GC troughs; a leak raises the floor,
// a collection not yet run only the median: agents' RSS medians swung by -20 % to +32 % between
// windows in one run) or the median (resources) of a baseline window right after warm-up against
// the last window of the run. Processes run with the image's NODE_OPTIONS (the Dockerfile's
// young-generation cap), as deployed.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { kubeConfig, kubeconfigPath } from "../integration/support/cluster.js";
import { freePort, waitUntil } from "../integration/chaos/support/processes.js";
import { ChaosRun, sleep } from "../integration/chaos/support/run.js";

const MINUTES = Number(process.env["SOAK_MINUTES"] ?? "20");
const SAMPLE_MS = 5000;
const JOB = { type: "sleep", payload: { duration: "300ms" }, ttlSecondsAfterFinished: 5 };
let run: ChaosRun | undefined;

afterAll(async () => {
  await Promise.all([...(run?.agents ?? []), ...(run?.operators ?? [])].map((p) => p.kill()));
});

interface Sample {
  readonly at: number;
  readonly heap: number;
  readonly rss: number;
  readonly resources: Readonly<Record<string, number>>;
  readonly agentsRss: readonly number[];
}

/** Scrapes the operator's process metrics (prom-client's default ones). */
async function scrape(port: number): Promise<{ heap: number; rss: number; resources: Record<string, number> }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (line: string): number => Number(line.slice(line.lastIndexOf(" ") + 1));
  const resources: Record<string, number> = {};
  let heap = 0;
  let rss = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("nodejs_heap_size_used_bytes ")) heap = value(line);
    if (line.startsWith("process_resident_memory_bytes ")) rss = value(line);
    const m = /^nodejs_active_resources\{type="([^"]+)"\} /.exec(line);
    if (m?.[1] !== undefined) resources[m[1]] = value(line);
  }
  return { heap, rss, resources };
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0) * 1024;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

describe(`soak: ${MINUTES} min at half capacity`, () => {
  it("memory, handles and timers stay flat; the invariants hold", async () => {
    // Children inherit it: what the image sets for every process (Dockerfile ENV NODE_OPTIONS).
    process.env["NODE_OPTIONS"] = "--max-semi-space-size=8";
    run = await new ChaosRun({ scenario: "soak", kubeconfigPath: kubeconfigPath(), kubeConfig: kubeConfig(), removal: { what: "none: the soak has no protection to remove" } }).setup();
    const r = run;
    const metricsPort = await freePort();
    const operator = await r.startOperator("operator", { args: ["--metrics-bind-address", `127.0.0.1:${metricsPort}`] });
    await operator.ready();
    const agents = ["a", "b", "c"].map((n) => r.startAgent(n, { maxConcurrency: 4 }));
    await Promise.all(agents.map((a) => a.started()));

    // Capacity: how fast a burst drains.
    const burst = 120;
    const t0 = Date.now();
    await r.createJobs(Array.from({ length: burst }, (_, i) => ({ name: `burst-${i}`, spec: JOB })));
    // Finished jobs go after 5 s (TTL): done when every job still listed has succeeded.
    await waitUntil("the burst done", async () => (await r.list()).every((j) => j.status?.phase === "Succeeded"), 120_000);
    const capacity = burst / ((Date.now() - t0) / 1000);
    const rate = Math.max(1, capacity / 2);
    console.info(`[soak] capacity ${capacity.toFixed(1)} jobs/s; load ${rate.toFixed(1)} jobs/s for ${MINUTES} min`);

    const samples: Sample[] = [];
    const start = Date.now();
    const end = start + MINUTES * 60_000;
    let n = 0;
    let owed = 0;
    let nextSample = start;
    while (Date.now() < end) {
      owed += rate;
      const count = Math.floor(owed);
      owed -= count;
      await r.createJobs(Array.from({ length: count }, () => ({ name: `soak-${n++}`, spec: JOB })));
      if (Date.now() >= nextSample) {
        nextSample += SAMPLE_MS;
        const m = await scrape(metricsPort);
        samples.push({ at: Date.now() - start, ...m, agentsRss: agents.map((a) => rssOf(a.pid)) });
      }
      await sleep(1000);
    }
    await r.waitQuiet(120_000);
    expect(operator.running && agents.every((a) => a.running), "no process died").toBe(true);

    // Windows: warm-up (the first fifth, at least a minute) is ignored; baseline = the next tenth.
    const total = MINUTES * 60_000;
    const warm = Math.max(60_000, total / 5);
    const span = Math.max(SAMPLE_MS * 3, total / 10);
    const baseline = samples.filter((s) => s.at >= warm && s.at < warm + span);
    const last = samples.filter((s) => s.at >= total - span);
    expect(baseline.length, "enough samples").toBeGreaterThan(2);
    const growth = (pick: (s: Sample) => number, agg: (xs: number[]) => number) => ({ from: agg(baseline.map(pick)), to: agg(last.map(pick)) });
    const heap = growth((s) => s.heap, (xs) => Math.min(...xs));
    const trough = (xs: number[]): number => Math.min(...xs);
    const rss = growth((s) => s.rss, trough);
    const agentRss = agents.map((_, i) => growth((s) => s.agentsRss[i] ?? 0, trough));
    const types = [...new Set(samples.flatMap((s) => Object.keys(s.resources)))];
    const resources = types.map((t) => ({ type: t, ...growth((s) => s.resources[t] ?? 0, median) }));
    console.info(
      [
        `[soak] ${r.created} jobs; operator heap ${mb(heap.from)} -> ${mb(heap.to)}, RSS ${mb(rss.from)} -> ${mb(rss.to)}`,
        ...agentRss.map((g, i) => `[soak] agent ${agents[i]?.agentName ?? i} RSS ${mb(g.from)} -> ${mb(g.to)}`),
        `[soak] active resources (median): ${resources.map((x) => `${x.type} ${x.from} -> ${x.to}`).join(", ")}`,
      ].join("\n"),
    );

    const report = await r.finish();
    r.expectVerdict(report);
    expect(heap.to, "operator heap growth < 10 %").toBeLessThan(heap.from * 1.1);
    expect(rss.to, "operator RSS growth < 10 %").toBeLessThan(rss.from * 1.1);
    for (const g of agentRss) expect(g.to, "agent RSS growth < 10 %").toBeLessThan(g.from * 1.1);
    for (const x of resources) expect(x.to, `active ${x.type} do not grow`).toBeLessThanOrEqual(Math.ceil(x.from * 1.1) + 2);
  });
});
