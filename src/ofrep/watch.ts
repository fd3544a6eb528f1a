// The FeatureFlags an OFREP server evaluates: one informer per namespace served (or one over all
// namespaces) feeding one FlagStore, the evaluator HeliosProvider and the operator use.
import type { Logger } from "pino";
import { FEATURE_FLAG_TYPE, type FeatureFlag } from "../api/index.js";
import { FlagStore } from "../flags/index.js";
import { Informer } from "../runtime/cache/index.js";
import { ResourceClient, type Transport } from "../runtime/client/index.js";

/** The namespaces a server reads: a list, or every namespace. */
export type ServedNamespaces = readonly string[] | "all";

export interface WatchedNamespaces {
  readonly store: FlagStore;
  /** Runs the informers until `signal` aborts. */
  start(signal: AbortSignal): Promise<void>;
  /** True once every informer has its first list. */
  synced(): boolean;
  /** Resolves true once synced, false if `signal` aborts first. */
  waitForSync(signal: AbortSignal): Promise<boolean>;
}

/** Builds (does not start) the informers over `namespaces` and the store they feed. */
export function watchNamespaces(transport: Transport, namespaces: ServedNamespaces, log?: Logger): WatchedNamespaces {
  const client = new ResourceClient<FeatureFlag>(transport, FEATURE_FLAG_TYPE);
  const store = new FlagStore(log ? { log } : {});
  const scopes = namespaces === "all" ? [undefined] : namespaces;
  const informers = scopes.map((namespace) => {
    const informer = new Informer(client, { name: `informer/featureflags/${namespace ?? "all"}`, namespace, ...(log ? { log } : {}) });
    informer.addEventHandler(store);
    return informer;
  });
  return {
    store,
    start: async (signal) => {
      await Promise.all(informers.map((i) => i.start(signal)));
    },
    synced: () => informers.every((i) => i.hasSynced()),
    waitForSync: async (signal) => (await Promise.all(informers.map((i) => i.waitForSync(signal)))).every(Boolean),
  };
}
