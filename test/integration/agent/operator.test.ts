// `helios operator` + `helios agent` as real processes: agent-health wired through CONTROLLERS, with the
// dispatcher and job recovery reacting to what it decides (Offline → requeue, drain → Released).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubeConfig, kubeconfigPath, kubectl } from "../support/cluster.js";
import { CLI, clients, jobSpec, spawnAgent, waitFor } from "./support.js";

const c = clients(kubeConfig());
let ns: string;
let operator: ChildProcess | undefined;
let operatorLog = "";

const phase = async (kind: string, name: string): Promise<string> =>
  (await kubectl(["get", kind, name, "-n", ns, "-o", "jsonpath={.status.phase}"])).stdout;

beforeAll(async () => {
  expect(existsSync("dist/src/cli/commands/agent.js")).toBe(true);
  ns = await createNamespace("agent-op");
  operator = spawn(
    process.execPath,
    [CLI, "operator", "--kubeconfig", kubeconfigPath(), "--namespace", ns, "--operator-namespace", ns, "--agent-stale-timeout", "3s",
      "--job-ack-timeout", "30s", "--metrics-bind-address", "0", "--health-probe-bind-address", "0", "--log-level", "warn"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  operator.stdout?.on("data", (d: Buffer) => (operatorLog += d.toString()));
  operator.stderr?.on("data", (d: Buffer) => (operatorLog += d.toString()));
}, 300_000);

afterAll(async () => {
  if (operator && operator.exitCode === null) {
    const exited = new Promise((r) => operator?.once("exit", r));
    operator.kill("SIGTERM");
    await exited;
  }
});

describe("helios operator with helios agent", () => {
  it("agent Ready, jobs run; SIGKILL → Offline → its job requeued; restart → rerun; SIGTERM → handed back", async () => {
    const args = ["--name", "op-a", "--namespace", ns, "--kubeconfig", kubeconfigPath(), "--lease-duration", "2s", "--ack-delay", "200ms", "--log-level", "warn"];
    let agent = spawnAgent(args);
    try {
      await waitFor(`op-a Ready (operator log: ${operatorLog.slice(-500)})`, async () => (await phase("hagent", "op-a")) === "Ready", 20_000);
      await c.jobs.create({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name: "hello", namespace: ns }, spec: jobSpec("echo", { message: "hello" }) });
      await waitFor("hello Succeeded", async () => (await phase("hjob", "hello")) === "Succeeded", 10_000);

      await c.jobs.create({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name: "long", namespace: ns }, spec: jobSpec("sleep", { duration: "3s" }) });
      await waitFor("long Running", async () => (await phase("hjob", "long")) === "Running", 10_000);
      agent.child.kill("SIGKILL");
      await agent.exited;
      await waitFor("op-a Offline", async () => (await phase("hagent", "op-a")) === "Offline", 6000);
      const requeued = await waitFor("long requeued", async () => {
        const job = await c.jobs.get({ namespace: ns, name: "long" });
        return job.status?.phase === "Pending" ? job : undefined;
      }, 10_000);
      expect(requeued.status?.attempts?.[0]).toMatchObject({ attempt: 1, agent: "op-a" });
      expect(requeued.status?.attempts?.[0]?.outcome).not.toBe("");

      agent = spawnAgent(args);
      await waitFor("op-a Ready again", async () => (await phase("hagent", "op-a")) === "Ready", 5000);
      await waitFor("long Succeeded on attempt 2", async () => {
        const job = await c.jobs.get({ namespace: ns, name: "long" });
        return job.status?.phase === "Succeeded" && job.status.attempt === 2;
      }, 20_000);

      await c.jobs.create({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name: "cut", namespace: ns }, spec: jobSpec("sleep", { duration: "60s" }) });
      await waitFor("cut Running", async () => (await phase("hjob", "cut")) === "Running", 10_000);
      agent.child.kill("SIGTERM");
      expect(await agent.exited).toBe(0);
      const cut = await waitFor("cut handed back", async () => {
        const job = await c.jobs.get({ namespace: ns, name: "cut" });
        return job.status?.phase === "Pending" ? job : undefined;
      }, 10_000);
      expect(cut.status?.attempts?.[0]).toMatchObject({ outcome: "Released" });
      expect(cut.status?.retries ?? 0).toBe(0);
      expect(await phase("hagent", "op-a")).toBe("Offline");
    } finally {
      agent.child.kill("SIGKILL");
    }
  });
});
