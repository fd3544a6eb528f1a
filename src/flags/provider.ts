// An OpenFeature server provider serving one namespace's FeatureFlag objects, evaluated in-process.
//
// Flow: `initialize` starts a namespace-scoped FeatureFlag informer and resolves once its first list
// is in (the SDK then reports READY); every change to a served definition afterwards is emitted as
// PROVIDER_CONFIGURATION_CHANGED with `flagsChanged`; `onClose` stops the watch. Evaluations never
// leave the process. The same FlagStore the operator and agents use does the work, so a flag
// evaluates identically everywhere.
import {
  ErrorCode,
  OpenFeatureEventEmitter,
  ProviderEvents,
  type EvaluationContext,
  type FlagValue,
  type FlagValueType,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from "@openfeature/server-sdk";
import type { Logger } from "pino";
import { Transport, type ClusterAccess } from "../runtime/client/index.js";
import { watchFlags, type WatchedFlags } from "./flag-store.js";

export interface HeliosProviderOptions {
  /** The namespace whose FeatureFlags this provider serves (a tenant serves its own). */
  readonly namespace: string;
  /** Where to reach the apiserver (a client-node `KubeConfig`, or what `loadClusterAccess` returns); or pass `transport`. */
  readonly kubeConfig?: ClusterAccess;
  readonly transport?: Transport;
  /**
   * Static context added to every evaluation under the caller's (flagd's context enrichment): e.g.
   * the application's region or version. It goes over the namespace flag set's own static context.
   */
  readonly staticContext?: EvaluationContext;
  /** How long `initialize` waits for the first list before failing (default 30 s). */
  readonly syncTimeoutMs?: number;
  readonly log?: Logger;
}

/** `OpenFeature.setProviderAndWait(new HeliosProvider({ namespace, kubeConfig }))`. */
export class HeliosProvider implements Provider {
  readonly metadata = { name: "helios" } as const;
  readonly runsOn = "server" as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly #options: HeliosProviderOptions;
  #watched: WatchedFlags | undefined;
  #stop: AbortController | undefined;
  #running: Promise<void> | undefined;

  constructor(options: HeliosProviderOptions) {
    this.#options = options;
  }

  async initialize(): Promise<void> {
    if (this.#watched) return;
    const watched = watchFlags(transportOf(this.#options), { namespace: this.#options.namespace, ...(this.#options.log ? { log: this.#options.log } : {}) });
    const stop = new AbortController();
    this.#stop = stop;
    this.#running = watched.start(stop.signal);
    const timeoutMs = this.#options.syncTimeoutMs ?? 30_000;
    const synced = await watched.waitForSync(AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]));
    if (!synced) {
      stop.abort();
      await this.#running;
      throw new Error(`helios provider: FeatureFlags of namespace "${this.#options.namespace}" did not sync within ${timeoutMs} ms`);
    }
    // Subscribed after the first list: READY already means "these flags", so only later changes are events.
    watched.store.onChange((change) => this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: [...change.keys] }));
    this.#watched = watched;
  }

  async onClose(): Promise<void> {
    this.#stop?.abort();
    await this.#running;
    this.#watched = undefined;
    this.#stop = undefined;
    this.#running = undefined;
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.#resolve("boolean", flagKey, defaultValue, context));
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.#resolve("string", flagKey, defaultValue, context));
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.#resolve("number", flagKey, defaultValue, context));
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.#resolve("object", flagKey, defaultValue, context));
  }

  #resolve<T extends FlagValue>(type: FlagValueType, key: string, defaultValue: T, context: EvaluationContext): ResolutionDetails<T> {
    // The SDK only evaluates through a READY provider, so the store exists; guard anyway for direct callers.
    if (!this.#watched) {
      return { value: defaultValue, reason: "ERROR", errorCode: ErrorCode.PROVIDER_NOT_READY, errorMessage: "helios provider is not initialized" };
    }
    const enriched = this.#options.staticContext ? { ...this.#options.staticContext, ...context } : context;
    return this.#watched.store.resolve(this.#options.namespace, type, key, defaultValue, enriched);
  }
}

function transportOf(options: HeliosProviderOptions): Transport {
  if (options.transport) return options.transport;
  if (options.kubeConfig) return new Transport(options.kubeConfig);
  throw new TypeError("HeliosProvider needs kubeConfig or transport");
}
