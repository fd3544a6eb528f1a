// The flag store: FeatureFlag objects from an informer, evaluated in memory per namespace.
//
// Flow: informer event → FlagStore (an informer EventHandler) validates the object and updates its
// namespace's FlagSet → listeners hear which keys now serve differently. Reads (`resolve`) never
// touch the network. Used by the operator (control flags, featureflag controller), by agents (their
// own namespace-scoped informer) and by the OpenFeature provider.
import type { EvaluationContext, FlagValue, FlagValueType } from "@openfeature/core";
import type { Logger } from "pino";
import type { FeatureFlag, FeatureFlagSet } from "../api/index.js";
import { FEATURE_FLAG_SET_TYPE, FEATURE_FLAG_TYPE } from "../api/index.js";
import { Informer, type EventHandler } from "../runtime/cache/index.js";
import { ResourceClient, type Transport } from "../runtime/client/index.js";
import type { FlagSetDefinition } from "./definition.js";
import { mergeFlagSets } from "./flag-set-definition.js";
import { FlagSet, type FlagResolution, type FlagState } from "./flag-set.js";

/** Keys whose served definition changed (added, replaced, removed) in one namespace. */
export interface FlagChange {
  readonly namespace: string;
  readonly keys: readonly string[];
}

export type FlagChangeListener = (change: FlagChange) => void;

export interface FlagStoreOptions {
  /** Take only this namespace's objects (the informer may be wider). */
  readonly namespace?: string;
  readonly log?: Pick<Logger, "debug" | "error">;
}

/** In-memory evaluator over FeatureFlag objects; register it with `informer.addEventHandler(store)`. */
export class FlagStore implements EventHandler<FeatureFlag> {
  readonly #sets = new Map<string, FlagSet>();
  readonly #listeners = new Set<FlagChangeListener>();
  readonly #namespace: string | undefined;
  readonly #log: Pick<Logger, "debug" | "error"> | undefined;
  /** FeatureFlagSet specs by namespace, then name. */
  readonly #flagSetObjects = new Map<string, Map<string, FeatureFlagSet["spec"]>>();

  /** Register with a FeatureFlagSet informer: each namespace's sets become its flags' flag set. */
  readonly flagSets: EventHandler<FeatureFlagSet> = {
    onAdd: (obj) => this.#putFlagSet(obj, obj.spec),
    onUpdate: (_old, obj) => this.#putFlagSet(obj, obj.spec),
    onDelete: (obj) => this.#putFlagSet(obj, undefined),
  };

  constructor(options: FlagStoreOptions = {}) {
    this.#namespace = options.namespace;
    this.#log = options.log;
  }

  onAdd(obj: FeatureFlag): void {
    this.#apply(obj);
  }

  onUpdate(_old: FeatureFlag, obj: FeatureFlag): void {
    this.#apply(obj);
  }

  onDelete(obj: FeatureFlag): void {
    const { namespace, name } = obj.metadata;
    if (namespace === undefined || name === undefined || !this.#accepts(namespace)) return;
    const set = this.#sets.get(namespace);
    if (!set) return;
    const changed = set.remove(name);
    if (set.size === 0 && isEmptyDefinition(set.definition)) this.#sets.delete(namespace);
    if (changed.length > 0) this.#notify({ namespace, keys: changed });
  }

  /** Evaluates flag `key` of `namespace`; see FlagSet.resolve for the outcomes. */
  resolve<T extends FlagValue>(namespace: string, type: FlagValueType, key: string, defaultValue: T, context?: EvaluationContext): FlagResolution<T> {
    return this.#set(namespace).resolve(type, key, defaultValue, context);
  }

  /** What the store knows about one object: the verdict on its spec and what serves. */
  state(namespace: string, name: string): FlagState | undefined {
    return this.#sets.get(namespace)?.state(name);
  }

  /** The flag keys served in `namespace` (`spec.key`, else the object name), for evaluating them all. */
  keys(namespace: string): string[] {
    return this.#sets.get(namespace)?.keys() ?? [];
  }

  /** What serves `key` in `namespace`: the state of the object that owns it. */
  owner(namespace: string, key: string): FlagState | undefined {
    return this.#sets.get(namespace)?.owner(key);
  }

  /** The names of the objects of `namespace` claiming `key`, the one serving it first. */
  claimants(namespace: string, key: string): string[] {
    return this.#sets.get(namespace)?.claimants(key) ?? [];
  }

  /** Sets `namespace`'s flag set (evaluators, metadata, static context); `{}` clears it. */
  setFlagSet(namespace: string, definition: FlagSetDefinition): void {
    if (!this.#accepts(namespace)) return;
    let set = this.#sets.get(namespace);
    if (!set) this.#sets.set(namespace, (set = new FlagSet()));
    const changed = set.setDefinition(definition);
    if (set.size === 0 && isEmptyDefinition(definition)) this.#sets.delete(namespace);
    if (changed.length > 0) this.#notify({ namespace, keys: changed });
  }

  /** Registers a listener for served-definition changes; returns its unsubscribe function. */
  onChange(listener: FlagChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #apply(obj: FeatureFlag): void {
    const { namespace, name } = obj.metadata;
    if (namespace === undefined || name === undefined || !this.#accepts(namespace)) return;
    let set = this.#sets.get(namespace);
    if (!set) this.#sets.set(namespace, (set = new FlagSet()));
    const changed = set.apply(obj);
    const state = set.state(name);
    if (state && !state.validation.valid) {
      this.#log?.debug({ namespace, flag: name, generation: state.generation, serving: state.serving?.generation, reason: state.validation.message }, "invalid flag definition");
    }
    if (changed.length > 0) this.#notify({ namespace, keys: changed });
  }

  #putFlagSet(obj: FeatureFlagSet, spec: FeatureFlagSet["spec"] | undefined): void {
    const { namespace, name } = obj.metadata;
    if (namespace === undefined || name === undefined || !this.#accepts(namespace)) return;
    let objects = this.#flagSetObjects.get(namespace);
    if (!objects) this.#flagSetObjects.set(namespace, (objects = new Map<string, FeatureFlagSet["spec"]>()));
    if (spec) objects.set(name, spec);
    else objects.delete(name);
    if (objects.size === 0) this.#flagSetObjects.delete(namespace);
    this.setFlagSet(namespace, mergeFlagSets([...objects].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s)));
  }

  #accepts(namespace: string): boolean {
    return this.#namespace === undefined || this.#namespace === namespace;
  }

  // An unknown namespace resolves against an empty set: FLAG_NOT_FOUND, as flagd-core says it.
  #set(namespace: string): FlagSet {
    return this.#sets.get(namespace) ?? EMPTY;
  }

  #notify(change: FlagChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (err) {
        this.#log?.error({ err, namespace: change.namespace, keys: change.keys }, "flag change listener threw");
      }
    }
  }
}

const EMPTY = new FlagSet();

function isEmptyDefinition(definition: FlagSetDefinition): boolean {
  return definition.evaluators === undefined && definition.metadata === undefined && definition.context === undefined;
}

/** Anything that delivers FeatureFlag events: an Informer, or the operator's shared informer. */
export interface FlagSource {
  addEventHandler(handler: EventHandler<FeatureFlag>): unknown;
}

const SHARED = new WeakMap<FlagSource, FlagStore>();

/**
 * The one FlagStore fed by `source` in this process, created and registered on first use (later
 * `options` are ignored): the operator's control flags and the featureflag controller then read the
 * same evaluator, and every flag is validated once per version.
 */
export function sharedFlagStore(source: FlagSource, options: FlagStoreOptions = {}): FlagStore {
  let store = SHARED.get(source);
  if (!store) {
    store = new FlagStore(options);
    source.addEventHandler(store);
    SHARED.set(source, store);
  }
  return store;
}

/** The informers behind a store, started and awaited together. */
export interface FlagWatch {
  /** Starts the informers; resolves when `signal` aborts and all stopped. */
  start(signal: AbortSignal): Promise<void>;
  /** True once every informer listed (false if `signal` aborted first). */
  waitForSync(signal?: AbortSignal): Promise<boolean>;
}

/** Namespace-scoped FeatureFlag and FeatureFlagSet informers feeding one store: what agents and the provider run. */
export interface WatchedFlags extends FlagWatch {
  readonly informer: Informer<FeatureFlag>;
  readonly flagSetInformer: Informer<FeatureFlagSet>;
  readonly store: FlagStore;
}

export interface WatchFlagsOptions {
  readonly namespace: string;
  readonly log?: Logger;
  /** Each informer's connection lost (false) or back (true), by informer name: see InformerOptions.onHealthChange. */
  readonly onHealthChange?: (source: string, healthy: boolean) => void;
}

/** Builds (does not start) informers over `namespace`'s FeatureFlags and FeatureFlagSets feeding a new FlagStore. */
export function watchFlags(transport: Transport, options: WatchFlagsOptions): WatchedFlags {
  const log = options.log ? { log: options.log } : {};
  const health = (name: string): { name: string; onHealthChange?: (healthy: boolean) => void } => {
    const onHealthChange = options.onHealthChange;
    return onHealthChange ? { name, onHealthChange: (healthy) => onHealthChange(name, healthy) } : { name };
  };
  const informer = new Informer(new ResourceClient<FeatureFlag>(transport, FEATURE_FLAG_TYPE), {
    ...health(`informer/featureflags/${options.namespace}`),
    namespace: options.namespace,
    ...log,
  });
  const flagSetInformer = new Informer(new ResourceClient<FeatureFlagSet>(transport, FEATURE_FLAG_SET_TYPE), {
    ...health(`informer/featureflagsets/${options.namespace}`),
    namespace: options.namespace,
    ...log,
  });
  const store = new FlagStore({ namespace: options.namespace, ...log });
  informer.addEventHandler(store);
  flagSetInformer.addEventHandler(store.flagSets);
  return {
    informer,
    flagSetInformer,
    store,
    start: async (signal) => {
      await Promise.all([informer.start(signal), flagSetInformer.start(signal)]);
    },
    waitForSync: async (signal) => (await Promise.all([flagSetInformer.waitForSync(signal), informer.waitForSync(signal)])).every(Boolean),
  };
}
