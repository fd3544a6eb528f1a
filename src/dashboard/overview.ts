// Pure aggregates of the Overview: throughput and latency over the last hour, Blocked jobs, and the
// queue, agent and flag summaries `helios status` prints (one rule each, reused from cli/output).
//
// Flow: the server hands a snapshot of its caches and the clock; nothing here reads or writes.
// Guarantees: minutes are aligned to the epoch minute; the last hour has 60 points, oldest first,
// zero-filled, so charts never skip a minute.
import { findCondition, isTerminalJobPhase, JOB_CONDITIONS, jobPhase, parseTime, type Agent, type FeatureFlag, type Job } from "../api/index.js";
import { flagsInEffect, summarizeAgents, summarizeQueues } from "../cli/output/index.js";
import type { AccessProblem, BlockedJob, LatencyPoint, Overview, ThroughputPoint } from "./model.js";

const MINUTE_MS = 60_000;
/** The charts span this many minutes back from now. */
export const OVERVIEW_MINUTES = 60;

function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

function lastHourMinutes(nowMs: number): number[] {
  const last = minuteOf(nowMs);
  return Array.from({ length: OVERVIEW_MINUTES }, (_, i) => last - (OVERVIEW_MINUTES - 1 - i) * MINUTE_MS);
}

/** Jobs that finished in each minute of the last hour, by terminal phase (time: status.finishedAt). */
export function throughputByMinute(jobs: readonly Job[], nowMs: number): ThroughputPoint[] {
  const minutes = lastHourMinutes(nowMs);
  const first = minutes[0] ?? 0;
  const points = new Map(minutes.map((m) => [m, { minute: m, Succeeded: 0, Failed: 0, Expired: 0, Cancelled: 0 }]));
  for (const job of jobs) {
    const phase = jobPhase(job);
    if (!isTerminalJobPhase(phase)) continue;
    const finished = parseTime(job.status?.finishedAt);
    if (finished === undefined || finished < first || finished > nowMs) continue;
    const point = points.get(minuteOf(finished));
    if (point !== undefined) point[phase]++;
  }
  return [...points.values()];
}

/**
 * Latency from creation to first assignment of the jobs first assigned in each minute of the last
 * hour (first assignment: the attempts history's first assignedAt, else status.assignedAt).
 */
export function assignmentLatencyByMinute(jobs: readonly Job[], nowMs: number): LatencyPoint[] {
  const minutes = lastHourMinutes(nowMs);
  const first = minutes[0] ?? 0;
  const acc = new Map(minutes.map((m) => [m, { count: 0, sum: 0, max: 0 }]));
  for (const job of jobs) {
    const created = parseTime(job.metadata.creationTimestamp);
    const assigned = parseTime(job.status?.attempts?.[0]?.assignedAt ?? job.status?.assignedAt);
    if (created === undefined || assigned === undefined || assigned < first || assigned > nowMs) continue;
    const bucket = acc.get(minuteOf(assigned));
    if (bucket === undefined) continue;
    const latency = Math.max(0, assigned - created);
    bucket.count++;
    bucket.sum += latency;
    bucket.max = Math.max(bucket.max, latency);
  }
  return minutes.map((minute) => {
    const b = acc.get(minute) ?? { count: 0, sum: 0, max: 0 };
    return { minute, count: b.count, avgMs: b.count === 0 ? 0 : Math.round(b.sum / b.count), maxMs: b.max };
  });
}

/** Unfinished jobs whose Blocked condition is True, with its reason and message, oldest first. */
export function blockedJobs(jobs: readonly Job[]): BlockedJob[] {
  const blocked: (BlockedJob & { created: number })[] = [];
  for (const job of jobs) {
    if (isTerminalJobPhase(jobPhase(job))) continue;
    const condition = findCondition(job.status?.conditions, JOB_CONDITIONS.blocked);
    if (condition?.status !== "True") continue;
    blocked.push({
      namespace: job.metadata.namespace ?? "",
      name: job.metadata.name ?? "",
      type: job.spec.type,
      reason: condition.reason,
      message: condition.message ?? "",
      created: parseTime(job.metadata.creationTimestamp) ?? 0,
    });
  }
  return blocked.sort((a, b) => a.created - b.created || a.name.localeCompare(b.name)).map(({ created: _created, ...rest }) => rest);
}

/** Everything the Overview shows, from one snapshot of the caches. */
export function overview(input: {
  readonly scope: string;
  readonly operatorNamespace: string;
  readonly jobs: readonly Job[];
  readonly agents: readonly Agent[];
  /** Undefined when the control flags could not be read (a problem says why). */
  readonly controlFlags: readonly FeatureFlag[] | undefined;
  readonly problems: readonly AccessProblem[];
  readonly nowMs: number;
}): Overview {
  return {
    scope: input.scope,
    operatorNamespace: input.operatorNamespace,
    queues: summarizeQueues(input.jobs, input.agents, input.nowMs),
    agents: summarizeAgents(input.agents, input.jobs),
    throughput: throughputByMinute(input.jobs, input.nowMs),
    latency: assignmentLatencyByMinute(input.jobs, input.nowMs),
    blocked: blockedJobs(input.jobs),
    ...(input.controlFlags === undefined ? {} : { flags: flagsInEffect(input.controlFlags) }),
    problems: input.problems,
  };
}
