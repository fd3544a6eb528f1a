// pause/resume decide their patch purely: the default variant that serves the wanted value.
import { describe, expect, it } from "vitest";
import { dispatchPausedPatch, evaluateDispatchPaused } from "../../../../src/cli/kube/index.js";
import type { FeatureFlag } from "../../../../src/api/index.js";

const flag = (spec: FeatureFlag["spec"]): FeatureFlag => ({
  apiVersion: "helios.dev/v1alpha1",
  kind: "FeatureFlag",
  metadata: { name: "helios-dispatch-paused", namespace: "helios-system", generation: 1, uid: "u" },
  spec,
});

describe("dispatchPausedPatch", () => {
  it("points the default variant at the variant holding the wanted value and enables the flag", () => {
    const spec = { state: "DISABLED" as const, variants: { yes: true, no: false }, defaultVariant: "no" };
    expect(dispatchPausedPatch(spec, true)).toEqual({ state: "ENABLED", defaultVariant: "yes" });
    expect(dispatchPausedPatch(spec, false)).toEqual({ state: "ENABLED", defaultVariant: "no" });
  });

  it("adds a variant when none has the value, without clobbering an existing name", () => {
    expect(dispatchPausedPatch({ state: "ENABLED", variants: { off: false }, defaultVariant: "off" }, true)).toEqual({
      state: "ENABLED",
      defaultVariant: "on",
      variants: { on: true },
    });
    expect(dispatchPausedPatch({ state: "ENABLED", variants: { off: false, on: "weird" }, defaultVariant: "off" }, true)).toEqual({
      state: "ENABLED",
      defaultVariant: "paused",
      variants: { paused: true },
    });
  });

  it("gives a spec that the evaluator then serves as the wanted value", () => {
    for (const paused of [true, false]) {
      const spec = { state: "DISABLED" as const, variants: { off: false }, defaultVariant: "off" };
      const patch = dispatchPausedPatch(spec, paused);
      const variants = { ...spec.variants, ...(patch["variants"] as object | undefined) };
      const next = { ...spec, ...patch, variants } as FeatureFlag["spec"];
      expect(evaluateDispatchPaused(flag(next)).paused).toBe(paused);
    }
  });

  it("evaluates targeting as the operator does, with an empty context", () => {
    const targeted = flag({ state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "off", targeting: { if: [true, "on", "off"] } });
    expect(evaluateDispatchPaused(targeted)).toEqual({ paused: true, variant: "on", targeted: true });
  });
});
