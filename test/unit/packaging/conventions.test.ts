// The conventions of well-kept operator charts (cert-manager, Kueue): extra env/volumes/args, spread,
// overridable security contexts, an image registry, common labels, Chart.yaml metadata and a `helm test` hook.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CHART, findObject, helm, parseObjects, render, type K8sObject } from "./chart.js";

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: Record<string, unknown>;
}
interface PodSpec {
  priorityClassName?: string;
  securityContext?: Record<string, unknown>;
  topologySpreadConstraints?: unknown[];
  volumes?: { name: string }[];
  containers: Container[];
}

const podSpecOf = (o: K8sObject): PodSpec => (o["spec"] as { template: { spec: PodSpec } }).template.spec;
const containerOf = (spec: PodSpec): Container => {
  const c = spec.containers[0];
  if (c === undefined) throw new Error("no container");
  return c;
};
/** Runs `node -e script` with METRICS_URL set, as the test Pod does; resolves to its exit code. */
function runNode(script: string, url: string): Promise<number> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["-e", script], { env: { METRICS_URL: url } }, (err) => resolve(typeof err?.code === "number" ? err.code : err ? -1 : 0));
  });
}

const AGENTS = { "agents.enabled": "true", "agents.namespace": "team-a" };
const operator = (objects: readonly K8sObject[]) => findObject(objects, "Deployment", "helios-operator");
const agent = (objects: readonly K8sObject[]) => findObject(objects, "Deployment", "helios-agent");

describe("extra env, volumes and args", () => {
  it("adds the operator's extraEnv, extraVolumes and extraVolumeMounts after the chart's own", async () => {
    const spec = podSpecOf(
      operator(
        await render({}, [
          "--set-json", 'extraEnv=[{"name":"HTTPS_PROXY","value":"http://proxy:3128"}]',
          "--set-json", 'extraVolumes=[{"name":"ca","configMap":{"name":"corp-ca"}}]',
          "--set-json", 'extraVolumeMounts=[{"name":"ca","mountPath":"/etc/ssl/corp","readOnly":true}]',
        ]),
      ),
    );
    const c = containerOf(spec);
    expect(c.env?.map((e) => e.name)).toEqual(["NODE_OPTIONS", "POD_NAME", "POD_NAMESPACE", "HTTPS_PROXY"]);
    expect(spec.volumes?.map((v) => v.name)).toEqual(["tmp", "ca"]);
    expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }, { name: "ca", mountPath: "/etc/ssl/corp", readOnly: true }]);
  });

  it("passes agents.extraArgs, agents.extraEnv and agents.priorityClassName to the agent pool", async () => {
    const spec = podSpecOf(
      agent(await render({ ...AGENTS, "agents.priorityClassName": "batch-low", "agents.extraArgs[0]": "--lease-duration=30s" }, ["--set-json", 'agents.extraEnv=[{"name":"TZ","value":"UTC"}]'])),
    );
    expect(spec.priorityClassName).toBe("batch-low");
    const c = containerOf(spec);
    expect(c.args?.at(-1)).toBe("--lease-duration=30s");
    expect(c.env?.at(-1)).toEqual({ name: "TZ", value: "UTC" });
    expect(podSpecOf(agent(await render(AGENTS))).priorityClassName).toBeUndefined();
  });

  it.each<[string, string[]]>([
    ["an env var without a name", ["--set-json", 'extraEnv=[{"value":"x"}]']],
    ["a mount without a path", ["--set-json", 'extraVolumeMounts=[{"name":"ca"}]']],
    ["an agent flag without --", ["--set", "agents.extraArgs[0]=verbose"]],
    ["a spread constraint without a topology key", ["--set-json", 'topologySpreadConstraints=[{"maxSkew":1,"whenUnsatisfiable":"DoNotSchedule"}]']],
  ])("refuses %s", async (_what, args) => {
    const res = await helm(["template", "helios", CHART, ...args]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("values don't meet the specifications of the schema");
  });
});

describe("scheduling", () => {
  it("renders the operator's topologySpreadConstraints only when given", async () => {
    expect(podSpecOf(operator(await render())).topologySpreadConstraints).toBeUndefined();
    const constraint = { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { "app.kubernetes.io/component": "operator" } } };
    const spec = podSpecOf(operator(await render({}, ["--set-json", `topologySpreadConstraints=[${JSON.stringify(constraint)}]`])));
    expect(spec.topologySpreadConstraints).toEqual([constraint]);
  });
});

describe("security contexts", () => {
  it("default to the restricted Pod Security Standard with uid 65532, on operator and agents alike", async () => {
    const objects = await render(AGENTS);
    for (const d of [operator(objects), agent(objects)]) {
      const spec = podSpecOf(d);
      expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } });
      expect(containerOf(spec).securityContext).toEqual({
        runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
      });
    }
  });

  it("let OpenShift's restricted SCC pick the uid: null drops runAsUser, runAsGroup and fsGroup", async () => {
    const nulls = ["podSecurityContext.runAsUser", "podSecurityContext.runAsGroup", "podSecurityContext.fsGroup", "securityContext.runAsUser", "securityContext.runAsGroup"];
    const objects = await render({ ...AGENTS, ...Object.fromEntries(nulls.map((k) => [k, "null"])) });
    for (const d of [operator(objects), agent(objects)]) {
      const spec = podSpecOf(d);
      expect(spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(containerOf(spec).securityContext).not.toHaveProperty("runAsUser");
      expect(containerOf(spec).securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    }
  });

  it("refuse a negative uid", async () => {
    const res = await helm(["template", "helios", CHART, "--set", "podSecurityContext.runAsUser=-1"]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("/podSecurityContext/runAsUser");
  });
});

describe("global.imageRegistry", () => {
  it("prefixes every image of the release, the test hook's included", async () => {
    const objects = await render({ ...AGENTS, "global.imageRegistry": "mirror.example.com:5000/proxy" });
    const images = objects.flatMap((o) => (o.kind === "Deployment" ? [containerOf(podSpecOf(o)).image] : o.kind === "Pod" ? [containerOf(o["spec"] as PodSpec).image] : []));
    expect(images).toHaveLength(3);
    // The mirror replaces the default repository's registry host (ghcr.io).
    for (const image of images) expect(image).toBe("mirror.example.com:5000/proxy/helios-dev/helios:0.1.0");
    expect(containerOf(podSpecOf(operator(await render()))).image).toBe("ghcr.io/helios-dev/helios:0.1.0");
    const local = await render({ "image.repository": "helios", "global.imageRegistry": "mirror.example.com" });
    expect(containerOf(podSpecOf(operator(local))).image, "a repository without a host gets the mirror as prefix").toBe("mirror.example.com/helios:0.1.0");
  });

  it("refuses a registry with a scheme", async () => {
    const res = await helm(["template", "helios", CHART, "--set", "global.imageRegistry=https://mirror.example.com"]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("/global/imageRegistry");
  });
});

describe("commonLabels", () => {
  it("are on every object and every pod, with every option on", async () => {
    const objects = await render(
      { ...AGENTS, "commonLabels.team": "platform", "commonLabels.cost-center": "c42", "metrics.serviceMonitor.enabled": "true", "metrics.prometheusRule.enabled": "true", "grafana.dashboard.enabled": "true" },
    );
    expect(objects.length).toBeGreaterThan(20);
    for (const o of objects) {
      expect(o.metadata.labels, `${o.kind}/${o.metadata.name}`).toMatchObject({ team: "platform", "cost-center": "c42" });
      const template = (o["spec"] as { template?: { metadata: { labels: Record<string, string> } } } | undefined)?.template;
      if (template !== undefined) expect(template.metadata.labels, `pods of ${o.kind}/${o.metadata.name}`).toMatchObject({ team: "platform" });
    }
  });
});

describe("Chart.yaml", () => {
  it("names the project's home, sources and icon", () => {
    const chart = parse(readFileSync(join(CHART, "Chart.yaml"), "utf8")) as { home: string; sources: string[]; icon: string };
    expect(chart.home).toMatch(/^https:\/\//);
    expect(chart.sources.length).toBeGreaterThan(0);
    expect(chart.icon).toMatch(/^https:\/\/.+\.svg$/);
  });
});

describe("helm test hook", () => {
  const testPod = (objects: readonly K8sObject[]) => findObject(objects, "Pod", "helios-test");

  it("asks the operator's metrics Service for an answer, as a hardened Pod run only by `helm test`", async () => {
    const pod = testPod(await render());
    expect((pod.metadata as { annotations?: Record<string, string> }).annotations).toEqual({
      "helm.sh/hook": "test",
      "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
    });
    const spec = pod["spec"] as PodSpec & { restartPolicy: string; automountServiceAccountToken: boolean };
    expect(spec.restartPolicy).toBe("Never");
    expect(spec.automountServiceAccountToken).toBe(false);
    const c = containerOf(spec);
    expect(c.command?.slice(0, 2)).toEqual(["node", "-e"]);
    expect(c.env).toEqual([{ name: "METRICS_URL", value: "http://helios-operator-metrics.helios-system.svc:8080/metrics" }]);
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  it("runs `helios --help` when there is no metrics Service", async () => {
    const c = containerOf(testPod(await render({ "metrics.service.enabled": "false" }))["spec"] as PodSpec);
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual(["--help"]);
  });

  it.each([
    [200, 0],
    [401, 0],
    [503, 1],
  ])("its script, run by node against a server answering HTTP %i, exits %i", async (status, code) => {
    const script = containerOf(testPod(await render())["spec"] as PodSpec).command?.[2] ?? "";
    const server = createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect(await runNode(script, `http://127.0.0.1:${port}/metrics`)).toBe(code);
    } finally {
      server.close();
    }
  });

  it("its script fails when nothing answers", async () => {
    const script = containerOf(testPod(await render())["spec"] as PodSpec).command?.[2] ?? "";
    expect(await runNode(script, "http://127.0.0.1:1/metrics")).toBe(1);
  });

  it("is left out of manifests/install.yaml", () => {
    const objects = parseObjects(readFileSync(join(CHART, "../../manifests/install.yaml"), "utf8"));
    expect(objects.filter((o) => o.kind === "Pod")).toEqual([]);
  });
});
