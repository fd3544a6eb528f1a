// Wires the agent-health reconciler to its informers: Agents, their Leases, and the jobs that name them.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { AGENT_TYPE, type Agent } from "../../api/index.js";
import type { AuditSink } from "../../audit/index.js";
import type { EventHandler, ReadonlyStore } from "../../runtime/cache/index.js";
import { keyOf, ResourceClient, type KubeObject, type Lease, type Transport } from "../../runtime/client/index.js";
import { Controller } from "../../runtime/controller/index.js";
import type { EventRecorder } from "../../runtime/events/index.js";
import { heliosCounter } from "../../runtime/metrics/index.js";
import { realClock, type Clock } from "../../runtime/queue/index.js";
import { parseRequestKey, type Request } from "../../runtime/reconcile/index.js";
import { StatusWriter } from "../../runtime/status/index.js";
import type { ControllerRegistration, OperatorContext } from "../operator-context.js";
import { DEFAULT_AGENT_HEALTH_CONFIG, type AgentHealthConfig } from "./decide.js";
import { AGENT_HEALTH_CONTROLLER, AgentHealthReconciler } from "./reconciler.js";
import type { CachedJob } from "../shared/index.js";

/** Index name on the jobs informer: `namespace/agent` for the assigned agent and every agent in `attempts`. */
export const JOBS_BY_AGENT_INDEX = "byAgent";

/** The index function for {@link JOBS_BY_AGENT_INDEX}; register it on the shared jobs informer. */
export function jobAgentKeys(job: CachedJob): string[] {
  const namespace = job.metadata.namespace ?? "";
  const agents = new Set<string>();
  if (job.status?.assignedAgent) agents.add(job.status.assignedAgent);
  for (const record of job.status?.attempts ?? []) if (record.agent) agents.add(record.agent);
  return [...agents].map((agent) => keyOf(namespace, agent));
}

/** A started-elsewhere cache: an Informer, or the operator's SharedInformer over several namespaces. */
export interface CachedSource<T> {
  readonly store: ReadonlyStore<T>;
  hasSynced(): boolean;
  addEventHandler(handler: EventHandler<T>): unknown;
}

export interface AgentHealthSetup {
  readonly agents: CachedSource<Agent>;
  /**
   * Agent heartbeats: a cache listed and watched with AGENT_LEASE_SELECTOR (the agent label is the
   * rule), so every Lease in it is the Lease of the Agent of the same namespace and name.
   */
  readonly leases: CachedSource<Lease>;
  /** Ideally with {@link JOBS_BY_AGENT_INDEX} registered; without it each reconcile scans the namespace. */
  readonly jobs: CachedSource<CachedJob>;
  readonly transport: Transport;
  readonly events: EventRecorder;
  readonly audit: AuditSink;
  readonly log: Logger;
  readonly registry?: Registry;
  readonly clock?: Clock;
  readonly config?: Partial<AgentHealthConfig>;
}

/** The agent-health controller, a leader-elected Runnable; start its informers separately (the manager does). */
export function createAgentHealthController(setup: AgentHealthSetup): Controller {
  const clock = setup.clock ?? realClock;
  const config = { ...DEFAULT_AGENT_HEALTH_CONFIG, ...setup.config };
  const client = new ResourceClient<Agent>(setup.transport, AGENT_TYPE);
  const reconciler = new AgentHealthReconciler({
    agents: setup.agents.store,
    leases: setup.leases.store,
    jobsOfAgent: jobsOfAgentLookup(setup.jobs),
    statusWriter: new StatusWriter<Agent>(client, { log: setup.log }),
    deleter: client,
    events: setup.events,
    audit: setup.audit,
    clock,
    config,
    log: setup.log,
    ...(setup.registry === undefined
      ? {}
      : {
          transitions: heliosCounter(setup.registry, {
            name: "helios_agent_transitions_total",
            help: "Agent phase changes written by agent-health, by the new phase.",
            labelNames: ["phase"],
          }),
        }),
  });
  const controller = new Controller({
    name: AGENT_HEALTH_CONTROLLER,
    reconciler,
    maxConcurrentReconciles: 2,
    logger: setup.log,
    clock,
    ...(setup.registry === undefined ? {} : { registry: setup.registry }),
  });
  controller.watch(setup.agents, sameName);
  controller.watch(setup.leases, sameName);
  controller.watch(setup.jobs, (job) => jobAgentKeys(job).map(parseRequestKey));
  return controller;
}

function jobsOfAgentLookup(jobs: CachedSource<CachedJob>): (namespace: string, name: string) => readonly CachedJob[] {
  return (namespace, name) => {
    const key = keyOf(namespace, name);
    try {
      return jobs.store.byIndex(JOBS_BY_AGENT_INDEX, key);
    } catch {
      return jobs.store.listByNamespace(namespace).filter((job) => jobAgentKeys(job).includes(key));
    }
  };
}

function sameName(obj: KubeObject): Request[] {
  const name = obj.metadata?.name;
  if (!name) return [];
  return [parseRequestKey(keyOf(obj.metadata?.namespace, name))];
}

/** agent-health from the operator's shared context: staleness, the circuit breaker and collection from the `--agent-*` flags. */
export function agentHealthController(ctx: OperatorContext): Controller {
  return createAgentHealthController({
    agents: ctx.informers.agents,
    leases: ctx.informers.leases,
    jobs: ctx.informers.jobs,
    transport: ctx.transport,
    events: ctx.events,
    audit: ctx.audit,
    log: ctx.log,
    registry: ctx.registry,
    clock: ctx.clock,
    config: {
      staleTimeoutMs: ctx.config.agentStaleTimeoutMs,
      failureThreshold: ctx.config.agentFailureThreshold,
      baseCooldownMs: ctx.config.agentQuarantineMs,
      maxCooldownMs: ctx.config.agentMaxQuarantineMs,
      offenceWindowMs: ctx.config.agentOffenceWindowMs,
      gcAfterMs: ctx.config.agentGcAfterMs,
    },
  });
}

export const agentHealthRegistration: ControllerRegistration = {
  name: AGENT_HEALTH_CONTROLLER,
  setup: (ctx) => [agentHealthController(ctx)],
};
