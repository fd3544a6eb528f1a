// The job cache's transform: settled terminal Jobs become the settled projection, others lose only their payload, and every reader of the job cache decides the same on the projection.
import { describe, expect, it } from "vitest";
import { succeededStatus } from "../../../../src/agent/index.js";
import { JOB_CONDITIONS, setCondition, type Job, type JobStatus } from "../../../../src/api/index.js";
import { attemptOutcomes, runningJobs } from "../../../../src/controllers/agent-health/index.js";
import { decideRecovery, decideSettled, type RecoveryConfig } from "../../../../src/controllers/job-recovery/index.js";
import { jobGauges, jobTransition } from "../../../../src/controllers/metrics/index.js";
import { assignedStatus } from "../../../../src/controllers/queue-priority/index.js";
import { isLiveJob, isSettledJob, JOB_INDEXERS, settledJobSchema, type CachedJob } from "../../../../src/controllers/shared/index.js";
import { cachedJobTransform } from "../../../../src/controllers/shared/cached-jobs.js";
import { iso, job, MINUTE, SECOND, T0 } from "../job-recovery/support.js";

// The failed job sets no TTL, so --finished-job-ttl (5 minutes) decides it; the succeeded one sets its own (60 s).
const CONFIG: RecoveryConfig = { ackTimeoutMs: 2 * MINUTE, stuckThresholdMs: 30 * MINUTE, maxQueueTimeMs: 60 * MINUTE, finishedJobTtlMs: 5 * MINUTE };

/** A job assigned to a1, run, then Succeeded with a result, as the dispatcher and the agent write it. */
function succeededPair(): { running: Job; done: Job } {
  const created = job({ spec: { ttlSecondsAfterFinished: 60 } });
  const assigned = { ...created, status: assignedStatus(created, "a1", T0) };
  const running: Job = { ...assigned, status: { ...assigned.status, phase: "Running", startedAt: iso(T0 + SECOND), progress: { percent: 40, message: "working" } } };
  const status = succeededStatus(running, { uid: created.metadata.uid ?? "", agent: "a1", attempt: 1 }, { rows: 12, note: "x".repeat(200) }, new Date(T0 + 5 * SECOND), { message: "done" });
  return { running, done: { ...running, metadata: { ...running.metadata, resourceVersion: "99" }, status } };
}

/** A job whose retries ran out: Failed=True, lastError, two failed attempt records. */
function failedJob(): Job {
  const status: JobStatus = {
    phase: "Failed",
    attempt: 2,
    retries: 1,
    queuedAt: iso(T0),
    finishedAt: iso(T0 + MINUTE),
    lastError: { reason: "RetriesExhausted", message: "boom" },
    attempts: [
      { attempt: 1, agent: "a1", outcome: "Failed", reason: "HandlerFailed", assignedAt: iso(T0), startedAt: iso(T0), finishedAt: iso(T0 + SECOND) },
      { attempt: 2, agent: "a2", outcome: "Failed", reason: "HandlerFailed", assignedAt: iso(T0 + 20 * SECOND), finishedAt: iso(T0 + 30 * SECOND) },
    ],
    conditions: setCondition(
      setCondition(undefined, { type: JOB_CONDITIONS.scheduled, status: "False", reason: "BackoffWait", message: "retry 1" }, new Date(T0)),
      { type: JOB_CONDITIONS.failed, status: "True", reason: "RetriesExhausted", message: "gave up" },
      new Date(T0 + MINUTE),
    ),
  };
  return job({ name: "failed", status });
}

const toCache = (j: CachedJob): CachedJob => cachedJobTransform()(j);

const pick = <T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Pick<T, K> =>
  Object.fromEntries(keys.map((k) => [k, obj[k]])) as Pick<T, K>;

function indexValues(j: CachedJob): Record<string, readonly string[]> {
  return Object.fromEntries(Object.entries(JOB_INDEXERS).map(([name, f]) => [name, f(j)]));
}

describe("cachedJobTransform", () => {
  it("projects a Succeeded job onto the settled schema, keeping what its readers use, without touching the input", () => {
    const { done } = succeededPair();
    const before = structuredClone(done);
    const trimmed = toCache(done);
    expect(done).toEqual(before);
    expect(isLiveJob(trimmed)).toBe(false);
    // Exactly the projection's fields: what the schema picks, nothing more.
    expect(settledJobSchema.strict().safeParse(trimmed).success).toBe(true);
    expect(trimmed.metadata).toEqual(pick(done.metadata, ["name", "namespace", "uid", "resourceVersion"]));
    expect(trimmed.spec).toEqual({ ...pick(done.spec, ["type", "queue", "priority"]), ttlSecondsAfterFinished: 60 });
    const status = trimmed.status ?? {};
    for (const field of ["result", "progress", "queuedAt", "observedGeneration"]) expect(status).not.toHaveProperty(field);
    expect(status).toMatchObject({ phase: "Succeeded", attempt: 1, assignedAgent: "a1", assignedAt: iso(T0), startedAt: iso(T0 + SECOND), finishedAt: iso(T0 + 5 * SECOND) });
    expect(status.conditions).toEqual([{ type: JOB_CONDITIONS.complete, status: "True", reason: "Succeeded", message: "", lastTransitionTime: iso(T0 + 5 * SECOND) }]);
    expect(status.attempts).toEqual([{ attempt: 1, agent: "a1", outcome: "Succeeded", assignedAt: iso(T0), finishedAt: iso(T0 + 5 * SECOND) }]);
    expect(JSON.stringify(trimmed).length).toBeLessThan(JSON.stringify(done).length * 0.7);
  });

  it("keeps the Failed condition and every attempt record of a failed job", () => {
    const trimmed = toCache(failedJob());
    expect(trimmed.status?.conditions?.map((c) => c.type)).toEqual([JOB_CONDITIONS.failed]);
    expect(trimmed.status?.attempts?.map((a) => [a.attempt, a.agent, a.outcome])).toEqual([
      [1, "a1", "Failed"],
      [2, "a2", "Failed"],
    ]);
    expect(trimmed.status).not.toHaveProperty("lastError");
  });

  it("returns non-terminal jobs and terminal jobs missing their bookkeeping as they are", () => {
    const { running, done } = succeededPair();
    const noFinish: Job = { ...done, status: { ...done.status, finishedAt: undefined } };
    delete noFinish.status?.finishedAt;
    const noComplete: Job = { ...done, status: { ...done.status, conditions: done.status?.conditions?.filter((c) => c.type !== JOB_CONDITIONS.complete) ?? [] } };
    const bare = job();
    for (const j of [running, noFinish, noComplete, bare]) {
      expect(isSettledJob(j)).toBe(false);
      expect(isLiveJob(toCache(j))).toBe(true);
      expect(toCache(j)).toEqual(j);
    }
  });

  it("drops only the payload of a live job, without touching the input", () => {
    const withPayload: Job = { ...job(), spec: { ...job().spec, payload: { big: "x".repeat(1000) } } };
    const before = structuredClone(withPayload);
    const { payload, ...spec } = withPayload.spec;
    expect(payload).toBeDefined();
    expect(toCache(withPayload)).toEqual({ ...withPayload, spec });
    expect(withPayload).toEqual(before);
    for (const j of [job(), succeededPair().running]) {
      if (j.spec.payload === undefined) expect(toCache(j)).toBe(j);
    }
  });

  it("is the cache's element type: reading a dropped field does not compile (tsc checks the directives)", () => {
    const cached = toCache(succeededPair().done);
    // @ts-expect-error no cached Job has a payload
    expect(cached.spec.payload).toBeUndefined();
    // @ts-expect-error a settled job's projection has no result, and any cached job may be settled
    expect(cached.status?.result).toBeUndefined();
    // @ts-expect-error nor the retry policy
    expect(cached.spec.retry).toBeUndefined();
    const live = toCache(succeededPair().running);
    expect(isLiveJob(live) ? live.status?.progress : undefined).toEqual({ percent: 40, message: "working" });
  });

  it("shares one terminal condition list between jobs that finished the same way in the same second", () => {
    const transform = cachedJobTransform();
    const [a, b] = [failedJob(), { ...failedJob(), metadata: { ...failedJob().metadata, name: "other", uid: "u2" } }].map((j) => transform(structuredClone(j)));
    expect(a?.status?.conditions).toBe(b?.status?.conditions);
    expect(transform(succeededPair().done).status?.conditions).not.toBe(a?.status?.conditions);
  });

  it("is idempotent", () => {
    const once = toCache(failedJob());
    expect(toCache(once)).toEqual(once);
  });
});

describe("the job cache's readers see the same on a settled job's projection", () => {
  const cases = (): [string, Job][] => [
    ["succeeded", succeededPair().done],
    ["failed", failedJob()],
  ];

  it("job-recovery never writes its status (TTL delete or nothing, same as untrimmed)", () => {
    for (const [, full] of cases()) {
      for (const now of [T0 + 10 * SECOND, T0 + 10 * MINUTE]) {
        const decision = decideSettled(toCache(full), now, CONFIG);
        expect(decision.kind === "none" || decision.kind === "delete").toBe(true);
        expect(decision).toEqual(decideRecovery({ job: full, killSwitch: false, config: CONFIG, now, random: () => 0.5 }));
      }
      // The projection keeps what the TTL is counted from: both jobs are due 10 minutes in.
      expect(decideSettled(toCache(full), T0 + 10 * MINUTE, CONFIG).kind).toBe("delete");
    }
  });

  it("the circuit breaker, the indexes and the gauges", () => {
    for (const [, full] of cases()) {
      const trimmed = toCache(full);
      for (const agent of ["a1", "a2"]) {
        expect(attemptOutcomes([trimmed], agent)).toEqual(attemptOutcomes([full], agent));
        expect(runningJobs([trimmed], agent)).toBe(runningJobs([full], agent));
      }
      expect(indexValues(trimmed)).toEqual(indexValues(full));
      expect(jobGauges([trimmed], T0 + MINUTE)).toEqual(jobGauges([full], T0 + MINUTE));
    }
  });

  it("the metrics collector's transition audit (it reads the new object after the transform)", () => {
    const { running, done } = succeededPair();
    expect(jobTransition(running, toCache(done))).toEqual(jobTransition(running, done));
    expect(jobTransition(running, toCache(done))).toMatchObject({ finished: "Succeeded", runSeconds: 4 });
  });
});
