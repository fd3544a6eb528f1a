// The dashboard in a real browser (Debian's Chromium via playwright-core) against the real control
// plane, the operator and an agent: live job phases, pause/resume from the Flags view, drain from the
// Agents view, a tenant who sees only namespace A, and the jobs table with 5 000 jobs. Screenshots of
// every view go to .helios/screenshots/.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCondition, type Job } from "../../../src/api/index.js";
import type { HeliosAgent } from "../../../src/agent/index.js";
import { createNamespace, kubeConfig, kubeconfigPath, kubectl, writeKubeconfigActingAs } from "../support/cluster.js";
import { clients, createJobs, jobBody, startAgent, startOperator, waitFor, waitReady, type RunningOperator } from "../jobs/support.js";
import { ensureDashboardBuilt, launchBrowser, namespaceUserManifest, SCREENSHOT_DIR, startDashboardProcess, type RunningDashboardProcess } from "./support.js";

const kc = kubeConfig();
const c = clients(kc);
const BULK_JOBS = 5_000;
let nsA: string;
let nsB: string;
let nsBulk: string;
let system: string;
let operator: RunningOperator | undefined;
let agent: HeliosAgent | undefined;
let admin: RunningDashboardProcess | undefined;
let tenant: RunningDashboardProcess | undefined;
let browser: BrowserContext | undefined;
let page: Page;
const started = Date.now();

const getJob = (namespace: string, name: string): Promise<Job> => c.jobs.get({ namespace, name });

async function screenshot(p: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await p.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Opens the Confirm dialog of the button named `label` (inside `scope`) and confirms it. */
async function confirmAction(p: Page, label: string, scope = p.locator("main")): Promise<void> {
  await scope.getByRole("button", { name: label, exact: true }).first().click();
  await p.locator("dialog[open]").getByRole("button", { name: "Confirm" }).click();
}

beforeAll(async () => {
  ensureDashboardBuilt(process.cwd());
  [nsA, nsB, nsBulk, system] = await Promise.all([createNamespace("dash-a"), createNamespace("dash-b"), createNamespace("dash-bulk"), createNamespace("dash-sys")]);
  operator = await startOperator([nsA, nsB], system, {}, "dashboard-operator");
  agent = await startAgent(kc, { name: "worker", namespace: nsA, maxConcurrency: 2 });
  await waitReady(c, nsA, ["worker"]);
  // A tenant: a ServiceAccount whose Role covers namespace A only.
  const reader = `system:serviceaccount:${nsA}:tenant`;
  const rbac = namespaceUserManifest(nsA, "tenant");
  const applied = await kubectl(["apply", "-f", "-"], { input: rbac });
  expect(applied.code, applied.stderr).toBe(0);
  const tenantConfig = writeKubeconfigActingAs(reader, join(mkdtempSync(join(tmpdir(), "helios-dash-")), "kubeconfig"));
  [admin, tenant] = await Promise.all([
    startDashboardProcess(["--kubeconfig", kubeconfigPath(), "--all-namespaces", "--operator-namespace", system], "dashboard-admin"),
    startDashboardProcess(["--kubeconfig", tenantConfig, "-n", nsA, "--operator-namespace", system], "dashboard-tenant"),
  ]);
  browser = await launchBrowser();
  page = await browser.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([admin?.stop(), tenant?.stop()]);
  await agent?.drain(0);
  await operator?.stop();
  await kubectl(["delete", "namespace", nsA, nsB, nsBulk, system, "--wait=false"]);
  console.log(`[dashboard] browser tests: ${((Date.now() - started) / 1000).toFixed(1)} s wall time`);
});

describe("helios dashboard in Chromium", () => {
  it("serves the app with a strict CSP and refuses a mutation without the CSRF token or from another origin", async () => {
    const res = await fetch(admin?.url ?? "");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await res.text()).not.toMatch(/<script>(?!<\/script>)/);
    const url = new URL("/api/actions", admin?.url);
    const body = JSON.stringify({ action: "set-dispatch-paused", paused: true });
    const noToken = await fetch(url, { method: "POST", headers: { "content-type": "application/json", origin: url.origin }, body });
    expect(noToken.status).toBe(403);
    const session = (await (await fetch(new URL("/api/session", admin?.url))).json()) as { csrfToken: string };
    const foreign = await fetch(url, { method: "POST", headers: { "content-type": "application/json", origin: "http://evil.example", "x-csrf-token": session.csrfToken }, body });
    expect(foreign.status).toBe(403);
    // DNS rebinding: a page of another name resolving to 127.0.0.1 sends its own Host.
    const rebound = await new Promise<number | undefined>((resolve, reject) => {
      get({ host: url.hostname, port: url.port, path: "/api/session", headers: { host: "attacker.example" } }, (r) => {
        r.resume();
        resolve(r.statusCode);
      }).on("error", reject);
    });
    expect(rebound).toBe(421);
  });

  it("shows a job created with kubectl move Pending → Running → Succeeded within 2 s of each change in the API", async () => {
    await page.goto(`${admin?.url ?? ""}#/jobs/${nsA}/life`);
    const notBefore = new Date(Date.now() + 4_000).toISOString().replace(/\.\d+Z$/, "Z");
    const manifest = `{"apiVersion":"helios.dev/v1alpha1","kind":"Job","metadata":{"name":"life","namespace":"${nsA}"},"spec":{"type":"sleep","payload":{"duration":"3s"},"notBefore":"${notBefore}"}}`;
    const created = await kubectl(["create", "-f", "-"], { input: manifest });
    expect(created.code, created.stderr).toBe(0);
    const api = new Map<string, number>();
    const shown = new Map<string, number>();
    const phaseCell = page.getByTestId("job-phase");
    await waitFor(
      "life Succeeded on the page",
      async () => {
        const phase = (await getJob(nsA, "life")).status?.phase ?? "Pending";
        if (!api.has(phase)) api.set(phase, Date.now());
        const text = (await phaseCell.count()) > 0 ? await phaseCell.textContent({ timeout: 1_000 }) : null;
        if (text !== null && !shown.has(text)) shown.set(text, Date.now());
        return shown.has("Succeeded");
      },
      60_000,
      () => `api ${JSON.stringify([...api])} page ${JSON.stringify([...shown])}`,
    );
    const lags = Object.fromEntries(["Pending", "Running", "Succeeded"].map((p) => [p, (shown.get(p) ?? Number.NaN) - (api.get(p) ?? Number.NaN)]));
    console.log(`[dashboard] page lag behind the API per phase (ms): ${JSON.stringify(lags)}`);
    for (const phase of ["Pending", "Running", "Succeeded"]) {
      expect(shown.has(phase), `page showed ${phase}`).toBe(true);
      expect(lags[phase]).toBeLessThanOrEqual(2_000);
    }
    await screenshot(page, "job");
    // "Retry" creates a new Job from the same spec and opens it.
    await confirmAction(page, "Retry as a new job");
    await page.waitForURL(/#\/jobs\/[^/]+\/life-retry-/, { timeout: 10_000 });
    const retried = (await c.jobs.list({ namespace: nsA })).items.find((j) => j.metadata.annotations?.["helios.dev/retry-of"] === "life");
    expect(retried?.spec).toMatchObject({ type: "sleep", payload: { duration: "3s" } });
  });

  it("pausing from the Flags view stops new assignments (API), resuming starts them", async () => {
    await page.goto(`${admin?.url ?? ""}#/flags`);
    await confirmAction(page, "Pause");
    await expect.poll(() => page.getByTestId("dispatch-state").textContent(), { timeout: 10_000 }).toBe("paused");
    await c.jobs.create(jobBody(nsA, "while-paused", { type: "echo", payload: { message: "later" } }));
    await waitFor(
      "while-paused Blocked by DispatchPaused",
      async () => findCondition((await getJob(nsA, "while-paused")).status?.conditions, "Blocked")?.reason === "DispatchPaused",
      30_000,
      async () => JSON.stringify((await getJob(nsA, "while-paused")).status),
    );
    expect((await getJob(nsA, "while-paused")).status?.assignedAgent).toBeUndefined();
    await screenshot(page, "flags");
    await confirmAction(page, "Resume");
    await expect.poll(() => page.getByTestId("dispatch-state").textContent(), { timeout: 10_000 }).toBe("running");
    await waitFor("while-paused Succeeded", async () => (await getJob(nsA, "while-paused")).status?.phase === "Succeeded", 30_000);
  });

  it("the kill switch for a job type set from the Flags view blocks that type only; a cap set there is in effect", async () => {
    await page.goto(`${admin?.url ?? ""}#/flags`);
    const killRow = page.locator(".flag-row", { has: page.locator("input[name=kill-types]") });
    await killRow.locator("input").fill("fail");
    await confirmAction(page, "Apply", killRow);
    await expect.poll(() => killRow.getByTestId("action-result").textContent(), { timeout: 10_000 }).toContain("kill switch on for fail");
    await c.jobs.create(jobBody(nsA, "killed", { type: "fail", payload: { times: 0 } }));
    await c.jobs.create(jobBody(nsA, "spared", { type: "echo", payload: { message: "ok" } }));
    await waitFor(
      "killed Blocked by KillSwitch",
      async () => findCondition((await getJob(nsA, "killed")).status?.conditions, "Blocked")?.reason === "KillSwitch",
      30_000,
      async () => JSON.stringify((await getJob(nsA, "killed")).status),
    );
    await waitFor("spared Succeeded", async () => (await getJob(nsA, "spared")).status?.phase === "Succeeded", 30_000);
    await killRow.locator("input").fill("");
    await confirmAction(page, "Apply", killRow);
    await waitFor("killed Succeeded once the kill switch is off", async () => (await getJob(nsA, "killed")).status?.phase === "Succeeded", 30_000);
    const delayRow = page.locator(".flag-row", { has: page.locator("input[name=helios-dispatch-delay-ms]") });
    await delayRow.locator("input").fill("5");
    await confirmAction(page, "Set", delayRow);
    await expect.poll(() => delayRow.getByTestId("action-result").textContent(), { timeout: 10_000 }).toContain("helios-dispatch-delay-ms = 5");
    await page.goto(`${admin?.url ?? ""}#/overview`);
    await expect.poll(() => page.getByTestId("flag-helios-dispatch-delay-ms").textContent(), { timeout: 10_000 }).toBe("5");
  });

  it("draining an agent from the Agents view sets spec.drain; uncordon clears it", async () => {
    await page.goto(`${admin?.url ?? ""}#/agents`);
    const row = page.locator(`[data-testid=agent-row][data-name=worker]`);
    await confirmAction(page, "Drain", row);
    await waitFor("worker spec.drain", async () => (await c.agents.get({ namespace: nsA, name: "worker" })).spec.drain === true, 10_000);
    await row.getByRole("button", { name: "Uncordon" }).waitFor({ timeout: 10_000 });
    await screenshot(page, "agents");
    await confirmAction(page, "Uncordon", row);
    await waitFor("worker undrained", async () => (await c.agents.get({ namespace: nsA, name: "worker" })).spec.drain !== true, 10_000);
  });

  it("a tenant whose RBAC covers only namespace A sees nothing of B and cannot act there", async () => {
    await c.jobs.create(jobBody(nsB, "secret-b", { type: "echo", payload: { message: "b" } }));
    const tab = await browser?.newPage();
    if (tab === undefined) throw new Error("no browser");
    await tab.goto(`${tenant?.url ?? ""}#/jobs`);
    await tab.getByTestId("job-row").first().waitFor({ timeout: 20_000 });
    expect(await tab.getByTestId("session").textContent()).toContain(`system:serviceaccount:${nsA}:tenant`);
    const namespaces = await Promise.all((await tab.getByTestId("job-row").all()).map((row) => row.getAttribute("data-namespace")));
    expect(new Set(namespaces)).toEqual(new Set([nsA]));
    const listed = (await tab.evaluate(() => fetch("/api/jobs").then((r) => r.json()))) as { items: { namespace: string }[] };
    expect(listed.items.every((j) => j.namespace === nsA)).toBe(true);
    // B's job page: the apiserver's refusal in words.
    await tab.goto(`${tenant?.url ?? ""}#/jobs/${nsB}/secret-b`);
    await expect.poll(() => tab.getByTestId("problems").textContent(), { timeout: 10_000 }).toContain(`cannot get jobs.helios.dev "secret-b" in namespace "${nsB}"`);
    // The control flags live in the operator's namespace: not readable, and said so.
    await tab.goto(`${tenant?.url ?? ""}#/flags`);
    await expect.poll(() => tab.getByTestId("problems").textContent(), { timeout: 10_000 }).toContain(`cannot list featureflags.helios.dev in namespace "${system}"`);
    await screenshot(tab, "tenant-flags");
    // Acting in B from the tenant's page is refused by the apiserver, and B's job is untouched.
    const refused = await tab.evaluate(async (ns) => {
      const session = (await (await fetch("/api/session")).json()) as { csrfToken: string };
      const res = await fetch("/api/actions", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": session.csrfToken },
        body: JSON.stringify({ action: "cancel-job", namespace: ns, name: "secret-b" }),
      });
      return { status: res.status, body: (await res.json()) as { ok: boolean; message: string } };
    }, nsB);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ ok: false });
    expect(refused.body.message).toContain("RBAC denied");
    expect((await getJob(nsB, "secret-b")).spec.cancel).not.toBe(true);
    await tab.close();
  });

  it(`renders the first page of the jobs table with ${BULK_JOBS} jobs (time and server RSS with 3 tabs printed)`, async () => {
    const t0 = Date.now();
    await createJobs(
      c,
      Array.from({ length: BULK_JOBS }, (_, i) => jobBody(nsBulk, `bulk-${String(i).padStart(5, "0")}`, { type: "echo", priority: (["low", "normal", "high"] as const)[i % 3], payload: { i } })),
      32,
    );
    const createMs = Date.now() - t0;
    await waitFor(`the dashboard's cache holds ${BULK_JOBS} jobs`, async () => {
      const res = (await (await fetch(new URL(`/api/jobs?namespace=${nsBulk}&limit=1`, admin?.url))).json()) as { total: number };
      return res.total === BULK_JOBS;
    }, 60_000);
    const tabs = [page, ...(await Promise.all([browser?.newPage(), browser?.newPage()]))].filter((p): p is Page => p !== undefined);
    const renders: number[] = [];
    for (const tab of tabs) {
      const start = Date.now();
      await tab.goto(`${admin?.url ?? ""}#/jobs?namespace=${nsBulk}`);
      await tab.getByTestId("job-row").first().waitFor({ timeout: 10_000 });
      renders.push(Date.now() - start);
    }
    const total = await page.getByTestId("jobs-total").textContent();
    expect(total).toBe(`${BULK_JOBS} matching`);
    const rows = await page.getByTestId("job-row").count();
    expect(rows).toBeLessThan(200); // virtualised: only the visible rows (plus overscan) are in the DOM
    const rssMb = Math.round((admin?.rssBytes() ?? 0) / 1024 / 1024);
    const timings = { jobs: BULK_JOBS, createSeconds: createMs / 1000, firstPageRenderMs: renders, domRows: rows, dashboardRssMb: rssMb, tabs: tabs.length };
    console.log(`[dashboard] ${JSON.stringify(timings)}`);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    writeFileSync(join(SCREENSHOT_DIR, "timings.json"), `${JSON.stringify(timings, null, 2)}\n`);
    expect(Math.max(...renders)).toBeLessThan(10_000);
    await screenshot(page, "jobs");
    await page.goto(`${admin?.url ?? ""}#/audit?namespace=${nsA}`);
    await page.getByTestId("audit-row").first().waitFor({ timeout: 20_000 });
    await screenshot(page, "audit");
    await page.goto(`${admin?.url ?? ""}#/overview`);
    await page.getByTestId("overview").waitFor();
    await page.locator(".recharts-surface").first().waitFor();
    await page.mouse.move(0, 0); // no chart tooltip in the picture
    await screenshot(page, "overview");
    for (const tab of tabs.slice(1)) await tab.close();
  });
});
