// Retention selection: exactly the expired chunks, oldest first, at most a batch; what is kept.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AUDIT_DAY_LABEL, auditDay } from "../../../../src/audit/index.js";
import { retentionSelector, selectExpired, type ChunkSummary } from "../../../../src/controllers/audit-retention/index.js";

const NOW = Date.UTC(2031, 5, 10, 12);
const DAY = 86_400_000;

const chunkArb: fc.Arbitrary<ChunkSummary> = fc.record({
  namespace: fc.constantFrom("a", "b"),
  name: fc.stringMatching(/^[a-z0-9]{1,6}$/),
  endTimeMs: fc.oneof(fc.integer({ min: NOW - 30 * DAY, max: NOW + DAY }), fc.constant(Number.NaN)),
  entries: fc.integer({ min: 1, max: 500 }),
});

describe("selectExpired", () => {
  it("deletes only expired chunks, the oldest first, at most batch; counts the rest", () => {
    fc.assert(
      fc.property(
        fc.array(chunkArb, { maxLength: 40 }),
        fc.integer({ min: 1, max: 20 * DAY }),
        fc.integer({ min: 0, max: 10 }),
        (chunks, retentionMs, batch) => {
          const plan = selectExpired(chunks, { nowMs: NOW, retentionMs, batch });
          const cutoff = NOW - retentionMs;
          const expired = chunks.filter((c) => c.endTimeMs < cutoff);
          expect(plan.cutoffMs).toBe(cutoff);
          expect(plan.expired).toBe(expired.length);
          expect(plan.delete.length).toBe(Math.min(batch, expired.length));
          expect(plan.remaining).toBe(expired.length - plan.delete.length);
          for (const c of plan.delete) expect(c.endTimeMs).toBeLessThan(cutoff);
          // Oldest first, and nothing left behind is older than what goes.
          const times = plan.delete.map((c) => c.endTimeMs);
          expect(times).toEqual([...times].sort((x, y) => x - y));
          const going = new Set(plan.delete);
          const newestGoing = Math.max(...times, Number.NEGATIVE_INFINITY);
          for (const c of expired) if (!going.has(c)) expect(c.endTimeMs).toBeGreaterThanOrEqual(newestGoing);
          // The oldest kept is the oldest datable chunk that stays.
          const kept = chunks.filter((c) => !going.has(c) && !Number.isNaN(c.endTimeMs));
          if (kept.length === 0) expect(plan.oldestKept).toBeUndefined();
          else expect(plan.oldestKept?.endTimeMs).toBe(Math.min(...kept.map((c) => c.endTimeMs)));
        },
      ),
    );
  });

  it("never deletes a chunk it cannot date", () => {
    const undated: ChunkSummary = { namespace: "a", name: "x", endTimeMs: Number.NaN, entries: 1 };
    expect(selectExpired([undated], { nowMs: NOW, retentionMs: 1, batch: 10 }).delete).toEqual([]);
  });
});

describe("retentionSelector", () => {
  it("excludes the days after the cutoff's day through tomorrow, and only those", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 * DAY }), fc.integer({ min: NOW - 60 * DAY, max: NOW + 2 * DAY }), (retentionMs, endTimeMs) => {
        const cutoff = NOW - retentionMs;
        const selector = retentionSelector(cutoff, NOW);
        const excluded = new Set(/notin \((.*)\)$/.exec(selector ?? "")?.[1]?.split(",") ?? []);
        expect(selector?.startsWith(`${AUDIT_DAY_LABEL} notin (`)).toBe(true);
        // An expired chunk is never excluded.
        if (endTimeMs < cutoff) expect(excluded.has(auditDay(endTimeMs))).toBe(false);
        // A chunk on a day after the cutoff's day (up to tomorrow) is.
        if (Math.floor(endTimeMs / DAY) > Math.floor(cutoff / DAY) && endTimeMs < NOW + DAY) expect(excluded.has(auditDay(endTimeMs))).toBe(true);
      }),
    );
  });

  it("lists everything when the excluded set would be too long", () => {
    expect(retentionSelector(NOW - 2_000 * DAY, NOW)).toBeUndefined();
  });
});
