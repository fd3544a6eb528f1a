// Control flags steering a running operator and agents on the real apiserver, without restarts:
// pause within a second and resume, kill switch per job type (blocks and aborts), concurrency caps,
// dispatch delay, and a fractional rollout evaluated per agent.
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CONTROL_FLAG_KEYS, FEATURE_FLAG_TYPE, JOB_TYPE, type FeatureFlag, type FeatureFlagSpec, type Job, type JobSpec } from "../../../src/api/index.js";
import { builtinHandlers, createAgent, type HeliosAgent } from "../../../src/agent/index.js";
import { buildOperator } from "../../../src/cli/commands/operator.js";
import type { ControlFlags } from "../../../src/api/index.js";
import { FlagSet, toEvaluationContext, watchControlFlags } from "../../../src/flags/index.js";
import { ResourceClient, Transport } from "../../../src/runtime/client/index.js";
import { resolveOperatorConfig } from "../../../src/runtime/config/index.js";
import { silentLogger } from "../../../src/runtime/log/index.js";
import { createNamespace, kubeConfig, kubectl } from "../support/cluster.js";
import { applyFlagOk, booleanSpec, eventually, numberSpec } from "./support.js";

const ACTIVE = new Set(["Assigned", "Running"]);
/** The operator's log for a failing run (git-ignored). */
const LOG_DIR = join(process.cwd(), ".helios", "test-logs", "flags");
const FRACTIONAL_CAP: FeatureFlagSpec = { state: "ENABLED", variants: { none: 0, four: 4 }, defaultVariant: "four", targeting: { fractional: [["none", 50], ["four", 50]] } };

describe("control flags steer dispatch and agents live", () => {
  const stop = new AbortController();
  const transport = new Transport(kubeConfig());
  const jobs = new ResourceClient<Job>(transport, JOB_TYPE);
  const agents: HeliosAgent[] = [];
  let ns: string;
  let opNs: string;
  let control: ControlFlags;
  let operator: Promise<void>;
  let flagsRunning: Promise<void>;
  let seq = 0;

  const spec = (type: string, payload: Record<string, unknown> = {}, queue = "default"): JobSpec => ({
    type,
    payload,
    priority: "normal",
    queue,
    retry: { maxRetries: 3, backoffSeconds: 1, maxBackoffSeconds: 5 },
  });
  const submit = async (jobSpec: JobSpec): Promise<string> => {
    const name = `job-${++seq}`;
    await jobs.create({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name, namespace: ns }, spec: jobSpec });
    return name;
  };
  const get = (name: string): Promise<Job> => jobs.get({ namespace: ns, name });
  const featureFlags = new ResourceClient<FeatureFlag>(transport, FEATURE_FLAG_TYPE);
  /**
   * The operator has the flag's current version: its featureflag controller judged it, off the same
   * informer the dispatcher's control flags read (the agents' own watch may be ahead of it).
   */
  const operatorSees = (key: string): Promise<true> =>
    eventually(`${key} judged by the operator`, async () => {
      const flag = await featureFlags.get({ namespace: opNs, name: key });
      const valid = flag.status?.conditions?.some((c) => c.type === "Valid" && c.status === "True") === true;
      return valid && flag.status?.observedGeneration === flag.metadata.generation ? true : undefined;
    });
  const blockedReason = (job: Job): string | undefined => job.status?.conditions?.find((c) => c.type === "Blocked" && c.status === "True")?.reason;
  const startAgent = async (name: string, queues: string[], maxConcurrency: number): Promise<HeliosAgent> => {
    const agent = createAgent({ name, namespace: ns, queues, maxConcurrency, handlers: builtinHandlers(), kubeConfig: kubeConfig(), flags: control, log: silentLogger() });
    await agent.start(stop.signal);
    agents.push(agent);
    return agent;
  };

  beforeAll(async () => {
    [ns, opNs] = await Promise.all([createNamespace("flags-live"), createNamespace("flags-live-op")]);
    const config = resolveOperatorConfig({ namespace: [ns, opNs], operatorNamespace: opNs, metricsBindAddress: "0", healthProbeBindAddress: "0" }, {});
    mkdirSync(LOG_DIR, { recursive: true });
    const log = pino({ level: "info" }, createWriteStream(join(LOG_DIR, "operator.log"), { flags: "a" }));
    operator = buildOperator(config, kubeConfig(), log).start(stop.signal);
    // Agents read control flags the way `helios agent` should: a watch of the operator namespace only.
    const watched = watchControlFlags(new Transport(kubeConfig()), { operatorNamespace: opNs });
    control = watched.flags;
    flagsRunning = watched.informer.start(stop.signal);
    expect(await watched.informer.waitForSync(stop.signal)).toBe(true);
    for (let i = 0; i < 4; i++) await startAgent(`worker-${i}`, ["default"], 4);
  });

  afterEach(async () => {
    const deleted = await kubectl(["delete", "hflag", "--all", "-n", opNs]);
    expect(deleted.code, deleted.stderr).toBe(0);
    await eventually("neutral control flags", () =>
      !control.dispatchPaused() && !control.killSwitch({ jobType: "sleep" }) && control.agentMaxConcurrency({ agent: "worker-0" }) === undefined && control.dispatchDelayMs() === 0
        ? true
        : undefined,
    );
  });

  afterAll(async () => {
    stop.abort();
    await Promise.all([operator, flagsRunning, ...agents.map((a) => a.stopped)]);
    await kubectl(["delete", "namespace", ns, opNs, "--wait=false"]);
  });

  it("pausing stops new assignments within a second; resuming assigns them again", async () => {
    await applyFlagOk(opNs, CONTROL_FLAG_KEYS.dispatchPaused, booleanSpec(true));
    const appliedAt = Date.now();
    // The contract: one second after the flip, nothing new is assigned.
    await eventually("one second after the flip", () => (Date.now() - appliedAt >= 1_000 ? true : undefined), 2_000);
    const names = [await submit(spec("echo", { message: "a" })), await submit(spec("echo", { message: "b" }))];
    for (const name of names) {
      const job = await eventually(`${name} Blocked by DispatchPaused`, async () => {
        const j = await get(name);
        return blockedReason(j) === "DispatchPaused" ? j : undefined;
      });
      expect(job.status?.assignedAgent).toBeUndefined();
      expect(job.status?.phase ?? "Pending").toBe("Pending");
    }

    await applyFlagOk(opNs, CONTROL_FLAG_KEYS.dispatchPaused, booleanSpec(false));
    for (const name of names) {
      const done = await eventually(`${name} Succeeded after resume`, async () => {
        const j = await get(name);
        return j.status?.phase === "Succeeded" ? j : undefined;
      });
      expect(blockedReason(done)).toBeUndefined();
    }
  });

  it("a tenant's flags named like control keys do not steer dispatch", async () => {
    await applyFlagOk(ns, CONTROL_FLAG_KEYS.dispatchPaused, booleanSpec(true));
    await applyFlagOk(ns, CONTROL_FLAG_KEYS.jobKillSwitch, booleanSpec(true));
    // The operator has seen both (its featureflag controller judged them) before the job arrives.
    for (const key of [CONTROL_FLAG_KEYS.dispatchPaused, CONTROL_FLAG_KEYS.jobKillSwitch]) {
      await eventually(`${key} judged in the tenant namespace`, async () => {
        const valid = await kubectl(["get", "hflag", key, "-n", ns, "-o", 'jsonpath={.status.conditions[?(@.type=="Valid")].status}']);
        return valid.stdout === "True" ? true : undefined;
      });
    }
    try {
      const name = await submit(spec("echo", { message: "tenant flags ignored" }));
      const done = await eventually(`${name} Succeeded`, async () => {
        const j = await get(name);
        return j.status?.phase === "Succeeded" ? j : undefined;
      });
      expect(blockedReason(done)).toBeUndefined();
    } finally {
      const deleted = await kubectl(["delete", "hflag", "--all", "-n", ns]);
      expect(deleted.code, deleted.stderr).toBe(0);
    }
  });

  it("a kill switch targeted at one job type blocks only that type and aborts its running jobs", async () => {
    const running = await submit(spec("sleep", { duration: "60s" }));
    await eventually(`${running} Running`, async () => ((await get(running)).status?.phase === "Running" ? true : undefined));

    await applyFlagOk(opNs, CONTROL_FLAG_KEYS.jobKillSwitch, booleanSpec(false, { targeting: { if: [{ "==": [{ var: "jobType" }, "sleep"] }, "on", null] } }));
    const aborted = await eventually(`${running} taken back and Blocked by KillSwitch`, async () => {
      const j = await get(running);
      return j.status?.phase === "Pending" && blockedReason(j) === "KillSwitch" ? j : undefined;
    });
    expect(aborted.status?.assignedAgent).toBeUndefined();

    const blocked = await submit(spec("sleep", { duration: "100ms" }));
    const echo = await submit(spec("echo", { message: "still flowing" }));
    await eventually(`${echo} Succeeded`, async () => ((await get(echo)).status?.phase === "Succeeded" ? true : undefined));
    const stillBlocked = await eventually(`${blocked} Blocked by KillSwitch`, async () => {
      const j = await get(blocked);
      return blockedReason(j) === "KillSwitch" ? j : undefined;
    });
    expect(stillBlocked.status?.assignedAgent).toBeUndefined();

    await kubectl(["delete", "hflag", CONTROL_FLAG_KEYS.jobKillSwitch, "-n", opNs]);
    await eventually(`${blocked} Succeeded once the switch is off`, async () => ((await get(blocked)).status?.phase === "Succeeded" ? true : undefined));
    await jobs.mergePatch({ namespace: ns, name: running }, { spec: { cancel: true } });
  });

  it("caps agent concurrency and queue in-flight without a restart", async () => {
    await applyFlagOk(opNs, CONTROL_FLAG_KEYS.agentMaxConcurrency, numberSpec(1));
    await applyFlagOk(opNs, CONTROL_FLAG_KEYS.queueMaxInflight, numberSpec(2));
    await eventually("caps visible to agents", () => (control.agentMaxConcurrency({ agent: "worker-0" }) === 1 ? true : undefined));
    await operatorSees(CONTROL_FLAG_KEYS.agentMaxConcurrency);
    await operatorSees(CONTROL_FLAG_KEYS.queueMaxInflight);
    const names: string[] = [];
    for (let i = 0; i < 6; i++) names.push(await submit(spec("sleep", { duration: "700ms" })));
    let peakInflight = 0;
    let peakPerAgent = 0;
    await eventually("all capped jobs Succeeded", async () => {
      const list = (await jobs.list({ namespace: ns })).items.filter((j) => names.includes(j.metadata.name ?? ""));
      const active = list.filter((j) => ACTIVE.has(j.status?.phase ?? ""));
      peakInflight = Math.max(peakInflight, active.length);
      const perAgent = new Map<string, number>();
      for (const j of active) perAgent.set(j.status?.assignedAgent ?? "", (perAgent.get(j.status?.assignedAgent ?? "") ?? 0) + 1);
      peakPerAgent = Math.max(peakPerAgent, ...perAgent.values(), 0);
      return list.every((j) => j.status?.phase === "Succeeded") ? true : undefined;
    }, 30_000);
    expect(peakInflight).toBeGreaterThan(0);
    expect(peakInflight).toBeLessThanOrEqual(2);
    expect(peakPerAgent).toBeLessThanOrEqual(1);
  });

  it("delays assignment by helios-dispatch-delay-ms, and stops delaying when set to 0", async () => {
    await applyFlagOk(opNs, CONTROL_FLAG_KEYS.dispatchDelayMs, numberSpec(3_000));
    await eventually("delay visible", () => (control.dispatchDelayMs() === 3_000 ? true : undefined));
    await operatorSees(CONTROL_FLAG_KEYS.dispatchDelayMs);
    const createdAt = Date.now();
    const delayed = await submit(spec("echo", { message: "later" }));
    await eventually(`${delayed} assigned`, async () => ((await get(delayed)).status?.assignedAgent ? true : undefined), 15_000);
    // creationTimestamp has second precision, so the operator may count from up to 1 s earlier.
    expect(Date.now() - createdAt).toBeGreaterThanOrEqual(2_000);

    // Set to 0 rather than deleted: a new generation the operator's judgment can be awaited on.
    await applyFlagOk(opNs, CONTROL_FLAG_KEYS.dispatchDelayMs, numberSpec(0));
    await eventually("no delay", () => (control.dispatchDelayMs() === 0 ? true : undefined));
    await operatorSees(CONTROL_FLAG_KEYS.dispatchDelayMs);
    const start = Date.now();
    const prompt = await submit(spec("echo", { message: "now" }));
    await eventually(`${prompt} assigned`, async () => ((await get(prompt)).status?.assignedAgent ? true : undefined));
    expect(Date.now() - start).toBeLessThan(2_000);
  });

  it("applies a fractional rollout per agent: agents bucketed to a zero cap get no work", async () => {
    // Pick agent names on both sides of the 50/50 split with the same evaluator the operator uses.
    const preview = new FlagSet();
    preview.apply({ apiVersion: "helios.dev/v1alpha1", kind: "FeatureFlag", metadata: { name: CONTROL_FLAG_KEYS.agentMaxConcurrency, generation: 1 }, spec: FRACTIONAL_CAP });
    const capOf = (agent: string): number => preview.resolve("number", CONTROL_FLAG_KEYS.agentMaxConcurrency, -1, toEvaluationContext({ agent })).value;
    const candidates = Array.from({ length: 40 }, (_, i) => `rollout-${i}`);
    const zero = candidates.filter((a) => capOf(a) === 0).slice(0, 2);
    const four = candidates.filter((a) => capOf(a) === 4).slice(0, 2);
    expect(zero).toHaveLength(2);
    expect(four).toHaveLength(2);

    await applyFlagOk(opNs, CONTROL_FLAG_KEYS.agentMaxConcurrency, FRACTIONAL_CAP);
    await eventually("rollout visible", () => (control.agentMaxConcurrency({ agent: zero[0] ?? "" }) === 0 ? true : undefined));
    for (const name of [...zero, ...four]) await startAgent(name, ["rollout"], 4);
    const names: string[] = [];
    for (let i = 0; i < 8; i++) names.push(await submit(spec("echo", { message: `r${i}` }, "rollout")));
    const done = await eventually("rollout jobs Succeeded", async () => {
      const list = (await jobs.list({ namespace: ns })).items.filter((j) => names.includes(j.metadata.name ?? ""));
      return list.length === names.length && list.every((j) => j.status?.phase === "Succeeded") ? list : undefined;
    }, 30_000);
    const ranOn = new Set(done.flatMap((j) => (j.status?.attempts ?? []).map((a) => a.agent)));
    for (const agent of zero) expect(ranOn.has(agent), `${agent} is capped at 0`).toBe(false);
    expect([...ranOn].every((a) => four.includes(a ?? ""))).toBe(true);
  });
});
