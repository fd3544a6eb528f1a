// Hostile payloads: the agent never drops an attempt silently. A payload nested 5 000 deep (past the
// JSON encoder's stack) no longer breaks the agent's status writes, a result that deep is refused
// as ResultTooLarge, and a report the apiserver refuses is reported as a StatusRejected failure;
// each ends the Job at once instead of leaving it to the operator's 2-minute ack timeout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCondition, type Job } from "../../../src/api/index.js";
import { builtinHandlers, createAgent, type HeliosAgent } from "../../../src/agent/index.js";
import { createNamespace, kubeConfig, kubectl } from "../support/cluster.js";
import { clients, fileLogger, startOperator, waitFor, waitReady, type RunningOperator } from "./support.js";

const kc = kubeConfig();
const c = clients(kc);
const DEPTH = 5000;
const REFUSED_KEY = "refusedByPolicy";
let ns: string;
let policy: string;
let operator: RunningOperator | undefined;
let agent: HeliosAgent | undefined;

const get = (name: string): Promise<Job> => c.jobs.get({ namespace: ns, name });

/** `{"x":{"x":...}}` `depth` objects deep, as JSON text: this process cannot JSON.stringify it. */
const nestedJson = (depth: number): string => `${'{"x":'.repeat(depth - 1)}{}${"}".repeat(depth - 1)}`;

/** Creates a Job with kubectl (Go decodes JSON up to 10 000 levels deep). */
async function createJob(name: string, type: string, payloadJson: string): Promise<void> {
  const body = `{"apiVersion":"helios.dev/v1alpha1","kind":"Job","metadata":{"name":"${name}","namespace":"${ns}"},"spec":{"type":"${type}","payload":${payloadJson}}}`;
  const created = await kubectl(["create", "-f", "-"], { input: body });
  expect(created.code, created.stderr).toBe(0);
}

async function waitFinished(name: string): Promise<Job> {
  await waitFor(
    `${name} finished`,
    async () => ["Succeeded", "Failed"].includes((await get(name)).status?.phase ?? ""),
    20_000,
    async () => `${name}: ${JSON.stringify({ ...(await get(name)).status, result: undefined })}`,
  );
  return get(name);
}

beforeAll(async () => {
  const [tenant, system] = await Promise.all([createNamespace("jobs-hostile"), createNamespace("jobs-hostile-system")]);
  ns = tenant;
  policy = `refuse-results-${ns}`;
  // A policy of the cluster's own that refuses some results, bound to this test's namespace only.
  const manifests = [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: policy },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: [{ apiGroups: ["helios.dev"], apiVersions: ["v1alpha1"], operations: ["UPDATE"], resources: ["jobs/status"] }] },
        validations: [{ expression: `!has(object.status.result) || !('${REFUSED_KEY}' in object.status.result)`, message: "results may not carry refusedByPolicy" }],
      },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name: policy },
      spec: { policyName: policy, validationActions: ["Deny"], matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } } },
    },
  ];
  const applied = await kubectl(["apply", "-f", "-"], { input: manifests.map((m) => JSON.stringify(m)).join("\n---\n") });
  expect(applied.code, applied.stderr).toBe(0);
  operator = await startOperator([ns], system, { "agent-failure-threshold": "100" }, "hostile-payloads-operator");
  agent = createAgent({
    name: "worker",
    namespace: ns,
    maxConcurrency: 4,
    kubeConfig: kc,
    leaseDurationSeconds: 4,
    handlers: { ...builtinHandlers(), refused: () => Promise.resolve({ [REFUSED_KEY]: true }) },
    log: fileLogger(`agent-${ns}-worker`, "warn"),
  });
  await agent.start();
  await waitReady(c, ns, ["worker"]);
}, 120_000);

afterAll(async () => {
  await agent?.drain(0);
  await operator?.stop();
  await kubectl(["delete", "validatingadmissionpolicybinding,validatingadmissionpolicy", policy, "--ignore-not-found"]);
});

describe("the agent never drops an attempt silently", () => {
  it("runs a job whose payload nests 5 000 deep: its status writes carry no payload", async () => {
    await createJob("deep-sleep", "sleep", `{"duration":"10ms","junk":${nestedJson(DEPTH)}}`);
    const job = await waitFinished("deep-sleep");
    expect(job.status).toMatchObject({ phase: "Succeeded", result: { sleptMs: 10 } });
  });

  it("fails a job whose result would nest 5 000 deep as ResultTooLarge, at once", async () => {
    await createJob("deep-echo", "echo", `{"message":${nestedJson(DEPTH)}}`);
    const job = await waitFinished("deep-echo");
    expect(job.status).toMatchObject({ phase: "Failed", lastError: { reason: "ResultTooLarge", terminal: true } });
    expect(job.status?.lastError?.message).toContain("nests more than 32 levels deep");
    expect(job.status?.attempts?.map((a) => a.outcome)).toEqual(["Failed"]);
  });

  it("reports a result the apiserver refuses as a StatusRejected failure, at once", async () => {
    await createJob("refused", "refused", "{}");
    const job = await waitFinished("refused");
    expect(job.status).toMatchObject({ phase: "Failed", lastError: { reason: "StatusRejected", terminal: true } });
    expect(job.status?.lastError?.message).toContain("results may not carry refusedByPolicy");
    expect(job.status?.result).toBeUndefined();
    expect(findCondition(job.status?.conditions, "Failed")).toMatchObject({ status: "True", reason: "StatusRejected" });
  });
});
