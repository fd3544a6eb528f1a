// The chart's CRDs and manifests/install.yaml are generated; these fail when either is stale.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHART_CRD_DIR, generateChartCrdTemplates } from "../../../hack/generate-crds.js";
import { INSTALL_YAML, renderInstallYaml } from "../../../hack/render-manifests.js";
import { ROOT, helmPath, parseObjects, render, type K8sObject } from "./chart.js";

const FIX = "run `npm run build && node dist/hack/generate-crds.js && node dist/hack/render-manifests.js`";
const yamlFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

describe("charts/helios/templates/crds", () => {
  const dir = join(ROOT, CHART_CRD_DIR);
  const generated = generateChartCrdTemplates();

  it("holds exactly the generated templates", () => {
    expect(yamlFiles(dir), `chart CRD templates differ: ${FIX}`).toEqual(generated.map((f) => f.fileName).sort());
    expect(generated.length).toBeGreaterThan(0);
  });

  it.each(generated.map((f) => [f.fileName, f.content] as const))("%s matches the zod schemas", (file, content) => {
    expect(readFileSync(join(dir, file), "utf8") === content, `${CHART_CRD_DIR}/${file} is stale: ${FIX}`).toBe(true);
  });

  it("renders each CRD of crds/ unchanged but for the chart's labels and the keep annotation", async () => {
    const rendered = (await render()).filter((o) => o.kind === "CustomResourceDefinition");
    const plain = yamlFiles(join(ROOT, "crds")).map((f) => parseObjects(readFileSync(join(ROOT, "crds", f), "utf8"))[0]);
    expect(rendered.map((o) => o.metadata.name).sort()).toEqual(plain.map((o) => o?.metadata.name).sort());
    for (const crd of rendered) {
      const { labels, annotations, ...metadata } = crd.metadata as K8sObject["metadata"] & { annotations?: Record<string, string> };
      expect({ ...crd, metadata }).toEqual(plain.find((o) => o?.metadata.name === crd.metadata.name));
      expect(labels).toMatchObject({ "app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/part-of": "helios" });
      expect(annotations).toEqual({ "helm.sh/resource-policy": "keep" });
    }
  });

  it("leaves the CRDs out with crds.enabled=false, and lets uninstall delete them with crds.keep=false", async () => {
    expect((await render({ "crds.enabled": "false" })).filter((o) => o.kind === "CustomResourceDefinition")).toEqual([]);
    const deletable = (await render({ "crds.keep": "false" })).filter((o) => o.kind === "CustomResourceDefinition");
    expect(deletable).toHaveLength(5);
    for (const crd of deletable) expect(crd.metadata, crd.metadata.name).not.toHaveProperty("annotations");
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
    expect(crds).toEqual(["agents.helios.dev", "auditlogs.helios.dev", "featureflags.helios.dev", "featureflagsets.helios.dev", "jobs.helios.dev"]);
    // Everything namespaced lands in helios-system (cluster-scoped kinds carry no namespace).
    const clusterScoped = new Set(["Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]);
    for (const o of objects.filter((x) => !clusterScoped.has(x.kind))) {
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe("helios-system");
    }
  });
});
