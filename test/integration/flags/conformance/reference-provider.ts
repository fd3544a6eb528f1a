// Plain flagd-core as an OpenFeature provider over one flag configuration: the yardstick the suite
// measures HeliosProvider against. It adds the source's static context the way flagd's in-process
// provider does (the flag source's context under the caller's).
import { FlagdCore } from "@openfeature/flagd-core";
import type { EvaluationContext, FlagValue, FlagValueType, JsonValue, Provider, ResolutionDetails } from "@openfeature/server-sdk";
import type { FlagSource } from "./flag-sources.js";

export class FlagdCoreProvider implements Provider {
  readonly metadata = { name: "flagd-core" } as const;
  readonly runsOn = "server" as const;
  readonly #core = new FlagdCore();
  readonly #staticContext: EvaluationContext;

  constructor(source: FlagSource) {
    this.#core.setConfigurations(JSON.stringify(source.configuration));
    this.#staticContext = source.staticContext;
  }

  resolveBooleanEvaluation(key: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    return this.#resolve("boolean", key, defaultValue, context);
  }

  resolveStringEvaluation(key: string, defaultValue: string, context: EvaluationContext): Promise<ResolutionDetails<string>> {
    return this.#resolve("string", key, defaultValue, context);
  }

  resolveNumberEvaluation(key: string, defaultValue: number, context: EvaluationContext): Promise<ResolutionDetails<number>> {
    return this.#resolve("number", key, defaultValue, context);
  }

  resolveObjectEvaluation<T extends JsonValue>(key: string, defaultValue: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
    return this.#resolve("object", key, defaultValue, context);
  }

  #resolve<T extends FlagValue>(type: FlagValueType, key: string, defaultValue: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.#core.resolve(type, key, defaultValue, { ...this.#staticContext, ...context }));
  }
}
