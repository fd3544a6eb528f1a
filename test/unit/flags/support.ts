// Builders for FeatureFlag objects as the informer delivers them.
import type { FeatureFlag, FeatureFlagSpec, FeatureFlagStatus } from "../../../src/api/index.js";

export interface FlagOptions {
  readonly namespace?: string;
  readonly generation?: number;
  readonly uid?: string;
  readonly status?: FeatureFlagStatus;
}

let version = 1;

/** A FeatureFlag named `name` with `spec` (not validated: tests feed invalid ones on purpose). */
export function flagObject(name: string, spec: unknown, options: FlagOptions = {}): FeatureFlag {
  version += 1;
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "FeatureFlag",
    metadata: {
      name,
      namespace: options.namespace ?? "helios-system",
      uid: options.uid ?? `uid-${name}`,
      generation: options.generation ?? 1,
      resourceVersion: String(version),
    },
    spec: spec as FeatureFlagSpec,
    ...(options.status ? { status: options.status } : {}),
  };
}

export const booleanFlag = (on: boolean, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  state: "ENABLED",
  variants: { on: true, off: false },
  defaultVariant: on ? "on" : "off",
  ...extra,
});

/** A definition flagd itself refuses (targeting with an unknown operator): never served. */
export const REFUSED_FLAG = { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "on", targeting: { nope: [1] } };

export const numberFlag = (value: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  state: "ENABLED",
  variants: { value, other: value + 1 },
  defaultVariant: "value",
  ...extra,
});
