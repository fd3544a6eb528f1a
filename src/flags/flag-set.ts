// One namespace's flags in a flagd-core evaluator, with "the last valid definition keeps serving".
//
// Each FeatureFlag object is validated on its own (definition.ts), so an invalid flag never breaks
// the others. What serves is the newest valid definition known: the current spec when valid,
// otherwise the newer of the one this process saw last and the one the controller recorded in
// `status.lastValid` (so a process that starts while a flag is invalid still serves its last valid
// definition). A flag invalid since creation serves nothing and resolves to PARSE_ERROR.
import { FlagdCore, type FeatureFlag as FlagdFlag, type Storage } from "@openfeature/flagd-core";
import {
  ErrorCode,
  StandardResolutionReasons,
  type EvaluationContext,
  type FlagMetadata,
  type FlagValue,
  type FlagValueType,
  type ResolutionDetails,
} from "@openfeature/core";
import type { FeatureFlag, FeatureFlagSpec, FlagValue as SpecValue } from "../api/index.js";
import { SILENT_FLAGD_LOGGER, validateFlagDefinition, type FlagValidation } from "./definition.js";

/** A definition the evaluator accepted and serves. */
export interface ServingDefinition {
  readonly generation: number;
  readonly spec: FeatureFlagSpec;
  /** The default variant's value (what status.defaultValue shows). */
  readonly defaultValue: SpecValue | undefined;
  /** flagd-core's compiled flag. */
  readonly flag: FlagdFlag;
}

/** What the store knows about one FeatureFlag object. */
export interface FlagState {
  readonly name: string;
  readonly uid: string | undefined;
  readonly generation: number;
  readonly resourceVersion: string | undefined;
  /** Verdict on the current spec. */
  readonly validation: FlagValidation;
  /** What evaluations use; undefined when no valid definition was ever seen. */
  readonly serving: ServingDefinition | undefined;
}

/** Resolution details as OpenFeature providers return them. */
export type FlagResolution<T> = ResolutionDetails<T> & { readonly flagMetadata: FlagMetadata };

/** flagd-core's storage contract over our per-flag states: it reads the serving definitions. */
class ServingStorage implements Storage {
  readonly #states: ReadonlyMap<string, FlagState>;

  constructor(states: ReadonlyMap<string, FlagState>) {
    this.#states = states;
  }

  getFlag(key: string): FlagdFlag | undefined {
    return this.#states.get(key)?.serving?.flag;
  }

  getFlags(): Map<string, FlagdFlag> {
    const out = new Map<string, FlagdFlag>();
    for (const [key, state] of this.#states) if (state.serving) out.set(key, state.serving.flag);
    return out;
  }

  getFlagSetMetadata(): FlagMetadata {
    return {};
  }

  setConfigurations(): string[] {
    throw new Error("flags are configured through FeatureFlag objects, not flagd configuration strings");
  }
}

/** The flags of one namespace. One writer (the store's event path); reads from anywhere. */
export class FlagSet {
  readonly #states = new Map<string, FlagState>();
  readonly #core = new FlagdCore(new ServingStorage(this.#states), SILENT_FLAGD_LOGGER);

  get size(): number {
    return this.#states.size;
  }

  state(name: string): FlagState | undefined {
    return this.#states.get(name);
  }

  names(): string[] {
    return [...this.#states.keys()];
  }

  /** Takes in the object's current version; true when what evaluations serve for it changed. */
  apply(obj: FeatureFlag): boolean {
    const name = obj.metadata.name;
    if (!name) return false;
    const previous = this.#states.get(name);
    const next = nextState(obj, previous?.uid === obj.metadata.uid ? previous : undefined);
    this.#states.set(name, next);
    return servingKey(previous) !== servingKey(next);
  }

  /** Forgets a deleted object; true when it was serving something. */
  remove(name: string): boolean {
    const previous = this.#states.get(name);
    this.#states.delete(name);
    return previous?.serving !== undefined;
  }

  /**
   * Resolves `key` as flagd-core does (FLAG_NOT_FOUND, DISABLED, TYPE_MISMATCH, STATIC,
   * TARGETING_MATCH, ...), plus PARSE_ERROR for a flag that exists but was never valid.
   */
  resolve<T extends FlagValue>(type: FlagValueType, key: string, defaultValue: T, context: EvaluationContext = {}): FlagResolution<T> {
    const state = this.#states.get(key);
    if (state && !state.serving && !state.validation.valid) {
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.PARSE_ERROR,
        errorMessage: state.validation.message,
        flagMetadata: {},
      };
    }
    return this.#core.resolve(type, key, defaultValue, context);
  }
}

function nextState(obj: FeatureFlag, previous: FlagState | undefined): FlagState {
  const name = obj.metadata.name ?? "";
  const generation = obj.metadata.generation ?? 0;
  // A generation's spec never changes, so resyncs and status-only updates reuse the verdict.
  const validation =
    previous && previous.generation === generation ? previous.validation : validateFlagDefinition(name, obj.spec);
  const base = { name, uid: obj.metadata.uid, generation, resourceVersion: obj.metadata.resourceVersion, validation };
  if (validation.valid) {
    return { ...base, serving: { generation, spec: obj.spec, defaultValue: defaultValueOf(obj.spec), flag: validation.flag } };
  }
  return { ...base, serving: newest(previous?.serving, recorded(obj, previous?.serving)) };
}

/** The controller's record of the last valid definition, re-validated (status is writable too). */
function recorded(obj: FeatureFlag, known: ServingDefinition | undefined): ServingDefinition | undefined {
  const lastValid = obj.status?.lastValid;
  if (!lastValid || lastValid.generation > (obj.metadata.generation ?? 0)) return undefined;
  if (known && known.generation >= lastValid.generation) return known;
  const validation = validateFlagDefinition(obj.metadata.name ?? "", lastValid.spec);
  if (!validation.valid) return undefined;
  return { generation: lastValid.generation, spec: lastValid.spec, defaultValue: defaultValueOf(lastValid.spec), flag: validation.flag };
}

function defaultValueOf(spec: FeatureFlagSpec): SpecValue | undefined {
  return Object.hasOwn(spec.variants, spec.defaultVariant) ? spec.variants[spec.defaultVariant] : undefined;
}

function newest(a: ServingDefinition | undefined, b: ServingDefinition | undefined): ServingDefinition | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.generation > a.generation ? b : a;
}

/** flagd-core's content hash identifies a definition; equal hashes serve identically. */
function servingKey(state: FlagState | undefined): string {
  return state?.serving ? state.serving.flag.hash : "";
}
