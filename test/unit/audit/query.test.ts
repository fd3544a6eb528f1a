// Pure audit queries: filters, ordering across chunks and namespaces, the --since day selector.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AuditEntry, AuditLog } from "../../../src/api/index.js";
import {
  AUDIT_DAY_LABEL,
  buildChunk,
  daysBetween,
  matchesQuery,
  queryEntries,
  sinceDaySelector,
  type AuditQuery,
} from "../../../src/audit/index.js";
import { formatAuditTable } from "../../../src/cli/output/audit.js";

const T0 = Date.UTC(2031, 2, 3, 12, 0, 0);
const NAMES = ["job-a", "job-b", "agent-1", "agent-2"] as const;
const ACTIONS = ["assigned", "started", "requeued", "failed", "agent-offline"] as const;

const entryArb: fc.Arbitrary<AuditEntry> = fc
  .record({
    offset: fc.integer({ min: 0, max: 3 * 86_400_000 }),
    action: fc.constantFrom(...ACTIONS),
    kind: fc.constantFrom("Job", "Agent"),
    name: fc.constantFrom(...NAMES),
    agent: fc.option(fc.constantFrom("agent-1", "agent-2"), { nil: undefined }),
  })
  .map(({ offset, agent, ...rest }) => ({ ...rest, time: new Date(T0 + offset).toISOString(), ...(agent === undefined ? {} : { agent }) }));

const queryArb: fc.Arbitrary<AuditQuery> = fc.record(
  {
    job: fc.constantFrom(...NAMES),
    agent: fc.constantFrom(...NAMES),
    actions: fc.uniqueArray(fc.constantFrom(...ACTIONS), { maxLength: 2 }),
    sinceMs: fc.integer({ min: T0, max: T0 + 3 * 86_400_000 }),
  },
  { requiredKeys: [] },
);

const chunksArb = fc.array(
  fc.tuple(fc.constantFrom("ns-1", "ns-2"), fc.array(entryArb, { minLength: 1, maxLength: 8 })).map(([ns, entries]) => buildChunk(ns, entries)),
  { maxLength: 6 },
);

describe("matchesQuery", () => {
  it("applies each filter by its definition", () => {
    fc.assert(
      fc.property(entryArb, queryArb, (e, q) => {
        const want =
          (q.job === undefined || (e.kind === "Job" && e.name === q.job)) &&
          (q.agent === undefined || e.agent === q.agent || (e.kind === "Agent" && e.name === q.agent)) &&
          (q.actions === undefined || q.actions.length === 0 || q.actions.includes(e.action)) &&
          (q.sinceMs === undefined || Date.parse(e.time) >= q.sinceMs);
        expect(matchesQuery(e, q)).toBe(want);
      }),
    );
  });

  it("an empty query matches everything", () => {
    fc.assert(fc.property(entryArb, (e) => matchesQuery(e, {})));
  });
});

describe("queryEntries", () => {
  it("returns exactly the matching entries of every chunk, oldest first, tagged with their namespace", () => {
    fc.assert(
      fc.property(chunksArb, queryArb, (chunks: AuditLog[], q) => {
        const rows = queryEntries(chunks, q);
        const expected = chunks.flatMap((c) => c.spec.entries.filter((e) => matchesQuery(e, q)).map((e) => ({ namespace: c.metadata.namespace, ...e })));
        expect(rows).toHaveLength(expected.length);
        expect([...rows].sort(byJson)).toEqual([...expected].sort(byJson));
        const times = rows.map((r) => Date.parse(r.time));
        expect(times).toEqual([...times].sort((a, b) => a - b));
      }),
    );
  });
});

describe("sinceDaySelector", () => {
  it("names every day from since through the day after now", () => {
    const now = Date.UTC(2031, 2, 5, 23, 0, 0);
    expect(sinceDaySelector(now - 3_600_000, now)).toBe(`${AUDIT_DAY_LABEL} in (2031-03-05,2031-03-06)`);
    expect(sinceDaySelector(Date.UTC(2031, 2, 3, 1), now)).toBe(`${AUDIT_DAY_LABEL} in (2031-03-03,2031-03-04,2031-03-05,2031-03-06)`);
  });

  it("gives up (lists everything) past maxDays", () => {
    const now = Date.UTC(2031, 2, 5);
    expect(sinceDaySelector(now - 100 * 86_400_000, now)).toBeUndefined();
  });

  it("covers the day label of every chunk that can hold a matching entry", () => {
    fc.assert(
      fc.property(chunksArb, fc.integer({ min: T0, max: T0 + 3 * 86_400_000 }), (chunks, since) => {
        const now = T0 + 3 * 86_400_000;
        const days = new Set(daysBetween(since, now + 86_400_000));
        for (const c of chunks) {
          if (Date.parse(c.spec.endTime) >= since) expect(days.has(c.metadata.labels?.[AUDIT_DAY_LABEL] ?? "")).toBe(true);
        }
      }),
    );
  });
});

describe("formatting", () => {
  const rows = queryEntries(
    [
      buildChunk("ns-1", [
        { time: "2031-03-03T12:00:00Z", action: "assigned", kind: "Job", name: "job-a", attempt: 1, agent: "agent-1", actor: "queue-priority" },
        { time: "2031-03-03T12:00:02Z", action: "requeued", kind: "Job", name: "job-a", attempt: 1, reason: "AgentOffline", message: "agent agent-1\nis offline" },
      ]),
    ],
    {},
  );

  it("prints a kubectl-style table, one line per entry", () => {
    const out = formatAuditTable(rows, { namespaces: false });
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^TIME\s+ACTION\s+OBJECT\s+ATTEMPT\s+AGENT\s+REASON\s+ACTOR\s+MESSAGE$/);
    expect(lines[1]).toMatch(/^2031-03-03T12:00:00Z\s+assigned\s+Job\/job-a\s+1\s+agent-1\s+queue-priority$/);
    expect(lines[2]).toContain("AgentOffline");
    expect(lines[2]).toContain("agent agent-1 is offline");
    expect(formatAuditTable(rows, { namespaces: true }).split("\n")[1]).toMatch(/^ns-1\s+2031/);
  });

  it("marks an entry recovered from a Job's status in the actor column", () => {
    const recovered = queryEntries([buildChunk("ns-1", [{ time: "2031-03-03T12:00:00Z", action: "succeeded", kind: "Job", name: "job-c", actor: "agent", recovered: true }])], {});
    expect(formatAuditTable(recovered, { namespaces: false }).split("\n")[1]).toMatch(/\sagent \(recovered\)$/);
  });

  it("adds the UID and keeps long messages whole (to 200 characters) with wide", () => {
    const long = queryEntries([buildChunk("ns-1", [{ time: "2031-03-03T12:00:00Z", action: "failed", kind: "Job", name: "job-b", uid: "u-1", message: "x".repeat(150) }])], {});
    const [head, line] = formatAuditTable(long, { namespaces: false, wide: true }).split("\n");
    expect(head).toMatch(/^TIME\s+ACTION\s+OBJECT\s+UID\s+ATTEMPT/);
    expect(line).toContain("u-1");
    expect(line).toContain("x".repeat(150));
    expect(formatAuditTable(long, { namespaces: false })).not.toContain("x".repeat(150));
  });
});

function byJson(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
