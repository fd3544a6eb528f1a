// Kubeconfig resolution like kubectl: --kubeconfig, $KUBECONFIG (merged, first wins), ~/.kube/config, contexts, namespaces.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { UsageError } from "../../../../src/cli/command.js";
import { CliError, connect, kubeconfigFiles } from "../../../../src/cli/kube/index.js";

const dir = mkdtempSync(join(tmpdir(), "helios-kubeconfig-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(file: string, clusters: Record<string, string>, contexts: Record<string, { cluster: string; namespace?: string }>, current: string): string {
  const path = join(dir, file);
  const yaml = [
    "apiVersion: v1",
    "kind: Config",
    `current-context: "${current}"`,
    "clusters:",
    ...Object.entries(clusters).map(([name, server]) => `- name: ${name}\n  cluster:\n    server: ${server}`),
    "users:",
    "- name: me\n  user:\n    token: abc",
    "contexts:",
    ...Object.entries(contexts).map(
      ([name, c]) => `- name: ${name}\n  context:\n    cluster: ${c.cluster}\n    user: me${c.namespace ? `\n    namespace: ${c.namespace}` : ""}`,
    ),
    "",
  ].join("\n");
  writeFileSync(path, yaml);
  return path;
}

const first = kubeconfig("first", { one: "https://one.example:6443" }, { alpha: { cluster: "one", namespace: "team-a" } }, "alpha");
const second = kubeconfig("second", { one: "https://shadowed.example", two: "https://two.example" }, { beta: { cluster: "two" } }, "beta");

describe("kubeconfig files", () => {
  it("uses --kubeconfig when given, and fails clearly when it does not exist", () => {
    expect(kubeconfigFiles({ kubeconfig: first }, { KUBECONFIG: second })).toEqual([first]);
    expect(() => kubeconfigFiles({ kubeconfig: join(dir, "nope") }, {})).toThrow(/cannot read kubeconfig .*nope: no such file/);
  });

  it("takes the existing files of $KUBECONFIG, else ~/.kube/config", () => {
    expect(kubeconfigFiles({}, { KUBECONFIG: [join(dir, "missing"), first, second].join(":") })).toEqual([first, second]);
    mkdirSync(join(dir, "home", ".kube"), { recursive: true });
    writeFileSync(join(dir, "home", ".kube", "config"), "apiVersion: v1\nkind: Config\n");
    expect(kubeconfigFiles({}, { HOME: join(dir, "home") })).toEqual([join(dir, "home", ".kube", "config")]);
  });

  it("says how to get a kubeconfig when there is none", () => {
    expect(() => kubeconfigFiles({}, { HOME: join(dir, "nobody") })).toThrow(CliError);
    expect(() => kubeconfigFiles({}, { HOME: join(dir, "nobody") })).toThrow(/make cluster-up/);
  });
});

describe("connect", () => {
  it("merges $KUBECONFIG files with the first one winning, like kubectl", () => {
    const target = connect({}, { KUBECONFIG: `${first}:${second}` });
    expect(target.contextName).toBe("alpha");
    expect(target.server).toBe("https://one.example:6443");
    expect(target.namespace).toBe("team-a");
    expect(target.listNamespace).toBe("team-a");
    expect(target.userName).toBe("me");
  });

  it("switches context, defaults the namespace to default, and spans all namespaces with -A", () => {
    const target = connect({ context: "beta", allNamespaces: true }, { KUBECONFIG: `${first}:${second}` });
    expect(target.server).toBe("https://two.example");
    expect(target.namespace).toBe("default");
    expect(target.listNamespace).toBeUndefined();
    expect(connect({ namespace: "x" }, { KUBECONFIG: first }).namespace).toBe("x");
  });

  it("names the identity of --as", () => {
    expect(connect({ as: "alice", asGroup: ["devs"] }, { KUBECONFIG: first }).userName).toBe("alice");
  });

  it("rejects contradictory or malformed flags as usage errors (exit 2)", () => {
    const env = { KUBECONFIG: first };
    expect(() => connect({ context: "gamma" }, env)).toThrow(UsageError);
    expect(() => connect({ context: "gamma" }, env)).toThrow(/no context named "gamma".*known: alpha/);
    expect(() => connect({ namespace: "a", allNamespaces: true }, env)).toThrow(/cannot be used together/);
    expect(() => connect({ asGroup: ["g"] }, env)).toThrow(/--as-group needs --as/);
    expect(() => connect({ requestTimeout: "soon" }, env)).toThrow(/--request-timeout/);
  });

  it("fails when there is no current context", () => {
    const none = kubeconfig("none", { one: "https://one.example" }, { alpha: { cluster: "one" } }, "");
    expect(() => connect({}, { KUBECONFIG: none })).toThrow(/no current context: pass --context/);
  });
});
