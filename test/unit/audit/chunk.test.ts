// Chunk building: deterministic DNS-safe names, sorted entries, day label, schema validity.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { auditLogSchema, type AuditEntry } from "../../../src/api/index.js";
import { AUDIT_DAY_LABEL, auditDay, buildChunk, chunkName, sortEntries } from "../../../src/audit/index.js";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const T0 = Date.UTC(2031, 4, 6, 7, 8, 9, 123);

const entryArb: fc.Arbitrary<AuditEntry> = fc.record(
  {
    time: fc.integer({ min: T0 - 86_400_000, max: T0 + 86_400_000 }).map((ms) => new Date(ms).toISOString()),
    action: fc.constantFrom("assigned", "started", "succeeded", "requeued", "failed"),
    kind: fc.constantFrom("Job", "Agent"),
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    attempt: fc.integer({ min: 0, max: 5 }),
    agent: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
    message: fc.string({ maxLength: 40 }),
  },
  { requiredKeys: ["time", "action", "kind", "name"] },
);

describe("buildChunk", () => {
  it("produces a valid AuditLog: sorted entries, start/end, count, day label of the newest entry", () => {
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 50 }), (entries) => {
        const chunk = buildChunk("tenant-a", entries);
        expect(auditLogSchema.safeParse(chunk).success).toBe(true);
        const times = chunk.spec.entries.map((e) => Date.parse(e.time));
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(chunk.spec.count).toBe(entries.length);
        expect(chunk.spec.startTime).toBe(chunk.spec.entries[0]?.time);
        expect(chunk.spec.endTime).toBe(chunk.spec.entries.at(-1)?.time);
        expect(chunk.metadata.labels?.[AUDIT_DAY_LABEL]).toBe(auditDay(Date.parse(chunk.spec.endTime)));
        expect(chunk.metadata.namespace).toBe("tenant-a");
      }),
    );
  });

  it("names chunks deterministically, DNS-safe, starting with the compact start time", () => {
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 20 }), (entries) => {
        const a = buildChunk("ns", entries).metadata.name ?? "";
        const b = buildChunk("ns", [...entries]).metadata.name ?? "";
        expect(a).toBe(b);
        expect(a.length).toBeLessThanOrEqual(63);
        expect(a).toMatch(DNS_SUBDOMAIN);
        const first = sortEntries(entries)[0];
        expect(a.slice(0, 19)).toBe(new Date(first?.time ?? "").toISOString().replace(/[-:.]/g, "").toLowerCase());
      }),
    );
  });

  it("gives different names to different content or namespaces", () => {
    const e: AuditEntry = { time: new Date(T0).toISOString(), action: "assigned", kind: "Job", name: "a" };
    const names = new Set([
      chunkName("ns", [e]),
      chunkName("other", [e]),
      chunkName("ns", [{ ...e, name: "b" }]),
      chunkName("ns", [e, e]),
    ]);
    expect(names.size).toBe(4);
  });

  it("keeps recording order for equal times", () => {
    const time = new Date(T0).toISOString();
    const entries: AuditEntry[] = ["first", "second", "third"].map((name) => ({ time, action: "assigned", kind: "Job", name }));
    expect(buildChunk("ns", entries).spec.entries.map((x) => x.name)).toEqual(["first", "second", "third"]);
  });

  it("refuses an empty chunk", () => {
    expect(() => buildChunk("ns", [])).toThrow(RangeError);
  });
});
