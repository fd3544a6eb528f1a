// The release workflow cannot run here (no GitHub runner, no registry): check that it publishes what the
// chart pulls by default, for both platforms, with an SBOM and provenance, and packages the chart.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CHART, ROOT } from "./chart.js";

const Step = z.object({ uses: z.string().optional(), run: z.string().optional(), with: z.record(z.string(), z.unknown()).optional() });
const Workflow = z.object({
  on: z.object({ push: z.object({ tags: z.array(z.string()) }) }),
  env: z.record(z.string(), z.string()),
  jobs: z.record(z.string(), z.object({ steps: z.array(Step) })),
});
const Values = z.object({ image: z.object({ repository: z.string() }) });

const workflow = Workflow.parse(parse(readFileSync(join(ROOT, ".github/workflows/release.yml"), "utf8")));
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const buildSteps = steps.filter((s) => s.uses?.startsWith("docker/build-push-action@") === true);
const build = buildSteps[0]?.with ?? {};
const chartRepository = Values.parse(parse(readFileSync(join(CHART, "values.yaml"), "utf8"))).image.repository;

/** `${{ env.NAME }}` resolved against the workflow's env; other strings as they are. */
function resolveEnv(value: unknown): string {
  const text = String(value);
  return text.replace(/\$\{\{\s*env\.([A-Z_]+)\s*\}\}/g, (_, name: string) => workflow.env[name] ?? `<unset env.${name}>`);
}

describe("release workflow", () => {
  it("runs on version tags only", () => {
    expect(workflow.on.push.tags).toEqual(["v*"]);
    expect(Object.keys(workflow.on)).toEqual(["push"]);
  });

  it("builds the repository's Dockerfile once, with buildx on QEMU, for amd64 and arm64", () => {
    expect(buildSteps).toHaveLength(1);
    const uses = steps.map((s) => s.uses?.split("@")[0]);
    expect(uses).toContain("docker/setup-qemu-action");
    expect(uses).toContain("docker/setup-buildx-action");
    const file = String(build["file"]);
    expect(existsSync(join(ROOT, String(build["context"]), file)), `${file} does not exist`).toBe(true);
    expect(String(build["platforms"]).split(",").map((p) => p.trim()).sort()).toEqual(["linux/amd64", "linux/arm64"]);
  });

  it("pushes with an SBOM and a provenance attestation", () => {
    expect(build["push"]).toBe(true);
    expect(build["sbom"]).toBe(true);
    expect(build["provenance"] === true || /^mode=(min|max)$/.test(String(build["provenance"]))).toBe(true);
  });

  it("publishes to the chart's default image repository, tagged with the bare version the chart defaults to", () => {
    const meta = steps.find((s) => s.uses?.startsWith("docker/metadata-action@") === true)?.with ?? {};
    expect(resolveEnv(meta["images"])).toBe(chartRepository);
    // The chart's default tag is its appVersion, "X.Y.Z" without the tag's "v".
    expect(String(meta["tags"])).toContain("type=semver,pattern={{version}}");
    expect(String(build["tags"])).toBe("${{ steps.meta.outputs.tags }}");
  });

  it("packages the chart and attaches it to the release", () => {
    const scripts = steps.map((s) => s.run ?? "").join("\n");
    expect(scripts).toMatch(/helm package charts\/helios\b/);
    expect(existsSync(join(ROOT, "charts/helios/Chart.yaml"))).toBe(true);
    expect(scripts).toMatch(/gh release upload\b.*helios-\*\.tgz/);
  });
});
