// Namespace fairness at equal effective priority: round-robin under equal demand, least-in-flight first otherwise.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fairOrder, planDispatch, type SchedulingJob } from "../../../src/scheduling/index.js";
import { agent, CLASSES, job, MINUTE, NAMESPACES, noFlags, NOW } from "./support.js";

/** Max minus min of the per-namespace counts of `keys` (namespace = the part before the slash). */
function spread(keys: readonly string[], namespaces: readonly string[]): number {
  const counts = namespaces.map((ns) => keys.filter((k) => k.startsWith(`${ns}/`)).length);
  return Math.max(...counts) - Math.min(...counts);
}

describe("fairOrder", () => {
  it("round-robins namespaces with equal in-flight, keeping each namespace's order", () => {
    const band = ["b/1", "a/1", "a/2", "b/2", "a/3", "c/1"];
    const order = [...fairOrder(band, (k) => k.split("/")[0] as string, () => 0)];
    // Nothing is placed between choices, so shares stay equal and the name breaks ties.
    expect(order).toEqual(["a/1", "a/2", "a/3", "b/1", "b/2", "c/1"]);
    const placed = new Map<string, number>();
    const fair: string[] = [];
    for (const k of fairOrder(band, (x) => x.split("/")[0] as string, (ns) => placed.get(ns) ?? 0)) {
      fair.push(k);
      const ns = k.split("/")[0] as string;
      placed.set(ns, (placed.get(ns) ?? 0) + 1);
    }
    expect(fair).toEqual(["a/1", "b/1", "c/1", "a/2", "b/2", "a/3"]);
  });

  it("serves the namespace with less in flight first until it catches up", () => {
    const inFlight = new Map([["a", 3], ["b", 0]]);
    const order: string[] = [];
    for (const k of fairOrder(["a/1", "a/2", "b/1", "b/2", "b/3", "b/4"], (x) => x.split("/")[0] as string, (ns) => inFlight.get(ns) ?? 0)) {
      order.push(k);
      const ns = k.split("/")[0] as string;
      inFlight.set(ns, (inFlight.get(ns) ?? 0) + 1);
    }
    expect(order).toEqual(["b/1", "b/2", "b/3", "a/1", "b/4", "a/2"]);
  });
});

describe("planDispatch fairness", () => {
  const demandArb = fc.record({
    namespaces: fc.integer({ min: 2, max: NAMESPACES.length }),
    // The same demand for every namespace: a list of (class, minutes waited).
    demand: fc.array(fc.record({ priority: fc.constantFrom(...CLASSES), waited: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 12 }),
    budget: fc.integer({ min: 0, max: 40 }),
    inFlight: fc.integer({ min: 0, max: 3 }),
  });

  it("equal-demand namespaces get equal share within one job, at every point of the cycle", () => {
    fc.assert(
      fc.property(demandArb, ({ namespaces, demand, budget, inFlight }) => {
        const nss = NAMESPACES.slice(0, namespaces);
        const jobs: SchedulingJob[] = nss.flatMap((ns) =>
          demand.map((d, i) => job(`j${i}`, { namespace: ns, priority: d.priority, queuedAt: NOW - d.waited * MINUTE })),
        );
        const plan = planDispatch({
          now: NOW,
          jobs,
          agents: nss.map((ns) => agent("worker", { namespace: ns, maxConcurrency: 100 })),
          inFlight: nss.map((ns) => ({ namespace: ns, queue: "default", count: inFlight })),
          flags: noFlags,
          maxAssignments: budget,
        });
        const keys = plan.assignments.map((a) => a.jobKey);
        expect(keys).toHaveLength(Math.min(budget, jobs.length));
        for (let n = 1; n <= keys.length; n++) expect(spread(keys.slice(0, n), nss)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it("at equal priority, a namespace is served only while it has no more than one job more in flight than any namespace still waiting", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 2, maxLength: 3 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 20 }),
        (inFlight, demand, budget) => {
          const nss = NAMESPACES.slice(0, inFlight.length);
          const jobs = nss.flatMap((ns) => Array.from({ length: demand }, (_, i) => job(`j${i}`, { namespace: ns })));
          const plan = planDispatch({
            now: NOW,
            jobs,
            agents: nss.map((ns) => agent("worker", { namespace: ns, maxConcurrency: 100 })),
            inFlight: nss.map((ns, i) => ({ namespace: ns, queue: "default", count: inFlight[i] ?? 0 })),
            flags: noFlags,
            maxAssignments: budget,
          });
          const total = (ns: string, i: number) => (inFlight[i] ?? 0) + plan.assignments.filter((a) => a.namespace === ns).length;
          nss.forEach((q, qi) => {
            if (!plan.assignments.some((a) => a.namespace === q)) return;
            nss.forEach((p, pi) => {
              const pWaits = plan.deferred.some((k) => k.startsWith(`${p}/`));
              if (pWaits) expect(total(q, qi)).toBeLessThanOrEqual(total(p, pi) + 1);
            });
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
