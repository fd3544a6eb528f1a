// The job cache's element type and transform: a Job as the operator's controllers read it.
//
// The cache holds projections of the Job schema, not Jobs: a live Job (Pending, Assigned, Running, or
// terminal with its bookkeeping still to write) without `spec.payload`, and a settled Job reduced to
// what its readers use. A reader that touches a field the projection drops does not compile; one that
// needs a live Job's full status narrows with `isLiveJob` first.
import { z } from "zod";
import {
  isConditionTrue,
  isTerminalJobPhase,
  JOB_CONDITIONS,
  jobAttemptSchema,
  jobSchema,
  jobSpecSchema,
  jobStatusSchema,
  objectMetaSchema,
  type Condition,
  type JobPhase,
} from "../../api/index.js";
import { Interner, SharedValues, stripSpecFields } from "../../runtime/cache/index.js";

/**
 * A settled Job as cached (about 80 % of the cache at scale; a terminal phase never changes and no one
 * writes its status again). Kept: the metadata a delete precondition, an Event and an audit entry
 * name; the spec fields of its TTL (job-recovery) and of its metrics' labels; phase, attempt,
 * assignedAgent and the times (`finishedAt` times TTL deletion; run time for metrics; audit entries);
 * the terminal condition with its message emptied (the settled check); and of each attempt record what
 * the agent-health circuit breaker, the agent indexes and audit recovery read.
 */
const settledAttemptSchema = jobAttemptSchema.pick({ attempt: true, agent: true, outcome: true, assignedAt: true, finishedAt: true });
type SettledAttempt = z.infer<typeof settledAttemptSchema>;

export const settledJobSchema = jobSchema.pick({ apiVersion: true, kind: true }).extend({
  metadata: z.object(objectMetaSchema.pick({ name: true, namespace: true, uid: true, resourceVersion: true, deletionTimestamp: true }).shape),
  spec: jobSpecSchema.pick({ type: true, queue: true, priority: true, ttlSecondsAfterFinished: true }),
  status: jobStatusSchema.pick({ phase: true, attempt: true, assignedAgent: true, assignedAt: true, startedAt: true, finishedAt: true, conditions: true }).extend({
    attempts: z.array(settledAttemptSchema).optional(),
  }),
});
export type SettledJob = z.infer<typeof settledJobSchema>;

/** Any other Job as cached: all of it but `spec.payload`, the handler's input, read only by the agent that runs the job. */
export const liveJobSchema = jobSchema.extend({ spec: jobSpecSchema.omit({ payload: true }) });
export type LiveJob = z.infer<typeof liveJobSchema>;

/** An element of the operator's job cache. */
export type CachedJob = SettledJob | LiveJob;

/** What the settled check reads; both projections have it. */
interface TerminalFacts {
  readonly status?: { readonly phase?: JobPhase | undefined; readonly finishedAt?: string | undefined; readonly conditions?: readonly Condition[] | undefined } | undefined;
}

/**
 * Terminal (an absorbing phase) with its bookkeeping done: `finishedAt` set and `Complete=True`
 * (`Failed=True` for the failed phases). job-recovery's decideTerminal writes a terminal Job's status
 * only when this is false, so no one builds a status write from a settled Job's cache.
 */
export function isSettledJob(job: TerminalFacts): boolean {
  const status = job.status;
  if (!isTerminalJobPhase(status?.phase) || status.finishedAt === undefined) return false;
  return isConditionTrue(status.conditions, terminalCondition(status.phase));
}

/** A cached Job that is not settled is cached whole (but its payload): the cache transform makes it so. */
export function isLiveJob(job: CachedJob): job is LiveJob {
  return !isSettledJob(job);
}

/** The job cache's transform: projects each listed or watched Job (typed as what the cache holds) onto its cached shape. */
export function cachedJobTransform(): (job: CachedJob) => CachedJob {
  const shared: Shared = { strings: new Interner(), conditions: new SharedValues() };
  return (job) => (isLiveJob(job) ? withoutPayload(job) : settledJob(job, shared));
}

/** What settled projections share: strings, and the terminal condition lists (equal for every job finished the same way in the same second). */
interface Shared {
  readonly strings: Interner;
  readonly conditions: SharedValues<Condition[]>;
}

/** A live Job keeps all of it but its payload. */
const withoutPayload = stripSpecFields<LiveJob>("payload");

/**
 * Copies the kept fields into fresh objects (never `delete`: see runtime/cache/transform.ts), with
 * repeated strings (kind, namespace, type, queue, agents, reasons, timestamps to the second) and
 * condition lists shared.
 */
function settledJob(job: CachedJob, shared: Shared): SettledJob {
  const s: Intern = (value) => shared.strings.intern(value);
  const { metadata, spec } = job;
  const status = job.status ?? {};
  const phase = status.phase;
  const condition = phase === undefined ? undefined : terminalCondition(phase);
  const kept = (status.conditions ?? []).filter((c) => c.type === condition);
  const conditionsKey = kept.map((c) => `${c.type} ${c.status} ${c.reason} ${c.lastTransitionTime}`).join("\n");
  return {
    apiVersion: s(job.apiVersion),
    kind: s(job.kind),
    metadata: {
      name: metadata.name,
      namespace: s(metadata.namespace),
      uid: metadata.uid,
      resourceVersion: metadata.resourceVersion,
      ...(metadata.deletionTimestamp === undefined ? {} : { deletionTimestamp: metadata.deletionTimestamp }),
    },
    spec: {
      type: s(spec.type),
      queue: s(spec.queue),
      priority: s(spec.priority),
      ...(spec.ttlSecondsAfterFinished === undefined ? {} : { ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished }),
    },
    status: {
      phase: s(phase),
      attempt: status.attempt,
      assignedAgent: s(status.assignedAgent),
      assignedAt: s(status.assignedAt),
      startedAt: s(status.startedAt),
      finishedAt: s(status.finishedAt),
      conditions: shared.conditions.get(conditionsKey, () =>
        kept.map((c) => ({ type: s(c.type), status: c.status, reason: s(c.reason), message: "", lastTransitionTime: s(c.lastTransitionTime) })),
      ),
      ...(status.attempts === undefined ? {} : { attempts: status.attempts.map((a) => breakerRecord(a, s)) }),
    },
  };
}

type Intern = <T extends string | undefined>(value: T) => T;

function terminalCondition(phase: JobPhase): string {
  return phase === "Succeeded" ? JOB_CONDITIONS.complete : JOB_CONDITIONS.failed;
}

/** An attempt record as the circuit breaker reads it (agent-health decide.ts, attemptOutcomes). */
function breakerRecord(record: SettledAttempt, s: Intern): SettledAttempt {
  const { attempt, agent, outcome, assignedAt, finishedAt } = record;
  return { attempt, agent: s(agent), outcome: s(outcome), ...(assignedAt === undefined ? {} : { assignedAt: s(assignedAt) }), ...(finishedAt === undefined ? {} : { finishedAt: s(finishedAt) }) };
}
