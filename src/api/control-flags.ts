// The well-known control flags the operator and agents obey, with their value types and no-effect values,
// and the typed questions (ControlFlags) the dispatcher, job recovery and agents ask of them.

/** Flag keys (FeatureFlag object names), read only from the operator's own namespace. */
export const CONTROL_FLAG_KEYS = {
  dispatchPaused: "helios-dispatch-paused",
  jobKillSwitch: "helios-job-kill-switch",
  agentMaxConcurrency: "helios-agent-max-concurrency",
  queueMaxInflight: "helios-queue-max-inflight",
  dispatchDelayMs: "helios-dispatch-delay-ms",
} as const;
export type ControlFlagKey = (typeof CONTROL_FLAG_KEYS)[keyof typeof CONTROL_FLAG_KEYS];

/** The value type each control flag evaluates to. */
export interface ControlFlagValues {
  "helios-dispatch-paused": boolean;
  "helios-job-kill-switch": boolean;
  "helios-agent-max-concurrency": number;
  "helios-queue-max-inflight": number;
  "helios-dispatch-delay-ms": number;
}

export interface ControlFlagInfo<K extends ControlFlagKey> {
  readonly key: K;
  readonly type: ControlFlagValues[K] extends boolean ? "boolean" : "number";
  /**
   * The value that changes nothing. Callers use it as their code default, so a missing, disabled or
   * invalid flag never pauses, blocks or throttles work. Caps use a value far above any real limit.
   */
  readonly neutralValue: ControlFlagValues[K];
  readonly effect: string;
}

/** A cap this large never binds: agents are limited to 1000 by their CRD, queues are not near it. */
const NO_CAP = 1_000_000;

export const CONTROL_FLAGS: { readonly [K in ControlFlagKey]: ControlFlagInfo<K> } = {
  "helios-dispatch-paused": {
    key: "helios-dispatch-paused",
    type: "boolean",
    neutralValue: false,
    effect: "Maintenance mode: nothing new is assigned; running work continues.",
  },
  "helios-job-kill-switch": {
    key: "helios-job-kill-switch",
    type: "boolean",
    neutralValue: false,
    effect: "True for a context: such jobs are not assigned (condition Blocked) and running ones are asked to cancel.",
  },
  "helios-agent-max-concurrency": {
    key: "helios-agent-max-concurrency",
    type: "number",
    neutralValue: NO_CAP,
    effect: "Caps an agent below its spec.maxConcurrency.",
  },
  "helios-queue-max-inflight": {
    key: "helios-queue-max-inflight",
    type: "number",
    neutralValue: NO_CAP,
    effect: "Caps Assigned+Running jobs per queue and namespace.",
  },
  "helios-dispatch-delay-ms": {
    key: "helios-dispatch-delay-ms",
    type: "number",
    neutralValue: 0,
    effect: "Artificial delay in milliseconds before assignment.",
  },
};

/**
 * The cap a cap flag's value sets: a number from 0 up to below the neutral value, rounded down (2.7
 * caps at 2); anything else (negative, not finite, the neutral value and above) is no cap. The
 * operator, agents and `helios status` all read caps through this one rule.
 */
export function capOfFlagValue(value: number): number | undefined {
  return Number.isFinite(value) && value >= 0 && value < NO_CAP ? Math.floor(value) : undefined;
}

/** The dispatch delay a value asks for, in whole milliseconds; anything not above 0 is none (0). */
export function delayOfFlagValue(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** The namespace the control-flag samples use; the operator reads control flags from its own namespace. */
export const DEFAULT_OPERATOR_NAMESPACE = "helios-system";

/** Evaluation context of DESIGN.md section 1; agent labels are spread in as `label.<key>`-free extra keys. */
export interface ControlFlagContext {
  readonly jobType?: string;
  readonly queue?: string;
  readonly namespace?: string;
  readonly priority?: string;
  readonly agent?: string;
  readonly agentLabels?: Readonly<Record<string, string>>;
}

/**
 * What the dispatcher, job recovery and agents ask of the control flags. Answers come from the
 * operator namespace's FeatureFlags only; a missing, disabled or invalid flag answers with the
 * neutral value (never pauses, blocks or throttles).
 */
export interface ControlFlags {
  dispatchPaused(): boolean;
  killSwitch(ctx: ControlFlagContext): boolean;
  /** undefined = no cap. */
  agentMaxConcurrency(ctx: ControlFlagContext): number | undefined;
  /** undefined = no cap. */
  queueMaxInflight(ctx: ControlFlagContext): number | undefined;
  dispatchDelayMs(): number;
  /** Called after any control flag changed; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

/** Control flags when no FeatureFlag exists: everything neutral. */
export const NEUTRAL_CONTROL_FLAGS: ControlFlags = {
  dispatchPaused: () => CONTROL_FLAGS["helios-dispatch-paused"].neutralValue,
  killSwitch: () => CONTROL_FLAGS["helios-job-kill-switch"].neutralValue,
  agentMaxConcurrency: () => undefined,
  queueMaxInflight: () => undefined,
  dispatchDelayMs: () => CONTROL_FLAGS["helios-dispatch-delay-ms"].neutralValue,
  onChange: () => () => undefined,
};
