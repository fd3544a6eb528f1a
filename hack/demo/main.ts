// `make demo`: Helios end to end on the local control plane, shown live, with a pass/fail summary.
//
// Flow: control plane (reused or started) → CRDs, namespaces, control flags → operator and three
// agents as child processes → a first wave of jobs → maintenance mode on and off with jobs waiting →
// an agent killed mid-job and its jobs recovered → every job terminal → summary. Exit code 0 only if
// every job ended as expected.
import { execFileSync, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import logUpdate from "log-update";
import { AGENT_LEASE_SELECTOR, AGENT_TYPE, FEATURE_FLAG_TYPE, JOB_TYPE, isTerminalJobPhase, type Agent, type FeatureFlag, type Job } from "../../src/api/index.js";
import { Informer } from "../../src/runtime/cache/index.js";
import { ResourceClient, Transport } from "../../src/runtime/client/index.js";
import { clusterUp, localClusterPaths } from "../control-plane/index.js";
import { freePorts, startProcess, stopProcess } from "../control-plane/processes.js";
import { DEMO_AGENTS, DEMO_NAMESPACES, OPERATOR_NAMESPACE, firstWave, maintenanceWave, recoveryWave, type DemoJob } from "./scenario.js";
import { phaseOf, renderLive, renderPlainLine, renderSummary, type DemoNote, type DemoSnapshot } from "./view.js";

const STALE_TIMEOUT_MS = 6_000;
const DEMO_DEADLINE_MS = 150_000;
const repoRoot = resolve(import.meta.dirname, "../../..");
const cli = join(repoRoot, "dist/src/cli/main.js");

class Demo {
  readonly started = Date.now();
  readonly notes: DemoNote[] = [];
  stage = "setting up";
  readonly submitted = new Map<string, DemoJob & { createdAt: number }>();
  readonly firstAssignedAt = new Map<string, number>();
  readonly children = new Map<string, ChildProcess>();
  pausedSince: number | undefined;
  pausedAssignments = 0;

  constructor(
    readonly jobs: Informer<Job>,
    readonly agents: Informer<Agent>,
    readonly jobClient: ResourceClient<Job>,
    readonly flagClient: ResourceClient<FeatureFlag>,
  ) {
    jobs.addEventHandler({ onAdd: (j) => this.observe(j), onUpdate: (_, j) => this.observe(j) });
  }

  note(text: string): void {
    this.notes.push({ atMs: Date.now() - this.started, text });
    if (!process.stdout.isTTY) process.stdout.write(`[demo] ${text}\n`);
  }

  observe(job: Job): void {
    const key = `${job.metadata.namespace}/${job.metadata.name}`;
    if (!this.submitted.has(key) || this.firstAssignedAt.has(key) || (job.status?.attempt ?? 0) < 1) return;
    this.firstAssignedAt.set(key, Date.now());
    if (this.pausedSince !== undefined) this.pausedAssignments += 1;
  }

  snapshot(): DemoSnapshot {
    const ours = (ns?: string) => (DEMO_NAMESPACES as readonly string[]).includes(ns ?? "");
    return {
      now: new Date(),
      elapsedMs: Date.now() - this.started,
      stage: this.stage,
      jobs: this.jobs.store.list().filter((j) => ours(j.metadata.namespace)),
      agents: this.agents.store.list().filter((a) => ours(a.metadata.namespace)),
      notes: this.notes,
    };
  }

  async submit(wave: readonly DemoJob[]): Promise<void> {
    await Promise.all(
      wave.map(async (d) => {
        await this.jobClient.create(d.job as Job);
        this.submitted.set(`${d.job.metadata.namespace}/${d.job.metadata.name}`, { ...d, createdAt: Date.now() });
      }),
    );
  }

  async setPaused(paused: boolean): Promise<void> {
    await this.flagClient.mergePatch({ namespace: OPERATOR_NAMESPACE, name: "helios-dispatch-paused" }, { spec: { defaultVariant: paused ? "on" : "off" } });
    this.pausedSince = paused ? Date.now() : undefined;
  }

  job(key: string): Job | undefined {
    return this.jobs.store.get(key);
  }
}

/** Polls a condition on the caches until it holds; the caches change by watch events, so 100 ms is plenty. */
async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function kubectl(kubectlPath: string, kubeconfig: string, ...args: string[]): string {
  return execFileSync(kubectlPath, ["--kubeconfig", kubeconfig, ...args], { stdio: ["ignore", "pipe", "pipe"] }).toString();
}

async function main(): Promise<number> {
  const plane = await clusterUp();
  const kubeconfig = localClusterPaths(repoRoot).kubeconfig;
  const k = (...args: string[]) => kubectl(plane.binaries.kubectl, kubeconfig, ...args);
  k("apply", "--server-side", "-f", join(repoRoot, "crds"));
  k("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s");
  for (const ns of [OPERATOR_NAMESPACE, ...DEMO_NAMESPACES]) ensureNamespace(k, ns);
  k("apply", "--server-side", "--force-conflicts", "-f", join(repoRoot, "manifests/samples/control-flags.yaml"));
  for (const ns of DEMO_NAMESPACES) {
    k("delete", "hjob,hagent", "--all", "-n", ns, "--wait=true", "--ignore-not-found");
    // The previous run's agent heartbeats only: other Leases in the namespace are not the demo's.
    k("delete", "leases", "-l", AGENT_LEASE_SELECTOR, "-n", ns, "--wait=true", "--ignore-not-found");
  }

  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const transport = new Transport(kc);
  const jobClient = new ResourceClient<Job>(transport, JOB_TYPE);
  const demo = new Demo(
    new Informer<Job>(jobClient),
    new Informer<Agent>(new ResourceClient<Agent>(transport, AGENT_TYPE)),
    jobClient,
    new ResourceClient<FeatureFlag>(transport, FEATURE_FLAG_TYPE),
  );
  const stopInformers = new AbortController();
  void demo.jobs.start(stopInformers.signal);
  void demo.agents.start(stopInformers.signal);
  await Promise.all([demo.jobs.waitForSync(), demo.agents.waitForSync()]);

  const logs = join(repoRoot, ".helios", "demo");
  mkdirSync(logs, { recursive: true });
  const [metricsPort = 0, healthPort = 0] = await freePorts(2);
  const operatorArgs = [
    cli, "operator", "--kubeconfig", kubeconfig, "--operator-namespace", OPERATOR_NAMESPACE,
    "--metrics-bind-address", `127.0.0.1:${metricsPort}`, "--health-probe-bind-address", `127.0.0.1:${healthPort}`,
    "--agent-stale-timeout", `${STALE_TIMEOUT_MS / 1000}s`, "--job-ack-timeout", "20s",
  ];
  demo.children.set("operator", startProcess(process.execPath, operatorArgs, { logFile: join(logs, "operator.log"), detached: false }));
  for (const a of DEMO_AGENTS) {
    const args = [
      cli, "agent", "--kubeconfig", kubeconfig, "--name", a.name, "--namespace", a.namespace,
      "--capabilities", a.capabilities.join(","), "--max-concurrency", String(a.maxConcurrency), "--lease-duration", "4s",
    ];
    demo.children.set(a.name, startProcess(process.execPath, args, { logFile: join(logs, `agent-${a.name}.log`), detached: false }));
  }
  const render = startRendering(demo);
  try {
    demo.stage = "waiting for agents";
    await until("all three agents are Ready", () => demo.agents.store.list().filter((a) => a.status?.phase === "Ready").length >= DEMO_AGENTS.length, 30_000);
    demo.note(`operator and agents ${DEMO_AGENTS.map((a) => a.name).join(", ")} are Ready (logs in .helios/demo/)`);

    demo.stage = "first wave: priorities, a flaky job, a timeout, a delayed job";
    await demo.submit(firstWave(new Date()));
    demo.note(`submitted ${demo.submitted.size} jobs to team-a and team-b`);
    await until("five jobs succeeded", () => demo.snapshot().jobs.filter((j) => phaseOf(j) === "Succeeded").length >= 5, 40_000);

    demo.stage = "maintenance mode ON: nothing new is assigned";
    await demo.setPaused(true);
    demo.note("maintenance mode on (helios-dispatch-paused = true)");
    await new Promise((r) => setTimeout(r, 1_000)); // let the flag reach the operator before the new jobs arrive
    await demo.submit(maintenanceWave());
    demo.note("submitted 2 jobs during maintenance: they wait");
    await new Promise((r) => setTimeout(r, 4_000)); // the demo shows a pause, so it lasts a moment on purpose
    await demo.setPaused(false);
    demo.stage = "maintenance mode OFF: dispatch resumes";
    demo.note("maintenance mode off");

    demo.stage = "recovery: an agent dies mid-job";
    await demo.submit(recoveryWave());
    const victimJob = () => demo.snapshot().jobs.find((j) => (j.metadata.name ?? "").startsWith("long-migration") && phaseOf(j) === "Running");
    await until("a long job is running", () => victimJob() !== undefined, 30_000);
    const victim = victimJob()?.status?.assignedAgent ?? "";
    const orphaned = demo.snapshot().jobs.filter((j) => j.status?.assignedAgent === victim && ["Assigned", "Running"].includes(phaseOf(j)));
    const killedAt = Date.now();
    demo.children.get(victim)?.kill("SIGKILL");
    demo.note(`killed agent ${victim} (SIGKILL) while it ran ${orphaned.map((j) => j.metadata.name).join(", ")}`);
    const recovered = () =>
      orphaned.every((o) => {
        const j = demo.job(`${o.metadata.namespace}/${o.metadata.name}`);
        return j !== undefined && (isTerminalJobPhase(phaseOf(j)) || (j.status?.assignedAgent !== victim && phaseOf(j) === "Running"));
      });
    await until(`${victim}'s jobs run elsewhere`, recovered, 60_000);
    const recoveryMs = Date.now() - killedAt;
    demo.note(`${victim}'s jobs recovered on another agent after ${(recoveryMs / 1000).toFixed(1)}s`);

    demo.stage = "waiting for every job to finish";
    await until("every job is terminal", () => [...demo.submitted.keys()].every((key) => isTerminalJobPhase(phaseOf(demo.job(key) ?? ({} as Job)))), DEMO_DEADLINE_MS);
    demo.stage = "done";
    render.stop();

    const outcomes = [...demo.submitted].map(([key, d]) => {
      const j = demo.job(key);
      return { name: key, expected: d.expect, actual: j ? phaseOf(j) : "Pending", attempts: j?.status?.attempt ?? 0, note: d.note } as const;
    });
    const latencies = [...demo.firstAssignedAt]
      .filter(([key]) => demo.submitted.get(key)?.measureLatency !== false)
      .map(([key, at]) => at - (demo.submitted.get(key)?.createdAt ?? at));
    process.stdout.write(
      renderSummary({
        outcomes,
        retries: [...demo.submitted.keys()].reduce((n, key) => n + (demo.job(key)?.status?.retries ?? 0), 0),
        scheduleLatencyMs: latencies,
        recoveryMs,
        staleTimeoutMs: STALE_TIMEOUT_MS,
        pausedAssignments: demo.pausedAssignments,
        durationMs: Date.now() - demo.started,
        kubeconfig,
      }) + "\n",
    );
    return outcomes.every((o) => o.actual === o.expected) && demo.pausedAssignments === 0 ? 0 : 1;
  } finally {
    render.stop();
    stopInformers.abort();
    await Promise.all([...demo.children.values()].map((c) => (c.pid ? stopProcess(c.pid, 5_000) : Promise.resolve())));
  }
}

function ensureNamespace(k: (...args: string[]) => string, namespace: string): void {
  try {
    k("create", "namespace", namespace);
  } catch {
    // already there from an earlier run
  }
}

/** Redraws the live view on a terminal; prints a plain line every few seconds otherwise (CI). */
function startRendering(demo: Demo): { stop(): void } {
  const tty = process.stdout.isTTY;
  const timer = setInterval(
    () => (tty ? logUpdate(renderLive(demo.snapshot(), process.stdout.rows || 40, process.stdout.columns || 120)) : process.stdout.write(renderPlainLine(demo.snapshot()) + "\n")),
    tty ? 250 : 3_000,
  );
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (tty) {
        logUpdate(renderLive(demo.snapshot(), process.stdout.rows || 40, process.stdout.columns || 120));
        logUpdate.done();
      }
    },
  };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\nlogs: .helios/demo/\n`);
    process.exit(1);
  },
);
