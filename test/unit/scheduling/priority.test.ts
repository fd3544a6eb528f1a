// Effective priority and the starvation bound: the algebraic bound, and a simulated stream of fresh work.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  effectivePriority,
  overtakeWindowMs,
  planDispatch,
  PRIORITY_BASE,
  STARVATION_BOUND_MS,
  type PriorityClass,
  type SchedulingJob,
} from "../../../src/scheduling/index.js";
import { agent, CLASSES, job, MINUTE, noFlags, NOW } from "./support.js";

const classArb = fc.constantFrom(...CLASSES);

describe("effective priority", () => {
  it("orders the classes critical > high > normal > low", () => {
    expect(PRIORITY_BASE.critical).toBeGreaterThan(PRIORITY_BASE.high);
    expect(PRIORITY_BASE.high).toBeGreaterThan(PRIORITY_BASE.normal);
    expect(PRIORITY_BASE.normal).toBeGreaterThan(PRIORITY_BASE.low);
  });

  it("documents a 31 minute starvation bound", () => {
    expect(STARVATION_BOUND_MS).toBe(31 * MINUTE);
    expect(overtakeWindowMs("normal", "high")).toBe(11 * MINUTE);
    expect(overtakeWindowMs("high", "low")).toBe(0);
  });

  it("never decreases while a job waits", () => {
    fc.assert(
      fc.property(classArb, fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), (c, a, b) => {
        expect(effectivePriority(c, NOW, NOW + Math.max(a, b))).toBeGreaterThanOrEqual(effectivePriority(c, NOW, NOW + Math.min(a, b)));
      }),
    );
  });

  it("a job eligible overtakeWindowMs or more after another ranks strictly below it, at any later time", () => {
    fc.assert(
      fc.property(
        classArb,
        classArb,
        fc.integer({ min: 0, max: 120 * MINUTE }),
        fc.integer({ min: 0, max: 600 * MINUTE }),
        (waiting, fresh, extra, later) => {
          const tL = NOW;
          const tH = tL + overtakeWindowMs(waiting, fresh) + extra;
          const now = tH + later;
          expect(effectivePriority(waiting, tL, now)).toBeGreaterThan(effectivePriority(fresh, tH, now));
        },
      ),
    );
  });

  it("the window is tight: a job eligible one minute less after can still tie", () => {
    for (const waiting of CLASSES) {
      for (const fresh of CLASSES) {
        if (PRIORITY_BASE[fresh] < PRIORITY_BASE[waiting]) continue;
        const tH = NOW + overtakeWindowMs(waiting, fresh) - MINUTE;
        expect(effectivePriority(waiting, NOW, tH)).toBeLessThanOrEqual(effectivePriority(fresh, tH, tH));
      }
    }
  });
});

describe("starvation bound under a stream of fresh higher-priority work", () => {
  interface Sim {
    readonly capacity: number;
    readonly stepMs: number;
    readonly backlog: readonly { readonly priority: PriorityClass; readonly ageMs: number }[];
    readonly arrivals: readonly (readonly PriorityClass[])[];
  }
  const simArb: fc.Arbitrary<Sim> = fc.record({
    capacity: fc.integer({ min: 1, max: 3 }),
    stepMs: fc.integer({ min: 30_000, max: 5 * MINUTE }),
    backlog: fc.array(fc.record({ priority: classArb, ageMs: fc.integer({ min: 0, max: 60 * MINUTE }) }), { maxLength: 30 }),
    // Fresh higher-class arrivals per tick (cycled): at least as many as the capacity takes, often more.
    arrivals: fc.array(fc.array(fc.constantFrom<PriorityClass>("critical", "high", "normal"), { minLength: 3, maxLength: 4 }), {
      minLength: 1,
      maxLength: 5,
    }),
  });

  it("the low job is never overtaken by work that arrived STARVATION_BOUND_MS after it, and runs within the bound's backlog", () => {
    fc.assert(
      fc.property(simArb, (sim) => {
        const t0 = NOW;
        const pending = new Map<string, SchedulingJob>();
        const low = job("low", { priority: "low", queuedAt: t0 });
        pending.set(low.key, low);
        sim.backlog.forEach((b, i) => pending.set(`alpha/b${i}`, job(`b${i}`, { priority: b.priority, queuedAt: t0 - b.ageMs })));
        let overtakers = sim.backlog.length; // K: jobs eligible before t0 + bound, other than the low job
        let serial = 0;
        for (let tick = 0; tick < 10_000; tick++) {
          const now = t0 + tick * sim.stepMs;
          if (tick > 0) {
            for (const priority of sim.arrivals[tick % sim.arrivals.length] ?? []) {
              const fresh = job(`f${serial++}`, { priority, queuedAt: now });
              pending.set(fresh.key, fresh);
              if (now < t0 + STARVATION_BOUND_MS) overtakers += 1;
            }
          }
          const plan = planDispatch({
            now,
            jobs: [...pending.values()],
            agents: [agent("worker", { maxConcurrency: sim.capacity })],
            inFlight: [],
            flags: noFlags,
          });
          for (const a of plan.assignments) {
            if (a.jobKey === low.key) {
              // Each earlier tick ran `capacity` jobs that outranked it, all from the K overtakers.
              expect(tick).toBeLessThanOrEqual(Math.floor(overtakers / sim.capacity));
              return;
            }
            const ran = pending.get(a.jobKey);
            expect(ran).toBeDefined();
            expect((ran as SchedulingJob).queuedAt).toBeLessThan(t0 + STARVATION_BOUND_MS);
            pending.delete(a.jobKey);
          }
        }
        throw new Error("the low job was never assigned");
      }),
      { numRuns: 100 },
    );
  });
});
