// helios_informer_cache_objects: one sample per shared informer, its store's size at scrape time.
import { describe, expect, it } from "vitest";
import { CACHE_OBJECTS_METRIC, registerCacheMetrics } from "../../../../src/controllers/shared/index.js";
import { createRegistry } from "../../../../src/runtime/metrics/index.js";

describe("registerCacheMetrics", () => {
  it("reports each cache's size by resource, read at every scrape", async () => {
    const registry = createRegistry({ processMetrics: false });
    const leases = { name: "informer/leases", store: { size: 1 } };
    registerCacheMetrics(registry, [{ name: "informer/jobs", store: { size: 40 } }, leases]);
    const scrape = async () => (await registry.getSingleMetric(CACHE_OBJECTS_METRIC)?.get())?.values.map((v) => [v.labels["informer"], v.value]);
    expect(await scrape()).toEqual([
      ["jobs", 40],
      ["leases", 1],
    ]);
    leases.store.size = 3;
    expect(await scrape()).toEqual([
      ["jobs", 40],
      ["leases", 3],
    ]);
    expect(await registry.metrics()).toContain(`${CACHE_OBJECTS_METRIC}{informer="leases"} 3`);
  });
});
