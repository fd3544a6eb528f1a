// Pure decisions of the featureflag controller: the status a flag should show and what to announce.
import { FLAG_CONDITIONS, findCondition, LIMITS, setCondition, type FeatureFlag, type FeatureFlagStatus } from "../../api/index.js";
import type { FlagState } from "../../flags/index.js";

export const FLAG_REASONS = {
  /** Valid=True: the evaluator accepted the current spec and serves it. */
  accepted: "Accepted",
  /** Valid=False: the evaluator refused the current spec. */
  invalid: "InvalidDefinition",
} as const;

/** Event reasons (kubectl describe hflag / kubectl events). */
export const FLAG_EVENTS = { changed: "FlagChanged", invalid: "FlagInvalid" } as const;

export interface FlagAnnouncement {
  readonly type: "Normal" | "Warning";
  readonly reason: (typeof FLAG_EVENTS)[keyof typeof FLAG_EVENTS];
  /** The Valid condition's reason, for the audit entry. */
  readonly verdict: (typeof FLAG_REASONS)[keyof typeof FLAG_REASONS];
  readonly message: string;
}

export interface FlagStatusDecision {
  readonly status: FeatureFlagStatus;
  /** Present when the flag has a new generation or a new verdict since the status last recorded. */
  readonly announce: FlagAnnouncement | undefined;
}

/**
 * The status for `flag` given the store's verdict on this exact version (`state`). Level-based: the
 * same inputs give the same status, and `announce` only fires while the status still describes an
 * older generation or verdict, so a written status ends it.
 */
export function decideFlagStatus(flag: FeatureFlag, state: FlagState, now: Date): FlagStatusDecision {
  const previous = flag.status;
  const generation = state.generation;
  const serving = state.serving;
  const valid = state.validation.valid;
  const message = valid
    ? `The evaluator accepted generation ${generation} and serves it.`
    : `${state.validation.message}. ${servingNote(state)}`;
  const reason = valid ? FLAG_REASONS.accepted : FLAG_REASONS.invalid;
  const conditions = setCondition(
    previous?.conditions,
    { type: FLAG_CONDITIONS.valid, status: valid ? "True" : "False", reason, message, observedGeneration: generation },
    now,
  );
  const status: FeatureFlagStatus = {
    conditions,
    observedGeneration: generation,
    ...(serving?.defaultValue !== undefined ? { defaultValue: serving.defaultValue } : {}),
    ...(serving ? { lastValid: { generation: serving.generation, spec: serving.spec } } : {}),
  };
  const before = findCondition(previous?.conditions ?? [], FLAG_CONDITIONS.valid);
  const isNew = previous?.observedGeneration !== generation || before?.status !== (valid ? "True" : "False");
  if (!isNew) return { status, announce: undefined };
  const announce: FlagAnnouncement = valid
    ? {
        type: "Normal",
        reason: FLAG_EVENTS.changed,
        verdict: reason,
        message: truncate(`Generation ${generation} serves: state ${state.validation.flag.state}, default value ${JSON.stringify(serving?.defaultValue ?? null)}.`),
      }
    : { type: "Warning", reason: FLAG_EVENTS.invalid, verdict: reason, message: truncate(`Generation ${generation} refused: ${message}`) };
  return { status, announce };
}

function servingNote(state: FlagState): string {
  if (state.serving) {
    return `The last valid definition (generation ${state.serving.generation}) keeps serving until a valid one replaces it.`;
  }
  return "No valid definition exists yet, so evaluations return the caller's default (PARSE_ERROR).";
}

function truncate(text: string): string {
  return text.length <= LIMITS.messageLength ? text : `${text.slice(0, LIMITS.messageLength - 1)}…`;
}
