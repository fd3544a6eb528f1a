// Unit tests of audit recovery: which decisions a Job's status records, and which the trail lacks.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JobAttempt, JobStatus } from "../../../../src/api/index.js";
import { auditKey } from "../../../../src/audit/index.js";
import { decisionsSince, lostDecisions, recordedDecisions } from "../../../../src/controllers/audit-recovery/index.js";
import { iso, job, MINUTE, SECOND, T0 } from "../job-recovery/support.js";

const HOUR = 60 * MINUTE;

function attempt(n: number, agent: string, at: number, extra: Partial<JobAttempt> = {}): JobAttempt {
  return { attempt: n, agent, outcome: "", assignedAt: iso(at), ...extra };
}

const succeeded: JobStatus = {
  phase: "Succeeded",
  attempt: 2,
  finishedAt: iso(T0 + 30 * SECOND),
  attempts: [
    attempt(1, "a1", T0, { outcome: "Requeued", reason: "AgentOffline", startedAt: iso(T0 + SECOND), finishedAt: iso(T0 + 10 * SECOND) }),
    attempt(2, "a2", T0 + 20 * SECOND, { outcome: "Succeeded", startedAt: iso(T0 + 21 * SECOND), finishedAt: iso(T0 + 30 * SECOND) }),
  ],
};

const keysOf = (records: readonly Parameters<typeof auditKey>[0][]): (string | undefined)[] => records.map(auditKey);

describe("recordedDecisions", () => {
  it("audits every assignment and the ending, with the times and agents the status records", () => {
    const records = recordedDecisions(job({ status: succeeded }));
    expect(records.map((r) => [r.action, r.attempt, r.agent, r.time, r.actor])).toEqual([
      ["assigned", 1, "a1", iso(T0), "queue-priority"],
      ["assigned", 2, "a2", iso(T0 + 20 * SECOND), "queue-priority"],
      ["succeeded", 2, "a2", iso(T0 + 30 * SECOND), "agent"],
    ]);
    expect(keysOf(records)).toEqual(["uid-ns-j1/1/assigned", "uid-ns-j1/2/assigned", "uid-ns-j1/end"]);
  });

  it("takes a failure's reason and message from its Failed condition (a default when the cache dropped the message); a Job never assigned ends with no attempt", () => {
    const condition = { type: "Failed", status: "True", reason: "QueueTimeout", message: "waited 60s", lastTransitionTime: iso(T0) } as const;
    const expired = (message: string): JobStatus => ({ phase: "Expired", attempt: 0, finishedAt: iso(T0), conditions: [{ ...condition, message }] });
    expect(recordedDecisions(job({ status: expired("waited 60s") }))).toEqual([
      { namespace: "ns", kind: "Job", name: "j1", uid: "uid-ns-j1", time: iso(T0), action: "expired", reason: "QueueTimeout", message: "waited 60s", actor: "job-recovery" },
    ]);
    expect(recordedDecisions(job({ status: expired("") }))[0]?.message).toBe("the Job is Expired");
  });

  it("records nothing for a Job without status, no ending before the Job is terminal, and never `started`", () => {
    expect(recordedDecisions(job())).toEqual([]);
    const running = recordedDecisions(job({ status: { phase: "Running", attempt: 1, attempts: [attempt(1, "a1", T0, { startedAt: iso(T0) })] } }));
    expect(running.map((r) => r.action)).toEqual(["assigned"]);
  });
});

describe("decisionsSince and lostDecisions", () => {
  const j = job({ status: succeeded });
  const all = new Set(keysOf(recordedDecisions(j)).filter((k) => k !== undefined));

  it("keeps the decisions of the window, oldest first, across Jobs", () => {
    const other = job({ name: "j2", status: { phase: "Running", attempt: 1, attempts: [attempt(1, "a3", T0 + 25 * SECOND)] } });
    expect(decisionsSince([j, other], T0 + 15 * SECOND).map((r) => `${r.name}:${r.action}/${r.attempt}`)).toEqual(["j1:assigned/2", "j2:assigned/1", "j1:succeeded/2"]);
  });

  it("returns the decisions whose keys the trail lacks", () => {
    const decisions = decisionsSince([j], T0 - HOUR);
    const written = new Set([...all].filter((k) => k !== "uid-ns-j1/2/assigned" && k !== "uid-ns-j1/end"));
    expect(lostDecisions(decisions, written).map((r) => `${r.action}/${r.attempt}`)).toEqual(["assigned/2", "succeeded/2"]);
    expect(lostDecisions(decisions, all)).toEqual([]);
  });

  it("property: lost and written keys partition the decisions; no key twice", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), (attempts, writtenMask) => {
        const history = Array.from({ length: attempts }, (_, i) => attempt(i + 1, `a${i % 3}`, T0 + i * MINUTE, { outcome: i + 1 < attempts ? "Requeued" : "Succeeded" }));
        const done = job({ status: { phase: "Succeeded", attempt: attempts, finishedAt: iso(T0 + attempts * MINUTE), attempts: history } });
        const keys = keysOf(recordedDecisions(done)) as string[];
        const written = new Set(keys.filter((_, i) => writtenMask[i] === true));
        const lost = keysOf(lostDecisions(decisionsSince([done], T0), written)) as string[];
        expect(new Set(lost).size).toBe(lost.length);
        expect([...lost, ...written].sort()).toEqual([...keys].sort());
      }),
    );
  });
});
