// A flagd flag configuration as the Kubernetes objects a Helios user applies: one FeatureFlag per
// flag (named after its key, or with spec.key when the key is no object name) and the namespace's
// FeatureFlagSet for the file's shared evaluators and flag-set metadata.
import { createHash } from "node:crypto";
import type { JsonValue } from "@openfeature/server-sdk";
import type { FlagConfiguration } from "./flag-sources.js";

const API_VERSION = "helios.dev/v1alpha1";
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_NAME = 253;

/** The object name for flag `key`: the key itself when it is one, else a readable name made unique by a hash. */
export function objectNameFor(key: string): string {
  if (key.length <= MAX_NAME && OBJECT_NAME.test(key)) return key;
  const readable = key.toLowerCase().replaceAll(/[^a-z0-9-]+/g, "-").replaceAll(/^-+|-+$/g, "").slice(0, 40) || "flag";
  return `${readable}-${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;
}

/**
 * The manifests of `configuration` in `namespace`; `staticContext` (what the flag source adds to every
 * evaluation) goes into the FeatureFlagSet with the file's evaluators and metadata.
 */
export function heliosManifests(configuration: FlagConfiguration, namespace: string, staticContext: Record<string, JsonValue>): Record<string, JsonValue>[] {
  const flags = Object.entries(configuration.flags).map(([key, definition]) => {
    const name = objectNameFor(key);
    return { apiVersion: API_VERSION, kind: "FeatureFlag", metadata: { name, namespace }, spec: name === key ? definition : { key, ...definition } };
  });
  const setSpec = {
    ...(configuration.$evaluators && Object.keys(configuration.$evaluators).length > 0 ? { evaluators: configuration.$evaluators } : {}),
    ...(configuration.metadata ? { metadata: configuration.metadata } : {}),
    ...(Object.keys(staticContext).length > 0 ? { context: staticContext } : {}),
  };
  if (Object.keys(setSpec).length === 0) return flags;
  return [{ apiVersion: API_VERSION, kind: "FeatureFlagSet", metadata: { name: "flagd", namespace }, spec: setSpec }, ...flags];
}
