// featureflag decisions and reconciler, over an in-memory cache, a real flag store and a recording writer.
import { describe, expect, it } from "vitest";
import type { FeatureFlag, FeatureFlagStatus } from "../../../../src/api/index.js";
import type { AuditRecord } from "../../../../src/audit/sink.js";
import { decideFlagStatus, FeatureFlagReconciler } from "../../../../src/controllers/featureflag/index.js";
import { FlagStore } from "../../../../src/flags/index.js";
import { Store } from "../../../../src/runtime/cache/index.js";
import { ConflictError, type WriteOutcome } from "../../../../src/runtime/client/index.js";
import { silentLogger } from "../../../../src/runtime/log/index.js";
import { booleanFlag, flagObject, numberFlag, REFUSED_FLAG } from "../../flags/support.js";
import { awaitChange, retryWithBackoff } from "../../../../src/runtime/reconcile/index.js";

const NOW = new Date("2030-01-01T00:00:00Z");
const MIXED = REFUSED_FLAG;

function stateOf(flag: FeatureFlag, store = new FlagStore()) {
  store.onAdd(flag);
  const state = store.state(flag.metadata.namespace ?? "", flag.metadata.name ?? "");
  if (!state) throw new Error("no state");
  return state;
}

describe("decideFlagStatus", () => {
  it("marks a valid flag Valid=True, records its default value and the definition as last valid", () => {
    const flag = flagObject("f", numberFlag(4), { generation: 3 });
    const { status, announce } = decideFlagStatus(flag, stateOf(flag), NOW);
    expect(status).toMatchObject({
      observedGeneration: 3,
      defaultValue: 4,
      lastValid: { generation: 3, spec: numberFlag(4) },
      conditions: [{ type: "Valid", status: "True", reason: "Accepted", observedGeneration: 3 }],
    });
    expect(announce).toMatchObject({ type: "Normal", reason: "FlagChanged" });
  });

  it("says the last valid definition keeps serving when the new one is invalid", () => {
    const store = new FlagStore();
    stateOf(flagObject("f", numberFlag(4), { generation: 1 }), store);
    const bad = flagObject("f", MIXED, { generation: 2 });
    const { status, announce } = decideFlagStatus(bad, stateOf(bad, store), NOW);
    const valid = status.conditions?.[0];
    expect(valid).toMatchObject({ type: "Valid", status: "False", reason: "InvalidDefinition", observedGeneration: 2 });
    expect(valid?.message).toContain("Invalid targeting configuration for flag 'f'");
    expect(valid?.message).toContain("The last valid definition (generation 1) keeps serving until a valid one replaces it.");
    expect(status).toMatchObject({ observedGeneration: 2, defaultValue: 4, lastValid: { generation: 1 } });
    expect(announce).toMatchObject({ type: "Warning", reason: "FlagInvalid" });
  });

  it("serves what flagd's schema only warns about, with the warning on Valid=True", () => {
    const flag = flagObject("f", { state: "ENABLED", variants: { on: true, off: "no" }, defaultVariant: "on" });
    const { status, announce } = decideFlagStatus(flag, stateOf(flag), NOW);
    const valid = status.conditions?.[0];
    expect(valid).toMatchObject({ type: "Valid", status: "True", reason: "AcceptedWithWarnings" });
    expect(valid?.message).toContain("all variants must have one type");
    expect(status.defaultValue).toBe(true);
    expect(announce).toMatchObject({ type: "Normal", verdict: "AcceptedWithWarnings" });
  });

  it("marks both objects claiming one key: the one serving it KeyShared, the other KeyConflict", () => {
    const store = new FlagStore();
    const owner = flagObject("checkout", numberFlag(1));
    const other = flagObject("checkout-copy", { key: "checkout", ...numberFlag(2) });
    store.onAdd(owner);
    store.onAdd(other);
    const claimants = store.claimants("helios-system", "checkout");
    expect(claimants).toEqual(["checkout", "checkout-copy"]);
    const served = decideFlagStatus(owner, stateOf(owner, store), NOW, claimants).status.conditions?.[0];
    expect(served).toMatchObject({ status: "True", reason: "KeyShared" });
    expect(served?.message).toContain('FeatureFlag checkout-copy also claims key "checkout" and serves nothing.');
    const shadowed = decideFlagStatus(other, stateOf(other, store), NOW, claimants);
    expect(shadowed.status.conditions?.[0]).toMatchObject({ status: "False", reason: "KeyConflict" });
    expect(shadowed.status.conditions?.[0]?.message).toContain('Key "checkout" is served by FeatureFlag checkout');
    expect(shadowed.announce).toMatchObject({ type: "Warning", verdict: "KeyConflict" });
  });

  it("says nothing serves when the flag was never valid", () => {
    const bad = flagObject("f", booleanFlag(true, { targeting: { nope: 1 } }));
    const { status } = decideFlagStatus(bad, stateOf(bad), NOW);
    expect(status.conditions?.[0]?.message).toContain("No valid definition exists yet");
    expect(status.defaultValue).toBeUndefined();
    expect(status.lastValid).toBeUndefined();
  });

  it("is idempotent: the decided status decides itself again, with nothing to announce", () => {
    const flag = flagObject("f", booleanFlag(true));
    const first = decideFlagStatus(flag, stateOf(flag), NOW);
    const written = flagObject("f", booleanFlag(true), { status: first.status });
    const again = decideFlagStatus(written, stateOf(written), new Date(NOW.getTime() + 60_000));
    expect(again.status).toEqual(first.status);
    expect(again.announce).toBeUndefined();
  });
});

interface Harness {
  readonly cache: Store<FeatureFlag>;
  readonly store: FlagStore;
  readonly writes: FeatureFlagStatus[];
  readonly events: string[];
  readonly audit: AuditRecord[];
  outcome: "written" | "conflict";
  readonly reconciler: FeatureFlagReconciler;
}

function harness(): Harness {
  const h: Omit<Harness, "reconciler"> & { outcome: "written" | "conflict" } = {
    cache: new Store<FeatureFlag>(),
    store: new FlagStore(),
    writes: [],
    events: [],
    audit: [],
    outcome: "written",
  };
  const reconciler = new FeatureFlagReconciler({
    flags: h.cache,
    store: h.store,
    statusWriter: {
      updateStatus: (obj: FeatureFlag, status: FeatureFlagStatus): Promise<WriteOutcome<FeatureFlag>> => {
        h.writes.push(status);
        if (h.outcome === "conflict") return Promise.resolve({ outcome: "conflict", error: new ConflictError({ message: "the object has been modified", status: 409, reason: "Conflict" }) });
        return Promise.resolve({ outcome: "written", object: { ...obj, status } });
      },
    },
    events: { event: (_obj, type, reason, _action, note) => h.events.push(`${type} ${reason}: ${note}`) },
    audit: { record: (entry) => h.audit.push(entry) },
    clock: { now: () => NOW.getTime() },
  });
  return Object.assign(h, { reconciler });
}

const ctx = { signal: new AbortController().signal, log: silentLogger(), reconcileId: "r1" };

function put(h: Harness, flag: FeatureFlag): void {
  h.cache.upsert(flag);
  h.store.onAdd(flag);
}

describe("FeatureFlagReconciler", () => {
  it("writes status, then announces with an Event and a flag-changed audit entry", async () => {
    const h = harness();
    put(h, flagObject("f", booleanFlag(true), { namespace: "team-a" }));
    expect(await h.reconciler.reconcile({ namespace: "team-a", name: "f" }, ctx)).toEqual(awaitChange());
    expect(h.writes).toHaveLength(1);
    expect(h.events).toEqual([expect.stringMatching(/^Normal FlagChanged: Generation 1 serves/)]);
    expect(h.audit).toEqual([
      expect.objectContaining({ namespace: "team-a", action: "flag-changed", kind: "FeatureFlag", name: "f", uid: "uid-f", reason: "Accepted" }),
    ]);
  });

  it("requeues on conflict without announcing", async () => {
    const h = harness();
    h.outcome = "conflict";
    put(h, flagObject("f", MIXED));
    expect(await h.reconciler.reconcile({ namespace: "helios-system", name: "f" }, ctx)).toEqual(retryWithBackoff());
    expect(h.events).toEqual([]);
    expect(h.audit).toEqual([]);
  });

  it("waits for the flag store to take in the version the cache shows", async () => {
    const h = harness();
    h.cache.upsert(flagObject("f", booleanFlag(true)));
    expect(await h.reconciler.reconcile({ namespace: "helios-system", name: "f" }, ctx)).toMatchObject({ next: "requeueAfter" });
    expect(h.writes).toEqual([]);
  });

  it("writes nothing for a flag it never saw", async () => {
    const h = harness();
    expect(await h.reconciler.reconcile({ namespace: "helios-system", name: "gone" }, ctx)).toEqual(awaitChange());
    expect(h.writes).toEqual([]);
    expect(h.audit).toEqual([]);
  });

  it("audits a deleted flag once, with the uid it had", async () => {
    const h = harness();
    const flag = flagObject("f", booleanFlag(true), { namespace: "team-a" });
    put(h, flag);
    await h.reconciler.reconcile({ namespace: "team-a", name: "f" }, ctx);
    h.cache.delete("team-a/f");
    for (let i = 0; i < 2; i++) expect(await h.reconciler.reconcile({ namespace: "team-a", name: "f" }, ctx)).toEqual(awaitChange());
    expect(h.writes).toHaveLength(1);
    expect(h.audit.map((e) => [e.action, e.reason, e.uid])).toEqual([
      ["flag-changed", "Accepted", "uid-f"],
      ["flag-changed", "Deleted", "uid-f"],
    ]);
  });
});
