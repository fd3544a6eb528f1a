// The featureflag reconciler: read a FeatureFlag and the store's verdict on it, write status on change.
import type { Logger } from "pino";
import { KINDS, type FeatureFlag } from "../../api/index.js";
import type { AuditSink } from "../../audit/index.js";
import type { FlagStore } from "../../flags/index.js";
import type { ReadonlyStore } from "../../runtime/cache/index.js";
import { orThrow } from "../../runtime/client/index.js";
import type { EventRecorder } from "../../runtime/events/index.js";
import type { Clock } from "../../runtime/queue/index.js";
import { awaitChange, requeueAfter, retryWithBackoff, type ReconcileContext, type Reconciler, type Request, type Result } from "../../runtime/reconcile/index.js";
import type { StatusWriter } from "../../runtime/status/index.js";
import { decideFlagStatus } from "./decide.js";

export const FEATURE_FLAG_CONTROLLER = "featureflag";

/** Retry soon when the flag store has not yet taken in the version the cache shows. */
const STORE_LAG_RETRY_MS = 50;

export interface FeatureFlagDeps {
  readonly flags: ReadonlyStore<FeatureFlag>;
  /** The evaluator every consumer in this process uses; fed by the same informer as `flags`. */
  readonly store: Pick<FlagStore, "state" | "claimants">;
  readonly statusWriter: Pick<StatusWriter<FeatureFlag>, "updateStatus">;
  readonly events: EventRecorder;
  readonly audit: AuditSink;
  readonly clock: Pick<Clock, "now">;
  readonly log?: Logger;
}

/**
 * FeatureFlag → status (Valid, observedGeneration, defaultValue, lastValid). The verdict is the flag
 * store's, so status says exactly what evaluations serve. Events and audit entries follow a
 * successful write only: the write carries resourceVersion, so two replicas announce a change once.
 */
export class FeatureFlagReconciler implements Reconciler {
  readonly #deps: FeatureFlagDeps;
  /** UIDs of the flags this process has reconciled, by namespace/name: a deletion is announced once. */
  readonly #seen = new Map<string, string>();

  constructor(deps: FeatureFlagDeps) {
    this.#deps = deps;
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const namespace = req.namespace ?? "";
    const key = `${namespace}/${req.name}`;
    const flag = this.#deps.flags.getByName(namespace, req.name);
    // Deleted: the store forgot it with the same event; nothing is left to write, but what evaluations
    // serve changed (the callers' defaults), so it is audited, once per flag this process had seen.
    if (!flag) {
      const uid = this.#seen.get(key);
      if (uid !== undefined) {
        this.#seen.delete(key);
        this.#recordDeleted(namespace, req.name, uid);
      }
      return awaitChange();
    }
    this.#seen.set(key, flag.metadata.uid ?? "");
    const state = this.#deps.store.state(namespace, req.name);
    if (!state || state.resourceVersion !== flag.metadata.resourceVersion) return requeueAfter(STORE_LAG_RETRY_MS);

    const decision = decideFlagStatus(flag, state, new Date(this.#deps.clock.now()), this.#deps.store.claimants(namespace, state.key));
    const result = orThrow(await this.#deps.statusWriter.updateStatus(flag, decision.status, { signal: ctx.signal }));
    if (result.outcome === "conflict") return retryWithBackoff();
    if (result.outcome !== "written" || !decision.announce) return awaitChange();

    const { announce } = decision;
    this.#deps.events.event(flag, announce.type, announce.reason, "Validate", announce.message);
    this.#deps.audit.record({
      namespace,
      action: "flag-changed",
      kind: KINDS.featureFlag,
      name: req.name,
      ...(flag.metadata.uid ? { uid: flag.metadata.uid } : {}),
      reason: announce.verdict,
      message: announce.message,
      actor: FEATURE_FLAG_CONTROLLER,
    });
    ctx.log.info({ generation: state.generation, valid: state.validation.valid, serving: state.serving?.generation }, announce.message);
    return awaitChange();
  }

  #recordDeleted(namespace: string, name: string, uid: string): void {
    this.#deps.audit.record({
      namespace,
      action: "flag-changed",
      kind: KINDS.featureFlag,
      name,
      ...(uid === "" ? {} : { uid }),
      reason: "Deleted",
      message: "FeatureFlag deleted; evaluations fall back to the caller's default value.",
      actor: FEATURE_FLAG_CONTROLLER,
    });
  }
}
