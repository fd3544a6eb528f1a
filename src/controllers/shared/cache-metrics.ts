// helios_informer_cache_objects{informer}: how many objects each shared cache holds, on every replica.
import type { Gauge, Registry } from "prom-client";
import { heliosGauge } from "../../runtime/metrics/index.js";

/** What the gauge reads of an informer: its name (`informer/<resource>`) and its store's size. */
export interface CountedInformer {
  readonly name: string;
  readonly store: { readonly size: number };
}

/** The gauge's name; its `informer` label is the cached resource (`jobs`, `agents`, `leases`, `featureflags`). */
export const CACHE_OBJECTS_METRIC = "helios_informer_cache_objects";

/**
 * Declares the gauge, read from the stores at scrape time. It shows what the operator keeps in memory
 * per resource: a lease count above the number of agents means Leases that are not agents' are cached.
 */
export function registerCacheMetrics(registry: Registry, informers: readonly CountedInformer[]): void {
  const caches = informers.map((informer) => ({ label: informer.name.replace(/^informer\//, ""), store: informer.store }));
  heliosGauge(registry, {
    name: CACHE_OBJECTS_METRIC,
    help: "Objects held in the operator's shared informer cache, by resource.",
    labelNames: ["informer"],
    collect(this: Gauge<"informer">) {
      for (const { label, store } of caches) this.set({ informer: label }, store.size);
    },
  });
}
