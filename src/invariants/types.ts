// The inputs and findings of the invariant checker: final Jobs, the audit trail, agents' executions.
import type { AuditEntry, Job } from "../api/index.js";

/** How one attempt ended on the agent that ran it (the SDK's ExecutionRecord plus the agent's name). */
export interface AgentExecution {
  readonly agent: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly attempt: number;
  /** Succeeded, Failed, Released or Dropped (no longer its own: nothing written). */
  readonly outcome: string;
  /** Whether the outcome reached the apiserver. */
  readonly written: boolean;
  readonly reason?: string | undefined;
}

/** An audit entry and the namespace whose trail holds it (what `readAuditTrail` returns). */
export interface AuditTrailEntry extends AuditEntry {
  readonly namespace: string;
}

/** A Job the run created, so one that vanished without a `deleted` audit entry counts as lost. */
export interface ExpectedJob {
  readonly namespace: string;
  readonly name: string;
}

export interface InvariantInput {
  /** Every Job of the run as the apiserver holds it now (after the quiet period). */
  readonly jobs: readonly Job[];
  readonly audit: readonly AuditTrailEntry[];
  readonly executions: readonly AgentExecution[];
  /**
   * The Jobs the run created; omitted: the jobs given are all there were. One that is gone counts as
   * lost unless the audit trail says it was deleted (or, with an incomplete audit, that it ended).
   */
  readonly expected?: readonly ExpectedJob[];
  /**
   * Which sources saw every event. A SIGKILLed operator loses the audit entries it had buffered,
   * and a SIGKILLed agent never reports the attempt it was running: then only contradictions count,
   * not absences. Both default to true.
   */
  readonly complete?: { readonly audit?: boolean; readonly executions?: boolean };
}

/** What kind of promise was broken; stable names for tests and reports. */
export const VIOLATION_CODES = [
  /** A Job the run created is gone without a `deleted` audit entry. */
  "Lost",
  /** A Job is not terminal after the quiet period. */
  "NotTerminal",
  /** A Job reached a terminal phase more than once (two successes, two terminal audit entries). */
  "TerminalTwice",
  /** The terminal phase, the attempt history, the audit trail and the executions name different endings. */
  "TerminalMismatch",
  /** One attempt (fencing token) was run by two agents. */
  "AttemptOnTwoAgents",
  /** An execution or audit entry names another agent than the attempt history does. */
  "AgentMismatch",
  /** status.attempts is not a strictly increasing list ending at status.attempt. */
  "HistoryMalformed",
  /** The audit trail records two assignments of one attempt. */
  "AssignedTwice",
  /** An attempt in the history has no `assigned` audit entry (complete audit only). */
  "AuditMissing",
  /** The audit trail or an execution knows an attempt the Job's status does not (status went back). */
  "StatusBehind",
  /** An attempt that the operator took away (requeued, failed, expired) is recorded as Succeeded. */
  "SucceededAfterTakeover",
  /** The dispatcher took an attempt from an agent that was not lost (only a lost agent's job moves straight to another). */
  "MovedWithoutLoss",
  /** A successful Job has no written successful execution (complete executions only). */
  "ExecutionMissing",
] as const;
export type ViolationCode = (typeof VIOLATION_CODES)[number];

export interface Violation {
  readonly code: ViolationCode;
  /** `namespace/name` of the Job. */
  readonly job: string;
  readonly uid?: string | undefined;
  readonly attempt?: number | undefined;
  /** One sentence a person can act on, naming the evidence. */
  readonly message: string;
}
