// Every operator-facing command on the real apiserver, in-process: what it prints, what it writes,
// and its error paths (not found, RBAC denied through impersonation, unreachable cluster, bad usage).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { parse } from "yaml";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { AgentView, JobView, StatusSummary } from "../../../src/cli/output/index.js";
import { createNamespace, kubeConfig, kubectl } from "../support/cluster.js";
import { clients, closedPort, helios, heliosLive, seedAgent, seedJob, writeKubeconfig } from "./support.js";

const kc = kubeConfig();
const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();
let ns: string;
let opsNs: string;

beforeAll(async () => {
  ns = await createNamespace("cli");
  opsNs = await createNamespace("cli-ops");
  await seedAgent(kc, ns, "a1", { capabilities: ["gpu"], queues: ["default", "fast"], maxConcurrency: 3 }, { phase: "Ready" }, 5_000);
  await seedAgent(kc, ns, "a2", {}, { phase: "Quarantined", quarantinedUntil: new Date(Date.now() + 300_000).toISOString(), consecutiveFailures: 5 });
  // Pending without status (the operator has not seen it), Pending blocked, Running on a1, Assigned on a1, Succeeded.
  await seedJob(kc, ns, "fresh", { priority: "high" });
  await seedJob(kc, ns, "blocked", { priority: "low", type: "sleep" }, {
    phase: "Pending",
    queuedAt: ago(120_000),
    conditions: [{ type: "Blocked", status: "True", reason: "DispatchPaused", message: "Dispatch is paused", lastTransitionTime: ago(60_000) }],
  });
  await seedJob(kc, ns, "running", {}, {
    phase: "Running",
    assignedAgent: "a1",
    attempt: 2,
    retries: 1,
    queuedAt: ago(60_000),
    assignedAt: ago(50_000),
    startedAt: ago(49_000),
    lastError: { reason: "HandlerFailed", message: "first attempt failed" },
  });
  await seedJob(kc, ns, "assigned", { queue: "fast" }, { phase: "Assigned", assignedAgent: "a1", attempt: 1, queuedAt: ago(10_000), assignedAt: ago(9_000) });
  await seedJob(kc, ns, "done", {}, { phase: "Succeeded", assignedAgent: "a1", attempt: 1, queuedAt: ago(30_000), assignedAt: ago(29_000), finishedAt: ago(28_000) });
});

describe("helios jobs", () => {
  it("lists wait and run times, attempts, retries, reasons and agents", async () => {
    const out = await helios(["jobs", "-n", ns]);
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+TYPE\s+PRIORITY\s+PHASE\s+AGENT\s+ATTEMPT\s+RETRIES\s+WAIT\s+RUN\s+REASON\s+AGE$/);
    expect(lines).toHaveLength(6);
    expect(out.stdout).toMatch(/\nblocked\s+sleep\s+low\s+Pending\s+-\s+0\s+0\/3\s+2m\d*s?\s+-\s+DispatchPaused\s/);
    expect(out.stdout).toMatch(/\nrunning\s+echo\s+normal\s+Running\s+a1\s+2\s+1\/3\s+10s\s+\d+s\s+HandlerFailed\s/);
    // No status yet: Pending, waiting since creation, no reason.
    expect(out.stdout).toMatch(/\nfresh\s+echo\s+high\s+Pending\s+-\s+0\s+0\/3\s+\d+s\s+-\s+\d+s\n/);
  });

  it("filters by phase (Pending includes jobs without status) and type, in json and yaml", async () => {
    const json = await helios(["jobs", "-n", ns, "--phase", "pending", "-o", "json"]);
    expect(json.code).toBe(0);
    const views = JSON.parse(json.stdout) as JobView[];
    expect(views.map((v) => v.name).sort()).toEqual(["blocked", "fresh"]);
    expect(views.find((v) => v.name === "blocked")).toMatchObject({ reason: "DispatchPaused", message: "Dispatch is paused", phase: "Pending" });
    const yaml = await helios(["jobs", "-n", ns, "--type", "sleep", "-o", "yaml"]);
    expect(yaml.code).toBe(0);
    expect((parse(yaml.stdout) as JobView[]).map((v) => v.name)).toEqual(["blocked"]);
    const several = await helios(["jobs", "-n", ns, "--phase", "Running,Succeeded", "-o", "json"]);
    expect((JSON.parse(several.stdout) as JobView[]).map((v) => v.name).sort()).toEqual(["done", "running"]);
  });

  it("spans namespaces with -A and adds columns with -o wide", async () => {
    const all = await helios(["jobs", "-A"]);
    expect(all.code).toBe(0);
    expect(all.stdout.split("\n")[0]).toMatch(/^NAMESPACE\s+NAME/);
    expect(all.stdout).toMatch(new RegExp(`\\n${ns}\\s+running\\s`));
    const wide = await helios(["jobs", "-n", ns, "-o", "wide"]);
    expect(wide.stdout.split("\n")[0]).toMatch(/QUEUE.*NEXT-ATTEMPT.*MESSAGE$/);
    expect(wide.stdout).toContain("first attempt failed");
  });

  it("re-renders with --watch when a job arrives, and ends cleanly", async () => {
    const watchNs = await createNamespace("cli-watch");
    await seedJob(kc, watchNs, "first", {});
    const live = heliosLive(["jobs", "-n", watchNs, "--watch"]);
    await vi.waitFor(() => expect(live.output()).toMatch(/\nfirst\s/), { timeout: 20_000 });
    expect(live.output()).not.toContain("watched");
    await seedJob(kc, watchNs, "watched", { type: "echo" });
    await vi.waitFor(() => expect(live.output()).toMatch(/\nwatched\s+echo\s/), { timeout: 20_000 });
    expect(await live.stop()).toBe(0);
  });

  it("rejects a bad phase or output format with exit 2", async () => {
    const phase = await helios(["jobs", "-n", ns, "--phase", "Sleeping"]);
    expect(phase.code).toBe(2);
    expect(phase.stderr).toContain('invalid value "Sleeping" for --phase: expected one of Pending, Assigned');
    const output = await helios(["jobs", "-n", ns, "-o", "xml"]);
    expect(output.code).toBe(2);
    expect((await helios(["jobs", "-n", ns, "-A"])).code).toBe(2);
  });

  it("says there are none in an empty namespace", async () => {
    const empty = await createNamespace("cli-empty");
    const out = await helios(["jobs", "-n", empty]);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`No jobs found in namespace "${empty}".\n`);
  });
});

describe("helios agents", () => {
  it("shows phase, capabilities, queues, running/max from jobs, Lease heartbeat and quarantine", async () => {
    const out = await helios(["agents", "-n", ns]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^NAME\s+PHASE\s+CAPABILITIES\s+QUEUES\s+RUNNING\s+HEARTBEAT\s+QUARANTINE\s+AGE\n/);
    expect(out.stdout).toMatch(/\na1\s+Ready\s+gpu\s+default,fast\s+2\/3\s+\d+s ago\s+-\s/);
    expect(out.stdout).toMatch(/\na2\s+Quarantined\s+-\s+default\s+0\/1\s+-\s+(4m5\d|5m)s?\s/);
    const json = JSON.parse((await helios(["agents", "-n", ns, "-o", "json"])).stdout) as AgentView[];
    expect(json.find((a) => a.name === "a1")).toMatchObject({ running: 2, maxConcurrency: 3, heartbeatSource: "lease" });
  });

  it("adds failures, quarantine end and version with -o wide; yaml lists the same agents", async () => {
    const wide = await helios(["agents", "-n", ns, "-o", "wide"]);
    expect(wide.code).toBe(0);
    expect(wide.stdout.split("\n")[0]).toMatch(/\sFAILURES\s+QUARANTINED-UNTIL\s+VERSION\s+AGE$/);
    expect(wide.stdout).toMatch(/\na2\s+Quarantined\s.*\s5\s+\d{4}-\d\d-\d\dT/);
    const yaml = await helios(["agents", "-n", ns, "-o", "yaml"]);
    expect(yaml.code).toBe(0);
    expect((parse(yaml.stdout) as AgentView[]).map((a) => a.name).sort()).toEqual(["a1", "a2"]);
  });

  it("re-renders with --watch when an agent registers, and ends cleanly", async () => {
    const watchNs = await createNamespace("cli-watch-agents");
    await seedAgent(kc, watchNs, "first", {}, { phase: "Ready" });
    const live = heliosLive(["agents", "-n", watchNs, "--watch"]);
    await vi.waitFor(() => expect(live.output()).toMatch(/\nfirst\s+Ready\s/), { timeout: 20_000 });
    expect(live.output()).not.toContain("second");
    await seedAgent(kc, watchNs, "second", {}, { phase: "Ready" });
    await vi.waitFor(() => expect(live.output()).toMatch(/\nsecond\s+Ready\s/), { timeout: 20_000 });
    expect(await live.stop()).toBe(0);
  });
});

describe("helios status", () => {
  it("shows queue depth by priority, oldest wait, agents by phase and the flags in effect", async () => {
    const out = await helios(["status", "-n", ns, "--operator-namespace", opsNs]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Dispatch: running\n/);
    expect(out.stdout).toMatch(/\ndefault\s+2\s+0\s+1\s+0\s+1\s+1\s+0\s+1\s+2m\d*s?\n/);
    expect(out.stdout).toMatch(/\nfast\s+0\s+0\s+0\s+0\s+0\s+0\s+1\s+0\s+-\n/);
    expect(out.stdout).toMatch(/\n1\s+0\s+0\s+1\s+2\s+2\s+3\n/);
    expect(out.stdout).toMatch(/helios-dispatch-paused\s+false\s+no FeatureFlag: neutral/);
  });

  it("gives the same summary as json, and re-renders it with --watch", async () => {
    const json = await helios(["status", "-n", ns, "--operator-namespace", opsNs, "-o", "json"]);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout) as StatusSummary;
    expect(summary).toMatchObject({ operatorNamespace: opsNs, dispatchPaused: false });
    expect(summary.queues.find((q) => q.queue === "default")).toMatchObject({ namespace: ns, pending: 2, blocked: 1, running: 1, pendingByPriority: { high: 1, low: 1 } });
    const watchNs = await createNamespace("cli-watch-status");
    const live = heliosLive(["status", "-n", watchNs, "--operator-namespace", opsNs, "--watch"]);
    await vi.waitFor(() => expect(live.output()).toMatch(/^Dispatch: running\n/), { timeout: 20_000 });
    expect(live.output()).not.toMatch(/\nlate\s/);
    await seedJob(kc, watchNs, "late", { queue: "late" });
    await vi.waitFor(() => expect(live.output()).toMatch(/\nlate\s+1\s/), { timeout: 20_000 });
    expect(await live.stop()).toBe(0);
  });

  it("reports dispatch paused after helios pause, and running after helios resume", async () => {
    const paused = await helios(["pause", "--operator-namespace", opsNs]);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toContain("Dispatch is PAUSED: the operator assigns no new jobs; running jobs continue.");
    expect(paused.stdout).toContain(`flag helios-dispatch-paused in namespace ${opsNs} created, variant "on"`);
    const flag = await kubectl(["get", "hflag", "helios-dispatch-paused", "-n", opsNs, "-o", "jsonpath={.spec.defaultVariant} {.spec.variants}"]);
    expect(flag.stdout).toBe('on {"off":false,"on":true}');
    const summary = parse((await helios(["status", "-n", ns, "--operator-namespace", opsNs, "-o", "yaml"])).stdout) as StatusSummary;
    expect(summary.dispatchPaused).toBe(true);
    expect(summary.queues.find((q) => q.queue === "default")?.pendingByPriority).toEqual({ critical: 0, high: 1, normal: 0, low: 1 });

    expect((await helios(["pause", "--operator-namespace", opsNs])).stdout).toContain("already set");
    const resumed = await helios(["resume", "--operator-namespace", opsNs]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("Dispatch is running");
    expect(resumed.stdout).toContain(`in namespace ${opsNs} set, variant "off"`);
    expect((await helios(["status", "-n", ns, "--operator-namespace", opsNs])).stdout).toMatch(/^Dispatch: running/);
  });

  it("says the operator namespace is missing when pause cannot create the flag there", async () => {
    const out = await helios(["pause", "--operator-namespace", "no-such-ns-for-helios"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('namespace "no-such-ns-for-helios" not found');
  });
});

describe("helios drain / uncordon", () => {
  it("sets and clears spec.drain and says what happens next", async () => {
    const drained = await helios(["drain", "a1", "-n", ns]);
    expect(drained.code).toBe(0);
    expect(drained.stdout).toContain("agent.helios.dev/a1 drained (phase Ready).");
    expect(drained.stdout).toMatch(/assigns it no new work\. Its 2 unfinished jobs \((running, assigned|assigned, running)\) run to completion\./);
    expect(drained.stdout).toContain(`Undo with: helios uncordon a1 -n ${ns}`);
    expect((await kubectl(["get", "hagent", "a1", "-n", ns, "-o", "jsonpath={.spec.drain}"])).stdout).toBe("true");
    expect((await helios(["drain", "a1", "-n", ns])).stdout).toContain("already drained");
    expect((await helios(["agents", "-n", ns])).stdout).toMatch(/\na1\s+Ready \(drain requested\)/);

    const uncordoned = await helios(["uncordon", "a1", "-n", ns]);
    expect(uncordoned.code).toBe(0);
    expect(uncordoned.stdout).toContain("agent.helios.dev/a1 uncordoned (phase Ready).");
    expect((await kubectl(["get", "hagent", "a1", "-n", ns, "-o", "jsonpath={.spec}"])).stdout).not.toContain("drain");
    expect((await helios(["uncordon", "a2", "-n", ns])).stdout).toContain("was not drained (phase Quarantined)");
  });

  it("says which agent does not exist", async () => {
    const out = await helios(["drain", "ghost", "-n", ns]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`helios: agent.helios.dev "ghost" not found in namespace "${ns}"\n`);
    expect((await helios(["uncordon", "ghost", "-n", ns])).code).toBe(1);
    expect((await helios(["drain", "-n", ns])).code).toBe(2);
  });
});

describe("helios cancel", () => {
  it("sets spec.cancel and says the operator cancels it; a finished job has nothing to cancel", async () => {
    const out = await helios(["cancel", "running", "-n", ns]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("job.helios.dev/running cancel requested (phase Running on agent a1, attempt 2).");
    expect(out.stdout).toContain("the operator marks it Cancelled");
    expect((await kubectl(["get", "hjob", "running", "-n", ns, "-o", "jsonpath={.spec.cancel}"])).stdout).toBe("true");
    expect((await helios(["cancel", "running", "-n", ns])).stdout).toContain("cancel already requested");
    expect((await helios(["jobs", "-n", ns])).stdout).toMatch(/\nrunning\s+echo\s+normal\s+Running \(cancelling\)/);
    const done = await helios(["cancel", "done", "-n", ns]);
    expect(done.code).toBe(0);
    expect(done.stdout).toBe("job.helios.dev/done already Succeeded: nothing to cancel.\n");
    const pending = await helios(["cancel", "fresh", "-n", ns]);
    expect(pending.stdout).toContain("(phase Pending)");
    expect(pending.stdout).toContain("it is never assigned");
  });

  it("says which job does not exist", async () => {
    const out = await helios(["cancel", "ghost", "-n", ns]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`job.helios.dev "ghost" not found in namespace "${ns}"`);
  });
});

describe("RBAC denied (impersonation with --as)", () => {
  it("names the user, the verb and the resource for every command", async () => {
    const cases: [string[], RegExp][] = [
      [["jobs", "-n", ns], /RBAC denied: user "nobody" cannot list jobs\.helios\.dev in namespace/],
      [["jobs", "-A"], /RBAC denied: user "nobody" cannot list jobs\.helios\.dev across all namespaces\..*narrow to one namespace with -n/],
      [["agents", "-n", ns], /RBAC denied: user "nobody" cannot list (agents|jobs)\.helios\.dev/],
      [["status", "-n", ns], /RBAC denied: user "nobody" cannot list (jobs|agents)\.helios\.dev/],
      [["drain", "a1", "-n", ns], /RBAC denied: user "nobody" cannot get agents\.helios\.dev "a1"/],
      [["uncordon", "a1", "-n", ns], /RBAC denied: user "nobody" cannot get agents\.helios\.dev "a1"/],
      [["cancel", "done", "-n", ns], /RBAC denied: user "nobody" cannot get jobs\.helios\.dev "done"/],
      [["pause", "--operator-namespace", opsNs], /RBAC denied: user "nobody" cannot get featureflags\.helios\.dev "helios-dispatch-paused"/],
      [["resume", "--operator-namespace", opsNs], /RBAC denied: user "nobody" cannot get featureflags\.helios\.dev/],
    ];
    for (const [args, message] of cases) {
      const out = await helios([...args, "--as", "nobody"]);
      expect(out.code, args.join(" ")).toBe(1);
      expect(out.stderr, args.join(" ")).toMatch(message);
    }
  });

  it("lets a tenant read its namespace: agents without Lease access, status without the platform's flags", async () => {
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: "tenant" },
        rules: [{ apiGroups: ["helios.dev"], resources: ["jobs", "agents"], verbs: ["get", "list", "watch", "patch"] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: "tenant" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "tenant" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "tenant" }],
      },
    });
    await vi.waitFor(async () => expect((await helios(["jobs", "-n", ns, "--as", "tenant"])).code).toBe(0), { timeout: 10_000 });
    const agents = await helios(["agents", "-n", ns, "--as", "tenant"]);
    expect(agents.code).toBe(0);
    expect(agents.stderr).toMatch(/^warning: cannot list leases in namespace .*heartbeats come from Agent status instead/);
    expect(agents.stdout).toMatch(/\na1\s+Ready\s/);
    const status = await helios(["status", "-n", ns, "--as", "tenant", "--operator-namespace", opsNs]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/CONTROL FLAGS \(namespace .*\)\nCannot read them: RBAC denied: user "tenant" cannot list featureflags\.helios\.dev/);
    const cancel = await helios(["cancel", "assigned", "-n", ns, "--as", "tenant"]);
    expect(cancel.code).toBe(0);
    expect((await helios(["pause", "--operator-namespace", opsNs, "--as", "tenant"])).code).toBe(1);
  });
});

describe("unreachable cluster and kubeconfig problems", () => {
  const dir = mkdtempSync(join(tmpdir(), "helios-cli-"));

  it("says the cluster cannot be reached and how to start the local one, for every command", async () => {
    const port = await closedPort();
    const path = writeKubeconfig(join(dir, "dead"), `https://127.0.0.1:${port}`);
    for (const args of [["jobs"], ["agents", "-A"], ["status"], ["drain", "a"], ["uncordon", "a"], ["cancel", "j"], ["pause"], ["resume"]]) {
      const out = await helios([...args, "--kubeconfig", path]);
      expect(out.code, args.join(" ")).toBe(1);
      expect(out.stderr, args.join(" ")).toContain(`cannot reach the cluster at https://127.0.0.1:${port} (context "dead"): is it running? For the local one run \`make cluster-up\``);
    }
  });

  it("uses KUBECONFIG and --context like kubectl, and says when neither works", async () => {
    const port = await closedPort();
    const dead = writeKubeconfig(join(dir, "dead2"), `https://127.0.0.1:${port}`);
    const missing = await helios(["jobs", "--kubeconfig", join(dir, "nope")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot read kubeconfig");
    const badContext = await helios(["jobs", "--context", "nope"], { KUBECONFIG: dead });
    expect(badContext.code).toBe(2);
    expect(badContext.stderr).toContain('no context named "nope"');
    const none = await helios(["status"], { KUBECONFIG: undefined, HOME: dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no kubeconfig found");
  });
});

describe("kubectl sees what the CLI wrote", () => {
  it("keeps Agents and Jobs valid (spec writes pass the CRD's CEL rules)", async () => {
    const { jobs } = clients(kc);
    const job = await jobs.get({ namespace: ns, name: "running" });
    expect(job.spec.cancel).toBe(true);
    expect(job.status?.phase).toBe("Running");
  });
});
