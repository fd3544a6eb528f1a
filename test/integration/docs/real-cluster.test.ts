// The install steps of docs/install.md ("Install and run the samples"; the README's "On a real cluster"
// points there), run as written on a fresh control plane: install.yaml, the samples, the samples' two
// agents, and every sample Job Complete. No kubelet runs pods here, so
// `helios operator` runs as a process in place of the operator's pods, as the operator's pods would:
// as install.yaml's operator ServiceAccount (impersonated), under its RBAC and its admission policies
// (only that identity writes AuditLogs). Helm's line is the one step left out (the page gives
// install.yaml as its alternative; the chart tests cover Helm).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeControlPlaneData, startControlPlane, type ControlPlane } from "../../../hack/control-plane/index.js";
import { exited, waitFor } from "../jobs/support.js";
import { writeKubeconfigActingAs } from "../support/cluster.js";

const ROOT = resolve(import.meta.dirname, "../../..");
/** The identity of install.yaml's operator pods. */
const OPERATOR_USER = "system:serviceaccount:helios-system:helios-operator";

const INSTALL_HEADING = "## Install and run the samples";

/** The ```sh block under docs/install.md's install heading that installs manifests/install.yaml. */
function realClusterSteps(page: string): string {
  const start = page.indexOf(INSTALL_HEADING);
  if (start < 0) throw new Error(`docs/install.md: no "${INSTALL_HEADING}" heading`);
  const section = page.slice(start);
  const block = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "").find((b) => b.includes("manifests/install.yaml"));
  if (block === undefined) throw new Error(`docs/install.md: no \`\`\`sh block installing manifests/install.yaml under "${INSTALL_HEADING}"`);
  return block;
}

function runScript(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn("bash", ["-c", script], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (code) => done({ code, output }));
  });
}

describe("docs/install.md: install and run the samples", { timeout: 400_000 }, () => {
  let plane: ControlPlane;
  let operator: ChildProcess | undefined;
  let operatorLog = "";
  /** Log lines of the operator that tell of a refused request (RBAC or admission). */
  const operatorRefusals: string[] = [];

  beforeAll(async () => {
    plane = await startControlPlane({ report: () => {} });
  }, 300_000);

  afterAll(async () => {
    if (operator !== undefined && operator.exitCode === null) {
      operator.kill("SIGTERM");
      await exited(operator);
    }
    await plane.stop();
    await removeControlPlaneData(plane);
  });

  it("installs, applies the samples, runs their agents and completes every sample Job", async () => {
    const steps = realClusterSteps(readFileSync(join(ROOT, "docs/install.md"), "utf8"));
    expect(steps).toContain("kubectl apply -f manifests/samples/");
    const runnable = steps
      .split("\n")
      .filter((line) => !line.startsWith("helm install"))
      .join("\n");

    const operatorKubeconfig = writeKubeconfigActingAs(OPERATOR_USER, `${plane.kubeconfigPath}-operator`, plane.kubeconfigPath);
    operator = spawn(process.execPath, ["bin/helios", "operator", "--kubeconfig", operatorKubeconfig, "--operator-namespace", "helios-system",
      "--metrics-bind-address", "0", "--health-probe-bind-address", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const record = (d: Buffer): void => {
      operatorLog = (operatorLog + d.toString()).slice(-4000);
      operatorRefusals.push(...d.toString().split("\n").filter((l) => /forbidden|denied request/i.test(l)));
    };
    operator.stdout?.on("data", record);
    operator.stderr?.on("data", record);

    const env = {
      PATH: [dirname(plane.binaries.kubectl), dirname(process.execPath), "/usr/bin", "/bin"].join(delimiter),
      HOME: process.env["HOME"] ?? "/tmp",
      KUBECONFIG: plane.kubeconfigPath,
    };
    // The agents started with `&` are stopped when the steps end, as a user's shell would on exit.
    const result = await runScript(`set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${runnable}`, env);
    expect(result.code, `${result.output}\n--- operator:\n${operatorLog}`).toBe(0);

    const phases = await runScript("kubectl get hjob -n helios-demo -o jsonpath='{range .items[*]}{.metadata.name}={.status.phase}{\"\\n\"}{end}'", env);
    const jobs = phases.output.trim().split("\n").sort();
    expect(jobs).toEqual(["flaky-twice=Succeeded", "hello-echo=Succeeded", "short-nap=Succeeded", "urgent-echo=Succeeded"]);
    // The operator's audit trail went through install.yaml's AuditLog policy.
    await waitFor("audit chunks in helios-demo", async () => (await runScript("kubectl get haudit -n helios-demo -o name", env)).output.includes("auditlog.helios.dev/"), 30_000);
    expect(operatorRefusals).toEqual([]);
  });
});
