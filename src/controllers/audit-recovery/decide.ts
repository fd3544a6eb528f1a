// Pure audit recovery: the decisions a Job's status records, and which of them the trail lacks.
//
// Rules: a Job's status records two kinds of decision, each audited exactly once:
// - `assigned`, one per attempt in `status.attempts` (key: job uid, attempt, action);
// - its ending (`succeeded`, `failed`, `expired` or `cancelled`) once it is terminal (key: job uid
//   and "end": a Job ends once, whatever the attempt).
// A recovered entry carries the time, agent and reason the status records. `started` is not
// recovered: the leader records it live when it sees the Running phase, which a short attempt may
// skip, so the status cannot tell whether an entry was ever due.
//
// Caveats: only decisions at or after `since` are looked at (the trail is read from there on).
import { isTerminalJobPhase, JOB_CONDITIONS, JOB_ENDING_ACTIONS } from "../../api/index.js";
import { auditKey, type AuditRecord } from "../../audit/index.js";
import { JOB_RECOVERY_CONTROLLER } from "../job-recovery/index.js";
import { QUEUE_PRIORITY_CONTROLLER } from "../queue-priority/index.js";
import type { CachedJob } from "../shared/index.js";

/** The actor of agent-reported facts, as the live entries name it. */
const AGENT = "agent";

/** Every decision `job`'s status records, as the entries that audit them. */
export function recordedDecisions(job: CachedJob): AuditRecord[] {
  const uid = job.metadata.uid;
  const status = job.status;
  if (uid === undefined || status === undefined) return [];
  const base = { namespace: job.metadata.namespace ?? "", kind: "Job", name: job.metadata.name ?? "", uid };
  const out: AuditRecord[] = [];
  for (const a of status.attempts ?? []) {
    if (a.assignedAt === undefined) continue;
    out.push({ ...base, time: a.assignedAt, action: "assigned", attempt: a.attempt, agent: a.agent, reason: "Scheduled", message: `assigned to agent ${a.agent}`, actor: QUEUE_PRIORITY_CONTROLLER });
  }
  const phase = status.phase;
  if (isTerminalJobPhase(phase) && status.finishedAt !== undefined) {
    const current = status.attempts?.find((a) => a.attempt === status.attempt);
    const failure = status.conditions?.find((c) => c.type === JOB_CONDITIONS.failed && c.status === "True");
    const succeeded = phase === "Succeeded";
    out.push({
      ...base,
      time: status.finishedAt,
      action: JOB_ENDING_ACTIONS[phase],
      ...(status.attempt === undefined || status.attempt === 0 ? {} : { attempt: status.attempt }),
      ...(current === undefined ? {} : { agent: current.agent }),
      reason: succeeded ? "Succeeded" : (failure?.reason ?? phase),
      message: succeeded ? "the agent reported success" : nonEmpty(failure?.message) ?? `the Job is ${phase}`,
      actor: succeeded ? AGENT : JOB_RECOVERY_CONTROLLER,
    });
  }
  return out;
}

/** The decisions of `jobs` at or after `since` (epoch ms), oldest first. */
export function decisionsSince(jobs: Iterable<CachedJob>, since: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const job of jobs) {
    for (const record of recordedDecisions(job)) if (Date.parse(record.time ?? "") >= since) out.push(record);
  }
  return out.sort((a, b) => Date.parse(a.time ?? "") - Date.parse(b.time ?? ""));
}

/** The decisions no entry in `written` (keys of the trail) audits. */
export function lostDecisions(decisions: readonly AuditRecord[], written: ReadonlySet<string>): AuditRecord[] {
  return decisions.filter((record) => {
    const key = auditKey(record);
    return key !== undefined && !written.has(key);
  });
}

// The operator's cache keeps a settled Job's terminal condition without its message.
function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === "" ? undefined : text;
}
