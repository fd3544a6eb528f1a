// ControlFlags over a FlagStore: the well-known keys, read only from the operator's namespace.
import { capOfFlagValue, CONTROL_FLAG_KEYS, CONTROL_FLAGS, delayOfFlagValue, type ControlFlagKey } from "../api/index.js";
import type { ControlFlagContext, ControlFlags } from "../api/index.js";
import { toEvaluationContext } from "./context.js";
import type { Logger } from "pino";
import type { Transport } from "../runtime/client/index.js";
import { watchFlags, type FlagStore, type FlagWatch } from "./flag-store.js";

const CONTROL_KEYS: ReadonlySet<string> = new Set(Object.values(CONTROL_FLAG_KEYS));

/**
 * Answers the dispatcher's, job recovery's and agents' questions from `operatorNamespace`'s
 * FeatureFlags. A tenant's flag of the same name lives in another namespace and is never read.
 * Missing, disabled, invalid (never valid) or mistyped flags answer with the neutral value.
 */
export class StoreControlFlags implements ControlFlags {
  readonly #store: FlagStore;
  readonly #namespace: string;

  constructor(store: FlagStore, operatorNamespace: string) {
    this.#store = store;
    this.#namespace = operatorNamespace;
  }

  dispatchPaused(): boolean {
    return this.#boolean(CONTROL_FLAG_KEYS.dispatchPaused, {});
  }

  killSwitch(ctx: ControlFlagContext): boolean {
    return this.#boolean(CONTROL_FLAG_KEYS.jobKillSwitch, ctx);
  }

  agentMaxConcurrency(ctx: ControlFlagContext): number | undefined {
    return this.#cap(CONTROL_FLAG_KEYS.agentMaxConcurrency, ctx);
  }

  queueMaxInflight(ctx: ControlFlagContext): number | undefined {
    return this.#cap(CONTROL_FLAG_KEYS.queueMaxInflight, ctx);
  }

  dispatchDelayMs(): number {
    const key = CONTROL_FLAG_KEYS.dispatchDelayMs;
    const neutral = CONTROL_FLAGS[key].neutralValue;
    return delayOfFlagValue(this.#store.resolve(this.#namespace, "number", key, neutral, {}).value);
  }

  onChange(listener: () => void): () => void {
    return this.#store.onChange((change) => {
      if (change.namespace === this.#namespace && change.keys.some((k) => CONTROL_KEYS.has(k))) listener();
    });
  }

  #boolean(key: ControlFlagKey & ("helios-dispatch-paused" | "helios-job-kill-switch"), ctx: ControlFlagContext): boolean {
    const neutral = CONTROL_FLAGS[key].neutralValue;
    return this.#store.resolve(this.#namespace, "boolean", key, neutral, toEvaluationContext(ctx)).value;
  }

  /** A cap as `capOfFlagValue` reads it; an evaluation error is no cap. */
  #cap(key: "helios-agent-max-concurrency" | "helios-queue-max-inflight", ctx: ControlFlagContext): number | undefined {
    const resolution = this.#store.resolve(this.#namespace, "number", key, CONTROL_FLAGS[key].neutralValue, toEvaluationContext(ctx));
    return resolution.errorCode !== undefined ? undefined : capOfFlagValue(resolution.value);
  }
}

/** Control flags for a process outside the operator (an agent), with the informers that feed them. */
export interface WatchedControlFlags {
  readonly flags: ControlFlags;
  /** Start it (`informer.start(signal)`) and wait for `informer.waitForSync()` before relying on `flags`. */
  readonly informer: FlagWatch;
}

/**
 * Watches only `operatorNamespace`'s FeatureFlags (so an agent needs read access there and nowhere
 * else) and answers as the operator does: same store, same evaluator, same neutral values.
 */
export function watchControlFlags(transport: Transport, options: { readonly operatorNamespace: string; readonly log?: Logger }): WatchedControlFlags {
  const watched = watchFlags(transport, { namespace: options.operatorNamespace, ...(options.log ? { log: options.log } : {}) });
  return { informer: watched, flags: new StoreControlFlags(watched.store, options.operatorNamespace) };
}
