// Bad input through the front door: fast-check generates Jobs, Agents and FeatureFlags (specs and
// statuses, from plausible to absurd) and sends them to the real apiserver. Whatever the CRD schemas
// admit, the operator (a real `helios operator` process) must take without crashing or stalling:
// afterwards it is still running and ready, and a normal job still completes.
//
// Control flags are fuzzed too (in the operator's namespace) and then deleted, so the operator must
// also come back to neutral flags. The seed is printed; replay with HELIOS_FUZZ_SEED.
//
// Protection removed (HELIOS_CHAOS_UNPROTECTED=1): a private control plane whose CRDs keep anything
// (no schema, no CEL rules); the operator, which trusts what the apiserver admits, then crashes or
// stalls on the absurd objects, and the test asserts that it does.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_PHASES, AGENT_TYPE, CONTROL_FLAG_KEYS, FEATURE_FLAG_TYPE, JOB_PHASES, JOB_TYPE, PRIORITY_CLASSES, type Agent, type FeatureFlag, type Job } from "../../../src/api/index.js";
import { isApiError, ResourceClient, Transport, type KubeObject } from "../../../src/runtime/client/index.js";
import { cliPath, unprotected } from "../chaos/support/build.js";
import { startPrivatePlane, type PrivatePlane } from "../chaos/support/private-plane.js";
import { AgentProcess, CHAOS_LOG_DIR, OperatorProcess, waitUntil } from "../chaos/support/processes.js";
import { createNamespace, kubeConfig as sharedKubeConfig, kubeconfigPath as sharedKubeconfigPath } from "../support/cluster.js";

const RUNS = 200;
const withSchemas = !unprotected();
let plane: PrivatePlane | undefined;
let kubeconfigPath = "";
let jobs: ResourceClient<Job>;
let agents: ResourceClient<Agent>;
let flags: ResourceClient<FeatureFlag>;
const logDir = `${CHAOS_LOG_DIR}/fuzz-${new Date().toISOString().replace(/[:.]/g, "")}`;
let ns = "";
let system = "";
let operator: OperatorProcess | undefined;
let agent: AgentProcess | undefined;
const refusals: string[] = [];

const seed = Number(process.env["HELIOS_FUZZ_SEED"]) || Math.floor(Math.random() * 2 ** 31);

// Values from the schema's own vocabulary mixed with anything JSON can carry.
const json = fc.jsonValue({ maxDepth: 3 });
const dnsName = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?$/);
const someString = fc.oneof(
  { weight: 4, arbitrary: dnsName },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "-", "a".repeat(300)) },
);
const someInt = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 100 }) }, { weight: 1, arbitrary: fc.integer({ min: -10, max: 10 }) }, { weight: 1, arbitrary: fc.constantFrom(2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER) });
const time = fc.oneof(fc.date({ min: new Date("1970-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString().replace(/\.\d{3}Z$/, "Z")), someString);
/** Mostly the field's own kind of value, sometimes any JSON at all. */
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 15, arbitrary: arb }, { weight: 1, arbitrary: json });

// Specs the schema admits, pushed to its edges (bounds, past and far-future times, odd handlers).
const capability = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?$/);
const seconds = fc.oneof(fc.constantFrom(1, 2, 2_592_000), fc.integer({ min: 1, max: 2_592_000 }));
const admittedJobSpec = fc.record(
  {
    type: fc.oneof(fc.constantFrom("echo", "sleep", "fail", "exec", "no-handler"), capability),
    payload: fc.dictionary(fc.string({ maxLength: 10 }), json, { maxKeys: 64 }),
    priority: fc.constantFrom(...PRIORITY_CLASSES),
    queue: fc.oneof(fc.constant("default"), dnsName),
    requiredCapabilities: fc.uniqueArray(capability, { maxLength: 5 }),
    retry: fc.integer({ min: 1, max: 86_400 }).chain((backoff) => fc.record({ maxRetries: fc.integer({ min: 0, max: 100 }), backoffSeconds: fc.constant(backoff), maxBackoffSeconds: fc.integer({ min: backoff, max: 86_400 }) })),
    timeoutSeconds: seconds,
    maxQueueSeconds: seconds,
    notBefore: fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString().replace(/\.\d{3}Z$/, "Z")),
    ttlSecondsAfterFinished: fc.integer({ min: 0, max: 2_592_000 }),
    cancel: fc.boolean(),
  },
  { requiredKeys: ["type"] },
);

/** Payloads past every bound Helios clients check: nested deep (1 000: the test's own encoder runs in a worker's small stack; jobs/hostile-payloads sends 5 000 with kubectl), and 1 MB of JSON. */
const nested = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < depth; i++) value = { d: value };
  return value;
};
const hostilePayload = fc.constantFrom(nested(1_000), nested(33), { blob: "x".repeat(1_000_000) });
const absurdJobSpec = fc.record(
  {
    type: maybe(fc.oneof(fc.constantFrom("echo", "sleep", "fail", "exec", "no-handler"), someString)),
    payload: fc.oneof({ weight: 12, arbitrary: maybe(fc.dictionary(fc.string({ maxLength: 10 }), json, { maxKeys: 70 })) }, { weight: 1, arbitrary: hostilePayload }),
    priority: maybe(fc.oneof(fc.constantFrom(...PRIORITY_CLASSES), someString)),
    queue: maybe(fc.oneof(fc.constant("default"), someString)),
    requiredCapabilities: maybe(fc.array(someString, { maxLength: 40 })),
    agentSelector: maybe(fc.record({ matchLabels: fc.dictionary(someString, someString, { maxKeys: 3 }) }, { requiredKeys: [] })),
    retry: maybe(fc.record({ maxRetries: someInt, backoffSeconds: someInt, maxBackoffSeconds: someInt }, { requiredKeys: [] })),
    timeoutSeconds: maybe(someInt),
    maxQueueSeconds: maybe(someInt),
    notBefore: maybe(time),
    ttlSecondsAfterFinished: maybe(someInt),
    cancel: maybe(fc.boolean()),
  },
  { requiredKeys: [] },
);
const jobSpec = fc.oneof(admittedJobSpec, absurdJobSpec);

const attemptRecord = fc.record({ attempt: someInt, agent: someString, outcome: fc.oneof(fc.constantFrom("", "Succeeded", "Failed", "Released", "Requeued"), someString), assignedAt: time, reason: someString }, { requiredKeys: [] });
const jobStatus = fc.record(
  {
    phase: maybe(fc.oneof(fc.constantFrom(...JOB_PHASES), someString)),
    attempt: maybe(someInt),
    retries: maybe(someInt),
    assignedAgent: maybe(fc.oneof(fc.constantFrom("ghost", "canary"), someString)),
    assignedAt: maybe(time),
    startedAt: maybe(time),
    finishedAt: maybe(time),
    queuedAt: maybe(time),
    nextAttemptAt: maybe(time),
    attempts: maybe(fc.array(attemptRecord, { maxLength: 25 })),
    result: maybe(fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 5 })),
    lastError: maybe(fc.record({ reason: someString, message: someString })),
    progress: maybe(fc.record({ percent: fc.double(), message: someString, updatedAt: time }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

const admittedAgentSpec = fc.record(
  { capabilities: fc.uniqueArray(capability, { maxLength: 32 }), queues: fc.uniqueArray(dnsName, { minLength: 1, maxLength: 5 }), maxConcurrency: fc.integer({ min: 1, max: 1000 }), drain: fc.boolean() },
  { requiredKeys: [] },
);
const absurdAgentSpec = fc.record(
  { capabilities: maybe(fc.array(someString, { maxLength: 40 })), queues: maybe(fc.array(someString, { maxLength: 5 })), maxConcurrency: maybe(someInt), drain: maybe(fc.boolean()) },
  { requiredKeys: [] },
);
const agentSpec = fc.oneof(admittedAgentSpec, absurdAgentSpec);
const agentStatus = fc.record(
  { phase: maybe(fc.oneof(fc.constantFrom(...AGENT_PHASES), someString)), runningJobs: maybe(someInt), consecutiveFailures: maybe(someInt), quarantinedUntil: maybe(time), lastHeartbeatTime: maybe(time) },
  { requiredKeys: [] },
);

const variants = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), json, { minKeys: 1, maxKeys: 4 });
const flagSpec = fc.oneof(
  // Well-formed flags with random values and targeting, and anything else.
  variants.chain((v) =>
    fc.record({
      state: fc.constantFrom("ENABLED", "DISABLED"),
      variants: fc.constant(v),
      defaultVariant: fc.constantFrom(...Object.keys(v)),
      targeting: fc.oneof(fc.constant(undefined), json, fc.constant({ if: [{ "==": [{ var: "jobType" }, "echo"] }, Object.keys(v)[0], null] }), fc.constant({ fractional: [["a", 50], ["b", 50]] })),
    }),
  ),
  fc.record({ state: maybe(someString), variants: maybe(variants), defaultVariant: maybe(someString), targeting: json }, { requiredKeys: [] }),
);
const flagName = fc.oneof(fc.constantFrom(...Object.values(CONTROL_FLAG_KEYS)), dnsName);

/** Sends `obj`; the apiserver's refusal (400/422) is an answer too. Returns the stored object, if admitted. */
async function send<T extends KubeObject>(client: ResourceClient<T>, obj: T, status: unknown): Promise<"admitted" | "refused"> {
  let created: T;
  try {
    created = await client.create(obj);
  } catch (err) {
    if (isApiError(err, "Invalid") || isApiError(err, "BadRequest") || isApiError(err, "AlreadyExists")) {
      if (refusals.length < 12) refusals.push(err.message.slice(0, 200));
      return "refused";
    }
    throw err;
  }
  if (status !== undefined) {
    try {
      await client.replaceStatus({ ...created, status });
    } catch (err) {
      if (!isApiError(err, "Invalid") && !isApiError(err, "BadRequest") && !isApiError(err, "Conflict")) throw err;
    }
  }
  return "admitted";
}

beforeAll(async () => {
  if (!withSchemas) plane = await startPrivatePlane([], { permissiveCrds: true });
  kubeconfigPath = plane?.kubeconfigPath ?? sharedKubeconfigPath();
  const kc = plane?.kubeConfig ?? sharedKubeConfig();
  const transport = new Transport(kc);
  jobs = new ResourceClient<Job>(transport, JOB_TYPE);
  agents = new ResourceClient<Agent>(transport, AGENT_TYPE);
  flags = new ResourceClient<FeatureFlag>(transport, FEATURE_FLAG_TYPE);
  [ns, system] = await Promise.all([createNamespace("fuzz", kc), createNamespace("fuzz-sys", kc)]);
  const cli = cliPath();
  operator = await OperatorProcess.start({ name: "fuzz-operator", namespaces: [ns], operatorNamespace: system, kubeconfig: kubeconfigPath, cli, logDir, args: ["--job-ack-timeout", "5s"] });
  await operator.ready();
  // The canary agent serves only its own queue, so fuzzed jobs cannot fill its slots.
  agent = new AgentProcess({ name: "canary", namespace: ns, operatorNamespace: system, kubeconfig: kubeconfigPath, cli, logDir, maxConcurrency: 4, args: ["--queues", "canary"] }, "fuzz-agent");
  await agent.started();
}, 120_000);

afterAll(async () => {
  await agent?.kill();
  await operator?.kill();
  await plane?.stop();
});

describe("fuzzed Jobs, Agents and FeatureFlags on the real apiserver", () => {
  it("the operator survives whatever the schemas admit, and still completes a normal job", async () => {
    if (withSchemas) return survives();
    const failure = await survives().then(() => undefined, (err: unknown) => err);
    expect(failure, "without the CRD schemas the operator should crash or stall").toBeInstanceOf(Error);
    console.info(`[fuzz] without CRD schemas: ${failure instanceof Error ? failure.message.slice(0, 400) : ""}`);
  }, 150_000);
});

/** Sends the fuzzed objects, then checks the operator is alive, ready and still completing work; throws if not. */
async function survives(): Promise<void> {
  console.info(`[fuzz] seed ${seed} (replay with HELIOS_FUZZ_SEED=${seed})`);
  const counts = { admitted: 0, refused: 0 };
  const tally = (r: "admitted" | "refused"): void => void counts[r]++;
  const samples = {
    jobs: fc.sample(fc.tuple(jobSpec, fc.option(jobStatus, { nil: undefined })), { numRuns: RUNS, seed }),
    agents: fc.sample(fc.tuple(agentSpec, fc.option(agentStatus, { nil: undefined })), { numRuns: RUNS / 2, seed: seed + 1 }),
    flags: fc.sample(fc.tuple(flagName, flagSpec), { numRuns: RUNS / 2, seed: seed + 2 }),
  };
  // The fuzzed objects are deliberately NOT what the types say (that is the point), hence the casts.
  for (const [i, [spec, status]] of samples.jobs.entries()) {
    tally(await send(jobs, { apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name: `fuzz-${i}`, namespace: ns }, spec } as unknown as Job, status));
  }
  for (const [i, [spec, status]] of samples.agents.entries()) {
    tally(await send(agents, { apiVersion: "helios.dev/v1alpha1", kind: "Agent", metadata: { name: `fuzz-agent-${i}`, namespace: ns }, spec } as unknown as Agent, status));
  }
  for (const [i, [name, spec]] of samples.flags.entries()) {
    // Control flags live in the operator's namespace; a name already taken is refused (AlreadyExists).
    const key = Object.values(CONTROL_FLAG_KEYS).includes(name as never) ? name : `${name}-${i}`;
    for (const namespace of [system, ns]) tally(await send(flags, { apiVersion: "helios.dev/v1alpha1", kind: "FeatureFlag", metadata: { name: key, namespace }, spec } as unknown as FeatureFlag, undefined));
  }
  expect(counts.admitted, `some fuzzed objects were admitted: ${JSON.stringify(counts)}`).toBeGreaterThan(RUNS / 4);
  expect(counts.refused, `some were refused: ${JSON.stringify(counts)}`).toBeGreaterThan(0);
  console.info(`[fuzz] ${counts.admitted} objects admitted, ${counts.refused} refused by the apiserver, e.g.:\n${refusals.join("\n")}`);

  // Let the operator chew on them, then take the fuzzed control flags away.
  await new Promise((r) => setTimeout(r, 3000));
  for (const f of (await flags.list({ namespace: system })).items) await flags.delete({ namespace: system, name: f.metadata.name ?? "" });

  expect(operator?.running, "the operator process is alive").toBe(true);
  expect((await fetch(`http://127.0.0.1:${operator?.healthPort ?? 0}/readyz`)).status).toBe(200);
  await jobs.create({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name: "canary", namespace: ns }, spec: { type: "echo", queue: "canary", priority: "normal", payload: { message: "still here" }, retry: { maxRetries: 3, backoffSeconds: 1, maxBackoffSeconds: 1 } } });
  await waitUntil(
    "the canary job Succeeded",
    async () => (await jobs.get({ namespace: ns, name: "canary" })).status?.phase === "Succeeded",
    20_000,
  );
  expect((await jobs.get({ namespace: ns, name: "canary" })).status?.result).toEqual({ message: "still here" });
  expect(operator?.running).toBe(true);
  const crashes = operator?.lines.filter((l) => l["level"] === "fatal" || String(l["msg"]).includes("uncaught") || String(l["msg"]).includes("unhandled")) ?? [];
  expect(crashes.map((l) => JSON.stringify(l).slice(0, 300))).toEqual([]);
}
