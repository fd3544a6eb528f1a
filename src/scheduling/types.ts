// Input and output shapes of the scheduling core: a plain snapshot in, a dispatch plan out.
//
// These are the core's own small types rather than the API objects, so that the controller maps
// Job/Agent objects onto them once and this core does not churn when the API grows. All times are
// finite epoch milliseconds on the caller's clock.

/** Priority class of a job, `spec.priority`. */
export type PriorityClass = "critical" | "high" | "normal" | "low";

/** Agent phase, `status.phase`. */
export type AgentPhase = "Ready" | "Offline" | "Draining" | "Quarantined";

/** One requirement of a label selector, with Kubernetes semantics. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  /** Used by In and NotIn; ignored by Exists and DoesNotExist. */
  readonly values?: readonly string[];
}

/** A metav1.LabelSelector: every matchLabels pair AND every expression must hold; empty matches all. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** A Pending job as the scheduler sees it. */
export interface SchedulingJob {
  /** Unique key, conventionally `namespace/name`; an assignment names the job by it. */
  readonly key: string;
  /** The tenant; the job runs only on agents of this namespace. */
  readonly namespace: string;
  readonly type: string;
  readonly queue: string;
  readonly priority: PriorityClass;
  /** When the job entered Pending this time (`status.queuedAt`, else its creation time). */
  readonly queuedAt: number;
  readonly requiredCapabilities: readonly string[];
  readonly agentSelector?: LabelSelector;
  /** `spec.notBefore`: a delayed job waits until then. */
  readonly notBefore?: number;
  /** `status.nextAttemptAt`: a retried job waits out its backoff until then. */
  readonly nextAttemptAt?: number;
}

/** An agent as the scheduler sees it. */
export interface SchedulingAgent {
  readonly name: string;
  readonly namespace: string;
  readonly phase: AgentPhase;
  /** `spec.drain`: take no new work, whatever the phase says (status may lag the spec). */
  readonly drain: boolean;
  /** `status.quarantinedUntil`: still quarantined before this time even if the phase lags. */
  readonly quarantinedUntil?: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly capabilities: readonly string[];
  readonly queues: readonly string[];
  /** `spec.maxConcurrency`. */
  readonly maxConcurrency: number;
  /** Jobs Assigned to or Running on this agent now, counted from the job cache (not agent status, which lags). */
  readonly running: number;
}

/** Assigned+Running jobs of one queue in one namespace. */
export interface InFlightCount {
  readonly namespace: string;
  readonly queue: string;
  readonly count: number;
}

/** Evaluation context for job-scoped flags (names as in DESIGN.md section 1). */
export interface JobFlagContext {
  readonly jobType: string;
  readonly queue: string;
  readonly namespace: string;
  readonly priority: PriorityClass;
}

/** Evaluation context for agent-scoped flags: the agent's name, namespace and labels. */
export interface AgentFlagContext {
  readonly agent: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The control flags, already resolved to plain values or pure callbacks. The core may call a
 * callback any number of times (it memoises per distinct context within a cycle), so callbacks must
 * not have side effects.
 */
export interface SchedulingFlags {
  /** `helios-dispatch-paused`. */
  readonly dispatchPaused: boolean;
  /** `helios-job-kill-switch`: true means the job must not be assigned. */
  readonly killSwitch: (job: JobFlagContext) => boolean;
  /** `helios-agent-max-concurrency`: caps an agent below `spec.maxConcurrency`; undefined = no cap. */
  readonly agentMaxConcurrency: (agent: AgentFlagContext) => number | undefined;
  /** `helios-queue-max-inflight`: caps Assigned+Running per queue/namespace; undefined = no cap. */
  readonly queueMaxInflight: (queue: string, namespace: string) => number | undefined;
  /** `helios-dispatch-delay-ms`: a job is eligible only this long after it was queued. */
  readonly dispatchDelayMs: number;
}

/** Everything one scheduling cycle decides over. */
export interface SchedulingSnapshot {
  readonly now: number;
  readonly jobs: readonly SchedulingJob[];
  readonly agents: readonly SchedulingAgent[];
  readonly inFlight: readonly InFlightCount[];
  readonly flags: SchedulingFlags;
  /**
   * Most assignments this cycle (the dispatcher's write budget); default unlimited. Eligible jobs
   * past the budget are returned in `deferred`, in order, and the dispatcher should run again soon.
   */
  readonly maxAssignments?: number;
}

/** One decision: run this job on this agent. */
export interface Assignment {
  readonly jobKey: string;
  readonly namespace: string;
  readonly agentName: string;
  /** The job's effective priority when it was placed (for logs and the order metric). */
  readonly effectivePriority: number;
}

/** Why a job was not placed this cycle; the values are the `reason` of its condition. */
export type UnplacedReason =
  | "DispatchPaused"
  | "KillSwitch"
  | "NotBefore"
  | "BackoffWait"
  | "DispatchDelay"
  | "QueueAtCapacity"
  | "NoCapableAgent"
  | "NoAgentForQueue"
  | "NoMatchingAgent"
  | "NoReadyAgent"
  | "NoFreeCapacity";

/** A job that stays Pending, with the reason and a human message saying what would unblock it. */
export interface Unplaced {
  readonly jobKey: string;
  readonly reason: UnplacedReason;
  readonly message: string;
  /**
   * True when waiting for running work to finish will not help: something must change (a flag, an
   * agent, the selector). The controller sets condition `Blocked` for these, `Scheduled=False` for all.
   */
  readonly blocked: boolean;
  /** For time waits: when the job becomes eligible. */
  readonly eligibleAt?: number;
}

/** The result of one cycle. Assignments are in dispatch order: write them in this order. */
export interface DispatchPlan {
  readonly assignments: readonly Assignment[];
  readonly unplaced: readonly Unplaced[];
  /** Keys of eligible jobs not considered because `maxAssignments` was reached, highest rank first. */
  readonly deferred: readonly string[];
  /** Earliest time a waiting job becomes eligible: the dispatcher's requeue-after. */
  readonly nextWakeAt?: number;
}
