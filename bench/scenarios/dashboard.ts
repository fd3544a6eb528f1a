// Scenario: the dashboard's jobs table over many jobs. `helios dashboard` (a child process, the
// bench's admin kubeconfig, one namespace) caches N pending jobs; then three Chromium tabs open the
// jobs view one after another, each timed from navigation to its first row on screen (the first tab
// cold, the others with the server's caches and the browser's HTTP cache warm).
import { performance } from "node:perf_hooks";
import { JOB_TYPE, type Job } from "../../src/api/index.js";
import { ResourceClient } from "../../src/runtime/client/index.js";
import { ensureDashboardBuilt, launchBrowser, startDashboardProcess } from "../../hack/dashboard/index.js";
import { REPO_ROOT } from "../cluster.js";
import { waitFor } from "../job-timeline.js";
import { benchJob, createJobs } from "../jobs.js";
import type { DashboardResult } from "../report.js";
import { secondsBetween, type BenchContext } from "./context.js";
import { jobName } from "./tenant.js";

const TABS = 3;
const PRIORITIES = ["low", "normal", "high"] as const;
const MB = 1024 * 1024;

interface JobsPage {
  readonly total: number;
}

export async function runDashboard(ctx: BenchContext): Promise<DashboardResult> {
  const scenario = "dashboard";
  const total = ctx.quick ? 500 : 5_000;
  const { cluster, progress } = ctx;
  ensureDashboardBuilt(REPO_ROOT);
  const namespace = await cluster.createNamespace("bench-dashboard");
  const jobs = new ResourceClient<Job>(cluster.transport, JOB_TYPE);
  progress.phase(scenario, `creating ${total} pending jobs (no operator)`);
  const created = await createJobs(jobs, total, (i) => benchJob(namespace, jobName("view", i), "noop", { priority: PRIORITIES[i % PRIORITIES.length] ?? "normal" }), 64);

  progress.phase(scenario, "starting helios dashboard and Chromium");
  const startedAt = Date.now();
  const server = await startDashboardProcess(
    ["--kubeconfig", cluster.plane.kubeconfigPath, "-n", namespace, "--operator-namespace", ctx.operatorNamespace],
    ctx.logDir,
    scenario,
  );
  try {
    const browser = await launchBrowser();
    try {
      const jobsApi = new URL(`/api/jobs?namespace=${namespace}&limit=50`, server.url);
      await waitFor(`the dashboard's cache holds ${total} jobs`, async () => ((await (await fetch(jobsApi)).json()) as JobsPage).total === total, 60_000);
      const readySeconds = secondsBetween(startedAt, Date.now());
      const apiStart = performance.now();
      await (await fetch(jobsApi)).json();
      const apiFirstPageMs = performance.now() - apiStart;

      const firstPageMs: number[] = [];
      for (let tab = 0; tab < TABS; tab++) {
        const page = await browser.newPage();
        const start = performance.now();
        await page.goto(`${server.url}#/jobs?namespace=${namespace}`);
        await page.getByTestId("job-row").first().waitFor({ timeout: 30_000 });
        firstPageMs.push(Math.round(performance.now() - start));
      }
      return {
        jobs: total,
        tabs: TABS,
        createSeconds: secondsBetween(created.firstSentAt, created.lastAnsweredAt),
        readySeconds,
        apiFirstPageMs: Math.round(apiFirstPageMs * 10) / 10,
        firstPageMs,
        serverRssMb: Math.round(server.rssBytes() / MB),
      };
    } finally {
      await browser.close();
    }
  } finally {
    await server.stop();
  }
}
