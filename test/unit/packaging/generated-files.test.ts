// The chart's CRDs and manifests/install.yaml are generated; these fail when either is stale.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INSTALL_YAML, renderInstallYaml } from "../../../hack/render-manifests.js";
import { CHART, ROOT, helmPath, parseObjects } from "./chart.js";

const FIX = "run `npm run build && node dist/hack/render-manifests.js`";
const yamlFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

describe("charts/helios/crds", () => {
  const source = join(ROOT, "crds");
  const copy = join(CHART, "crds");

  it("holds the same files as crds/", () => {
    expect(yamlFiles(copy), `chart CRDs differ from crds/: ${FIX}`).toEqual(yamlFiles(source));
    expect(yamlFiles(copy).length).toBeGreaterThan(0);
  });

  it.each(yamlFiles(source))("%s is byte-identical to crds/", (file) => {
    const same = readFileSync(join(copy, file), "utf8") === readFileSync(join(source, file), "utf8");
    expect(same, `charts/helios/crds/${file} is stale: ${FIX}`).toBe(true);
  });
});

describe("manifests/install.yaml", () => {
  it("is what the chart renders now", { timeout: 600_000 }, async () => {
    const fresh = await renderInstallYaml(await helmPath(), ROOT);
    const onDisk = readFileSync(join(ROOT, INSTALL_YAML), "utf8");
    expect(onDisk === fresh, `manifests/install.yaml is stale: ${FIX}`).toBe(true);
  });

  it("starts with the namespace it installs into and holds every CRD", () => {
    const objects = parseObjects(readFileSync(join(ROOT, INSTALL_YAML), "utf8"));
    expect(objects[0]).toMatchObject({ kind: "Namespace", metadata: { name: "helios-system" } });
    const crds = objects.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata.name).sort();
    expect(crds).toEqual(["agents.helios.dev", "auditlogs.helios.dev", "featureflags.helios.dev", "jobs.helios.dev"]);
    // Everything namespaced lands in helios-system (cluster-scoped kinds carry no namespace).
    const clusterScoped = new Set(["Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]);
    for (const o of objects.filter((x) => !clusterScoped.has(x.kind))) {
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe("helios-system");
    }
  });
});
