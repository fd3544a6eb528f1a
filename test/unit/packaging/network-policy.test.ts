// The optional NetworkPolicy of the operator pods: ingress only on the metrics and health ports, egress
// only to DNS and the apiserver.
import { describe, expect, it } from "vitest";
import { findObject, helm, CHART, render } from "./chart.js";

interface Port { port: number; protocol: string }
interface Rule { ports: Port[]; from?: unknown[]; to?: unknown[] }
interface PolicySpec { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress: Rule[]; egress: Rule[] }

async function policy(set: Readonly<Record<string, string>> = {}, extra: readonly string[] = []): Promise<PolicySpec> {
  return findObject(await render({ "networkPolicy.enabled": "true", ...set }, extra), "NetworkPolicy", "helios-operator")["spec"] as PolicySpec;
}

const MONITORING = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } };
const TEST_POD = { podSelector: { matchLabels: { "app.kubernetes.io/instance": "helios", "app.kubernetes.io/component": "test" } } };

describe("networkPolicy", () => {
  it("is off by default", async () => {
    expect((await render()).filter((o) => o.kind === "NetworkPolicy")).toEqual([]);
  });

  it("selects the operator pods and restricts both directions", async () => {
    const spec = await policy();
    expect(spec.podSelector.matchLabels).toEqual({ "app.kubernetes.io/name": "helios", "app.kubernetes.io/instance": "helios", "app.kubernetes.io/component": "operator" });
    expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
  });

  it("lets in only the metrics and health ports (the values' ports), from any source by default", async () => {
    const spec = await policy({ "ports.metrics": "9090", "ports.health": "9091" });
    expect(spec.ingress).toEqual([{ ports: [{ port: 9090, protocol: "TCP" }, { port: 9091, protocol: "TCP" }] }]);
  });

  it("lets in only the configured sources, plus the chart's helm test Pod", async () => {
    const spec = await policy({}, ["--set-json", `networkPolicy.ingressFrom=[${JSON.stringify(MONITORING)}]`]);
    expect(spec.ingress).toHaveLength(1);
    expect(spec.ingress[0]?.from).toEqual([MONITORING, TEST_POD]);
  });

  it("lets out only DNS to kube-dns and the apiserver ports, to the apiserver's CIDRs when given", async () => {
    const open = await policy();
    expect(open.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }],
      },
      { ports: [{ port: 443, protocol: "TCP" }, { port: 6443, protocol: "TCP" }] },
    ]);
    const narrow = await policy({ "networkPolicy.apiServerCidrs": "{10.0.0.1/32,fd00::1/128}", "networkPolicy.apiServerPorts": "{6443}" });
    expect(narrow.egress[1]).toEqual({ ports: [{ port: 6443, protocol: "TCP" }], to: [{ ipBlock: { cidr: "10.0.0.1/32" } }, { ipBlock: { cidr: "fd00::1/128" } }] });
  });

  it.each<[string, string[]]>([
    ["a CIDR without a prefix length", ["--set", "networkPolicy.apiServerCidrs={10.0.0.1}"]],
    ["no DNS destination", ["--set-json", "networkPolicy.dnsTo=[]"]],
    ["a peer with an unknown field", ["--set-json", 'networkPolicy.ingressFrom=[{"namespace":"monitoring"}]']],
    ["port 0", ["--set", "networkPolicy.apiServerPorts={0}"]],
  ])("refuses %s", async (_what, args) => {
    const res = await helm(["template", "helios", CHART, "--set", "networkPolicy.enabled=true", ...args]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("/networkPolicy/");
  });
});
