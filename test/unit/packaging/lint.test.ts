// `helm lint --strict` passes with the default values and with every option on (ci/all-options-values.yaml).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHART, helm, render } from "./chart.js";

const ALL_OPTIONS = join(CHART, "ci", "all-options-values.yaml");

describe("helm lint --strict", () => {
  it.each([
    ["default values", []],
    ["every option on", ["--values", ALL_OPTIONS]],
  ])("passes with %s", async (_what, args) => {
    const res = await helm(["lint", "--strict", CHART, ...args]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain("1 chart(s) linted, 0 chart(s) failed");
    expect(res.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it("every option on renders every optional object", async () => {
    const kinds = new Set((await render({}, ["--values", ALL_OPTIONS])).map((o) => o.kind));
    for (const kind of ["NetworkPolicy", "ServiceMonitor", "PodMonitor", "PrometheusRule", "ConfigMap", "Pod", "CustomResourceDefinition", "ValidatingAdmissionPolicy"]) {
      expect(kinds, kind).toContain(kind);
    }
  });
});
