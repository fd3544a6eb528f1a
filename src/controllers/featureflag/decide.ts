// Pure decisions of the featureflag controller: the status a flag should show and what to announce.
import { FLAG_CONDITIONS, findCondition, LIMITS, setCondition, type FeatureFlag, type FeatureFlagStatus } from "../../api/index.js";
import type { FlagState } from "../../flags/index.js";

export const FLAG_REASONS = {
  /** Valid=True: the evaluator accepted the current spec and serves it. */
  accepted: "Accepted",
  /** Valid=True: served, as flagd serves it, although flagd's schema warns about it (the message says what). */
  acceptedWithWarnings: "AcceptedWithWarnings",
  /** Valid=True: serves its key, which other objects of the namespace claim too (they serve nothing). */
  keyShared: "KeyShared",
  /** Valid=False: another object of the namespace serves the key this one claims. */
  keyConflict: "KeyConflict",
  /** Valid=False: the evaluator refused the current spec. */
  invalid: "InvalidDefinition",
} as const;
export type FlagReason = (typeof FLAG_REASONS)[keyof typeof FLAG_REASONS];

/** Event reasons (kubectl describe hflag / kubectl events). */
export const FLAG_EVENTS = { changed: "FlagChanged", invalid: "FlagInvalid" } as const;

export interface FlagAnnouncement {
  readonly type: "Normal" | "Warning";
  readonly reason: (typeof FLAG_EVENTS)[keyof typeof FLAG_EVENTS];
  /** The Valid condition's reason, for the audit entry. */
  readonly verdict: FlagReason;
  readonly message: string;
}

export interface FlagStatusDecision {
  readonly status: FeatureFlagStatus;
  /** Present when the flag has a new generation or a new verdict since the status last recorded. */
  readonly announce: FlagAnnouncement | undefined;
}

/**
 * The status for `flag` given the store's verdict on this exact version (`state`) and the objects
 * of its namespace claiming its key (`claimants`, the one serving it first). Level-based: the same
 * inputs give the same status, and `announce` only fires while the status still describes an older
 * generation or verdict, so a written status ends it.
 */
export function decideFlagStatus(flag: FeatureFlag, state: FlagState, now: Date, claimants: readonly string[] = [state.name]): FlagStatusDecision {
  const previous = flag.status;
  const generation = state.generation;
  const serving = state.serving;
  const { valid, reason, message } = verdictOf(state, claimants);
  const conditions = setCondition(
    previous?.conditions,
    { type: FLAG_CONDITIONS.valid, status: valid ? "True" : "False", reason, message: truncate(message), observedGeneration: generation },
    now,
  );
  const status: FeatureFlagStatus = {
    conditions,
    observedGeneration: generation,
    ...(serving?.defaultValue !== undefined ? { defaultValue: serving.defaultValue } : {}),
    ...(serving ? { lastValid: { generation: serving.generation, spec: serving.spec } } : {}),
  };
  const before = findCondition(previous?.conditions ?? [], FLAG_CONDITIONS.valid);
  const isNew = previous?.observedGeneration !== generation || before?.status !== (valid ? "True" : "False") || before.reason !== reason;
  if (!isNew) return { status, announce: undefined };
  const announce: FlagAnnouncement = valid
    ? {
        type: "Normal",
        reason: FLAG_EVENTS.changed,
        verdict: reason,
        message: truncate(
          `Generation ${generation} serves key "${state.key}": state ${state.spec.state}, default value ${JSON.stringify(serving?.defaultValue ?? null)}.${reason === FLAG_REASONS.accepted ? "" : ` ${message}`}`,
        ),
      }
    : { type: "Warning", reason: FLAG_EVENTS.invalid, verdict: reason, message: truncate(`Generation ${generation} refused: ${message}`) };
  return { status, announce };
}

/** The Valid condition: refusal first, then a key another object serves, then what flagd's schema warns about. */
function verdictOf(state: FlagState, claimants: readonly string[]): { readonly valid: boolean; readonly reason: FlagReason; readonly message: string } {
  const generation = state.generation;
  if (!state.validation.valid) return { valid: false, reason: FLAG_REASONS.invalid, message: `${state.validation.message}. ${servingNote(state)}` };
  const owner = claimants[0] ?? state.name;
  const others = claimants.filter((name) => name !== state.name);
  if (owner !== state.name) {
    return {
      valid: false,
      reason: FLAG_REASONS.keyConflict,
      message: `Key "${state.key}" is served by FeatureFlag ${owner} (the object named after the key, else the oldest, serves a shared key); this one serves nothing. Give it another spec.key or delete one of them.`,
    };
  }
  const notes: string[] = [];
  if (others.length > 0) notes.push(`FeatureFlag ${others.join(", ")} also claim${others.length === 1 ? "s" : ""} key "${state.key}" and serve${others.length === 1 ? "s" : ""} nothing.`);
  if (state.validation.warnings) notes.push(`flagd's schema warns (the flag is served, as flagd serves it): ${state.validation.warnings}.`);
  const reason = others.length > 0 ? FLAG_REASONS.keyShared : notes.length > 0 ? FLAG_REASONS.acceptedWithWarnings : FLAG_REASONS.accepted;
  return { valid: true, reason, message: [`The evaluator accepted generation ${generation} and serves it as key "${state.key}".`, ...notes].join(" ") };
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
