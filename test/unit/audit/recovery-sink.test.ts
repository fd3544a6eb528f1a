// Unit tests of the RecoverySink: one entry per idempotency key between live entries and recovery.
import { describe, expect, it } from "vitest";
import { auditKey, RecoverySink, type AuditRecord } from "../../../src/audit/index.js";

const base = { namespace: "ns", kind: "Job", name: "j1", uid: "u1" } as const;
const assigned = (attempt: number): AuditRecord => ({ ...base, action: "assigned", attempt, agent: "a1" });
const ending = (action: string, attempt?: number): AuditRecord => ({ ...base, action, ...(attempt === undefined ? {} : { attempt }) });

function sink(): { sink: RecoverySink; recorded: AuditRecord[] } {
  const recorded: AuditRecord[] = [];
  return { sink: new RecoverySink({ record: (r) => recorded.push(r) }), recorded };
}

describe("auditKey", () => {
  it("keys assignments by attempt, endings by Job, and nothing else", () => {
    expect(auditKey(assigned(2))).toBe("u1/2/assigned");
    expect(auditKey({ ...base, action: "started", attempt: 2 })).toBeUndefined();
    for (const action of ["succeeded", "failed", "expired", "cancelled"]) expect(auditKey(ending(action, 3))).toBe("u1/end");
    expect(auditKey(ending("expired"))).toBe("u1/end");
    expect(auditKey({ ...base, action: "requeued", attempt: 1 })).toBeUndefined();
    expect(auditKey({ ...base, action: "assigned" })).toBeUndefined();
    expect(auditKey({ kind: "Agent", action: "agent-offline", uid: "u1" })).toBeUndefined();
    expect(auditKey({ kind: "Job", action: "assigned", attempt: 1 })).toBeUndefined();
  });
});

describe("RecoverySink", () => {
  it("recovers only what neither the trail nor this process recorded, marked recovered", () => {
    const { sink: s, recorded } = sink();
    s.record(assigned(2));
    const count = s.recover([assigned(1), assigned(2), assigned(3), ending("succeeded", 3)], new Set(["u1/1/assigned"]));
    expect(count).toBe(2);
    expect(recorded).toEqual([assigned(2), { ...assigned(3), recovered: true }, { ...ending("succeeded", 3), recovered: true }]);
    expect(s.recover([assigned(3)], new Set())).toBe(0);
  });

  it("skips a live entry that recovery already wrote, but never deduplicates live entries among themselves", () => {
    const { sink: s, recorded } = sink();
    s.recover([assigned(1)], new Set());
    s.record(assigned(1));
    s.record(ending("failed", 1));
    s.record(ending("failed", 1));
    expect(recorded).toEqual([{ ...assigned(1), recovered: true }, ending("failed", 1), ending("failed", 1)]);
  });

  it("passes everything through once it stops tracking", () => {
    const { sink: s, recorded } = sink();
    s.recover([assigned(1)], new Set());
    s.stopTracking();
    s.record(assigned(1));
    expect(recorded).toHaveLength(2);
  });
});
