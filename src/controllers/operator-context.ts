// The operator's composition seam: what every controller gets (OperatorContext) and how controllers register.
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { createAuditWriter, RecoverySink, type AuditSink } from "../audit/index.js";
import { sharedFlagStore, StoreControlFlags } from "../flags/index.js";
import type { ControlFlags } from "../api/index.js";
import { EVENTS, ResourceClient, Transport, type ClusterAccess, type KubeEvent } from "../runtime/client/index.js";
import type { OperatorConfig } from "../runtime/config/index.js";
import { ApiEventRecorder, type EventRecorder } from "../runtime/events/index.js";
import type { Manager, Runnable } from "../runtime/manager/index.js";
import { realClock, type Clock } from "../runtime/queue/index.js";
import { createOperatorInformers, registerCacheMetrics, type OperatorInformers } from "./shared/index.js";

/**
 * Everything a controller needs, built once per operator process. The informers are shared: each
 * kind is listed and watched once, whatever the number of controllers reading it.
 */
export interface OperatorContext {
  /** The cluster and credentials (the light loader's, or client-node's KubeConfig: both fit). */
  readonly kubeConfig: ClusterAccess;
  readonly transport: Transport;
  readonly config: OperatorConfig;
  readonly log: Logger;
  /** The registry served on /metrics. */
  readonly registry: Registry;
  readonly informers: OperatorInformers;
  readonly flags: ControlFlags;
  /** Every decision goes through it. */
  readonly audit: AuditSink;
  /** The same sink as `audit`, for audit-recovery alone: it writes what a dead predecessor lost. */
  readonly recoverySink: RecoverySink;
  readonly events: EventRecorder;
  readonly clock: Clock;
  /**
   * Runnables that are not controllers (a flag store feeder, the audit writer) that must run in this
   * process; `installOperator` adds them to the manager with the controllers.
   */
  readonly runnables: Runnable[];
}

/** One controller's wiring: builds its runnables (usually one Controller) from the context. */
export interface ControllerRegistration {
  readonly name: string;
  setup(ctx: OperatorContext): Runnable[];
}

export interface OperatorContextOptions {
  readonly kubeConfig: ClusterAccess;
  readonly config: OperatorConfig;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock?: Clock;
  /** Defaults to a Transport over `kubeConfig`. */
  readonly transport?: Transport;
}

/** Builds the context: transport, shared informers, control flags, audit sink and event recorder. */
export function createOperatorContext(options: OperatorContextOptions): OperatorContext {
  const { kubeConfig, config, log, registry } = options;
  const transport = options.transport ?? new Transport(kubeConfig);
  const clock = options.clock ?? realClock;
  const informers = createOperatorInformers({
    transport,
    namespaces: config.namespaces,
    operatorNamespace: config.operatorNamespace,
    log: log.child({ component: "informer" }),
  });
  const runnables: Runnable[] = [];
  const events = new ApiEventRecorder(new ResourceClient<KubeEvent>(transport, EVENTS), {
    reportingController: "helios.dev/operator",
    reportingInstance: hostname(),
    log,
    now: () => new Date(clock.now()),
  });
  // Control flags: the FeatureFlag store over informers.featureFlags (and each namespace's FeatureFlagSets),
  // read from the operator namespace only.
  const flagStore = sharedFlagStore(informers.featureFlags, { log });
  informers.featureFlagSets.addEventHandler(flagStore.flagSets);
  const flags: ControlFlags = new StoreControlFlags(flagStore, config.operatorNamespace);
  // A Runnable without leader election: the manager stops it after the controllers, so it flushes their last decisions.
  const writer = createAuditWriter(transport, { log, registry, clock, defaultActor: "helios-operator" });
  runnables.push(writer);
  const recoverySink = new RecoverySink(writer);
  return { kubeConfig, transport, config, log, registry, informers, flags, audit: recoverySink, recoverySink, events, clock, runnables };
}

/**
 * Adds the shared informers (every replica; /readyz waits for them, helios_informer_cache_objects
 * counts them), the context's runnables and every registered controller's runnables to `manager`.
 */
export function installOperator(manager: Manager, ctx: OperatorContext, registrations: readonly ControllerRegistration[]): void {
  const { jobs, agents, leases, featureFlags, featureFlagSets } = ctx.informers;
  for (const informer of [jobs, agents, leases, featureFlags, featureFlagSets]) manager.addInformer(informer.name, informer);
  registerCacheMetrics(ctx.registry, [jobs, agents, leases, featureFlags, featureFlagSets]);
  for (const runnable of ctx.runnables) manager.add(runnable);
  for (const registration of registrations) {
    for (const runnable of registration.setup(ctx)) manager.add(runnable);
  }
}
