// job recovery's pure decisions: every trigger, the timers it returns, and invariants under fast-check.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findCondition, isTerminalJobPhase, type Job, type JobStatus } from "../../../../src/api/index.js";
import { decideRecovery, isAgentLossRequeue, type AgentView, type RecoveryConfig, type RecoveryDecision } from "../../../../src/controllers/job-recovery/index.js";
import { assignedStatus } from "../../../../src/controllers/queue-priority/index.js";
import { activeJob, iso, job, MINUTE, SECOND, T0 } from "./support.js";

const DAY = 24 * 60 * MINUTE;
const CONFIG: RecoveryConfig = { ackTimeoutMs: 2 * MINUTE, stuckThresholdMs: 30 * MINUTE, maxQueueTimeMs: 60 * MINUTE, finishedJobTtlMs: 7 * DAY };
const READY: AgentView = { missing: false, phase: "Ready" };

function decide(j: Job, opts: { now?: number; agent?: AgentView | undefined; killSwitch?: boolean; random?: () => number; config?: RecoveryConfig } = {}): RecoveryDecision {
  return decideRecovery({
    job: j,
    agent: "agent" in opts ? opts.agent : READY,
    killSwitch: opts.killSwitch ?? false,
    config: opts.config ?? CONFIG,
    now: opts.now ?? T0,
    random: opts.random ?? (() => 0.5),
  });
}

function statusOf(d: RecoveryDecision): JobStatus {
  if (!("status" in d)) throw new Error(`decision ${d.kind} has no status`);
  return d.status;
}

function failedAttempt(b: { retries?: number; maxRetries?: number; attempt?: number } = {}): Job {
  const attempt = b.attempt ?? 1;
  return activeJob("Running", {
    attempt,
    retries: b.retries ?? 0,
    spec: { retry: { maxRetries: b.maxRetries ?? 3, backoffSeconds: 10, maxBackoffSeconds: 600 } },
    status: {
      lastError: { reason: "HandlerFailed", message: "boom" },
      attempts: [{ attempt, agent: "a1", outcome: "Failed", reason: "HandlerFailed", assignedAt: iso(T0) }],
    },
  });
}

describe("terminal jobs", () => {
  const succeeded = (extra: JobStatus = {}): Job =>
    job({ status: { phase: "Succeeded", finishedAt: iso(T0), conditions: [{ type: "Complete", status: "True", reason: "Succeeded", message: "", lastTransitionTime: iso(T0) }], ...extra } });

  it("keeps a finished job without its own TTL forever, with no timer, when --finished-job-ttl is 0", () => {
    expect(decide(succeeded(), { now: T0 + 365 * DAY, config: { ...CONFIG, finishedJobTtlMs: 0 } })).toEqual({ kind: "none" });
  });

  it("writes the Complete condition and finishedAt when a Succeeded job lacks them", () => {
    const d = decide(job({ status: { phase: "Succeeded" } }), { now: T0 + SECOND });
    expect(d.kind).toBe("complete");
    const s = statusOf(d);
    expect(s.phase).toBe("Succeeded");
    expect(s.finishedAt).toBe(iso(T0 + SECOND));
    expect(findCondition(s.conditions, "Complete")?.status).toBe("True");
  });

  it("waits for ttlSecondsAfterFinished, then deletes", () => {
    const j = succeeded();
    const withTtl = { ...j, spec: { ...j.spec, ttlSecondsAfterFinished: 60 } };
    expect(decide(withTtl, { now: T0 + 20 * SECOND })).toEqual({ kind: "none", requeueAfterMs: 40 * SECOND });
    expect(decide(withTtl, { now: T0 + 60 * SECOND })).toEqual({ kind: "delete", reason: "TTLExpired", message: "deleted 60s after it finished (ttlSecondsAfterFinished)" });
  });

  it("deletes a finished job without its own TTL --finished-job-ttl after finishedAt", () => {
    expect(decide(succeeded(), { now: T0 + DAY })).toEqual({ kind: "none", requeueAfterMs: 6 * DAY });
    expect(decide(succeeded(), { now: T0 + 7 * DAY - 1 })).toEqual({ kind: "none", requeueAfterMs: 1 });
    expect(decide(succeeded(), { now: T0 + 7 * DAY })).toEqual({ kind: "delete", reason: "TTLExpired", message: "deleted 168h after it finished (--finished-job-ttl)" });
  });

  it("follows the job's own TTL over the operator's, shorter or longer, and deletes at once for 0", () => {
    const own = (ttlSecondsAfterFinished: number) => {
      const j = succeeded();
      return { ...j, spec: { ...j.spec, ttlSecondsAfterFinished } };
    };
    const shortDefault = { ...CONFIG, finishedJobTtlMs: 10 * SECOND };
    expect(decide(own(60), { now: T0 + 30 * SECOND, config: shortDefault })).toEqual({ kind: "none", requeueAfterMs: 30 * SECOND });
    expect(decide(own(30 * 86_400), { now: T0 + 8 * DAY })).toEqual({ kind: "none", requeueAfterMs: 22 * DAY });
    expect(decide(own(0), { now: T0, config: { ...CONFIG, finishedJobTtlMs: 0 } }).kind).toBe("delete");
  });

  it.each(["Succeeded", "Failed", "Expired", "Cancelled"] as const)("counts the TTL of a %s job from finishedAt, not from its creation", (phase) => {
    const condition = phase === "Succeeded" ? "Complete" : "Failed";
    const j = job({
      created: T0 - 30 * DAY,
      status: { phase, finishedAt: iso(T0), conditions: [{ type: condition, status: "True", reason: phase, message: "", lastTransitionTime: iso(T0 - 20 * DAY) }] },
    });
    expect(decide(j, { now: T0 + 3 * DAY, config: { ...CONFIG, finishedJobTtlMs: 5 * DAY } })).toEqual({ kind: "none", requeueAfterMs: 2 * DAY });
    expect(decide(j, { now: T0 + 5 * DAY, config: { ...CONFIG, finishedJobTtlMs: 5 * DAY } }).kind).toBe("delete");
  });

  it("records a missing finishedAt first, and counts the TTL from it", () => {
    const d = decide(job({ created: T0 - 30 * DAY, status: { phase: "Failed", conditions: [] } }), { now: T0, config: { ...CONFIG, finishedJobTtlMs: MINUTE } });
    expect(d.kind).toBe("complete");
    const recorded = job({ status: statusOf(d) });
    expect(decide(recorded, { now: T0 + SECOND, config: { ...CONFIG, finishedJobTtlMs: MINUTE } })).toEqual({ kind: "none", requeueAfterMs: MINUTE - SECOND });
  });

  it("deletes exactly when the effective TTL (the job's own, else the operator's, 0 = forever) has passed since finishedAt", () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 30 * 86_400 }), { nil: undefined }),
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30 * DAY })),
        fc.integer({ min: 0, max: 60 * DAY }),
        (ownSeconds, defaultMs, finishedAgo) => {
          const j = succeeded();
          const withTtl = ownSeconds === undefined ? j : { ...j, spec: { ...j.spec, ttlSecondsAfterFinished: ownSeconds } };
          const ttl = ownSeconds !== undefined ? ownSeconds * SECOND : defaultMs > 0 ? defaultMs : undefined;
          const d = decide(withTtl, { now: T0 + finishedAgo, config: { ...CONFIG, finishedJobTtlMs: defaultMs } });
          if (ttl === undefined) expect(d).toEqual({ kind: "none" });
          else if (finishedAgo >= ttl) expect(d.kind).toBe("delete");
          else expect(d).toEqual({ kind: "none", requeueAfterMs: ttl - finishedAgo });
        },
      ),
    );
  });

  it("ignores cancel, agents and the kill switch once terminal", () => {
    const j = job({
      spec: { cancel: true },
      status: { phase: "Failed", finishedAt: iso(T0), conditions: [{ type: "Failed", status: "True", reason: "RetriesExhausted", message: "", lastTransitionTime: iso(T0) }] },
    });
    expect(decide(j, { agent: { missing: true }, killSwitch: true, now: T0 + 10 * MINUTE })).toEqual({ kind: "none", requeueAfterMs: 7 * DAY - 10 * MINUTE });
  });
});

describe("cancel", () => {
  it("cancels a job that has no status yet", () => {
    const d = decide(job({ spec: { cancel: true } }), { agent: undefined });
    expect(d.kind).toBe("cancel");
    const s = statusOf(d);
    expect(s.phase).toBe("Cancelled");
    expect(s.finishedAt).toBe(iso(T0));
    expect(findCondition(s.conditions, "Failed")).toMatchObject({ status: "True", reason: "Cancelled" });
  });

  it("cancels a running job: the agent is cleared and the attempt closed as Cancelled", () => {
    const d = decide(activeJob("Running", { spec: { cancel: true } }), { now: T0 + 5 * SECOND });
    const s = statusOf(d);
    expect(s.phase).toBe("Cancelled");
    expect(s.assignedAgent).toBeUndefined();
    expect(s.attempts?.[0]).toMatchObject({ attempt: 1, outcome: "Cancelled", finishedAt: iso(T0 + 5 * SECOND) });
  });

  it("cancels an Assigned job before anything else applies", () => {
    expect(decide(activeJob("Assigned", { spec: { cancel: true } }), { agent: { missing: true }, killSwitch: true }).kind).toBe("cancel");
  });
});

describe("pending jobs and the queue deadline", () => {
  it("waits until --max-queue-time after creation", () => {
    expect(decide(job(), { agent: undefined, now: T0 + 20 * MINUTE })).toEqual({ kind: "none", requeueAfterMs: 40 * MINUTE });
  });

  it("expires past spec.maxQueueSeconds, which wins over the flag", () => {
    const d = decide(job({ spec: { maxQueueSeconds: 30 } }), { agent: undefined, now: T0 + 30 * SECOND });
    expect(d.kind).toBe("expire");
    const s = statusOf(d);
    expect(s.phase).toBe("Expired");
    expect(findCondition(s.conditions, "Failed")).toMatchObject({ status: "True", reason: "Expired" });
  });

  it("counts the queue time from notBefore for delayed jobs", () => {
    const j = job({ spec: { notBefore: iso(T0 + 2 * 60 * MINUTE) } });
    expect(decide(j, { agent: undefined, now: T0 + 90 * MINUTE })).toEqual({ kind: "none", requeueAfterMs: 90 * MINUTE });
  });

  it("counts the queue time from the end of the retry backoff", () => {
    const j = job({ spec: { maxQueueSeconds: 60 }, status: { phase: "Pending", queuedAt: iso(T0), nextAttemptAt: iso(T0 + 5 * MINUTE), retries: 1 } });
    expect(decide(j, { agent: undefined, now: T0 + 5 * MINUTE + 59 * SECOND }).kind).toBe("none");
    expect(decide(j, { agent: undefined, now: T0 + 6 * MINUTE }).kind).toBe("expire");
  });
});

describe("active jobs", () => {
  it("retries an attempt the agent reported Failed, with backoff, clearing the agent", () => {
    const d = decide(failedAttempt(), { now: T0 + 3 * SECOND, random: () => 1 });
    expect(d).toMatchObject({ kind: "requeue", reason: "HandlerFailed", countsRetry: true });
    const s = statusOf(d);
    expect(s).toMatchObject({ phase: "Pending", retries: 1, attempt: 1, queuedAt: iso(T0 + 3 * SECOND), nextAttemptAt: iso(T0 + 13 * SECOND) });
    expect(s.assignedAgent).toBeUndefined();
    expect(s.startedAt).toBeUndefined();
    expect(s.lastError).toEqual({ reason: "HandlerFailed", message: "boom", attempt: 1 });
    expect(s.attempts?.[0]).toMatchObject({ outcome: "Failed", reason: "HandlerFailed" });
    expect(findCondition(s.conditions, "Scheduled")).toMatchObject({ status: "False", reason: "BackoffWait" });
  });

  it("doubles the backoff ceiling with each retry", () => {
    const delays = [0, 1, 2].map((retries) => {
      const s = statusOf(decide(failedAttempt({ retries, maxRetries: 5 }), { random: () => 1 }));
      return Date.parse(s.nextAttemptAt ?? "") - T0;
    });
    expect(delays).toEqual([10 * SECOND, 20 * SECOND, 40 * SECOND]);
  });

  it("fails with RetriesExhausted when no retry is left", () => {
    const d = decide(failedAttempt({ retries: 3, maxRetries: 3 }), { now: T0 + SECOND });
    expect(d).toMatchObject({ kind: "fail", reason: "RetriesExhausted", cause: "HandlerFailed" });
    const s = statusOf(d);
    expect(s).toMatchObject({ phase: "Failed", retries: 3, finishedAt: iso(T0 + SECOND), lastError: { reason: "RetriesExhausted" } });
    expect(s.assignedAgent).toBeUndefined();
    expect(findCondition(s.conditions, "Failed")).toMatchObject({ status: "True", reason: "RetriesExhausted" });
  });

  it("fails a failure the agent marked terminal at once, with its reason, spending no retry", () => {
    for (const reason of ["NoHandler", "ResultTooLarge", "BadPayload"]) {
      const j = failedAttempt({ retries: 1, maxRetries: 3 });
      const terminal = { ...j, status: { ...j.status, lastError: { reason, message: "no retry can fix this", terminal: true } } };
      const d = decide(terminal, { now: T0 + SECOND });
      expect(d).toMatchObject({ kind: "fail", reason, cause: "HandlerFailed" });
      const s = statusOf(d);
      expect(s).toMatchObject({ phase: "Failed", retries: 1, finishedAt: iso(T0 + SECOND), lastError: { reason, message: "no retry can fix this", terminal: true } });
      expect(s.nextAttemptAt).toBeUndefined();
      expect(s.attempts?.[0]).toMatchObject({ outcome: "Failed" });
      expect(findCondition(s.conditions, "Failed")).toMatchObject({ status: "True", reason });
    }
  });

  it("names a terminal failure whose reason is no CamelCase identifier TerminalError", () => {
    const j = failedAttempt();
    const d = decide({ ...j, status: { ...j.status, lastError: { reason: "not a reason!", message: "m", terminal: true } } });
    expect(d).toMatchObject({ kind: "fail", reason: "TerminalError" });
    expect(findCondition(statusOf(d).conditions, "Failed")?.reason).toBe("TerminalError");
  });

  it("fails at once with maxRetries 0", () => {
    expect(decide(failedAttempt({ maxRetries: 0 })).kind).toBe("fail");
  });

  it("requeues a Released attempt at once without counting a retry", () => {
    const j = activeJob("Running", { retries: 3, status: { attempts: [{ attempt: 1, agent: "a1", outcome: "Released", reason: "AgentDraining" }] } });
    const d = decide(j);
    expect(d).toMatchObject({ kind: "requeue", reason: "Released", countsRetry: false });
    const s = statusOf(d);
    expect(s.retries).toBe(3);
    expect(s.nextAttemptAt).toBeUndefined();
  });

  it("ignores a Failed record of an earlier attempt", () => {
    const j = activeJob("Running", { attempt: 2, status: { attempts: [{ attempt: 1, agent: "a0", outcome: "Failed" }, { attempt: 2, agent: "a1", outcome: "" }] } });
    expect(decide(j, { now: T0 + SECOND }).kind).toBe("none");
  });

  it.each([
    [{ missing: true }, "AgentDeleted"],
    [{ missing: false, phase: "Offline" }, "AgentOffline"],
  ] as const)("requeues with a retry but no backoff wait when the agent is %o", (agentView, reason) => {
    const d = decide(activeJob("Running"), { agent: agentView });
    expect(d).toMatchObject({ kind: "requeue", reason, countsRetry: true });
    expect(statusOf(d).attempts?.[0]).toMatchObject({ outcome: "Requeued", reason });
    // The job was not at fault: it goes back to a healthy agent at once.
    expect(statusOf(d).nextAttemptAt).toBeUndefined();
    expect(statusOf(d).retries).toBe(1);
  });

  it("makes a job that failed on its own wait out the backoff", () => {
    const d = decide(activeJob("Running", { spec: { timeoutSeconds: 30 } }), { now: T0 + 30 * SECOND });
    expect(statusOf(d).nextAttemptAt).toBeDefined();
  });

  it.each(["Draining", "Quarantined", "Ready"] as const)("lets an attempt on a %s agent continue", (phase) => {
    expect(decide(activeJob("Running"), { agent: { missing: false, phase }, now: T0 + SECOND }).kind).toBe("none");
  });

  it("stops an attempt under the kill switch without counting a retry", () => {
    expect(decide(activeJob("Running", { retries: 3 }), { killSwitch: true })).toMatchObject({ kind: "requeue", reason: "KillSwitch", countsRetry: false });
  });

  it("requeues an Assigned job not started within the ack timeout, and says when to look", () => {
    expect(decide(activeJob("Assigned"), { now: T0 + MINUTE })).toEqual({ kind: "none", requeueAfterMs: MINUTE });
    expect(decide(activeJob("Assigned"), { now: T0 + 2 * MINUTE })).toMatchObject({ kind: "requeue", reason: "AckTimeout", countsRetry: true });
  });

  it("aborts and retries an attempt past timeoutSeconds", () => {
    const j = activeJob("Running", { spec: { timeoutSeconds: 30 } });
    expect(decide(j, { now: T0 + 10 * SECOND })).toEqual({ kind: "none", requeueAfterMs: 20 * SECOND });
    const d = decide(j, { now: T0 + 30 * SECOND });
    expect(d).toMatchObject({ kind: "requeue", reason: "Timeout", countsRetry: true });
    expect(statusOf(d).attempts?.[0]?.outcome).toBe("Failed");
  });

  it("requeues a Running job without progress past the stuck threshold; progress moves the deadline", () => {
    expect(decide(activeJob("Running"), { now: T0 + 30 * MINUTE })).toMatchObject({ kind: "requeue", reason: "Stuck" });
    const progressing = activeJob("Running", { status: { progress: { percent: 50, updatedAt: iso(T0 + 20 * MINUTE) } } });
    expect(decide(progressing, { now: T0 + 30 * MINUTE })).toEqual({ kind: "none", requeueAfterMs: 20 * MINUTE });
  });

  it("takes the earliest deadline as the timer", () => {
    const j = activeJob("Assigned", { spec: { timeoutSeconds: 60 } });
    expect(decide(j, { now: T0 + 10 * SECOND })).toEqual({ kind: "none", requeueAfterMs: 50 * SECOND });
  });
});

// ---- properties -------------------------------------------------------------------------------

const PHASES = ["Pending", "Assigned", "Running", "Succeeded", "Failed", "Expired", "Cancelled"] as const;

const jobArb: fc.Arbitrary<Job> = fc
  .record({
    phase: fc.option(fc.constantFrom(...PHASES), { nil: undefined }),
    maxRetries: fc.integer({ min: 0, max: 5 }),
    retriesUsed: fc.integer({ min: 0, max: 5 }),
    attempt: fc.integer({ min: 0, max: 4 }),
    outcome: fc.constantFrom("", "", "Failed", "Released", "Succeeded"),
    cancel: fc.boolean(),
    timeoutSeconds: fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }),
    maxQueueSeconds: fc.option(fc.integer({ min: 1, max: 7200 }), { nil: undefined }),
    ttl: fc.option(fc.integer({ min: 0, max: 3600 }), { nil: undefined }),
    assignedAgo: fc.integer({ min: 0, max: 7200 }),
    started: fc.boolean(),
    finished: fc.boolean(),
    progressAgo: fc.option(fc.integer({ min: 0, max: 7200 }), { nil: undefined }),
  })
  .map((r) => {
    const retries = Math.min(r.retriesUsed, r.maxRetries);
    const active = r.phase === "Assigned" || r.phase === "Running";
    const attempt = active ? Math.max(1, r.attempt) : r.attempt;
    const at = iso(T0 - r.assignedAgo * SECOND);
    const status: JobStatus | undefined =
      r.phase === undefined
        ? undefined
        : {
            phase: r.phase,
            retries,
            attempt,
            queuedAt: iso(T0 - 2 * r.assignedAgo * SECOND),
            ...(active ? { assignedAgent: "a1", assignedAt: at } : {}),
            ...(r.phase === "Running" && r.started ? { startedAt: at } : {}),
            ...(r.progressAgo !== undefined && r.phase === "Running" ? { progress: { percent: 10, updatedAt: iso(T0 - r.progressAgo * SECOND) } } : {}),
            ...(isTerminalJobPhase(r.phase) && r.finished ? { finishedAt: iso(T0 - r.assignedAgo * SECOND) } : {}),
            ...(attempt > 0 ? { attempts: [{ attempt, agent: "a1", outcome: active ? r.outcome : "Succeeded", assignedAt: at }] } : {}),
          };
    return job({
      created: T0 - 3 * r.assignedAgo * SECOND,
      spec: {
        cancel: r.cancel,
        retry: { maxRetries: r.maxRetries, backoffSeconds: 10, maxBackoffSeconds: 600 },
        ...(r.timeoutSeconds === undefined ? {} : { timeoutSeconds: r.timeoutSeconds }),
        ...(r.maxQueueSeconds === undefined ? {} : { maxQueueSeconds: r.maxQueueSeconds }),
        ...(r.ttl === undefined ? {} : { ttlSecondsAfterFinished: r.ttl }),
      },
      ...(status === undefined ? {} : { status }),
    });
  });

const agentArb: fc.Arbitrary<AgentView | undefined> = fc.constantFrom(
  undefined,
  { missing: true },
  { missing: false, phase: "Ready" as const },
  { missing: false, phase: "Offline" as const },
  { missing: false, phase: "Draining" as const },
  { missing: false, phase: "Quarantined" as const },
  { missing: false },
);

const inputArb = fc.record({ job: jobArb, agent: agentArb, killSwitch: fc.boolean(), random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }) });

function run(i: { job: Job; agent: AgentView | undefined; killSwitch: boolean; random: number }, j: Job = i.job): RecoveryDecision {
  return decideRecovery({ job: j, agent: i.agent, killSwitch: i.killSwitch, config: CONFIG, now: T0, random: () => i.random });
}

describe("decideRecovery properties", () => {
  it("never lets retries exceed maxRetries", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const d = run(i);
        if ("status" in d) expect(d.status.retries ?? 0).toBeLessThanOrEqual(i.job.spec.retry.maxRetries);
      }),
    );
  });

  it("keeps a terminal job terminal, in the same phase", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        if (!isTerminalJobPhase(i.job.status?.phase)) return;
        const d = run(i);
        expect(["none", "delete", "complete"]).toContain(d.kind);
        if ("status" in d) expect(d.status.phase).toBe(i.job.status?.phase);
      }),
    );
  });

  it("a requeue clears the agent, keeps the fencing token and waits out backoff exactly when it counts a retry the job caused", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const d = run(i);
        if (d.kind !== "requeue") return;
        expect(d.status.phase).toBe("Pending");
        expect(d.status.assignedAgent).toBeUndefined();
        expect(d.status.attempt).toBe(i.job.status?.attempt);
        expect(d.status.retries).toBe((i.job.status?.retries ?? 0) + (d.countsRetry ? 1 : 0));
        const next = Date.parse(d.status.nextAttemptAt ?? "");
        const agentLost = d.reason === "AgentOffline" || d.reason === "AgentDeleted";
        if (d.countsRetry && !agentLost) expect(next).toBeGreaterThan(T0);
        else expect(d.status.nextAttemptAt).toBeUndefined();
      }),
    );
  });

  it("an agent-loss requeue is exactly a counted, backoff-free requeue of an agent reported Offline or missing", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const d = run(i);
        const lost = i.agent?.missing === true || i.agent?.phase === "Offline";
        expect(isAgentLossRequeue(d)).toBe(d.kind === "requeue" && lost && (d.reason === "AgentOffline" || d.reason === "AgentDeleted"));
        if (isAgentLossRequeue(d)) expect(d.countsRetry).toBe(true);
      }),
    );
  });

  it("the dispatcher's one-write move (the requeue composed with the assignment) closes the lost attempt and opens the next on the new agent", () => {
    fc.assert(
      fc.property(inputArb, fc.integer({ min: 0, max: 60_000 }), (i, later) => {
        const d = run(i);
        if (!isAgentLossRequeue(d)) return;
        const before = i.job.status ?? {};
        const n = before.attempt ?? 0;
        const moved = assignedStatus({ ...i.job, status: d.status }, "b2", T0 + later);
        expect(moved).toMatchObject({ phase: "Assigned", attempt: n + 1, assignedAgent: "b2", assignedAt: iso(T0 + later), retries: (before.retries ?? 0) + 1 });
        expect(moved.lastError).toMatchObject({ reason: d.reason, attempt: n });
        expect(moved.startedAt).toBeUndefined();
        expect(moved.progress).toBeUndefined();
        expect(moved.nextAttemptAt).toBeUndefined();
        const records = moved.attempts ?? [];
        expect(records.at(-1)).toEqual({ attempt: n + 1, agent: "b2", outcome: "", assignedAt: iso(T0 + later) });
        expect(records.find((a) => a.attempt === n)).toMatchObject({ agent: "a1", outcome: "Requeued", reason: d.reason, finishedAt: iso(T0) });
        expect(records.filter((a) => a.outcome === "")).toHaveLength(1);
        expect(findCondition(moved.conditions, "Scheduled")).toMatchObject({ status: "True", reason: "Assigned" });
      }),
    );
  });

  it("ends every failure, expiry and cancellation terminal with Failed=True and finishedAt", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const d = run(i);
        if (d.kind !== "fail" && d.kind !== "expire" && d.kind !== "cancel") return;
        expect(isTerminalJobPhase(d.status.phase)).toBe(true);
        expect(d.status.finishedAt).toBe(iso(T0));
        expect(d.status.assignedAgent).toBeUndefined();
        expect(findCondition(d.status.conditions, "Failed")?.status).toBe("True");
      }),
    );
  });

  it("returns only positive timers, and is deterministic", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const d = run(i);
        if (d.kind === "none" && d.requeueAfterMs !== undefined) expect(d.requeueAfterMs).toBeGreaterThan(0);
        expect(run(i)).toEqual(d);
      }),
    );
  });

  it("converges: once its status is written, the same moment decides nothing more to write", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const d = run(i);
        if (!("status" in d)) return;
        const after = run(i, { ...i.job, status: d.status });
        expect(["none", "delete"]).toContain(after.kind);
      }),
    );
  });

  it("the kill switch stops an attempt without a retry, and never hides what the agent reported or its loss", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const plain = run({ ...i, killSwitch: false });
        const d = run({ ...i, killSwitch: true });
        if (d.kind === "requeue" && d.reason === "KillSwitch") {
          expect(d.countsRetry).toBe(false);
          // Without the switch: nothing yet, or a deadline the switch pre-empted.
          const cause = plain.kind === "requeue" ? plain.reason : plain.kind === "fail" ? plain.cause : undefined;
          expect([undefined, "Timeout", "AckTimeout", "Stuck"]).toContain(cause);
        } else {
          expect(d).toEqual(plain);
        }
      }),
    );
  });
});

describe("lastError across attempts", () => {
  type Ending = "reported" | "unreported" | "timeout" | "released";
  const endings = fc.constantFrom<Ending>("reported", "unreported", "timeout", "released");

  /** The job with attempt `attempt` running on a1 since `at`, ended as `ending` says (a timeout is the operator's to see). */
  function ended(j: Job, attempt: number, at: string, ending: Ending): Job {
    const records = [...(j.status?.attempts ?? []), { attempt, agent: "a1", outcome: "", assignedAt: at }];
    const close = (outcome: string, reason: string) => records.map((a) => (a.attempt === attempt ? { ...a, outcome, reason, finishedAt: at } : a));
    const status: JobStatus = { ...j.status, phase: "Running", attempt, assignedAgent: "a1", assignedAt: at, startedAt: at, attempts: records };
    if (ending === "reported") return { ...j, status: { ...status, lastError: { reason: "Boom", message: `boom in ${attempt}`, attempt }, attempts: close("Failed", "Boom") } };
    // A misbehaving agent: a Failed record and no error of its own.
    if (ending === "unreported") return { ...j, status: { ...status, attempts: close("Failed", "Boom") } };
    if (ending === "released") return { ...j, status: { ...status, lastError: { reason: "AgentDraining", message: "handed back", attempt }, attempts: close("Released", "AgentDraining") } };
    return { ...j, status };
  }

  it("never nests messages nor quotes an earlier attempt's error as a later one's", () => {
    fc.assert(
      fc.property(fc.array(endings, { minLength: 1, maxLength: 6 }), (sequence) => {
        let j = job({ spec: { timeoutSeconds: 60, retry: { maxRetries: 10, backoffSeconds: 10, maxBackoffSeconds: 600 } }, status: { phase: "Pending" } });
        let now = T0;
        for (const ending of sequence) {
          const attempt = (j.status?.attempt ?? 0) + 1;
          const running = ended(j, attempt, iso(now), ending);
          now += ending === "timeout" ? 61 * SECOND : SECOND;
          const d = decide(running, { now });
          expect(d.kind).toBe("requeue");
          const error = statusOf(d).lastError;
          expect(error?.attempt).toBe(attempt);
          expect(error?.message.match(/attempt \d+/g)?.length ?? 0).toBeLessThanOrEqual(1);
          if (ending !== "reported") expect(error?.message).not.toMatch(/boom/);
          j = { ...running, status: statusOf(d) };
          now += 700 * SECOND; // past any backoff
        }
      }),
    );
  });
});
