// ControlFlags over the store: operator namespace only, neutral values, typed caps, change signals.
import { describe, expect, it } from "vitest";
import { CONTROL_FLAG_KEYS } from "../../../src/api/index.js";
import { FlagStore, StoreControlFlags } from "../../../src/flags/index.js";
import { booleanFlag, flagObject, numberFlag } from "./support.js";

const OPERATOR_NS = "helios-system";

function setup(): { store: FlagStore; flags: StoreControlFlags } {
  const store = new FlagStore();
  return { store, flags: new StoreControlFlags(store, OPERATOR_NS) };
}

describe("StoreControlFlags", () => {
  it("is neutral with no flags", () => {
    const { flags } = setup();
    expect(flags.dispatchPaused()).toBe(false);
    expect(flags.killSwitch({ jobType: "x" })).toBe(false);
    expect(flags.agentMaxConcurrency({ agent: "a" })).toBeUndefined();
    expect(flags.queueMaxInflight({ queue: "q" })).toBeUndefined();
    expect(flags.dispatchDelayMs()).toBe(0);
  });

  it("reads the operator namespace and ignores a tenant's flag of the same name", () => {
    const { store, flags } = setup();
    store.onAdd(flagObject(CONTROL_FLAG_KEYS.dispatchPaused, booleanFlag(true), { namespace: "tenant-a" }));
    store.onAdd(flagObject(CONTROL_FLAG_KEYS.jobKillSwitch, booleanFlag(true), { namespace: "tenant-a" }));
    expect(flags.dispatchPaused()).toBe(false);
    expect(flags.killSwitch({ namespace: "tenant-a" })).toBe(false);
    store.onAdd(flagObject(CONTROL_FLAG_KEYS.dispatchPaused, booleanFlag(true)));
    expect(flags.dispatchPaused()).toBe(true);
  });

  it("targets the kill switch at one job type", () => {
    const { store, flags } = setup();
    const targeting = { if: [{ "==": [{ var: "jobType" }, "report.generate"] }, "on", null] };
    store.onAdd(flagObject(CONTROL_FLAG_KEYS.jobKillSwitch, booleanFlag(false, { targeting })));
    expect(flags.killSwitch({ jobType: "report.generate" })).toBe(true);
    expect(flags.killSwitch({ jobType: "echo" })).toBe(false);
  });

  it("turns numbers into caps and delays, and anything unusable into no cap", () => {
    const { store, flags } = setup();
    store.onAdd(flagObject(CONTROL_FLAG_KEYS.agentMaxConcurrency, numberFlag(2.7)));
    store.onAdd(flagObject(CONTROL_FLAG_KEYS.queueMaxInflight, numberFlag(-1)));
    store.onAdd(flagObject(CONTROL_FLAG_KEYS.dispatchDelayMs, numberFlag(250)));
    expect(flags.agentMaxConcurrency({ agent: "a" })).toBe(2);
    expect(flags.queueMaxInflight({ queue: "q" })).toBeUndefined();
    expect(flags.dispatchDelayMs()).toBe(250);
    store.onUpdate(flagObject("x", {}), flagObject(CONTROL_FLAG_KEYS.queueMaxInflight, numberFlag(0), { generation: 2 }));
    expect(flags.queueMaxInflight({ queue: "q" })).toBe(0);
  });

  it("is neutral for disabled, mistyped and never-valid flags", () => {
    const { store, flags } = setup();
    store.onAdd(flagObject(CONTROL_FLAG_KEYS.dispatchPaused, booleanFlag(true, { state: "DISABLED" })));
    store.onAdd(flagObject(CONTROL_FLAG_KEYS.jobKillSwitch, numberFlag(1)));
    store.onAdd(flagObject(CONTROL_FLAG_KEYS.agentMaxConcurrency, booleanFlag(true)));
    store.onAdd(flagObject(CONTROL_FLAG_KEYS.dispatchDelayMs, numberFlag(5, { targeting: { nope: [1] } })));
    expect(flags.dispatchPaused()).toBe(false);
    expect(flags.killSwitch({})).toBe(false);
    expect(flags.agentMaxConcurrency({})).toBeUndefined();
    expect(flags.dispatchDelayMs()).toBe(0);
  });

  it("signals changes of control keys in the operator namespace only", () => {
    const { store, flags } = setup();
    let calls = 0;
    const unsubscribe = flags.onChange(() => (calls += 1));
    store.onAdd(flagObject(CONTROL_FLAG_KEYS.dispatchPaused, booleanFlag(true), { namespace: "tenant-a" }));
    store.onAdd(flagObject("app-feature", booleanFlag(true)));
    expect(calls).toBe(0);
    const paused = flagObject(CONTROL_FLAG_KEYS.dispatchPaused, booleanFlag(true));
    store.onAdd(paused);
    expect(calls).toBe(1);
    store.onUpdate(paused, paused);
    expect(calls).toBe(1);
    store.onDelete(paused);
    expect(calls).toBe(2);
    unsubscribe();
    store.onAdd(paused);
    expect(calls).toBe(2);
  });
});

describe("FlagStore", () => {
  it("keeps namespaces apart and can be limited to one", () => {
    const store = new FlagStore({ namespace: "team-a" });
    store.onAdd(flagObject("f", booleanFlag(true), { namespace: "team-a" }));
    store.onAdd(flagObject("f", booleanFlag(true), { namespace: "team-b" }));
    expect(store.resolve("team-a", "boolean", "f", false).value).toBe(true);
    expect(store.resolve("team-b", "boolean", "f", false)).toMatchObject({ value: false, errorCode: "FLAG_NOT_FOUND" });
  });

  it("survives a listener that throws", () => {
    const store = new FlagStore();
    const seen: string[][] = [];
    store.onChange(() => {
      throw new Error("boom");
    });
    store.onChange((change) => seen.push([...change.keys]));
    store.onAdd(flagObject("f", booleanFlag(true)));
    expect(seen).toEqual([["f"]]);
  });
});
