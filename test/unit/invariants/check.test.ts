// The invariant checker: consistent runs (generated with fast-check) pass; each broken promise is
// reported with its code and a message naming the evidence; absences count only for complete sources.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Job, JobAttempt, JobPhase } from "../../../src/api/index.js";
import { checkInvariants, formatViolations, type AgentExecution, type AuditTrailEntry, type InvariantInput, type ViolationCode } from "../../../src/invariants/index.js";

const NS = "tenant";
const T0 = Date.parse("2026-01-01T00:00:00Z");
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

type Ending = "Succeeded" | "Failed" | "Cancelled";
/**
 * How each attempt ended: the agent's success, a handler failure, or a takeover of a lost agent's
 * attempt, by job recovery (the job waited Pending) or by the dispatcher (moved straight to the next agent).
 */
type AttemptEnd = "Succeeded" | "Failed" | "Requeued" | "Moved";

interface Story {
  readonly name: string;
  readonly agents: readonly string[];
  readonly ends: readonly AttemptEnd[];
  readonly ending: Ending;
}

/** A consistent run of one Job: its final object, the audit trail and the agents' executions. */
function run(story: Story): { job: Job; audit: AuditTrailEntry[]; executions: AgentExecution[] } {
  const uid = `uid-${story.name}`;
  const audit: AuditTrailEntry[] = [];
  const executions: AgentExecution[] = [];
  const attempts: JobAttempt[] = [];
  const entry = (action: string, attempt: number, agent: string, reason?: string, actor?: string): void => {
    audit.push({
      namespace: NS,
      time: iso(T0 + audit.length * 1000),
      action,
      kind: "Job",
      name: story.name,
      uid,
      attempt,
      agent,
      ...(reason === undefined ? {} : { reason }),
      ...(actor === undefined ? {} : { actor }),
    });
  };
  story.ends.forEach((end, i) => {
    const attempt = i + 1;
    const agent = story.agents[i % story.agents.length] as string;
    entry("assigned", attempt, agent);
    attempts.push({ attempt, agent, outcome: end === "Moved" ? "Requeued" : end, assignedAt: iso(T0 + attempt * 1000) });
    if (end === "Requeued" || end === "Moved") {
      if (end === "Requeued") entry("requeued", attempt, agent, "AgentOffline", "job-recovery");
      else entry("retried", attempt, agent, "AgentDeleted", "queue-priority");
      return; // the agent died: no execution record survives
    }
    executions.push({ agent, namespace: NS, name: story.name, uid, attempt, outcome: end, written: true });
    if (end === "Failed") entry(story.ending === "Failed" && i === story.ends.length - 1 ? "failed" : "retried", attempt, agent, "HandlerFailed");
  });
  const last = attempts.at(-1);
  if (story.ending === "Succeeded") entry("succeeded", last?.attempt ?? 0, last?.agent ?? "");
  if (story.ending === "Cancelled") entry("cancelled", last?.attempt ?? 0, last?.agent ?? "", "Cancelled");
  const job = {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Job",
    metadata: { namespace: NS, name: story.name, uid },
    spec: { type: "echo", priority: "normal", queue: "default", retry: { maxRetries: 10, backoffSeconds: 1, maxBackoffSeconds: 1 } },
    status: {
      phase: story.ending as JobPhase,
      attempt: last?.attempt ?? 0,
      attempts,
      ...(last === undefined ? {} : { assignedAgent: last.agent }),
    },
  } as Job;
  return { job, audit, executions };
}

/** Stories whose attempts end consistently with the final phase. */
const story = (name: string): fc.Arbitrary<Story> =>
  fc
    .record({
      agents: fc.uniqueArray(fc.constantFrom("a1", "a2", "a3", "a4"), { minLength: 1, maxLength: 4 }),
      lost: fc.array(fc.constantFrom<AttemptEnd>("Requeued", "Moved", "Failed"), { maxLength: 5 }),
      ending: fc.constantFrom<Ending>("Succeeded", "Failed", "Cancelled"),
    })
    .map(({ agents, lost, ending }) => {
      const ends: AttemptEnd[] = [...lost];
      if (ending === "Succeeded") ends.push("Succeeded");
      if (ending === "Failed") ends.push("Failed");
      return { name, agents, ends, ending };
    });

function input(stories: readonly Story[], extra: Partial<InvariantInput> = {}): InvariantInput {
  const runs = stories.map(run);
  return {
    jobs: runs.map((r) => r.job),
    audit: runs.flatMap((r) => r.audit),
    executions: runs.flatMap((r) => r.executions),
    expected: stories.map((s) => ({ namespace: NS, name: s.name })),
    ...extra,
  };
}

const codes = (i: InvariantInput): ViolationCode[] => checkInvariants(i).violations.map((v) => v.code);
const ONE: Story = { name: "j", agents: ["a1", "a2"], ends: ["Requeued", "Succeeded"], ending: "Succeeded" };

describe("consistent runs", () => {
  it("have no violations, whatever the attempts and endings", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }).chain((ids) => fc.tuple(...ids.map((_, i) => story(`job-${i}`)))), (stories) => {
        const report = checkInvariants(input(stories));
        expect(report.violations, formatViolations(report.violations)).toEqual([]);
        expect(report.stats.jobs).toBe(stories.length);
        expect(report.stats.lost + report.stats.duplicated).toBe(0);
      }),
    );
  });

  it("counts phases, attempts and sources", () => {
    const report = checkInvariants(input([ONE, { name: "k", agents: ["a3"], ends: ["Failed"], ending: "Failed" }]));
    expect(report.stats).toEqual({ jobs: 2, phases: { Succeeded: 1, Failed: 1 }, attempts: 3, executions: 2, auditEntries: 6, lost: 0, duplicated: 0 });
    expect(formatViolations(report.violations)).toBe("no invariant violations");
  });
});

describe("broken promises", () => {
  it("a Job that is not terminal after the quiet period", () => {
    const i = input([ONE]);
    const job = i.jobs[0] as Job;
    const stuck = { ...job, status: { ...job.status, phase: "Running" as const, attempts: job.status?.attempts?.map((a) => (a.attempt === 2 ? { ...a, outcome: "" } : a)) } };
    const report = checkInvariants({ ...i, jobs: [stuck], audit: i.audit.filter((e) => e.action !== "succeeded"), executions: [] });
    expect(report.violations.map((v) => v.code)).toEqual(["NotTerminal"]);
    expect(report.violations[0]?.message).toBe("tenant/j: still Running (attempt 2 on agent a2) after the quiet period");
    expect(report.stats.lost).toBe(1);
  });

  it("a Job that vanished without a deleted audit entry is lost; with one it is not", () => {
    const i = input([ONE]);
    expect(codes({ ...i, jobs: [] })).toContain("Lost");
    // An incomplete audit may have lost the `deleted` entry: an ending is enough then, nothing is not.
    expect(codes({ ...i, jobs: [], complete: { audit: false } })).not.toContain("Lost");
    expect(codes({ ...i, jobs: [], audit: [], executions: [], complete: { audit: false } })).toEqual(["Lost"]);
    const deleted: AuditTrailEntry = { namespace: NS, time: iso(T0), action: "deleted", kind: "Job", name: "j", uid: "uid-j" };
    expect(codes({ ...i, jobs: [], audit: [...i.audit, deleted] })).toEqual([]);
  });

  it("one attempt executed by two agents (a zombie ran on after the requeue)", () => {
    const i = input([ONE]);
    const zombie: AgentExecution = { agent: "a1", namespace: NS, name: "j", uid: "uid-j", attempt: 2, outcome: "Dropped", written: false };
    const report = checkInvariants({ ...i, executions: [...i.executions, zombie] });
    expect(report.violations.map((v) => v.code).sort()).toEqual(["AgentMismatch", "AttemptOnTwoAgents"]);
    expect(report.violations.find((v) => v.code === "AttemptOnTwoAgents")?.message).toBe("tenant/j: attempt 2 was executed by agents a2 and a1");
    expect(report.stats.duplicated).toBe(1);
  });

  it("a zombie's late success that landed over the new attempt", () => {
    // Unfenced write: attempt 1 (taken away as Requeued) overwrote the status with its own success.
    const i = input([ONE]);
    const job = i.jobs[0] as Job;
    const overwritten = { ...job, status: { ...job.status, phase: "Succeeded" as const, attempt: 1, assignedAgent: "a1", attempts: [{ attempt: 1, agent: "a1", outcome: "Succeeded" }] } };
    const zombieWin: AgentExecution = { agent: "a1", namespace: NS, name: "j", uid: "uid-j", attempt: 1, outcome: "Succeeded", written: true };
    const found = codes({ ...i, jobs: [overwritten], executions: [...i.executions, zombieWin] });
    expect(found).toContain("StatusBehind");
    expect(found).toContain("SucceededAfterTakeover");
    expect(found).toContain("TerminalTwice");
  });

  it("two assignments of one attempt (the resourceVersion lock did not hold)", () => {
    const i = input([ONE]);
    const again: AuditTrailEntry = { namespace: NS, time: iso(T0), action: "assigned", kind: "Job", name: "j", uid: "uid-j", attempt: 2, agent: "a3" };
    const report = checkInvariants({ ...i, audit: [...i.audit, again] });
    expect(report.violations.map((v) => v.code).sort()).toEqual(["AgentMismatch", "AssignedTwice"]);
    expect(report.violations.find((v) => v.code === "AssignedTwice")?.message).toBe("tenant/j: the audit trail assigns attempt 2 2 times (to a2, a3)");
  });

  it("two endings, or an ending that contradicts the phase", () => {
    const i = input([ONE]);
    const failed: AuditTrailEntry = { namespace: NS, time: iso(T0), action: "failed", kind: "Job", name: "j", uid: "uid-j", attempt: 2, agent: "a2" };
    expect(codes({ ...i, audit: [...i.audit, failed] }).sort()).toEqual(["TerminalMismatch", "TerminalTwice"]);
    const job = i.jobs[0] as Job;
    const relabelled = { ...job, status: { ...job.status, phase: "Failed" as const } };
    expect(codes({ ...i, jobs: [relabelled] })).toContain("TerminalMismatch");
  });

  it("a malformed history", () => {
    const i = input([ONE]);
    const job = i.jobs[0] as Job;
    const attempts = job.status?.attempts ?? [];
    const swapped = { ...job, status: { ...job.status, attempts: [attempts[1], attempts[0]] as JobAttempt[] } };
    expect(codes({ ...i, jobs: [swapped] })).toContain("HistoryMalformed");
    const open = { ...job, status: { ...job.status, attempts: attempts.map((a) => ({ ...a, outcome: a.attempt === 1 ? "" : a.outcome })) } };
    expect(codes({ ...i, jobs: [open] })).toEqual(["HistoryMalformed"]);
    // Replaced while still open: the next attempt began before this one ended, though the job still runs.
    const running = { ...open, status: { ...open.status, phase: "Running" as const, attempts: (open.status.attempts ?? []).map((a) => (a.attempt === 2 ? { ...a, outcome: "" } : a)) } };
    const report = checkInvariants({ ...i, jobs: [running], audit: i.audit.filter((e) => e.action !== "succeeded"), executions: [] });
    expect(report.violations.map((v) => v.message)).toEqual([
      "tenant/j: still Running (attempt 2 on agent a2) after the quiet period",
      "tenant/j: attempt 1 (agent a1) is still open although attempt 2 follows it",
    ]);
  });

  it("a job moved straight to another agent although its agent was not lost", () => {
    const i = input([{ name: "j", agents: ["a1", "a2"], ends: ["Moved", "Succeeded"], ending: "Succeeded" }]);
    expect(codes(i)).toEqual([]);
    const audit = i.audit.map((e) => (e.action === "retried" ? { ...e, reason: "Stuck" } : e));
    const report = checkInvariants({ ...i, audit });
    expect(report.violations.map((v) => v.message)).toEqual([
      "tenant/j: the dispatcher took attempt 1 from agent a1 (Stuck), but only a lost agent's job moves straight to another agent",
    ]);
  });


  it("an audit entry for an attempt the status does not know", () => {
    const i = input([ONE]);
    const ahead: AuditTrailEntry = { namespace: NS, time: iso(T0), action: "assigned", kind: "Job", name: "j", uid: "uid-j", attempt: 3, agent: "a1" };
    expect(codes({ ...i, audit: [...i.audit, ahead] })).toEqual(["StatusBehind"]);
  });
});

describe("jobs deleted since (TTL)", () => {
  const deleted: AuditTrailEntry = { namespace: NS, time: iso(T0 + 99_000), action: "deleted", kind: "Job", name: "j", uid: "uid-j" };

  it("hold when the audit trail and the executions tell one story", () => {
    const i = input([ONE]);
    expect(codes({ ...i, jobs: [], audit: [...i.audit, deleted] })).toEqual([]);
  });

  it("are still checked: two endings, two successes, one attempt on two agents", () => {
    const i = input([ONE]);
    const again: AuditTrailEntry = { ...deleted, action: "succeeded", attempt: 2, agent: "a2" };
    const zombie: AgentExecution = { agent: "a1", namespace: NS, name: "j", uid: "uid-j", attempt: 2, outcome: "Succeeded", written: true };
    const report = checkInvariants({ ...i, jobs: [], audit: [...i.audit, deleted, again], executions: [...i.executions, zombie] });
    expect(report.violations.map((v) => v.code).sort()).toEqual(["AttemptOnTwoAgents", "TerminalTwice", "TerminalTwice"]);
    expect(report.violations[0]?.message).toMatch(/^tenant\/j \(deleted\): /);
  });

  it("a deleted job the audit trail never ended, when the audit is complete", () => {
    const i = input([ONE]);
    const unended = [...i.audit.filter((e) => e.action !== "succeeded"), deleted];
    expect(codes({ ...i, jobs: [], audit: unended })).toEqual(["AuditMissing"]);
    expect(codes({ ...i, jobs: [], audit: unended, complete: { audit: false } })).toEqual([]);
  });
});

describe("incomplete sources", () => {
  it("missing audit entries count only when the audit is complete", () => {
    const i = input([ONE]);
    const sparse = { ...i, audit: i.audit.filter((e) => e.action !== "assigned" && e.action !== "succeeded") };
    expect(codes(sparse).sort()).toEqual(["AuditMissing", "AuditMissing", "AuditMissing"]);
    expect(codes({ ...sparse, complete: { audit: false } })).toEqual([]);
  });

  it("a success nobody reports counts only when executions are complete", () => {
    const i = input([ONE]);
    expect(codes({ ...i, executions: [] })).toEqual(["ExecutionMissing"]);
    expect(codes({ ...i, executions: [], complete: { executions: false } })).toEqual([]);
  });

  it("contradictions count even when sources are incomplete", () => {
    const i = input([ONE]);
    const twice: AgentExecution = { agent: "a3", namespace: NS, name: "j", uid: "uid-j", attempt: 2, outcome: "Succeeded", written: true };
    expect(codes({ ...i, executions: [...i.executions, twice], complete: { audit: false, executions: false } })).toContain("TerminalTwice");
  });
});

describe("formatViolations", () => {
  it("lists at most the limit", () => {
    const many = Array.from({ length: 3 }, (_, n) => ({ code: "Lost" as const, job: `ns/j${n}`, message: `ns/j${n}: gone` }));
    expect(formatViolations(many, 2)).toBe("3 invariant violation(s):\n- [Lost] ns/j0: gone\n- [Lost] ns/j1: gone\n- ... and 1 more");
  });
});
