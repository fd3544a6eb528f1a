// A flagd flag configuration as the Kubernetes objects a Helios user applies: one FeatureFlag per flag.
import type { JsonValue } from "@openfeature/server-sdk";
import type { FlagConfiguration } from "./flag-sources.js";

const API_VERSION = "helios.dev/v1alpha1";

/** The FeatureFlag manifests of `configuration` in `namespace`, one per flag, named after its key. */
export function heliosManifests(configuration: FlagConfiguration, namespace: string): Record<string, JsonValue>[] {
  return Object.entries(configuration.flags).map(([key, spec]) => ({
    apiVersion: API_VERSION,
    kind: "FeatureFlag",
    metadata: { name: key, namespace },
    spec,
  }));
}
