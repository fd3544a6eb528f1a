// An OpenFeature server provider serving one namespace's FeatureFlag objects, evaluated in-process.
//
// Flow: `initialize` starts a namespace-scoped FeatureFlag informer and resolves once its first list
// is in (the SDK then reports READY); every change to a served definition afterwards is emitted as
// PROVIDER_CONFIGURATION_CHANGED with `flagsChanged`; when a watch on the apiserver is lost the
// provider emits PROVIDER_STALE, PROVIDER_ERROR if it stays lost for `staleErrorAfterMs`, and
// PROVIDER_READY once it is back (provider-health.ts decides). While stale or errored it serves the
// cached flags with reason STALE. `onClose` stops the watch. Evaluations never leave the process.
// The same FlagStore the operator and agents use does the work, so a flag evaluates identically
// everywhere.
import {
  ErrorCode,
  OpenFeatureEventEmitter,
  ProviderEvents,
  StandardResolutionReasons,
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
import { INITIAL_PROVIDER_HEALTH, nextProviderHealth, type ProviderHealth, type ProviderHealthInput, type ProviderHealthOutput, type ProviderHealthStatus } from "./provider-health.js";

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
  /**
   * How long the watch may stay lost (PROVIDER_STALE) before the provider reports PROVIDER_ERROR
   * (default 30 s). Either way it keeps serving the cached flags, with reason STALE.
   */
  readonly staleErrorAfterMs?: number;
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
  #health: ProviderHealth = INITIAL_PROVIDER_HEALTH;
  #graceTimer: NodeJS.Timeout | undefined;

  constructor(options: HeliosProviderOptions) {
    this.#options = options;
  }

  get #staleErrorAfterMs(): number {
    return this.#options.staleErrorAfterMs ?? 30_000;
  }

  async initialize(): Promise<void> {
    if (this.#watched) return;
    const watched = watchFlags(transportOf(this.#options), {
      namespace: this.#options.namespace,
      onHealthChange: (source, healthy) => this.#onHealth({ type: healthy ? "watchRecovered" : "watchLost", source }),
      ...(this.#options.log ? { log: this.#options.log } : {}),
    });
    const stop = new AbortController();
    this.#stop = stop;
    this.#running = watched.start(stop.signal);
    const timeoutMs = this.#options.syncTimeoutMs ?? 30_000;
    const synced = await watched.waitForSync(AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]));
    if (!synced) {
      stop.abort();
      await this.#running;
      this.#resetHealth();
      throw new Error(`helios provider: FeatureFlags of namespace "${this.#options.namespace}" did not sync within ${timeoutMs} ms`);
    }
    // Subscribed after the first list: READY already means "these flags", so only later changes are events.
    watched.store.onChange((change) => this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: [...change.keys] }));
    this.#watched = watched;
  }

  async onClose(): Promise<void> {
    this.#stop?.abort();
    await this.#running;
    this.#resetHealth();
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
    const resolution = this.#watched.store.resolve(this.#options.namespace, type, key, defaultValue, enriched);
    // Disconnected: the cached value may be out of date; errors stay errors.
    return this.#health.status === "ready" || resolution.errorCode !== undefined ? resolution : { ...resolution, reason: StandardResolutionReasons.STALE };
  }

  #onHealth(input: ProviderHealthInput): void {
    const { health, outputs } = nextProviderHealth(this.#health, input);
    this.#health = health;
    for (const output of outputs) this.#run(output);
  }

  #run(output: ProviderHealthOutput): void {
    switch (output.type) {
      case "armGrace":
        clearTimeout(this.#graceTimer);
        this.#graceTimer = setTimeout(() => this.#onHealth({ type: "graceExpired" }), this.#staleErrorAfterMs);
        this.#graceTimer.unref();
        return;
      case "cancelGrace":
        clearTimeout(this.#graceTimer);
        this.#graceTimer = undefined;
        return;
      case "emit":
        // Before the first sync the SDK is still waiting on `initialize`: it reports READY or the failure itself.
        if (this.#watched) this.#emit(output.status);
        return;
    }
  }

  #emit(status: ProviderHealthStatus): void {
    const namespace = this.#options.namespace;
    const lost = [...this.#health.lost].join(", ");
    switch (status) {
      case "stale":
        this.events.emit(ProviderEvents.Stale, { message: `lost the watch on the apiserver (${lost}); serving cached flags of namespace "${namespace}"` });
        return;
      case "error":
        this.events.emit(ProviderEvents.Error, {
          message: `no watch on the apiserver for ${this.#staleErrorAfterMs} ms (${lost}); serving cached flags of namespace "${namespace}"`,
        });
        return;
      case "ready":
        this.events.emit(ProviderEvents.Ready, { message: `watch on the apiserver restored for namespace "${namespace}"` });
        return;
    }
  }

  #resetHealth(): void {
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    this.#health = INITIAL_PROVIDER_HEALTH;
  }
}

function transportOf(options: HeliosProviderOptions): Transport {
  if (options.transport) return options.transport;
  if (options.kubeConfig) return new Transport(options.kubeConfig);
  throw new TypeError("HeliosProvider needs kubeConfig or transport");
}
