// One namespace's flags in a flagd-core evaluator, with "the last valid definition keeps serving".
//
// Each FeatureFlag object is validated on its own (definition.ts), so an invalid flag never breaks
// the others. What serves is the newest valid definition known: the current spec when valid,
// otherwise the newer of the one this process saw last and the one the controller recorded in
// `status.lastValid` (so a process that starts while a flag is invalid still serves its last valid
// definition). A flag invalid since creation serves nothing and resolves to PARSE_ERROR.
//
// Every flag is judged and evaluated within the namespace's flag set (FeatureFlagSets: `$ref`
// evaluators, flag-set metadata, static context); a new flag set re-judges them all. A key is
// served by one object even when several claim it (see FlagSet).
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
import { defaultVariantValue, flagKeyOf, type FeatureFlag, type FeatureFlagSpec, type FlagValue as SpecValue } from "../api/index.js";
import { SILENT_FLAGD_LOGGER, validateFlagDefinition, type FlagSetDefinition, type FlagValidation } from "./definition.js";

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
  /** The key it claims: spec.key, else its name. */
  readonly key: string;
  readonly uid: string | undefined;
  readonly generation: number;
  readonly resourceVersion: string | undefined;
  /** The current spec. */
  readonly spec: FeatureFlagSpec;
  /** Orders claimants of one key (RFC 3339, so it sorts as text); empty when unknown. */
  readonly createdAt: string;
  /** The flag-set revision the verdict was computed against. */
  readonly flagSetRevision: number;
  /** Verdict on the current spec. */
  readonly validation: FlagValidation;
  /** What evaluations use; undefined when no valid definition was ever seen. */
  readonly serving: ServingDefinition | undefined;
}

/** Resolution details as OpenFeature providers return them. */
export type FlagResolution<T> = ResolutionDetails<T> & { readonly flagMetadata: FlagMetadata };

/** flagd-core's storage contract over our per-flag states: it reads each key's serving definition. */
class ServingStorage implements Storage {
  readonly #set: FlagSet;

  constructor(set: FlagSet) {
    this.#set = set;
  }

  getFlag(key: string): FlagdFlag | undefined {
    return this.#set.owner(key)?.serving?.flag;
  }

  getFlags(): Map<string, FlagdFlag> {
    const out = new Map<string, FlagdFlag>();
    for (const key of this.#set.keys()) {
      const flag = this.getFlag(key);
      if (flag) out.set(key, flag);
    }
    return out;
  }

  getFlagSetMetadata(): FlagMetadata {
    return this.#set.definition.metadata ?? {};
  }

  setConfigurations(): string[] {
    throw new Error("flags are configured through FeatureFlag objects, not flagd configuration strings");
  }
}

/**
 * The flags of one namespace. One writer (the store's event path); reads from anywhere.
 *
 * Keys: an object claims `spec.key`, else its name. When several objects claim one key, one serves
 * it: the object whose name is the key, else the oldest (creation time, then name); the others are
 * reported as shadowed (`claimants`) and serve nothing.
 */
export class FlagSet {
  readonly #states = new Map<string, FlagState>();
  /** Object names by the key they claim, so a lookup never scans the namespace. */
  readonly #byKey = new Map<string, Set<string>>();
  readonly #core = new FlagdCore(new ServingStorage(this), SILENT_FLAGD_LOGGER);
  #definition: FlagSetDefinition = {};
  #revision = 0;

  get size(): number {
    return this.#states.size;
  }

  /** The namespace's flag set (evaluators, metadata, static context) every flag is evaluated within. */
  get definition(): FlagSetDefinition {
    return this.#definition;
  }

  state(name: string): FlagState | undefined {
    return this.#states.get(name);
  }

  names(): string[] {
    return [...this.#states.keys()];
  }

  /** Every key some object claims. */
  keys(): string[] {
    return [...this.#byKey.keys()];
  }

  /** The names of the objects claiming `key`, the one serving it first. */
  claimants(key: string): string[] {
    const names = this.#byKey.get(key);
    if (!names) return [];
    if (names.size === 1) return [...names];
    return [...names]
      .map((name) => this.#states.get(name))
      .filter((s) => s !== undefined)
      .sort(byClaimPrecedence)
      .map((s) => s.name);
  }

  /** The object serving `key`, if any claims it. */
  owner(key: string): FlagState | undefined {
    const name = this.claimants(key)[0];
    return name === undefined ? undefined : this.#states.get(name);
  }

  /** Takes in the object's current version; returns the keys whose served definition changed. */
  apply(obj: FeatureFlag): string[] {
    const name = obj.metadata.name;
    if (!name) return [];
    const previous = this.#states.get(name);
    const next = nextState(obj, previous?.uid === obj.metadata.uid ? previous : undefined, this.#definition, this.#revision);
    return this.#changing([previous?.key, next.key], () => {
      if (previous) this.#unindex(previous);
      this.#states.set(name, next);
      this.#index(next);
    });
  }

  /** Forgets a deleted object; returns the keys whose served definition changed. */
  remove(name: string): string[] {
    const previous = this.#states.get(name);
    if (!previous) return [];
    return this.#changing([previous.key], () => {
      this.#unindex(previous);
      this.#states.delete(name);
    });
  }

  /** Replaces the flag set and re-validates every flag within it; returns the keys whose served definition changed. */
  setDefinition(definition: FlagSetDefinition): string[] {
    if (JSON.stringify(definition) === JSON.stringify(this.#definition)) return [];
    const before = new Map(this.keys().map((key) => [key, servingKey(this.owner(key))]));
    const metadataBefore = JSON.stringify(this.#definition.metadata ?? {});
    const contextBefore = JSON.stringify(this.#definition.context ?? {});
    this.#definition = definition;
    this.#revision += 1;
    for (const [name, state] of this.#states) this.#states.set(name, revalidated(state, definition, this.#revision));
    // Metadata and context are not part of a flag's hash but change what every evaluation returns.
    const everything = metadataBefore !== JSON.stringify(definition.metadata ?? {}) || contextBefore !== JSON.stringify(definition.context ?? {});
    return this.keys().filter((key) => everything || before.get(key) !== servingKey(this.owner(key)));
  }

  /**
   * Resolves `key` as flagd-core does (FLAG_NOT_FOUND, DISABLED, TYPE_MISMATCH, STATIC,
   * TARGETING_MATCH, DEFAULT, ...) with the flag set's static context under `context`, plus
   * PARSE_ERROR for a flag that exists but was never valid.
   */
  resolve<T extends FlagValue>(type: FlagValueType, key: string, defaultValue: T, context: EvaluationContext = {}): FlagResolution<T> {
    const state = this.owner(key);
    if (state && !state.serving && !state.validation.valid) {
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.PARSE_ERROR,
        errorMessage: state.validation.message,
        flagMetadata: {},
      };
    }
    // The flag set's context came from the apiserver as JSON, and every JSON value is a context value.
    const enriched: EvaluationContext = { ...(this.#definition.context as EvaluationContext | undefined), ...context };
    return this.#core.resolve(type, key, defaultValue, enriched);
  }

  #index(state: FlagState): void {
    let names = this.#byKey.get(state.key);
    if (!names) this.#byKey.set(state.key, (names = new Set()));
    names.add(state.name);
  }

  #unindex(state: FlagState): void {
    const names = this.#byKey.get(state.key);
    names?.delete(state.name);
    if (names?.size === 0) this.#byKey.delete(state.key);
  }

  #changing(keys: readonly (string | undefined)[], mutate: () => void): string[] {
    const affected = [...new Set(keys.filter((k): k is string => k !== undefined))];
    const before = affected.map((key) => servingKey(this.owner(key)));
    mutate();
    return affected.filter((key, i) => servingKey(this.owner(key)) !== before[i]);
  }
}

/** Who serves a shared key: the object named after it, then the oldest, then by name. */
function byClaimPrecedence(a: FlagState, b: FlagState): number {
  const named = Number(b.name === b.key) - Number(a.name === a.key);
  if (named !== 0) return named;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function nextState(obj: FeatureFlag, previous: FlagState | undefined, flagSet: FlagSetDefinition, revision: number): FlagState {
  const name = obj.metadata.name ?? "";
  const key = flagKeyOf(obj);
  const generation = obj.metadata.generation ?? 0;
  // A generation's spec never changes, so resyncs and status-only updates reuse the verdict.
  const reuse = previous && previous.generation === generation && previous.flagSetRevision === revision && previous.key === key;
  const validation = reuse ? previous.validation : validateFlagDefinition(key, obj.spec, flagSet);
  const createdAt = obj.metadata.creationTimestamp ?? "";
  const base = { name, key, uid: obj.metadata.uid, generation, resourceVersion: obj.metadata.resourceVersion, spec: obj.spec, createdAt, flagSetRevision: revision, validation };
  if (validation.valid) {
    return { ...base, serving: { generation, spec: obj.spec, defaultValue: defaultVariantValue(obj.spec), flag: validation.flag } };
  }
  return { ...base, serving: newest(previous?.serving, recorded(obj, key, previous?.serving, flagSet)) };
}

/**
 * The same object's state re-validated within a new flag set. An invalid verdict never takes a flag
 * away: what served before (compiled within the earlier set) keeps serving.
 */
function revalidated(state: FlagState, flagSet: FlagSetDefinition, revision: number): FlagState {
  const validation = validateFlagDefinition(state.key, state.spec, flagSet);
  const base = { ...state, flagSetRevision: revision, validation };
  if (!validation.valid) return base;
  return { ...base, serving: { generation: state.generation, spec: state.spec, defaultValue: defaultVariantValue(state.spec), flag: validation.flag } };
}

/** The controller's record of the last valid definition, re-validated (status is writable too). */
function recorded(obj: FeatureFlag, key: string, known: ServingDefinition | undefined, flagSet: FlagSetDefinition): ServingDefinition | undefined {
  const lastValid = obj.status?.lastValid;
  if (!lastValid || lastValid.generation > (obj.metadata.generation ?? 0)) return undefined;
  if (known && known.generation >= lastValid.generation) return known;
  const validation = validateFlagDefinition(key, lastValid.spec, flagSet);
  if (!validation.valid) return undefined;
  return { generation: lastValid.generation, spec: lastValid.spec, defaultValue: defaultVariantValue(lastValid.spec), flag: validation.flag };
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
