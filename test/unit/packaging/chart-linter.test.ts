// kube-score (a chart linter built from Go modules: see docs/chart.md) on the chart rendered with every
// option on: every finding is one docs/chart.md lists as intended. Skipped without the binary
// (KUBE_SCORE=<path>, or kube-score on PATH).
import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHART, helm } from "./chart.js";

/** "<kind>/<name>: <check>" → why it stays (docs/chart.md has the same list). */
const INTENDED: Record<string, string> = {
  "Deployment/helios-operator: container-image-pull-policy": "image.pullPolicy is the admin's choice; IfNotPresent suits pinned tags and digests",
  "Deployment/helios-agent: container-image-pull-policy": "as the operator's",
  "Pod/helios-test: container-image-pull-policy": "as the operator's",
  "Deployment/helios-agent: pod-networkpolicy": "what the agents' handlers reach depends on the jobs (exec); the admin writes it",
  "Pod/helios-test: pod-networkpolicy": "a short-lived helm test Pod; the operator's policy admits it",
  "Deployment/helios-agent: container-ephemeral-storage-request-and-limit": "handlers' scratch space depends on the jobs; set agents.resources",
  "Deployment/helios-agent: deployment-has-poddisruptionbudget": "the agent pool's PDB comes with issue 17's agent-pool delivery",
  "Deployment/helios-agent: deployment-has-host-podantiaffinity": "the agent pool's anti-affinity comes with issue 17's agent-pool delivery",
  "Deployment/helios-flags: container-image-pull-policy": "as the operator's",
  "Deployment/helios-flags: pod-networkpolicy": "its callers are applications anywhere in the cluster; the admin writes its policy",
  "Deployment/helios-flags: deployment-has-poddisruptionbudget": "one stateless replica by default; raise flags.ofrep.replicas and add a PDB for availability",
};

function kubeScore(): string | undefined {
  const fromEnv = process.env["KUBE_SCORE"];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  try {
    return execFileSync("sh", ["-c", "command -v kube-score"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const BIN = kubeScore();

interface ScoredObject {
  object_name: string;
  type_meta: { kind: string };
  object_meta: { name: string };
  checks: { check: { id: string }; grade: number; skipped: boolean }[];
}

describe.skipIf(BIN === undefined)("kube-score on every option", () => {
  it("finds only what docs/chart.md lists as intended", { timeout: 120_000 }, async () => {
    const rendered = await helm(["template", "helios", CHART, "--namespace", "helios-system", "--values", join(CHART, "ci", "all-options-values.yaml")]);
    expect(rendered.code, rendered.stderr).toBe(0);
    const report = await new Promise<string>((resolve, reject) => {
      const child = execFile(BIN ?? "", ["score", "-", "--kubernetes-version", "v1.34", "--ignore-container-cpu-limit", "--output-format", "json"], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
        // kube-score exits non-zero when it finds anything: the JSON is what counts.
        if (stdout === "") reject(err ?? new Error("kube-score printed nothing"));
        else resolve(stdout);
      });
      child.stdin?.end(rendered.stdout);
    });
    const findings = (JSON.parse(report) as ScoredObject[]).flatMap((o) =>
      o.checks.filter((c) => !c.skipped && c.grade < 10).map((c) => `${o.type_meta.kind}/${o.object_meta.name}: ${c.check.id}`),
    );
    expect(findings.filter((f) => !(f in INTENDED))).toEqual([]);
  });
});
