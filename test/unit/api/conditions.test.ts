// setCondition / findCondition / isConditionTrue: the metav1.Condition rules, by example and by property.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  conditionSchema,
  findCondition,
  formatTime,
  isConditionTrue,
  setCondition,
  type Condition,
} from "../../../src/api/index.js";

const t0 = new Date("2025-03-01T10:00:00.123Z");
const t1 = new Date("2025-03-01T10:05:00Z");

describe("setCondition", () => {
  it("adds a new condition stamped with now, in metav1.Time format", () => {
    const out = setCondition(undefined, { type: "Ready", status: "True", reason: "LeaseRenewed" }, t0);
    expect(out).toEqual([
      { type: "Ready", status: "True", reason: "LeaseRenewed", message: "", lastTransitionTime: "2025-03-01T10:00:00Z" },
    ]);
    expect(conditionSchema.safeParse(out[0]).success).toBe(true);
  });

  it("keeps lastTransitionTime when only reason, message or observedGeneration change", () => {
    const first = setCondition([], { type: "Ready", status: "True", reason: "A", observedGeneration: 1 }, t0);
    const second = setCondition(first, { type: "Ready", status: "True", reason: "B", message: "m", observedGeneration: 2 }, t1);
    expect(second).toEqual([
      { type: "Ready", status: "True", reason: "B", message: "m", observedGeneration: 2, lastTransitionTime: formatTime(t0) },
    ]);
  });

  it("moves lastTransitionTime when the status changes", () => {
    const first = setCondition([], { type: "Ready", status: "True", reason: "A" }, t0);
    const second = setCondition(first, { type: "Ready", status: "False", reason: "LeaseExpired" }, t1);
    expect(second[0]?.lastTransitionTime).toBe("2025-03-01T10:05:00Z");
    expect(second[0]?.status).toBe("False");
  });

  it("leaves other conditions and their order alone, and does not mutate its input", () => {
    const start = setCondition(
      setCondition([], { type: "Scheduled", status: "True", reason: "Assigned" }, t0),
      { type: "Complete", status: "False", reason: "Running" },
      t0,
    );
    const frozen = structuredClone(start);
    const out = setCondition(start, { type: "Scheduled", status: "False", reason: "Requeued" }, t1);
    expect(out.map((c) => c.type)).toEqual(["Scheduled", "Complete"]);
    expect(out[1]).toEqual(start[1]);
    expect(start).toEqual(frozen);
  });
});

describe("findCondition and isConditionTrue", () => {
  const conditions = setCondition(
    setCondition([], { type: "Complete", status: "True", reason: "Succeeded" }, t0),
    { type: "Failed", status: "False", reason: "Succeeded" },
    t0,
  );
  it("finds by type", () => {
    expect(findCondition(conditions, "Failed")?.status).toBe("False");
    expect(findCondition(conditions, "Blocked")).toBeUndefined();
    expect(findCondition(undefined, "Complete")).toBeUndefined();
  });
  it("is true only for status True", () => {
    expect(isConditionTrue(conditions, "Complete")).toBe(true);
    expect(isConditionTrue(conditions, "Failed")).toBe(false);
    expect(isConditionTrue(conditions, "Blocked")).toBe(false);
    expect(isConditionTrue(undefined, "Complete")).toBe(false);
  });
});

describe("setCondition properties", () => {
  const input = fc.record({
    type: fc.constantFrom("Ready", "Complete", "Failed", "Blocked"),
    status: fc.constantFrom("True" as const, "False" as const, "Unknown" as const),
    reason: fc.constantFrom("A", "B", "C"),
  });
  const step = fc.tuple(input, fc.integer({ min: 0, max: 1_000_000 }));

  it("keeps one condition per type, and lastTransitionTime is when the status last changed", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let conditions: Condition[] = [];
        const lastChange = new Map<string, { status: string; at: string }>();
        let clock = Date.parse("2025-01-01T00:00:00Z");
        for (const [next, advance] of steps) {
          clock += advance * 1000;
          const now = new Date(clock);
          conditions = setCondition(conditions, next, now);
          const seen = lastChange.get(next.type);
          if (seen === undefined || seen.status !== next.status) {
            lastChange.set(next.type, { status: next.status, at: formatTime(now) });
          }
        }
        expect(new Set(conditions.map((c) => c.type)).size).toBe(conditions.length);
        for (const [type, { status, at }] of lastChange) {
          expect(findCondition(conditions, type)).toMatchObject({ status, lastTransitionTime: at });
        }
      }),
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 10 }), input, (history, next) => {
        const base = history.reduce<Condition[]>((acc, c) => setCondition(acc, c, t0), []);
        const once = setCondition(base, next, t1);
        expect(setCondition(once, next, new Date(t1.getTime() + 60_000))).toEqual(once);
      }),
    );
  });
});
