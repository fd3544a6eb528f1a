// A job's history read back with `helios audit` from AuditLog chunks written to the real apiserver.
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRow } from "../../../src/audit/index.js";
import { createNamespace, kubeConfig, kubeconfigPath, kubectl } from "../support/cluster.js";
import { auditWriter, helios, lifecycle } from "./support.js";

let ns: string;
let other: string;
const t0 = Date.now() - 10 * 60_000;

beforeAll(async () => {
  ns = await createNamespace("audit-history");
  other = await createNamespace("audit-history-other");
  const writer = auditWriter(kubeConfig(), { maxChunkEntries: 4 });
  for (const record of [
    ...lifecycle(ns, "job-ok", "succeeded", t0),
    ...lifecycle(ns, "job-retry", "retried", t0 + 100),
    ...lifecycle(ns, "job-dead", "agent-died", t0 + 200),
    ...lifecycle(other, "job-ok", "succeeded", t0 + 300),
  ]) {
    writer.record(record);
  }
  expect(await writer.close()).toEqual({ unwritten: 0 });
});

afterAll(async () => {
  await kubectl(["delete", "namespace", ns, other, "--wait=false"]);
});

async function rows(args: string[]): Promise<AuditRow[]> {
  const out = await helios(["audit", "--kubeconfig", kubeconfigPath(), ...args, "-o", "json"]);
  expect(out.stderr).toBe("");
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout) as AuditRow[];
}

describe("helios audit", () => {
  it("stores the trail as immutable chunks of at most maxChunkEntries, visible to kubectl", async () => {
    const got = await kubectl(["get", "haudit", "-n", ns, "-o", "json"]);
    expect(got.code).toBe(0);
    const items = (JSON.parse(got.stdout) as { items: { spec: { count: number } }[] }).items;
    expect(items.reduce((n, c) => n + c.spec.count, 0)).toBe(15);
    expect(items.every((c) => c.spec.count <= 4)).toBe(true);
    // Immutable: the apiserver refuses a change to the entries.
    const name = (JSON.parse(got.stdout) as { items: { metadata: { name: string } }[] }).items[0]?.metadata.name ?? "";
    const patch = await kubectl(["patch", "haudit", name, "-n", ns, "--type=merge", "-p", '{"spec":{"entries":[{"time":"2030-01-01T00:00:00Z","action":"x","kind":"Job","name":"forged"}],"count":1}}']);
    expect(patch.code).not.toBe(0);
    expect(patch.stderr).toMatch(/immutable/);
  });

  it("reads back a succeeded job's history", async () => {
    const history = await rows(["-n", ns, "--job", "job-ok"]);
    expect(history.map((r) => `${r.action}:${r.attempt}:${r.agent}`)).toEqual(["assigned:1:agent-a", "started:1:agent-a", "succeeded:1:agent-a"]);
    expect(history.every((r) => r.namespace === ns && r.uid === "uid-job-ok")).toBe(true);
  });

  it("reads back a retried job's history, attempt by attempt", async () => {
    const history = await rows(["-n", ns, "--job", "job-retry"]);
    expect(history.map((r) => `${r.action}:${r.attempt}:${r.agent}`)).toEqual([
      "assigned:1:agent-a",
      "started:1:agent-a",
      "retried:1:agent-a",
      "assigned:2:agent-b",
      "started:2:agent-b",
      "succeeded:2:agent-b",
    ]);
    expect(history[2]).toMatchObject({ reason: "HandlerFailed", actor: "job-recovery" });
  });

  it("reads back the history of a job whose agent died, and the agent's side with --agent", async () => {
    const history = await rows(["-n", ns, "--job", "job-dead"]);
    expect(history.map((r) => r.action)).toEqual(["assigned", "started", "requeued", "assigned", "succeeded"]);
    expect(history[2]).toMatchObject({ reason: "AgentOffline", agent: "agent-dead" });
    const agent = await rows(["-n", ns, "--agent", "agent-dead"]);
    expect(agent.map((r) => `${r.kind}/${r.name}:${r.action}`)).toEqual([
      "Job/job-dead:assigned",
      "Job/job-dead:started",
      "Agent/agent-dead:agent-offline",
      "Job/job-dead:requeued",
    ]);
  });

  it("filters by action and --since, and reads every namespace with -A", async () => {
    const requeues = await rows(["-n", ns, "--action", "requeued,retried"]);
    expect(requeues.map((r) => r.name)).toEqual(["job-retry", "job-dead"]);
    expect(await rows(["-n", ns, "--since", "1m"])).toEqual([]);
    expect((await rows(["-n", ns, "--since", "1h"])).length).toBe(15);
    const everywhere = (await rows(["-A", "--job", "job-ok"])).filter((r) => r.namespace === ns || r.namespace === other);
    expect(new Set(everywhere.map((r) => r.namespace))).toEqual(new Set([ns, other]));
  });

  it("prints a table by default and says so when nothing matches", async () => {
    const table = await helios(["audit", "--kubeconfig", kubeconfigPath(), "-n", ns, "--job", "job-dead"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TIME\s+ACTION\s+OBJECT\s+ATTEMPT\s+AGENT\s+REASON\s+ACTOR\s+MESSAGE$/);
    expect(lines).toHaveLength(6);
    expect(lines[3]).toMatch(/requeued\s+Job\/job-dead\s+1\s+agent-dead\s+AgentOffline\s+job-recovery\s+agent agent-dead is Offline$/);
    const none = await helios(["audit", "--kubeconfig", kubeconfigPath(), "-n", ns, "--job", "no-such-job"]);
    expect(none).toMatchObject({ code: 0, stdout: "" });
    expect(none.stderr).toContain(`No audit entries found in namespace "${ns}"`);
  });

  it("adds the object's UID with -o wide and prints the same rows as YAML", async () => {
    const wide = await helios(["audit", "--kubeconfig", kubeconfigPath(), "-n", ns, "--job", "job-dead", "-o", "wide"]);
    expect(wide.code).toBe(0);
    expect(wide.stdout.split("\n")[0]).toMatch(/^TIME\s+ACTION\s+OBJECT\s+UID\s+ATTEMPT/);
    expect(wide.stdout).toMatch(/\srequeued\s+Job\/job-dead\s+uid-job-dead\s+1\s/);
    const yaml = await helios(["audit", "--kubeconfig", kubeconfigPath(), "-n", ns, "--job", "job-dead", "-o", "yaml"]);
    expect(yaml.code).toBe(0);
    expect((parse(yaml.stdout) as AuditRow[]).map((r) => r.action)).toEqual(["assigned", "started", "requeued", "assigned", "succeeded"]);
  });

  it("rejects bad flags with exit code 2", async () => {
    expect((await helios(["audit", "--kubeconfig", kubeconfigPath(), "--since", "yesterday"])).code).toBe(2);
    const badOutput = await helios(["audit", "--kubeconfig", kubeconfigPath(), "-o", "xml"]);
    expect(badOutput.code).toBe(2);
    expect(badOutput.stderr).toContain('invalid value "xml" for --output: expected one of table, wide, json, yaml');
    expect((await helios(["audit", "--kubeconfig", kubeconfigPath(), "-A", "-n", ns])).code).toBe(2);
  });
});
