// Pure audit recovery: the decisions a Job's status records, and which of them the trail lacks.
//
// Rules: a Job's status records three kinds of decision, each audited exactly once:
// - `assigned`, one per attempt in `status.attempts` (key: job uid, attempt, action);
// - `started`, one per attempt whose record has `startedAt` (key: job uid, attempt, action);
// - its ending (`succeeded`, `failed`, `expired` or `cancelled`) once it is terminal (key: job uid
//   and "end": a Job ends once, whatever the attempt).
// A recovered entry carries the time, agent and reason the status records.
//
// Caveats: only decisions at or after `since` are looked at (the trail is read from there on), and
// a Job deleted before recovery takes its missing entries with it. Decisions the recovering
// process made itself (`assigned` and endings at or after `leaderSince`) are left to it: it
// records them as it makes them.
import { isTerminalJobPhase, JOB_CONDITIONS, JOB_ENDING_ACTIONS, type Job } from "../../api/index.js";
import { auditKey, type AuditRecord } from "../../audit/index.js";
import { JOB_RECOVERY_CONTROLLER } from "../job-recovery/index.js";
import { QUEUE_PRIORITY_CONTROLLER } from "../queue-priority/index.js";

/** Who makes each decision, as the live entries name it: agents report facts, controllers decide. */
const AGENT = "agent";

/** Every decision `job`'s status records, as the entries that audit them. */
export function recordedDecisions(job: Job): AuditRecord[] {
  const uid = job.metadata.uid;
  const status = job.status;
  if (uid === undefined || status === undefined) return [];
  const base = { namespace: job.metadata.namespace ?? "", kind: "Job", name: job.metadata.name ?? "", uid };
  const out: AuditRecord[] = [];
  for (const a of status.attempts ?? []) {
    const attempt = { ...base, attempt: a.attempt, agent: a.agent };
    if (a.assignedAt !== undefined) {
      out.push({ ...attempt, time: a.assignedAt, action: "assigned", reason: "Scheduled", message: `assigned to agent ${a.agent}`, actor: QUEUE_PRIORITY_CONTROLLER });
    }
    if (a.startedAt !== undefined) {
      out.push({ ...attempt, time: a.startedAt, action: "started", reason: "Started", message: "the agent started the attempt", actor: AGENT });
    }
  }
  const phase = status.phase;
  if (isTerminalJobPhase(phase) && status.finishedAt !== undefined) {
    const action = JOB_ENDING_ACTIONS[phase];
    const current = status.attempts?.find((a) => a.attempt === status.attempt);
    const failure = status.conditions?.find((c) => c.type === JOB_CONDITIONS.failed && c.status === "True");
    out.push({
      ...base,
      time: status.finishedAt,
      action,
      ...(status.attempt === undefined || status.attempt === 0 ? {} : { attempt: status.attempt }),
      ...(current === undefined ? {} : { agent: current.agent }),
      reason: phase === "Succeeded" ? "Succeeded" : (failure?.reason ?? phase),
      message: phase === "Succeeded" ? "the agent reported success" : (failure?.message ?? `the Job is ${phase}`),
      actor: phase === "Succeeded" ? AGENT : JOB_RECOVERY_CONTROLLER,
    });
  }
  return out;
}

export interface LostDecisionsInput {
  readonly jobs: readonly Job[];
  /** Keys of the entries the trail holds (read from the apiserver) from `since` on. */
  readonly written: ReadonlySet<string>;
  /** Epoch ms: decisions before it are not looked at. */
  readonly since: number;
  /** Epoch ms the recovering process started to lead: its own operator decisions are its to record. */
  readonly leaderSince: number;
}

/** The decisions the Jobs' statuses record from `since` on that no entry in `written` audits, oldest first. */
export function lostDecisions(input: LostDecisionsInput): AuditRecord[] {
  const lost: AuditRecord[] = [];
  for (const job of input.jobs) {
    for (const record of recordedDecisions(job)) {
      const at = Date.parse(record.time ?? "");
      if (!(at >= input.since)) continue;
      if (at >= input.leaderSince && record.actor !== AGENT) continue;
      const key = auditKey(record);
      if (key !== undefined && !input.written.has(key)) lost.push(record);
    }
  }
  return lost.sort((a, b) => Date.parse(a.time ?? "") - Date.parse(b.time ?? ""));
}
