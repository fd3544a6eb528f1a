// The generated CRDs on a real apiserver: established, samples apply, kubectl columns, explain and field selectors.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROUP, HELIOS_RESOURCES, PLURALS, VERSION } from "../../../src/api/index.js";
import { jobSpecSchema, jobStatusSchema, retryPolicySchema } from "../../../src/api/index.js";
import { createNamespace, kubeConfig, kubectl } from "../support/cluster.js";

const root = join(import.meta.dirname, "../../..");
const samplesDir = join(root, "manifests/samples");
/** Namespaces the samples name; DESIGN puts control flags in the operator's namespace. */
const SAMPLE_NAMESPACES = ["helios-demo", "helios-system"];

/** Poll `probe` until it returns a value, failing after `timeoutMs` with the last reason. */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ok(args: string[], input?: string): Promise<string> {
  const result = await kubectl(args, input === undefined ? {} : { input });
  expect(result.code, `kubectl ${args.join(" ")}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** The field names `kubectl explain` lists, each with the description lines under it. */
function explainedFields(output: string): Map<string, string> {
  const fields = new Map<string, string>();
  const section = output.split(/^FIELDS:\s*$/m)[1] ?? "";
  let current: string | undefined;
  for (const line of section.split("\n")) {
    const field = /^ {2}(\S+)\t<.*>/.exec(line);
    if (field?.[1] !== undefined) {
      current = field[1];
      fields.set(current, "");
    } else if (current !== undefined && /^ {4}\S/.test(line) && !/^ {2}enum:/.test(line.trimEnd())) {
      fields.set(current, `${fields.get(current) ?? ""} ${line.trim()}`.trim());
    }
  }
  return fields;
}

describe("Helios CRDs on a real apiserver", () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNamespace("api-crds");
  });

  it("every CRD in crds/ is Established with its names accepted", async () => {
    const files = readdirSync(join(root, "crds")).filter((f) => f.endsWith(".yaml"));
    expect(files).toHaveLength(HELIOS_RESOURCES.length);
    for (const resource of HELIOS_RESOURCES) {
      const crd = JSON.parse(await ok(["get", "crd", `${resource.plural}.${GROUP}`, "-o", "json"])) as {
        status: { conditions: { type: string; status: string }[]; acceptedNames: { shortNames: string[]; categories: string[] } };
      };
      const status = Object.fromEntries(crd.status.conditions.map((c) => [c.type, c.status]));
      expect(status).toMatchObject({ Established: "True", NamesAccepted: "True" });
      expect(crd.status.acceptedNames).toMatchObject({ shortNames: [...resource.shortNames], categories: ["helios"] });
    }
  });

  describe("samples", () => {
    beforeAll(async () => {
      for (const name of SAMPLE_NAMESPACES) {
        const manifest = await ok(["create", "namespace", name, "--dry-run=client", "-o", "json"]);
        await ok(["apply", "-f", "-"], manifest);
      }
    });
    afterAll(async () => {
      await kubectl(["delete", "-f", samplesDir, "--ignore-not-found", "--wait=false"]);
    });

    it("kubectl apply -f manifests/samples/ succeeds", async () => {
      const out = await ok(["apply", "-f", samplesDir]);
      expect(out).toMatch(/job\.helios\.dev\/hello-echo (created|configured|unchanged)/);
      expect(out).toMatch(/featureflag\.helios\.dev\/helios-dispatch-paused (created|configured|unchanged)/);
      const flags = await ok(["get", "hflag", "-n", "helios-system", "-o", "name"]);
      expect(flags.split("\n").filter(Boolean)).toHaveLength(5);
    });

    it("kubectl get shows the printer columns of each kind", async () => {
      const header = (out: string) => (out.split("\n")[0] ?? "").trim().split(/\s+/);
      expect(header(await ok(["get", "hjob", "-n", "helios-demo"]))).toEqual(["NAME", "TYPE", "PRIORITY", "PHASE", "AGENT", "ATTEMPT", "AGE"]);
      expect(header(await ok(["get", "hagent", "-n", "helios-demo"]))).toEqual(["NAME", "PHASE", "CAPABILITIES", "MAX", "AGE"]);
      expect(header(await ok(["get", "hflag", "-n", "helios-system"]))).toEqual(["NAME", "STATE", "DEFAULT", "VALID", "AGE"]);

      const all = await ok(["get", "helios", "-A"]);
      for (const columns of [
        "NAMESPACE NAME TYPE PRIORITY PHASE AGENT ATTEMPT AGE",
        "NAMESPACE NAME PHASE CAPABILITIES MAX AGE",
        "NAMESPACE NAME STATE DEFAULT VALID AGE",
      ]) {
        expect(all.split("\n").map((l) => l.trim().split(/\s+/).join(" "))).toContain(columns);
      }
      expect(all).toContain("job.helios.dev/hello-echo");
      expect(all).toContain("agent.helios.dev/agent-b");
      expect(all).toContain("featureflag.helios.dev/helios-job-kill-switch");
    });
  });

  it("kubectl get haudit shows Entries, From, To", async () => {
    const entry = { time: "2025-01-01T00:00:00Z", action: "assigned", kind: "Job", name: "j", actor: "queue-priority" };
    const log = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "AuditLog",
      metadata: { name: "chunk-1" },
      spec: { startTime: entry.time, endTime: entry.time, count: 1, entries: [entry] },
    };
    await ok(["create", "-n", ns, "-f", "-"], JSON.stringify(log));
    const out = await ok(["get", "haudit", "-n", ns]);
    expect((out.split("\n")[0] ?? "").trim().split(/\s+/)).toEqual(["NAME", "ENTRIES", "FROM", "TO", "AGE"]);
    expect(out).toMatch(/chunk-1\s+1\s/);
  });

  it("kubectl explain describes every field of the Job", async () => {
    // The apiserver publishes a new CRD's OpenAPI asynchronously: wait until explain knows the fields.
    const spec = await eventually(async () => {
      const result = await kubectl(["explain", "hjob.spec"]);
      return result.code === 0 && result.stdout.includes("requiredCapabilities") ? result.stdout : undefined;
    }, "kubectl explain hjob.spec");
    const cases: [string, string, string[]][] = [
      ["hjob.spec", spec, Object.keys(jobSpecSchema.shape)],
      ["hjob.spec.retry", await ok(["explain", "hjob.spec.retry"]), Object.keys(retryPolicySchema.shape)],
      ["hjob.status", await ok(["explain", "hjob.status"]), Object.keys(jobStatusSchema.shape)],
    ];
    for (const [path, output, keys] of cases) {
      const fields = explainedFields(output);
      expect([...fields.keys()].sort(), path).toEqual([...keys].sort());
      for (const [field, description] of fields) expect(description.length, `${path}.${field} has no description`).toBeGreaterThan(10);
    }
  });

  it("field selectors on spec.type, status.phase and status.assignedAgent work server-side", async () => {
    const job = (name: string, type: string) => ({ apiVersion: `${GROUP}/${VERSION}`, kind: "Job", metadata: { name }, spec: { type } });
    for (const [name, type] of [["e1", "echo"], ["e2", "echo"], ["s1", "sleep"]] as const) {
      await ok(["create", "-n", ns, "-f", "-"], JSON.stringify(job(name, type)));
    }
    const setStatus = (name: string, status: object) =>
      ok(["patch", "hjob", name, "-n", ns, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })]);
    await setStatus("e1", { phase: "Pending" });
    await setStatus("s1", { phase: "Pending" });
    await setStatus("e2", { phase: "Assigned", assignedAgent: "agent-x", attempt: 1 });

    const names = async (selector: string) =>
      (await ok(["get", "hjob", "-n", ns, "--field-selector", selector, "-o", "name"])).split("\n").filter(Boolean).sort();
    expect(await names("status.phase=Pending")).toEqual(["job.helios.dev/e1", "job.helios.dev/s1"]);
    expect(await names("spec.type=echo")).toEqual(["job.helios.dev/e1", "job.helios.dev/e2"]);
    expect(await names("spec.type=echo,status.phase=Pending")).toEqual(["job.helios.dev/e1"]);
    expect(await names("spec.priority=normal,spec.queue=default")).toHaveLength(3);

    // The same through client-node, as an agent watching its own assignments would list them.
    const api = kubeConfig().makeApiClient(CustomObjectsApi);
    const list = (await api.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns,
      plural: PLURALS.job,
      fieldSelector: "status.assignedAgent=agent-x",
    })) as { items: { metadata: { name: string } }[] };
    expect(list.items.map((i) => i.metadata.name)).toEqual(["e2"]);
  });

  it("agents are selectable by status.phase", async () => {
    const agent = { apiVersion: `${GROUP}/${VERSION}`, kind: "Agent", metadata: { name: "a1" }, spec: {} };
    await ok(["create", "-n", ns, "-f", "-"], JSON.stringify(agent));
    await ok(["patch", "hagent", "a1", "-n", ns, "--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Ready"}}']);
    expect(await ok(["get", "hagent", "-n", ns, "--field-selector", "status.phase=Ready", "-o", "name"])).toBe("agent.helios.dev/a1\n");
    expect(await ok(["get", "hagent", "-n", ns, "--field-selector", "status.phase=Offline", "-o", "name"])).toBe("");
  });
});
