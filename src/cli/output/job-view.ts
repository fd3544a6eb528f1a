// What `helios jobs` shows for a Job: wait and run times, attempts, retries and why it is where it is.
import { findCondition, isTerminalJobPhase, JOB_CONDITIONS, jobPhase, parseTime, type Job, type JobPhase } from "../../api/index.js";
import { durationCell, humanDuration } from "./durations.js";
import { formatColumns, oneLine, type Column } from "./table.js";

/** One Job as the CLI presents it; times in ms, absent when they do not apply. JSON/YAML print this. */
export interface JobView {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly priority: string;
  readonly queue: string;
  readonly phase: JobPhase;
  readonly agent?: string;
  readonly attempt: number;
  readonly retries: number;
  readonly maxRetries: number;
  /** Queued (last entry into Pending, else creation) until assigned, or until now while Pending. */
  readonly waitMs?: number;
  /** Started (or assigned, for a job acknowledged lazily) until finished, or until now while Running. */
  readonly runMs?: number;
  readonly progressPercent?: number;
  /** Why the job is where it is: a Blocked/Scheduled/Failed condition reason, else the last error's. */
  readonly reason?: string;
  readonly message?: string;
  readonly nextAttemptAt?: string;
  readonly cancelRequested: boolean;
  readonly createdAt?: string;
  readonly ageMs?: number;
}

/** When the job (last) entered the queue: `status.queuedAt`, else its creation. */
export function queuedAtMs(job: Job): number | undefined {
  return parseTime(job.status?.queuedAt) ?? parseTime(job.metadata.creationTimestamp);
}

/**
 * Time waited in the queue: from queuedAt until the current attempt's assignment, or until now
 * while Pending. A job that ended without being assigned (Expired, Cancelled while Pending)
 * waited until it finished.
 */
export function jobWaitMs(job: Job, nowMs: number): number | undefined {
  const from = queuedAtMs(job);
  if (from === undefined) return undefined;
  const phase = jobPhase(job);
  if (phase === "Pending") return Math.max(0, nowMs - from);
  const assigned = parseTime(job.status?.assignedAt);
  // assignedAt older than queuedAt belongs to an attempt before a requeue.
  if (assigned !== undefined && assigned >= from) return assigned - from;
  const finished = parseTime(job.status?.finishedAt);
  if (finished !== undefined && finished >= from) return finished - from;
  return isTerminalJobPhase(phase) ? undefined : Math.max(0, nowMs - from);
}

/**
 * Time the current attempt ran: from startedAt (or assignedAt when the agent finished before it
 * acknowledged) until finishedAt, or until now while Running. Undefined while Pending or
 * Assigned, and for jobs that never ran.
 */
export function jobRunMs(job: Job, nowMs: number): number | undefined {
  const phase = jobPhase(job);
  const status = job.status;
  if (phase === "Pending" || phase === "Assigned" || status === undefined) return undefined;
  const started = parseTime(status.startedAt);
  if (phase === "Running") return started === undefined ? undefined : Math.max(0, nowMs - started);
  const finished = parseTime(status.finishedAt);
  const from = started ?? (phase === "Succeeded" ? parseTime(status.assignedAt) : undefined);
  if (from === undefined || finished === undefined || finished < from) return undefined;
  // A requeue leaves the earlier attempt's startedAt behind; only count it if it followed the queueing.
  const queued = parseTime(status.queuedAt);
  if (queued !== undefined && from < queued) return undefined;
  return finished - from;
}

/**
 * Why the job is where it is, most telling first: Pending → Blocked (someone must act) or
 * Scheduled=False (waiting), failed phases → the Failed condition, otherwise the last error.
 */
export function jobReason(job: Job): { readonly reason?: string; readonly message?: string } {
  const conditions = job.status?.conditions;
  const phase = jobPhase(job);
  const pick = (type: string, status: "True" | "False") => {
    const c = findCondition(conditions, type);
    return c !== undefined && c.status === status ? { reason: c.reason, message: c.message } : undefined;
  };
  const fromCondition =
    phase === "Pending"
      ? (pick(JOB_CONDITIONS.blocked, "True") ?? pick(JOB_CONDITIONS.scheduled, "False"))
      : phase === "Failed" || phase === "Expired" || phase === "Cancelled"
        ? pick(JOB_CONDITIONS.failed, "True")
        : undefined;
  if (fromCondition !== undefined) return fromCondition;
  if (phase === "Succeeded") return {};
  if (phase === "Pending" && job.spec.cancel === true) return { reason: "CancelRequested", message: "spec.cancel is set; the operator cancels it" };
  const error = job.status?.lastError;
  return error === undefined ? {} : { reason: error.reason, message: error.message };
}

/** The view of one Job at `nowMs`. */
export function jobView(job: Job, nowMs: number): JobView {
  const status = job.status;
  const created = parseTime(job.metadata.creationTimestamp);
  const waitMs = jobWaitMs(job, nowMs);
  const runMs = jobRunMs(job, nowMs);
  const { reason, message } = jobReason(job);
  return {
    namespace: job.metadata.namespace ?? "",
    name: job.metadata.name ?? "",
    type: job.spec.type,
    priority: job.spec.priority,
    queue: job.spec.queue,
    phase: jobPhase(job),
    ...(status?.assignedAgent ? { agent: status.assignedAgent } : {}),
    attempt: status?.attempt ?? 0,
    retries: status?.retries ?? 0,
    maxRetries: job.spec.retry.maxRetries,
    ...(waitMs === undefined ? {} : { waitMs }),
    ...(runMs === undefined ? {} : { runMs }),
    ...(status?.progress?.percent === undefined ? {} : { progressPercent: status.progress.percent }),
    ...(reason === undefined ? {} : { reason }),
    ...(message === undefined || message === "" ? {} : { message }),
    ...(status?.nextAttemptAt ? { nextAttemptAt: status.nextAttemptAt } : {}),
    cancelRequested: job.spec.cancel === true,
    ...(job.metadata.creationTimestamp ? { createdAt: job.metadata.creationTimestamp } : {}),
    ...(created === undefined ? {} : { ageMs: Math.max(0, nowMs - created) }),
  };
}

/** Oldest first (then by name), which is the queue's own order for equal priorities. */
export function sortJobViews(views: readonly JobView[]): JobView[] {
  return [...views].sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || (b.ageMs ?? 0) - (a.ageMs ?? 0) || a.name.localeCompare(b.name),
  );
}

function phaseCell(v: JobView): string {
  if (v.cancelRequested && !isTerminalJobPhase(v.phase)) return `${v.phase} (cancelling)`;
  if (v.phase === "Running" && v.progressPercent !== undefined) return `Running ${Math.round(v.progressPercent)}%`;
  return v.phase;
}

const JOB_COLUMNS = (namespaces: boolean, nowMs: number): Column<JobView>[] => [
  ...(namespaces ? [{ header: "NAMESPACE", value: (v: JobView) => v.namespace }] : []),
  { header: "NAME", value: (v) => v.name },
  { header: "TYPE", value: (v) => v.type },
  { header: "PRIORITY", value: (v) => v.priority },
  { header: "QUEUE", value: (v) => v.queue, wide: true },
  { header: "PHASE", value: phaseCell },
  { header: "AGENT", value: (v) => v.agent ?? "-" },
  { header: "ATTEMPT", value: (v) => String(v.attempt) },
  { header: "RETRIES", value: (v) => `${v.retries}/${v.maxRetries}` },
  { header: "WAIT", value: (v) => durationCell(v.waitMs) },
  { header: "RUN", value: (v) => durationCell(v.runMs) },
  { header: "REASON", value: (v) => v.reason ?? "" },
  {
    header: "NEXT-ATTEMPT",
    value: (v) => {
      const at = parseTime(v.nextAttemptAt);
      return at === undefined || at <= nowMs || v.phase !== "Pending" ? "-" : `in ${humanDuration(at - nowMs)}`;
    },
    wide: true,
  },
  { header: "AGE", value: (v) => durationCell(v.ageMs) },
  { header: "MESSAGE", value: (v) => oneLine(v.message ?? "", 120), wide: true },
];

/** `helios jobs` as a table; `namespaces` adds the NAMESPACE column (-A), `wide` the extra ones. */
export function formatJobTable(views: readonly JobView[], options: { readonly namespaces: boolean; readonly wide: boolean; readonly nowMs: number }): string {
  return formatColumns(JOB_COLUMNS(options.namespaces, options.nowMs), views, options.wide);
}
