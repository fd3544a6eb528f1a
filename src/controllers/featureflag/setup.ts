// Wires the featureflag reconciler to the FeatureFlag informer and the process's flag store.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { FEATURE_FLAG_TYPE, flagKeyOf, type FeatureFlag, type FeatureFlagSet } from "../../api/index.js";
import type { AuditSink } from "../../audit/index.js";
import { sharedFlagStore, type FlagSource, type FlagStore } from "../../flags/index.js";
import type { ReadonlyStore } from "../../runtime/cache/index.js";
import { ResourceClient, type Transport } from "../../runtime/client/index.js";
import { Controller, type EventSource } from "../../runtime/controller/index.js";
import type { Request } from "../../runtime/reconcile/index.js";
import type { EventRecorder } from "../../runtime/events/index.js";
import { realClock, type Clock } from "../../runtime/queue/index.js";
import { StatusWriter } from "../../runtime/status/index.js";
import type { ControllerRegistration } from "../operator-context.js";
import { FEATURE_FLAG_CONTROLLER, FeatureFlagReconciler } from "./reconciler.js";

/** A FeatureFlag informer as the controller reads it (an Informer or the operator's SharedInformer). */
export interface FlagInformer extends FlagSource {
  readonly store: ReadonlyStore<FeatureFlag>;
  hasSynced(): boolean;
}

export interface FeatureFlagSetup {
  readonly flags: FlagInformer;
  /** FeatureFlagSet events: a namespace's flags are re-validated within its flag set (the store must take them too). */
  readonly flagSets?: EventSource<FeatureFlagSet>;
  /** Defaults to the process's shared store over `flags`. */
  readonly store?: FlagStore;
  readonly transport: Transport;
  readonly events: EventRecorder;
  readonly audit: AuditSink;
  readonly log: Logger;
  readonly registry?: Registry;
  readonly clock?: Clock;
}

/** The featureflag controller, a leader-elected Runnable; its informer is started separately (the manager does). */
export function createFeatureFlagController(setup: FeatureFlagSetup): Controller {
  const clock = setup.clock ?? realClock;
  const reconciler = new FeatureFlagReconciler({
    flags: setup.flags.store,
    store: setup.store ?? sharedFlagStore(setup.flags),
    statusWriter: new StatusWriter<FeatureFlag>(new ResourceClient<FeatureFlag>(setup.transport, FEATURE_FLAG_TYPE), { log: setup.log }),
    events: setup.events,
    audit: setup.audit,
    clock,
    log: setup.log,
  });
  const controller = new Controller({
    name: FEATURE_FLAG_CONTROLLER,
    reconciler,
    logger: setup.log,
    clock,
    ...(setup.registry === undefined ? {} : { registry: setup.registry }),
  });
  // Objects sharing a key decide each other's status, so an event on one reconciles them all.
  controller.watch(setup.flags, (obj) => sameKeyRequests(setup.flags.store, obj));
  // A flag set change can change every verdict of its namespace.
  if (setup.flagSets) controller.watch(setup.flagSets, (set) => namespaceRequests(setup.flags.store, set.metadata.namespace ?? ""));
  return controller;
}

/** Every cached FeatureFlag of `namespace`. */
function namespaceRequests(cache: ReadonlyStore<FeatureFlag>, namespace: string): Request[] {
  return cache.listByNamespace(namespace).map((f) => ({ namespace, name: f.metadata.name ?? "" }));
}

/** `obj` and every cached FeatureFlag of its namespace claiming the same key. */
export function sameKeyRequests(cache: ReadonlyStore<FeatureFlag>, obj: FeatureFlag): Request[] {
  const namespace = obj.metadata.namespace ?? "";
  const key = flagKeyOf(obj);
  const names = new Set([obj.metadata.name ?? "", ...cache.listByNamespace(namespace).filter((f) => flagKeyOf(f) === key).map((f) => f.metadata.name ?? "")]);
  return [...names].map((name) => ({ namespace, name }));
}

/** Registration for CONTROLLERS: reads the shared FeatureFlag informer and the context's flag store. */
export const featureFlagController: ControllerRegistration = {
  name: FEATURE_FLAG_CONTROLLER,
  setup: (ctx) => [
    createFeatureFlagController({
      flags: ctx.informers.featureFlags,
      flagSets: ctx.informers.featureFlagSets,
      store: sharedFlagStore(ctx.informers.featureFlags),
      transport: ctx.transport,
      events: ctx.events,
      audit: ctx.audit,
      log: ctx.log,
      registry: ctx.registry,
      clock: ctx.clock,
    }),
  ],
};

