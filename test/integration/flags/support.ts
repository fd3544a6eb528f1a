// Helpers for the flag integration tests: FeatureFlag manifests, kubectl apply, polling with a deadline.
import { expect } from "vitest";
import { kubectl } from "../support/cluster.js";

/**
 * A FeatureFlag manifest (spec deliberately untyped: tests apply invalid ones). JSON, not YAML: kubectl
 * reads YAML 1.1, where an unquoted `on`/`off` (a common variant name) is a boolean.
 */
export function flagManifest(namespace: string, name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: "helios.dev/v1alpha1", kind: "FeatureFlag", metadata: { name, namespace }, spec });
}

/** `kubectl apply -f -` of one flag; returns kubectl's result so tests can assert on refusals. */
export function applyFlag(namespace: string, name: string, spec: Record<string, unknown>): ReturnType<typeof kubectl> {
  return kubectl(["apply", "-f", "-"], { input: flagManifest(namespace, name, spec) });
}

export async function applyFlagOk(namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  const result = await applyFlag(namespace, name, spec);
  expect(result.code, result.stderr).toBe(0);
}

/** Polls `probe` until it returns a value; fails after `timeoutMs` naming `what`. */
export async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const booleanSpec = (on: boolean, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  state: "ENABLED",
  variants: { on: true, off: false },
  defaultVariant: on ? "on" : "off",
  ...extra,
});

export const numberSpec = (value: number): Record<string, unknown> => ({
  state: "ENABLED",
  variants: { current: value, other: value + 1 },
  defaultVariant: "current",
});

/** Variants of mixed types: flagd's schema warns, flagd (and Helios) serve it. */
export const MIXED_SPEC = { state: "ENABLED", variants: { on: true, off: "no" }, defaultVariant: "on" };

/** Targeting with an unknown operator: flagd refuses it, so Helios does. */
export const REFUSED_SPEC = booleanSpec(true, { targeting: { nope: [1] } });
