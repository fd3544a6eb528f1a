// `helios operator` as real processes on the real apiserver: probes, metric names, one leader
// between two replicas, takeover after SIGKILL, and a clean exit 0 on SIGTERM that releases the lease.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { createNamespace, kubeConfig, kubeconfigPath } from "../support/cluster.js";
import { freePorts } from "../../../hack/control-plane/index.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const MAIN = join(ROOT, "dist/src/cli/main.js");
const LEASE_MS = 15_000;
const RETRY_MS = 2_000;
const LATENCY_SLACK_MS = 1_000;
const LEASE_NAME = "helios-operator-leader";

const RUNTIME_METRICS = [
  "controller_runtime_reconcile_total",
  "controller_runtime_reconcile_errors_total",
  "controller_runtime_terminal_reconcile_errors_total",
  "controller_runtime_reconcile_panics_total",
  "controller_runtime_reconcile_time_seconds",
  "controller_runtime_max_concurrent_reconciles",
  "controller_runtime_active_workers",
  "workqueue_depth",
  "workqueue_adds_total",
  "workqueue_queue_duration_seconds",
  "workqueue_work_duration_seconds",
  "workqueue_retries_total",
  "workqueue_unfinished_work_seconds",
  "workqueue_longest_running_processor_seconds",
  "leader_election_master_status",
  "process_cpu_seconds_total",
];


interface Operator {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly metricsPort: number;
  readonly healthPort: number;
  readonly exited: Promise<number | null>;
  output(): string;
}

const started: Operator[] = [];

async function startOperator(name: string, ns: string): Promise<Operator> {
  const [metricsPort = 0, healthPort = 0] = await freePorts(2);
  const proc = spawn(
    process.execPath,
    [
      MAIN,
      "operator",
      "--leader-elect",
      "--kubeconfig",
      kubeconfigPath(),
      "--operator-namespace",
      ns,
      "--metrics-bind-address",
      `127.0.0.1:${metricsPort}`,
      "--health-probe-bind-address",
      `127.0.0.1:${healthPort}`,
      "--log-level",
      "debug",
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  proc.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((done) => proc.on("exit", (code) => done(code)));
  const op = { name, proc, metricsPort, healthPort, exited, output: () => out };
  started.push(op);
  return op;
}

async function get(port: number, path: string): Promise<{ status: number; text: string } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, text: await res.text() };
  } catch {
    return undefined; // not listening (yet, or any more)
  }
}

async function isMaster(op: Operator): Promise<boolean | undefined> {
  const res = await get(op.metricsPort, "/metrics");
  const m = res === undefined ? null : new RegExp(`^leader_election_master_status\\{name="${LEASE_NAME}"\\} (\\d)`, "m").exec(res.text);
  return m === null ? undefined : m[1] === "1";
}

async function waitUntil(what: string, cond: () => Promise<boolean>, timeoutMs: number, ops: Operator[] = []): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${ops.map((o) => `${o.name}:\n${o.output()}`).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}


describe("helios operator", () => {
  let ns: string;

  beforeAll(async () => {
    expect(existsSync(MAIN)).toBe(true);
    ns = await createNamespace("operator");
  });

  afterAll(() => {
    for (const op of started) if (op.proc.exitCode === null && op.proc.signalCode === null) op.proc.kill("SIGKILL");
  });

  it("serves probes and metrics, elects one leader, fails over after SIGKILL and exits 0 on SIGTERM", async () => {
    const a = await startOperator("a", ns);
    await waitUntil("a to lead", async () => (await isMaster(a)) === true, 30_000, [a]);
    const b = await startOperator("b", ns);
    await waitUntil("b to serve", async () => (await isMaster(b)) === false, 30_000, [b]);

    for (const op of [a, b]) {
      expect((await get(op.healthPort, "/healthz"))?.status).toBe(200);
      // Ready once the operator's informers have listed (readiness gating itself: manager tests).
      await waitUntil(`${op.name} ready`, async () => (await get(op.healthPort, "/readyz"))?.status === 200, 30_000, [op]);
    }
    const metrics = (await get(a.metricsPort, "/metrics"))?.text ?? "";
    for (const name of RUNTIME_METRICS) expect(metrics, name).toMatch(new RegExp(`^# TYPE ${name} `, "m"));

    // Standby stays standby while the leader renews (observe several retry periods).
    const watchUntil = Date.now() + 3 * RETRY_MS;
    while (Date.now() < watchUntil) {
      const [ma, mb] = await Promise.all([isMaster(a), isMaster(b)]);
      expect([ma, mb]).toEqual([true, false]);
      await new Promise((r) => setTimeout(r, 200));
    }

    const killedAt = Date.now();
    a.proc.kill("SIGKILL");
    await waitUntil("b to take over", async () => (await isMaster(b)) === true, LEASE_MS + RETRY_MS + 10_000, [b]);
    const takeover = Date.now() - killedAt;
    expect(takeover).toBeLessThanOrEqual(LEASE_MS + RETRY_MS + LATENCY_SLACK_MS);

    const termAt = Date.now();
    b.proc.kill("SIGTERM");
    const code = await b.exited;
    expect(code, b.output()).toBe(0);
    expect(Date.now() - termAt).toBeLessThan(5_000);
    expect(b.output()).toContain("released leader lease");

    const lease = await kubeConfig().makeApiClient(CoordinationV1Api).readNamespacedLease({ name: LEASE_NAME, namespace: ns });
    expect(lease.spec?.holderIdentity ?? "").toBe("");
    expect(lease.spec?.leaseTransitions).toBe(1);
  });
});
