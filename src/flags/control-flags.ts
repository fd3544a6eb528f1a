// The control flags as the operator and agents consume them: typed questions over the flag store.
import { CONTROL_FLAGS } from "../api/index.js";

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
