// The store's indexes stay consistent with its contents under any sequence of writes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Store, type Indexers } from "../../../../src/runtime/cache/index.js";
import { objectKey } from "../../../../src/runtime/client/index.js";

interface TestJob {
  metadata: { name: string; namespace: string; resourceVersion: string };
  status?: { phase?: string; assignedAgent?: string };
  spec: { capabilities: string[] };
}

const indexers: Indexers<TestJob> = {
  byAgent: (job) => (job.status?.assignedAgent ? [`${job.metadata.namespace}/${job.status.assignedAgent}`] : []),
  byPhase: (job) => [job.status?.phase ?? "Pending"],
  byCapability: (job) => job.spec.capabilities,
};

const job = fc.record({
  metadata: fc.record({
    name: fc.constantFrom("a", "b", "c", "d"),
    namespace: fc.constantFrom("t1", "t2"),
    resourceVersion: fc.integer({ min: 1, max: 1000 }).map(String),
  }),
  status: fc.record({ phase: fc.constantFrom("Pending", "Assigned", "Running"), assignedAgent: fc.constantFrom("x", "y") }, { requiredKeys: [] }),
  spec: fc.record({ capabilities: fc.array(fc.constantFrom("gpu", "cpu", "io"), { maxLength: 3 }) }),
});
const op = fc.oneof(
  job.map((j) => ({ kind: "upsert" as const, job: j })),
  fc.record({ kind: fc.constant("delete" as const), key: fc.constantFrom("t1/a", "t1/b", "t2/c", "t2/d", "t1/zz") }),
);

describe("Store", () => {
  it("answers every read like a scan over the last write per key (model check)", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const store = new Store(indexers);
        const model = new Map<string, TestJob>();
        for (const o of ops) {
          if (o.kind === "upsert") {
            expect(store.upsert(o.job)).toBe(model.get(objectKey(o.job)));
            model.set(objectKey(o.job), o.job);
          } else {
            expect(store.delete(o.key)).toBe(model.get(o.key));
            model.delete(o.key);
          }
        }
        const all = [...model.values()];
        const sortKeys = (xs: TestJob[]) => xs.map(objectKey).sort();
        expect(store.size).toBe(model.size);
        expect(sortKeys(store.list())).toEqual(sortKeys(all));
        for (const ns of ["t1", "t2", "t3"]) expect(sortKeys(store.listByNamespace(ns))).toEqual(sortKeys(all.filter((j) => j.metadata.namespace === ns)));
        for (const [name, fn] of Object.entries(indexers)) {
          for (const value of ["t1/x", "t2/y", "Pending", "Assigned", "Running", "gpu", "cpu", "io", "none"]) {
            expect(sortKeys(store.byIndex(name, value))).toEqual(sortKeys(all.filter((j) => fn(j).includes(value))));
          }
        }
        for (const [key, value] of model) expect(store.get(key)).toBe(value);
      }),
    );
  });

  it("looks objects up by namespace and name, and rejects unknown indexes", () => {
    const store = new Store(indexers);
    const j: TestJob = { metadata: { name: "a", namespace: "t1", resourceVersion: "1" }, spec: { capabilities: [] } };
    store.upsert(j);
    expect(store.getByName("t1", "a")).toBe(j);
    expect(store.getByName("t2", "a")).toBeUndefined();
    expect(() => store.byIndex("byColour", "red")).toThrow(/no index named "byColour"/);
  });
});

describe("Store with a throwing index function", () => {
  it("files a malformed object under no value and keeps indexing the rest", () => {
    const store = new Store<{ metadata: { name: string; namespace: string }; tags?: string[] }>({
      byTag: (obj) => {
        if (!obj.tags) throw new TypeError("malformed");
        return obj.tags;
      },
    });
    store.upsert({ metadata: { name: "bad", namespace: "ns" } });
    store.upsert({ metadata: { name: "good", namespace: "ns" }, tags: ["a"] });
    expect(store.get("ns/bad")).toBeDefined();
    expect(store.byIndex("byTag", "a").map((o) => o.metadata.name)).toEqual(["good"]);
    store.delete("ns/bad");
    expect(store.size).toBe(1);
  });
});
