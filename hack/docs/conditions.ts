// docs/reference/conditions.md: every condition type with the reasons the code sets, from the reason
// constants. Each meaning is keyed by its constant's value, so a new reason fails the type check here.
import { AGENT_ERROR_REASONS } from "../../src/agent/index.js";
import { AGENT_CONDITIONS, FLAG_CONDITIONS, JOB_CONDITIONS, KINDS, type ConditionStatus } from "../../src/api/index.js";
import { AGENT_REASONS } from "../../src/controllers/agent-health/index.js";
import { FLAG_REASONS } from "../../src/controllers/featureflag/index.js";
import { RECOVERY_REASONS } from "../../src/controllers/job-recovery/index.js";
import { ASSIGNED_REASON } from "../../src/controllers/queue-priority/index.js";
import { UNPLACED_REASONS } from "../../src/scheduling/index.js";
import { code, page, table } from "./markdown.js";

type ValueOf<T> = T[keyof T];
type UnplacedReason = keyof typeof UNPLACED_REASONS;

export interface ReasonDoc {
  readonly reason: string;
  readonly status: ConditionStatus;
  readonly meaning: string;
}

export interface ConditionDoc {
  readonly kind: string;
  readonly type: string;
  readonly summary: string;
  readonly reasons: readonly ReasonDoc[];
}

/** Why a Job stays Pending (condition Scheduled=False, and Blocked=True when someone must act). */
const UNPLACED_MEANINGS: Readonly<Record<UnplacedReason, string>> = {
  DispatchPaused: "Control flag `helios-dispatch-paused` is true in the operator namespace: nothing new is assigned, running work continues. Set the flag to false.",
  KillSwitch: "Control flag `helios-job-kill-switch` evaluates to true for this job's context (type, queue, namespace, priority): it is not assigned, and a running attempt is asked to cancel and requeued without spending a retry. Turn the flag off for it.",
  NotBefore: "A delayed job: waiting until `spec.notBefore`.",
  BackoffWait: "Waiting out the retry backoff until `status.nextAttemptAt` after a failed attempt.",
  DispatchDelay: "Waiting out control flag `helios-dispatch-delay-ms` before assignment.",
  QueueAtCapacity: "The queue has as many Assigned+Running jobs in the namespace as control flag `helios-queue-max-inflight` allows; assigned when one finishes or the cap is raised.",
  NoCapableAgent: "No agent in the namespace (or no single agent) has all of `spec.requiredCapabilities`, or no agent is registered at all. Start one with the capabilities.",
  NoAgentForQueue: "No agent with the required capabilities serves `spec.queue`. Start one with `--queues`.",
  NoMatchingAgent: "No capable agent on the queue matches `spec.agentSelector`. Label an agent or relax the selector.",
  NoReadyAgent: "Every matching agent is Offline, Draining or Quarantined; assigned when one is Ready.",
  NoFreeCapacity: "Every matching Ready agent runs as many jobs as its `spec.maxConcurrency` (or the `helios-agent-max-concurrency` cap); assigned when a slot frees up.",
};

type RecoveryReason = ValueOf<typeof RECOVERY_REASONS>;
type AgentErrorReason = ValueOf<typeof AGENT_ERROR_REASONS>;

/** Causes recorded in `status.attempts[].reason`, `status.lastError.reason`, Events and audit entries. */
const ATTEMPT_REASON_MEANINGS: Readonly<Record<RecoveryReason | AgentErrorReason, string>> = {
  HandlerFailed: "The handler threw; the attempt failed and a retry is spent (with backoff).",
  Released: "The agent handed the attempt back unfinished (drain); requeued at once without spending a retry.",
  AgentDeleted: "The attempt's Agent was deleted; requeued at once, the retry counts.",
  AgentOffline: "The attempt's agent went Offline (its Lease stopped advancing for `--agent-stale-timeout`); requeued at once, the retry counts.",
  KillSwitch: "`helios-job-kill-switch` turned on for the running job; requeued without spending a retry, then Blocked until the flag is off.",
  Timeout: "`spec.timeoutSeconds` passed since the attempt started (else since it was assigned); a retry is spent.",
  AckTimeout: "Assigned but not started within `--job-ack-timeout`; requeued, a retry is spent.",
  Stuck: "Running without a progress report for `--job-stuck-threshold`; requeued, a retry is spent.",
  RetriesExhausted: "A retry was due but `status.retries` reached `spec.retry.maxRetries`: the Job Failed.",
  Expired: "Not started within `spec.maxQueueSeconds` (else `--max-queue-time`) of becoming eligible: the Job Expired.",
  Cancelled: "`spec.cancel` was set: the Job was Cancelled.",
  TTLExpired: "The finished Job's time to live (`spec.ttlSecondsAfterFinished`, else `--finished-job-ttl`) elapsed: it was deleted (audit `deleted`).",
  Completed: "job-recovery filled in a terminal Job's missing `finishedAt` or Complete/Failed condition.",
  ResultTooLarge: "The handler's result exceeds the size or key bounds of `status.result`; terminal, no retry.",
  NoHandler: "The agent has no handler for `spec.type`; terminal, no retry.",
  BadPayload: "A handler refused `spec.payload` as malformed; terminal, no retry.",
  StatusRejected: "The apiserver refused the attempt's report (or it could not be encoded); terminal, no retry.",
  AgentDraining: "The agent is draining and handed back work it had not finished (outcome Released).",
};

const AGENT_READY_MEANINGS: Readonly<Record<ValueOf<typeof AGENT_REASONS>, { status: ConditionStatus; meaning: string }>> = {
  AgentReady: { status: "True", meaning: "The agent's Lease is renewed: it takes work." },
  HalfOpen: { status: "True", meaning: "A quarantine's cool-down is over: the agent gets one job at a time until one succeeds (circuit breaker half-open)." },
  AgentOffline: { status: "False", meaning: "The Lease has not advanced for `--agent-stale-timeout`: the agent's jobs are requeued (`AgentOffline`)." },
  AgentStopped: { status: "False", meaning: "The agent released its Lease on a clean shutdown." },
  AgentDraining: { status: "False", meaning: "`spec.drain` is true or the agent is shutting down: it takes no new work and finishes what it runs." },
  AgentQuarantined: { status: "False", meaning: "`--agent-failure-threshold` attempts failed in a row: no work until `status.quarantinedUntil` (circuit breaker open)." },
};

const FLAG_VALID_MEANINGS: Readonly<Record<ValueOf<typeof FLAG_REASONS>, { status: ConditionStatus; meaning: string }>> = {
  Accepted: { status: "True", meaning: "The flagd evaluator accepted the spec and serves it." },
  AcceptedWithWarnings: { status: "True", meaning: "Served, as flagd serves it, although flagd's schema warns about the spec (mixed variant types, odd operator arguments); the message says what." },
  KeyShared: { status: "True", meaning: "Serves its key, which other FeatureFlags of the namespace claim too (named in the message; they serve nothing)." },
  KeyConflict: { status: "False", meaning: "Another FeatureFlag of the namespace serves the key this one claims (the one named after the key, else the oldest)." },
  InvalidDefinition: { status: "False", meaning: "The flagd evaluator refused the spec as flagd would (a structural error, targeting that does not compile, a `$ref` to no evaluator); the message says why. The last valid definition (`status.lastValid`) keeps serving until the spec is fixed." },
};

/** Terminal reasons a handler or the agent gives (no retry can help): they end the Job as Failed=True. */
const TERMINAL_AGENT_REASONS = [AGENT_ERROR_REASONS.noHandler, AGENT_ERROR_REASONS.badPayload, AGENT_ERROR_REASONS.resultTooLarge, AGENT_ERROR_REASONS.statusRejected] as const;

const unplaced = Object.keys(UNPLACED_REASONS) as UnplacedReason[];

/** Every condition type of every kind, with its reasons. */
export const CONDITION_DOCS: readonly ConditionDoc[] = [
  {
    kind: KINDS.job,
    type: JOB_CONDITIONS.complete,
    summary: "True when the Job Succeeded (as on batch/v1 Jobs): `kubectl wait --for=condition=Complete hjob/NAME`.",
    reasons: [{ reason: "Succeeded", status: "True", meaning: "The handler returned; its result is in `status.result`." }],
  },
  {
    kind: KINDS.job,
    type: JOB_CONDITIONS.failed,
    summary: "True when the Job ended in Failed, Expired or Cancelled: `kubectl wait --for=condition=Failed hjob/NAME`.",
    reasons: [
      ...[RECOVERY_REASONS.retriesExhausted, RECOVERY_REASONS.expired, RECOVERY_REASONS.cancelled].map((r) => ({ reason: r, status: "True" as const, meaning: ATTEMPT_REASON_MEANINGS[r] })),
      ...TERMINAL_AGENT_REASONS.map((r) => ({ reason: r, status: "True" as const, meaning: ATTEMPT_REASON_MEANINGS[r] })),
      { reason: "(handler's own)", status: "True", meaning: "A handler threw a TerminalError with its own CamelCase reason (the built-in exec handler: `ExecNotAllowed`); a reason that is no CamelCase identifier shows as `TerminalError`." },
    ],
  },
  {
    kind: KINDS.job,
    type: JOB_CONDITIONS.scheduled,
    summary: "True once assigned; False with the reason the Job waits (Pending).",
    reasons: [
      { reason: ASSIGNED_REASON, status: "True", meaning: "Assigned to `status.assignedAgent` for attempt `status.attempt`." },
      { reason: "Requeued", status: "False", meaning: "An attempt was taken away without backoff (see the attempt's reason); waiting for an agent." },
      ...unplaced.map((r) => ({ reason: r, status: "False" as const, meaning: UNPLACED_MEANINGS[r] })),
    ],
  },
  {
    kind: KINDS.job,
    type: JOB_CONDITIONS.blocked,
    summary: "True while the Job cannot be placed and waiting alone will not help: someone must act. Removed once it can be placed.",
    reasons: unplaced.filter((r) => UNPLACED_REASONS[r].blocked).map((r) => ({ reason: r, status: "True" as const, meaning: UNPLACED_MEANINGS[r] })),
  },
  {
    kind: KINDS.agent,
    type: AGENT_CONDITIONS.ready,
    summary: "The agent's phase, judged by the operator from its Lease and the circuit breaker.",
    reasons: Object.entries(AGENT_READY_MEANINGS).map(([reason, r]) => ({ reason, ...r })),
  },
  {
    kind: KINDS.featureFlag,
    type: FLAG_CONDITIONS.valid,
    summary: "Whether the flag definition is served.",
    reasons: Object.entries(FLAG_VALID_MEANINGS).map(([reason, r]) => ({ reason, ...r })),
  },
];

export function conditionTypesOf(kind: string): readonly ConditionDoc[] {
  return CONDITION_DOCS.filter((c) => c.kind === kind);
}

/** The conditions page: each kind's condition types with their reasons, then the attempt reasons. */
export function renderConditions(): string {
  const sections = CONDITION_DOCS.map((c) =>
    [`### ${c.kind} ${c.type}`, c.summary, table(["reason", "status", "meaning"], c.reasons.map((r) => [code(r.reason), r.status, r.meaning]))].join("\n\n"),
  );
  return page("Conditions and reasons", [
    "What each condition's `reason` means and what to do about it, generated from the reason constants in the code. " +
      "`kubectl get hjob NAME -o yaml` or `helios jobs NAME` shows them; the fields are in [api.md](api.md).",
    "## Conditions",
    ...sections,
    "## Attempt and error reasons",
    "The `reason` of `status.attempts[]`, `status.lastError`, Events and audit entries: why an attempt ended or was taken away.",
    table(["reason", "meaning"], Object.entries(ATTEMPT_REASON_MEANINGS).map(([reason, meaning]) => [code(reason), meaning])),
  ]);
}
