// The invariant checker: after a run, every Job ended exactly once, no attempt ran on two agents, and
// the Job's attempt history, the audit trail and the agents' executions tell one story.
//
// Pure: give it what the apiserver holds after a quiet period and what the agents reported. It
// reports contradictions, never throws, and names the evidence in each message. Absences count only
// for sources marked complete (a SIGKILLed process loses what it had not written yet).
import { isTerminalJobPhase, JOB_ENDING_ACTIONS, TERMINAL_JOB_PHASES, type Job, type JobAttempt, type TerminalJobPhase } from "../api/index.js";
import type { AgentExecution, AuditTrailEntry, InvariantInput, Violation, ViolationCode } from "./types.js";

/** The outcome of a check: the violations, and counts for a report table. */
export interface InvariantReport {
  readonly violations: readonly Violation[];
  readonly stats: InvariantStats;
}

export interface InvariantStats {
  readonly jobs: number;
  /** Jobs per final phase ("" for no status yet). */
  readonly phases: Readonly<Record<string, number>>;
  /** Attempts in the Jobs' histories. */
  readonly attempts: number;
  readonly executions: number;
  readonly auditEntries: number;
  /** Jobs lost or stuck (codes Lost and NotTerminal). */
  readonly lost: number;
  /** Duplicated work or endings (codes TerminalTwice, AttemptOnTwoAgents, AssignedTwice). */
  readonly duplicated: number;
}

const TERMINAL_ACTIONS: Readonly<Record<string, TerminalJobPhase>> = Object.fromEntries(TERMINAL_JOB_PHASES.map((phase) => [JOB_ENDING_ACTIONS[phase], phase]));
/** Audit actions by which the operator took an attempt away from its agent. */
const TAKEOVER_ACTIONS: ReadonlySet<string> = new Set(["requeued", "retried", "failed", "expired", "cancelled"]);
/** Audit actions of a takeover that leaves the job to run again. */
const REQUEUE_ACTIONS: ReadonlySet<string> = new Set(["requeued", "retried"]);
/**
 * The dispatcher (actor `queue-priority`) takes an attempt away only from a lost agent (reasons
 * `AgentOffline`, `AgentDeleted`), handing the job to another agent in the same write (Assigned on A,
 * attempt n → Assigned on B, attempt n + 1). The names are the audit trail's, as the checker reads it;
 * the checker imports no controller (it judges their output).
 */
const DISPATCHER = "queue-priority";
const AGENT_LOSS_REASONS: ReadonlySet<string> = new Set(["AgentOffline", "AgentDeleted"]);
const LOST_CODES: ReadonlySet<ViolationCode> = new Set(["Lost", "NotTerminal"]);
const DUPLICATE_CODES: ReadonlySet<ViolationCode> = new Set(["TerminalTwice", "AttemptOnTwoAgents", "AssignedTwice"]);

/** Checks every invariant over `input`; see the file comment. */
export function checkInvariants(input: InvariantInput): InvariantReport {
  const completeAudit = input.complete?.audit ?? true;
  const completeExecutions = input.complete?.executions ?? true;
  const violations: Violation[] = [];
  const auditByJob = groupBy(
    input.audit.filter((e) => e.kind === "Job"),
    (e) => e.uid ?? `${e.namespace}/${e.name}`,
  );
  const executionsByUid = groupBy(input.executions, (e) => e.uid);

  for (const job of input.jobs) {
    const ref = jobRef(job);
    const uid = job.metadata.uid ?? ref;
    const add = (code: ViolationCode, message: string, attempt?: number): void => {
      violations.push({ code, job: ref, uid: job.metadata.uid, ...(attempt === undefined ? {} : { attempt }), message: `${ref}: ${message}` });
    };
    const history = job.status?.attempts ?? [];
    checkHistory(job, history, add);
    const audit = [...(auditByJob.get(uid) ?? []), ...(uid === ref ? [] : (auditByJob.get(ref) ?? []))];
    checkAudit(job, history, audit, completeAudit, add);
    checkExecutions(job, history, executionsByUid.get(uid) ?? [], completeExecutions, add);
  }

  // Jobs deleted since (TTL): what the audit trail and the agents still say about them must hold too.
  const seen = new Set(input.jobs.map((j) => j.metadata.uid ?? jobRef(j)));
  const vanished = new Set([...auditByJob.keys(), ...executionsByUid.keys()].filter((uid) => !seen.has(uid)));
  for (const uid of vanished) {
    const audit = auditByJob.get(uid) ?? [];
    const executions = executionsByUid.get(uid) ?? [];
    const first = audit[0] ?? executions[0];
    const ref = first === undefined ? uid : `${first.namespace}/${first.name}`;
    const add = (code: ViolationCode, message: string, attempt?: number): void => {
      violations.push({ code, job: ref, uid, ...(attempt === undefined ? {} : { attempt }), message: `${ref} (deleted): ${message}` });
    };
    checkVanished(audit, executions, completeAudit, add);
  }

  const present = new Set(input.jobs.map(jobRef));
  const byName = (action: (e: AuditTrailEntry) => boolean): Set<string> => new Set(input.audit.filter((e) => e.kind === "Job" && action(e)).map((e) => `${e.namespace}/${e.name}`));
  const deleted = byName((e) => e.action === "deleted");
  // With an incomplete audit trail the `deleted` entry may be what was lost: an ending suffices.
  const ended = completeAudit
    ? new Set<string>()
    : new Set([...byName((e) => TERMINAL_ACTIONS[e.action] !== undefined), ...input.executions.filter((e) => e.written && e.outcome === "Succeeded").map((e) => `${e.namespace}/${e.name}`)]);
  for (const expected of input.expected ?? []) {
    const ref = `${expected.namespace}/${expected.name}`;
    if (!present.has(ref) && !deleted.has(ref) && !ended.has(ref)) {
      violations.push({ code: "Lost", job: ref, message: `${ref}: was created but is gone, and no audit entry says it was deleted` });
    }
  }

  const phases: Record<string, number> = {};
  for (const job of input.jobs) {
    const phase = job.status?.phase ?? "";
    phases[phase] = (phases[phase] ?? 0) + 1;
  }
  return {
    violations,
    stats: {
      jobs: input.jobs.length,
      phases,
      attempts: input.jobs.reduce((n, j) => n + (j.status?.attempts?.length ?? 0), 0),
      executions: input.executions.length,
      auditEntries: input.audit.length,
      lost: violations.filter((v) => LOST_CODES.has(v.code)).length,
      duplicated: violations.filter((v) => DUPLICATE_CODES.has(v.code)).length,
    },
  };
}

type Add = (code: ViolationCode, message: string, attempt?: number) => void;

// The Job alone: terminal, and a well-formed history whose ending matches the phase.
function checkHistory(job: Job, history: readonly JobAttempt[], add: Add): void {
  const status = job.status;
  const phase = status?.phase;
  const current = status?.attempt ?? 0;
  if (!isTerminalJobPhase(phase)) {
    const agent = status?.assignedAgent === undefined ? "" : ` on agent ${status.assignedAgent}`;
    add("NotTerminal", `still ${phase ?? "without status"} (attempt ${current}${agent}) after the quiet period`);
  }
  for (let i = 1; i < history.length; i++) {
    const prev = history[i - 1] as JobAttempt;
    const next = history[i] as JobAttempt;
    if (next.attempt <= prev.attempt) add("HistoryMalformed", `status.attempts is not strictly increasing: attempt ${next.attempt} follows ${prev.attempt}`, next.attempt);
  }
  const last = history.at(-1);
  if (last !== undefined && last.attempt !== current) {
    add("HistoryMalformed", `the last attempt record is ${last.attempt} but status.attempt is ${current}`, last.attempt);
  }
  // An attempt ends before the next one begins, also when the job goes straight to another agent.
  history.forEach((a, i) => {
    if (a.outcome !== "" || (i === history.length - 1 && !isTerminalJobPhase(phase))) return;
    const why = i < history.length - 1 ? `attempt ${(history[i + 1] as JobAttempt).attempt} follows it` : `the Job is ${phase}`;
    add("HistoryMalformed", `attempt ${a.attempt} (agent ${a.agent}) is still open although ${why}`, a.attempt);
  });
  const successes = history.filter((a) => a.outcome === "Succeeded");
  if (successes.length > 1) {
    add("TerminalTwice", `attempts ${successes.map((a) => `${a.attempt} (${a.agent})`).join(" and ")} are all recorded as Succeeded`);
  }
  if (phase === "Succeeded" && (last === undefined || last.outcome !== "Succeeded")) {
    add("TerminalMismatch", `is Succeeded but its current attempt ${last?.attempt ?? current} is recorded as "${last?.outcome ?? "(none)"}"`, last?.attempt);
  }
  if (phase !== "Succeeded" && isTerminalJobPhase(phase) && successes.length > 0) {
    add("TerminalMismatch", `is ${phase} but attempt ${(successes[0] as JobAttempt).attempt} is recorded as Succeeded`, (successes[0] as JobAttempt).attempt);
  }
}

// The audit trail against the Job: one assignment per attempt, same agents, one ending that matches.
function checkAudit(job: Job, history: readonly JobAttempt[], entries: readonly AuditTrailEntry[], complete: boolean, add: Add): void {
  const phase = job.status?.phase;
  const current = job.status?.attempt ?? 0;
  const record = (attempt: number): JobAttempt | undefined => history.find((a) => a.attempt === attempt);
  const assigned = groupBy(
    entries.filter((e) => e.action === "assigned" && e.attempt !== undefined),
    (e) => String(e.attempt),
  );
  for (const [attempt, list] of assigned) {
    if (list.length > 1) add("AssignedTwice", `the audit trail assigns attempt ${attempt} ${list.length} times (to ${list.map((e) => e.agent ?? "?").join(", ")})`, Number(attempt));
  }
  for (const entry of entries) {
    const attempt = entry.attempt;
    if (attempt === undefined) continue;
    if (attempt > current) {
      add("StatusBehind", `the audit trail records "${entry.action}" for attempt ${attempt}, but status.attempt is ${current}`, attempt);
      continue;
    }
    const rec = record(attempt);
    // requeued/failed entries name the agent that lost the attempt, like the record does.
    if (rec !== undefined && entry.agent !== undefined && entry.agent !== rec.agent && (entry.action === "assigned" || entry.action === "started")) {
      add("AgentMismatch", `the audit trail says attempt ${attempt} was ${entry.action} on agent ${entry.agent}, the Job's history says ${rec.agent}`, attempt);
    }
    if (TAKEOVER_ACTIONS.has(entry.action) && entry.action !== "failed" && rec?.outcome === "Succeeded") {
      add("SucceededAfterTakeover", `attempt ${attempt} was ${entry.action} by the operator (${entry.reason ?? "no reason"}) yet is recorded as Succeeded by agent ${rec.agent}`, attempt);
    }
    if (REQUEUE_ACTIONS.has(entry.action) && entry.actor === DISPATCHER && !AGENT_LOSS_REASONS.has(entry.reason ?? "")) {
      add("MovedWithoutLoss", `the dispatcher took attempt ${attempt} from agent ${entry.agent ?? "?"} (${entry.reason ?? "no reason"}), but only a lost agent's job moves straight to another agent`, attempt);
    }
  }
  const endings = entries.filter((e) => TERMINAL_ACTIONS[e.action] !== undefined);
  if (endings.length > 1) {
    add("TerminalTwice", `the audit trail ends it ${endings.length} times: ${endings.map((e) => `${e.action}${e.attempt === undefined ? "" : ` (attempt ${e.attempt})`}`).join(", ")}`);
  }
  for (const ending of endings) {
    if (isTerminalJobPhase(phase) && TERMINAL_ACTIONS[ending.action] !== phase) {
      add("TerminalMismatch", `the audit trail says "${ending.action}" but the Job is ${phase}`, ending.attempt);
    }
    if (!isTerminalJobPhase(phase)) add("TerminalMismatch", `the audit trail says "${ending.action}" but the Job is ${phase ?? "without status"}`, ending.attempt);
  }
  if (!complete) return;
  if (isTerminalJobPhase(phase) && endings.length === 0) add("AuditMissing", `is ${phase} but the audit trail has no entry ending it`);
  // Truncated histories (LIMITS.attemptHistory) still hold the newest attempts, each assigned once.
  for (const rec of history) {
    if (!assigned.has(String(rec.attempt))) add("AuditMissing", `attempt ${rec.attempt} (agent ${rec.agent}) has no "assigned" audit entry`, rec.attempt);
  }
}

// The agents' own records against the Job: one agent per attempt, the history's agent, one success.
function checkExecutions(job: Job, history: readonly JobAttempt[], executions: readonly AgentExecution[], complete: boolean, add: Add): void {
  const phase = job.status?.phase;
  const current = job.status?.attempt ?? 0;
  const byAttempt = groupBy(executions, (e) => String(e.attempt));
  for (const [attempt, list] of byAttempt) {
    const agents = [...new Set(list.map((e) => e.agent))];
    if (agents.length > 1) add("AttemptOnTwoAgents", `attempt ${attempt} was executed by agents ${agents.join(" and ")}`, Number(attempt));
    const rec = history.find((a) => String(a.attempt) === attempt);
    for (const agent of agents) {
      if (rec !== undefined && rec.agent !== agent) add("AgentMismatch", `agent ${agent} executed attempt ${attempt}, which the Job's history gives to ${rec.agent}`, Number(attempt));
    }
    if (Number(attempt) > current) add("StatusBehind", `agent ${agents.join(", ")} executed attempt ${attempt}, but status.attempt is ${current}`, Number(attempt));
  }
  const wins = executions.filter((e) => e.written && e.outcome === "Succeeded");
  if (wins.length > 1) {
    add("TerminalTwice", `${wins.length} executions wrote a success: ${wins.map((e) => `attempt ${e.attempt} on ${e.agent}`).join(", ")}`);
  }
  for (const win of wins) {
    const rec = history.find((a) => a.attempt === win.attempt);
    if (phase !== "Succeeded" || win.attempt !== current || (rec !== undefined && rec.outcome !== "Succeeded")) {
      add(
        "TerminalMismatch",
        `agent ${win.agent} wrote a success for attempt ${win.attempt}, but the Job is ${phase ?? "without status"} at attempt ${current}${rec === undefined ? "" : ` (record: "${rec.outcome}")`}`,
        win.attempt,
      );
    }
  }
  if (complete && phase === "Succeeded" && wins.length === 0) {
    add("ExecutionMissing", `is Succeeded at attempt ${current}, but no agent reports having written that success`, current);
  }
}

// A Job that is gone: one assignment per attempt, one ending, one agent per attempt, one success.
function checkVanished(audit: readonly AuditTrailEntry[], executions: readonly AgentExecution[], complete: boolean, add: Add): void {
  const assigned = groupBy(
    audit.filter((e) => e.action === "assigned" && e.attempt !== undefined),
    (e) => String(e.attempt),
  );
  for (const [attempt, list] of assigned) {
    if (list.length > 1) add("AssignedTwice", `the audit trail assigns attempt ${attempt} ${list.length} times (to ${list.map((e) => e.agent ?? "?").join(", ")})`, Number(attempt));
  }
  const endings = audit.filter((e) => TERMINAL_ACTIONS[e.action] !== undefined);
  if (endings.length > 1) add("TerminalTwice", `the audit trail ends it ${endings.length} times: ${endings.map((e) => e.action).join(", ")}`);
  if (complete && endings.length === 0 && audit.some((e) => e.action === "deleted")) add("AuditMissing", "was deleted, but the audit trail never ended it");
  for (const [attempt, list] of groupBy(executions, (e) => String(e.attempt))) {
    const agents = [...new Set(list.map((e) => e.agent))];
    if (agents.length > 1) add("AttemptOnTwoAgents", `attempt ${attempt} was executed by agents ${agents.join(" and ")}`, Number(attempt));
  }
  const wins = executions.filter((e) => e.written && e.outcome === "Succeeded");
  if (wins.length > 1) add("TerminalTwice", `${wins.length} executions wrote a success: ${wins.map((e) => `attempt ${e.attempt} on ${e.agent}`).join(", ")}`);
}

/** One line per violation (at most `limit`), for assertion messages and logs. */
export function formatViolations(violations: readonly Violation[], limit = 25): string {
  if (violations.length === 0) return "no invariant violations";
  const lines = violations.slice(0, limit).map((v) => `- [${v.code}] ${v.message}`);
  if (violations.length > limit) lines.push(`- ... and ${violations.length - limit} more`);
  return `${violations.length} invariant violation(s):\n${lines.join("\n")}`;
}

function jobRef(job: Job): string {
  return `${job.metadata.namespace ?? ""}/${job.metadata.name ?? ""}`;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}
