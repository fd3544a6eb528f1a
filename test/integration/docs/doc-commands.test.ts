// The docs' commands, run as written on a fresh control plane. First the install steps of
// docs/install.md ("Install and run the samples"; the README's "On a real cluster" points there):
// install.yaml, the samples, the samples' two agents, and every sample Job Complete. No kubelet runs pods here, so `helios operator` runs as a process in place of the operator's pods, as the
// operator's pods would: as install.yaml's operator ServiceAccount (impersonated), under its RBAC and
// its admission policies (only that identity writes AuditLogs). Helm's line is the one step left out
// (the page gives install.yaml as its alternative; the chart tests cover Helm). Then, on that
// installed cluster, every page's `sh doctest` blocks (hack/docs/doctest.ts), page after page, each
// page as one script that must exit 0.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeControlPlaneData, startControlPlane, type ControlPlane } from "../../../hack/control-plane/index.js";
import { doctestPages, doctestScript, fencedBlocks } from "../../../hack/docs/index.js";
import { exited, waitFor } from "../jobs/support.js";
import { writeKubeconfigActingAs } from "../support/cluster.js";

const ROOT = resolve(import.meta.dirname, "../../..");
/** The identity of install.yaml's operator pods. */
const OPERATOR_USER = "system:serviceaccount:helios-system:helios-operator";

const INSTALL_PAGE = "docs/install.md";
const INSTALL_HEADING = "## Install and run the samples";

/** The ```sh block under the install page's INSTALL_HEADING that installs manifests/install.yaml. */
function realClusterSteps(page: string): string {
  const start = page.indexOf(INSTALL_HEADING);
  if (start < 0) throw new Error(`${INSTALL_PAGE}: no "${INSTALL_HEADING}" heading`);
  const block = fencedBlocks(page.slice(start)).find((b) => b.info === "sh" && b.body.includes("manifests/install.yaml"))?.body;
  if (block === undefined) throw new Error(`${INSTALL_PAGE}: no \`\`\`sh block installing manifests/install.yaml under "${INSTALL_HEADING}"`);
  return block;
}

/**
 * Runs `script` in bash as a process group of its own; background processes it started with `&` get
 * SIGTERM when it exits (as a user's shell would on exit), and what is left of the group SIGKILL.
 */
function runScript(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn("bash", ["-c", `trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${script}`], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("exit", () => {
      try {
        process.kill(-(child.pid ?? 0), "SIGKILL");
      } catch {
        // the group is gone already
      }
    });
    child.on("close", (code) => done({ code, output }));
  });
}

describe("the docs' commands on a cluster installed as docs/install.md says", { timeout: 400_000 }, () => {
  let plane: ControlPlane;
  let operator: ChildProcess | undefined;
  let operatorLog = "";
  /** Log lines of the operator that tell of a refused request (RBAC or admission). */
  const operatorRefusals: string[] = [];

  /** A user's shell on the installed cluster: kubectl, the repo's `helios` and node on PATH, the admin kubeconfig. */
  const env = (): NodeJS.ProcessEnv => ({
    PATH: [dirname(plane.binaries.kubectl), join(ROOT, "bin"), dirname(process.execPath), "/usr/bin", "/bin"].join(delimiter),
    HOME: process.env["HOME"] ?? "/tmp",
    KUBECONFIG: plane.kubeconfigPath,
  });

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
    const steps = realClusterSteps(readFileSync(join(ROOT, INSTALL_PAGE), "utf8"));
    expect(steps).toContain("kubectl apply -f manifests/samples/");
    const lines = steps.split("\n").filter((line) => !line.startsWith("helm install"));
    // The operator's pods start once install.yaml (their RBAC among it) is applied: so does the process.
    const installed = lines.findIndex((line) => line.includes("-f manifests/install.yaml")) + 1;
    expect(installed, "docs/install.md: no line applies -f manifests/install.yaml").toBeGreaterThan(0);
    const install = await runScript(`set -euo pipefail\n${lines.slice(0, installed).join("\n")}`, env());
    expect(install.code, install.output).toBe(0);

    const operatorKubeconfig = writeKubeconfigActingAs(OPERATOR_USER, `${plane.kubeconfigPath}-operator`, plane.kubeconfigPath);
    operator = spawn(process.execPath, ["bin/helios", "operator", "--kubeconfig", operatorKubeconfig, "--operator-namespace", "helios-system",
      "--metrics-bind-address", "0", "--health-probe-bind-address", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const record = (d: Buffer): void => {
      operatorLog = (operatorLog + d.toString()).slice(-4000);
      operatorRefusals.push(...d.toString().split("\n").filter((l) => /forbidden|denied request/i.test(l)));
    };
    operator.stdout?.on("data", record);
    operator.stderr?.on("data", record);

    const result = await runScript(`set -euo pipefail\n${lines.slice(installed).join("\n")}`, env());
    expect(result.code, `${result.output}\n--- operator:\n${operatorLog}`).toBe(0);

    const phases = await runScript("kubectl get hjob -n helios-demo -o jsonpath='{range .items[*]}{.metadata.name}={.status.phase}{\"\\n\"}{end}'", env());
    const jobs = phases.output.trim().split("\n").sort();
    expect(jobs).toEqual(["flaky-twice=Succeeded", "hello-echo=Succeeded", "short-nap=Succeeded", "urgent-echo=Succeeded"]);
    // The operator's audit trail went through install.yaml's AuditLog policy.
    await waitFor("audit chunks in helios-demo", async () => (await runScript("kubectl get haudit -n helios-demo -o name", env())).output.includes("auditlog.helios.dev/"), 30_000);
    expect(operatorRefusals).toEqual([]);
  });

  it.each(doctestPages(ROOT).map((page) => [page.path, page] as const))("%s: its doctest blocks run", async (_path, page) => {
    const result = await runScript(doctestScript(page), env());
    expect(result.code, `${result.output}\n--- operator:\n${operatorLog}`).toBe(0);
  });
});
