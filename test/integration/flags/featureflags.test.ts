// FeatureFlags on the real apiserver: CRD refusals, Valid=False with the evaluator's message, the last
// valid definition serving (also in a process started later), tenant isolation of control flags,
// change signals within a second, Events and audit entries, spec.key claims, FeatureFlagSets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTROL_FLAG_KEYS, FEATURE_FLAG_SET_TYPE, FEATURE_FLAG_TYPE, type FeatureFlag, type FeatureFlagSet } from "../../../src/api/index.js";
import type { AuditRecord } from "../../../src/audit/sink.js";
import { createFeatureFlagController } from "../../../src/controllers/featureflag/index.js";
import { sharedFlagStore, StoreControlFlags, watchFlags, type FlagStore } from "../../../src/flags/index.js";
import { Informer } from "../../../src/runtime/cache/index.js";
import { EVENTS, ResourceClient, Transport, type KubeEvent } from "../../../src/runtime/client/index.js";
import { ApiEventRecorder } from "../../../src/runtime/events/index.js";
import { silentLogger } from "../../../src/runtime/log/index.js";
import { createNamespace, kubeConfig, kubectl } from "../support/cluster.js";
import { applyFlag, applyFlagOk, booleanSpec, eventually, flagManifest, MIXED_SPEC, numberSpec, REFUSED_SPEC } from "./support.js";

describe("FeatureFlags with the featureflag controller and the flag store", () => {
  const stop = new AbortController();
  const audit: AuditRecord[] = [];
  const transport = new Transport(kubeConfig());
  const client = new ResourceClient<FeatureFlag>(transport, FEATURE_FLAG_TYPE);
  let operatorNs: string;
  let tenantNs: string;
  let store: FlagStore;
  let control: StoreControlFlags;
  let running: Promise<unknown>;

  const validCondition = async (namespace: string, name: string, generation: number) =>
    eventually(`${namespace}/${name} Valid at generation ${generation}`, async () => {
      const flag = await client.get({ namespace, name });
      const valid = flag.status?.conditions?.find((c) => c.type === "Valid");
      return flag.status?.observedGeneration === generation && valid ? { flag, valid } : undefined;
    });

  beforeAll(async () => {
    operatorNs = await createNamespace("flags-op");
    tenantNs = await createNamespace("flags-tenant");
    // As in the operator: one informer over the watched namespaces, one store, control flags from the operator namespace.
    const informer = new Informer(client, { name: "informer/featureflags" });
    const flagSets = new Informer(new ResourceClient<FeatureFlagSet>(transport, FEATURE_FLAG_SET_TYPE), { name: "informer/featureflagsets" });
    store = sharedFlagStore(informer);
    flagSets.addEventHandler(store.flagSets);
    control = new StoreControlFlags(store, operatorNs);
    const log = silentLogger();
    const controller = createFeatureFlagController({
      flags: informer,
      flagSets,
      transport,
      events: new ApiEventRecorder(new ResourceClient<KubeEvent>(transport, EVENTS), { reportingController: "helios.dev/operator", reportingInstance: "test" }),
      audit: { record: (entry) => audit.push(entry) },
      log,
    });
    running = Promise.all([informer.start(stop.signal), flagSets.start(stop.signal), controller.start(stop.signal)]);
    expect(await informer.waitForSync(stop.signal)).toBe(true);
    expect(await flagSets.waitForSync(stop.signal)).toBe(true);
  });

  afterAll(async () => {
    stop.abort();
    await running;
  });

  it("lets the CRD refuse what its schema can say: a defaultVariant that is no variant, an unknown state", async () => {
    const missing = await applyFlag(tenantNs, "no-default", booleanSpec(true, { defaultVariant: "maybe" }));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("defaultVariant must name one of the keys of variants");
    const state = await applyFlag(tenantNs, "bad-state", booleanSpec(true, { state: "ON" }));
    expect(state.code).not.toBe(0);
    expect(state.stderr).toMatch(/spec\.state: Unsupported value: "ON"/);
  });

  it("serves mixed variant types with flagd's schema warning, marks unparsable targeting Valid=False with the evaluator's message, while other flags keep working", async () => {
    await applyFlagOk(tenantNs, "good", booleanSpec(true));
    await applyFlagOk(tenantNs, "mixed", MIXED_SPEC);
    await applyFlagOk(tenantNs, "bad-targeting", booleanSpec(true, { targeting: { nope: [1] } }));

    const mixed = await validCondition(tenantNs, "mixed", 1);
    expect(mixed.valid).toMatchObject({ status: "True", reason: "AcceptedWithWarnings" });
    expect(mixed.valid.message).toContain("all variants must have one type (boolean, string, number or object), found boolean, string");
    const targeting = await validCondition(tenantNs, "bad-targeting", 1);
    expect(targeting.valid).toMatchObject({ status: "False", reason: "InvalidDefinition" });
    expect(targeting.valid.message).toContain("No valid definition exists yet");
    expect(targeting.valid.message).toContain("Invalid targeting configuration for flag 'bad-targeting'");
    expect(targeting.valid.message).toContain("spec.targeting must NOT have additional properties 'nope'");

    const good = await validCondition(tenantNs, "good", 1);
    expect(good.valid).toMatchObject({ status: "True", reason: "Accepted" });
    expect(good.flag.status?.defaultValue).toBe(true);
    expect(store.resolve(tenantNs, "boolean", "good", false)).toMatchObject({ value: true, reason: "STATIC" });
    expect(store.resolve(tenantNs, "boolean", "mixed", false)).toMatchObject({ value: true, reason: "STATIC" });
    expect(store.resolve(tenantNs, "boolean", "bad-targeting", false)).toMatchObject({ value: false, errorCode: "PARSE_ERROR" });

    const printed = await kubectl(["get", "hflag", "-n", tenantNs, "--sort-by=.metadata.name"]);
    expect(printed.stdout).toMatch(/bad-targeting\s+ENABLED\s+False/);
    expect(printed.stdout).toMatch(/good\s+ENABLED\s+true\s+True/);
  });

  it("keeps serving the last valid definition, says so in status, and serves it in a process started later", async () => {
    await applyFlagOk(tenantNs, "limit", numberSpec(5));
    await validCondition(tenantNs, "limit", 1);
    await applyFlagOk(tenantNs, "limit", REFUSED_SPEC);
    const invalid = await validCondition(tenantNs, "limit", 2);
    expect(invalid.valid.status).toBe("False");
    expect(invalid.valid.message).toContain("The last valid definition (generation 1) keeps serving until a valid one replaces it.");
    expect(invalid.flag.status).toMatchObject({ defaultValue: 5, lastValid: { generation: 1, spec: numberSpec(5) } });
    expect(store.resolve(tenantNs, "number", "limit", 0).value).toBe(5);

    // A fresh process (an agent, a restarted operator) never saw generation 1: status.lastValid serves.
    const later = watchFlags(new Transport(kubeConfig()), { namespace: tenantNs });
    const laterStop = new AbortController();
    const laterRun = later.informer.start(laterStop.signal);
    try {
      expect(await later.informer.waitForSync(laterStop.signal)).toBe(true);
      expect(later.store.resolve(tenantNs, "number", "limit", 0)).toMatchObject({ value: 5, reason: "STATIC" });
    } finally {
      laterStop.abort();
      await laterRun;
    }

    await applyFlagOk(tenantNs, "limit", numberSpec(8));
    const fixed = await validCondition(tenantNs, "limit", 3);
    expect(fixed.valid.status).toBe("True");
    expect(fixed.flag.status).toMatchObject({ defaultValue: 8, lastValid: { generation: 3 } });
    expect(store.resolve(tenantNs, "number", "limit", 0).value).toBe(8);
  });

  it("serves any flagd key through spec.key, marks both objects claiming one key, and hands the key over when the server is deleted", async () => {
    const reasonOf = async (name: string, reason: string) =>
      eventually(`${name} Valid reason ${reason}`, async () => {
        const valid = (await client.get({ namespace: tenantNs, name })).status?.conditions?.find((c) => c.type === "Valid");
        return valid?.reason === reason ? valid : undefined;
      });
    await applyFlagOk(tenantNs, "checkout-a", { key: "Checkout_Flow", ...numberSpec(1) });
    await reasonOf("checkout-a", "Accepted");
    expect(store.resolve(tenantNs, "number", "Checkout_Flow", 0)).toMatchObject({ value: 1, reason: "STATIC" });
    await applyFlagOk(tenantNs, "checkout-b", { key: "Checkout_Flow", ...numberSpec(2) });
    const shadowed = await reasonOf("checkout-b", "KeyConflict");
    expect(shadowed.status).toBe("False");
    expect(shadowed.message).toContain('Key "Checkout_Flow" is served by FeatureFlag checkout-a');
    expect((await reasonOf("checkout-a", "KeyShared")).message).toContain("FeatureFlag checkout-b also claims key");
    expect(store.resolve(tenantNs, "number", "Checkout_Flow", 0).value).toBe(1);

    expect((await kubectl(["delete", "hflag", "checkout-a", "-n", tenantNs])).code).toBe(0);
    await reasonOf("checkout-b", "Accepted");
    await eventually("checkout-b serving Checkout_Flow", () => (store.resolve<number>(tenantNs, "number", "Checkout_Flow", 0).value === 2 ? true : undefined));
  });

  it("evaluates flags within their namespace's FeatureFlagSet: a $ref waits for its evaluator, metadata and context apply", async () => {
    const reasonOf = async (name: string, reason: string) =>
      eventually(`${name} Valid reason ${reason}`, async () => {
        const valid = (await client.get({ namespace: tenantNs, name })).status?.conditions?.find((c) => c.type === "Valid");
        return valid?.reason === reason ? valid : undefined;
      });
    await applyFlagOk(tenantNs, "pro-only", booleanSpec(false, { targeting: { if: [{ $ref: "is_pro" }, "on", null] }, metadata: { team: "web" } }));
    expect((await reasonOf("pro-only", "InvalidDefinition")).message).toContain("Invalid targeting configuration for flag 'pro-only'");
    const set = { apiVersion: "helios.dev/v1alpha1", kind: "FeatureFlagSet", metadata: { name: "shared", namespace: tenantNs } };
    const spec = { evaluators: { is_pro: { "==": [{ var: "plan" }, "pro"] } }, metadata: { team: "platform", env: "prod" }, context: { plan: "pro" } };
    const applied = await kubectl(["apply", "-f", "-"], { input: JSON.stringify({ ...set, spec }) });
    expect(applied.code, applied.stderr).toBe(0);
    await reasonOf("pro-only", "Accepted");
    expect(store.resolve(tenantNs, "boolean", "pro-only", false)).toMatchObject({ value: true, reason: "TARGETING_MATCH", flagMetadata: { team: "web", env: "prod" } });
    expect(store.resolve(tenantNs, "boolean", "pro-only", true, { plan: "free" })).toMatchObject({ value: false, reason: "DEFAULT" });
  });

  it("announces changes as Events and flag-changed audit entries", async () => {
    await validCondition(tenantNs, "limit", 3);
    const reasons = await eventually("FlagChanged and FlagInvalid events for limit", async () => {
      const events = await new ResourceClient<KubeEvent>(transport, EVENTS).list({ namespace: tenantNs });
      const found = events.items.filter((e) => e.regarding?.name === "limit").map((e) => e.reason);
      return found.includes("FlagChanged") && found.includes("FlagInvalid") ? found : undefined;
    });
    expect(reasons.filter((r) => r === "FlagInvalid")).toHaveLength(1);
    const entries = audit.filter((e) => e.namespace === tenantNs && e.name === "limit");
    expect(entries.map((e) => [e.action, e.reason])).toEqual([
      ["flag-changed", "Accepted"],
      ["flag-changed", "InvalidDefinition"],
      ["flag-changed", "Accepted"],
    ]);
  });

  it("audits a deletion once: evaluations fall back to the caller's default", async () => {
    await applyFlagOk(tenantNs, "doomed", booleanSpec(true));
    const { flag } = await validCondition(tenantNs, "doomed", 1);
    const deleted = await kubectl(["delete", "hflag", "doomed", "-n", tenantNs]);
    expect(deleted.code, deleted.stderr).toBe(0);
    const entries = await eventually("a Deleted audit entry for doomed", () => {
      const found = audit.filter((e) => e.namespace === tenantNs && e.name === "doomed");
      return found.some((e) => e.reason === "Deleted") ? found : undefined;
    });
    expect(entries.map((e) => [e.action, e.reason, e.uid])).toEqual([
      ["flag-changed", "Accepted", flag.metadata.uid],
      ["flag-changed", "Deleted", flag.metadata.uid],
    ]);
    expect(store.resolve(tenantNs, "boolean", "doomed", false).value).toBe(false);
  });

  it("ignores a tenant's flag named like a control key; the operator namespace's takes effect within a second", async () => {
    await applyFlagOk(tenantNs, CONTROL_FLAG_KEYS.dispatchPaused, booleanSpec(true));
    await applyFlagOk(tenantNs, CONTROL_FLAG_KEYS.jobKillSwitch, booleanSpec(true));
    await validCondition(tenantNs, CONTROL_FLAG_KEYS.jobKillSwitch, 1);
    expect(store.resolve(tenantNs, "boolean", CONTROL_FLAG_KEYS.dispatchPaused, false).value).toBe(true);
    expect(control.dispatchPaused()).toBe(false);
    expect(control.killSwitch({ namespace: tenantNs, jobType: "echo" })).toBe(false);

    let changedAt = 0;
    const unsubscribe = control.onChange(() => (changedAt ||= Date.now()));
    try {
      // Created with the API client, not kubectl: the bound is the watch's, not a process start's.
      const appliedAt = Date.now();
      await client.create(JSON.parse(flagManifest(operatorNs, CONTROL_FLAG_KEYS.dispatchPaused, booleanSpec(true))) as FeatureFlag);
      await eventually("dispatchPaused() to turn true", () => (control.dispatchPaused() ? true : undefined), 5_000);
      expect(changedAt).toBeGreaterThan(0);
      expect(changedAt - appliedAt).toBeLessThan(1_000);
      await applyFlagOk(operatorNs, CONTROL_FLAG_KEYS.dispatchPaused, booleanSpec(false));
      await eventually("dispatchPaused() to turn false", () => (control.dispatchPaused() ? undefined : true), 5_000);
    } finally {
      unsubscribe();
    }
  });

  it("serves control flags with the evaluation context: kill switch per job type, fractional caps over agents", async () => {
    await applyFlagOk(operatorNs, CONTROL_FLAG_KEYS.jobKillSwitch, booleanSpec(false, { targeting: { if: [{ "==": [{ var: "jobType" }, "report.generate"] }, "on", null] } }));
    await applyFlagOk(operatorNs, CONTROL_FLAG_KEYS.agentMaxConcurrency, {
      state: "ENABLED",
      variants: { low: 1, high: 4 },
      defaultVariant: "high",
      targeting: { fractional: [["low", 25], ["high", 75]] },
    });
    await eventually("kill switch for report.generate", () => (control.killSwitch({ jobType: "report.generate" }) ? true : undefined));
    expect(control.killSwitch({ jobType: "echo" })).toBe(false);
    await eventually("a concurrency cap", () => control.agentMaxConcurrency({ agent: "agent-0" }));
    const agents = Array.from({ length: 400 }, (_, i) => `agent-${i}`);
    const low = agents.filter((agent) => control.agentMaxConcurrency({ agent }) === 1).length;
    expect(low / agents.length).toBeGreaterThan(0.17);
    expect(low / agents.length).toBeLessThan(0.33);
  });
});
