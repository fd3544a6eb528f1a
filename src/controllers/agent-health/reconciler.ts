// The agent-health reconciler: read an Agent, its Lease and its jobs from the caches, decide, write on change,
// and delete an out-of-pod agent Offline past --agent-gc-after.
import type { Logger } from "pino";
import type { Counter } from "prom-client";
import type { Agent, AuditAction } from "../../api/index.js";
import type { AuditSink } from "../../audit/index.js";
import { deleteUnchanged, keyOf, orThrow, type Deleter, type Lease } from "../../runtime/client/index.js";
import type { ReadonlyStore } from "../../runtime/cache/index.js";
import type { EventRecorder, EventType } from "../../runtime/events/index.js";
import type { Clock } from "../../runtime/queue/index.js";
import { awaitChange, requeueAfter, retryWithBackoff, type ReconcileContext, type Reconciler, type Request, type Result } from "../../runtime/reconcile/index.js";
import type { StatusWriter } from "../../runtime/status/index.js";
import { decideAgentCollection, type AgentCollectionDecision } from "./collect.js";
import {
  AGENT_REASONS,
  decideAgentHealth,
  runningJobs,
  staleTimeoutRaiseMessage,
  type AgentHealthConfig,
  type AgentReason,
  type StaleTimeoutRaise,
} from "./decide.js";
import { LeaseTracker } from "./lease-tracker.js";
import type { CachedJob } from "../shared/index.js";

export const AGENT_HEALTH_CONTROLLER = "agent-health";

/** What the reconciler reads and writes through; the caches are shared and read-only. */
export interface AgentHealthDeps {
  readonly agents: ReadonlyStore<Agent>;
  readonly leases: ReadonlyStore<Lease>;
  /** Jobs assigned to, or with attempt records of, the agent `namespace/name`. */
  readonly jobsOfAgent: (namespace: string, name: string) => readonly CachedJob[];
  readonly statusWriter: Pick<StatusWriter<Agent>, "updateStatus">;
  /** Deletes an out-of-pod agent Offline past `config.gcAfterMs`. */
  readonly deleter: Deleter;
  readonly events: EventRecorder;
  readonly audit: AuditSink;
  readonly clock: Pick<Clock, "now">;
  readonly config: AgentHealthConfig;
  /** helios_agent_transitions_total{phase}; optional so unit tests can leave it out. */
  readonly transitions?: Counter<"phase">;
  readonly log?: Logger;
}

interface Notice {
  readonly event: { readonly type: EventType; readonly reason: string; readonly action: string };
  readonly audit: AuditAction;
}

// What users see for each Ready reason: the Event (kubectl describe hagent) and the audit action.
const NOTICES: Readonly<Record<AgentReason, Notice>> = {
  [AGENT_REASONS.ready]: { event: { type: "Normal", reason: "AgentReady", action: "Heartbeat" }, audit: "agent-online" },
  [AGENT_REASONS.halfOpen]: { event: { type: "Normal", reason: "AgentHalfOpen", action: "Probe" }, audit: "agent-online" },
  [AGENT_REASONS.offline]: { event: { type: "Warning", reason: "AgentOffline", action: "MarkOffline" }, audit: "agent-offline" },
  [AGENT_REASONS.stopped]: { event: { type: "Normal", reason: "AgentStopped", action: "MarkOffline" }, audit: "agent-offline" },
  [AGENT_REASONS.draining]: { event: { type: "Normal", reason: "AgentDraining", action: "Drain" }, audit: "agent-drained" },
  [AGENT_REASONS.quarantined]: { event: { type: "Warning", reason: "AgentQuarantined", action: "Quarantine" }, audit: "agent-quarantined" },
};

/** The Warning Event that says `--agent-stale-timeout` was raised for an agent (see `staleTimeoutRaise`). */
const STALE_TIMEOUT_RAISED = { type: "Warning", reason: "StaleTimeoutRaised", action: "RaiseStaleTimeout" } as const;

/** Agents + Leases → Agent phase. One reconcile per agent key at a time (the controller guarantees it). */
export class AgentHealthReconciler implements Reconciler {
  readonly #deps: AgentHealthDeps;
  readonly #tracker = new LeaseTracker();
  /** Per agent key, the lease duration whose raise was announced: once per agent and lease duration, per process. */
  readonly #raisesAnnounced = new Map<string, number>();

  constructor(deps: AgentHealthDeps) {
    this.#deps = deps;
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const { agents, leases, config, clock } = this.#deps;
    const namespace = req.namespace ?? "";
    const key = keyOf(namespace, req.name);
    const agent = agents.getByName(namespace, req.name);
    if (agent === undefined) {
      this.#forget(namespace, req.name, key);
      return awaitChange();
    }
    const now = clock.now();
    const lease = this.#tracker.observe(key, leases.getByName(namespace, req.name), now);
    const jobs = this.#deps.jobsOfAgent(namespace, req.name);
    const decision = decideAgentHealth({ agent, lease, jobs, now, config });
    this.#announceRaise(key, agent, decision.staleTimeoutRaise, ctx);
        const collect = (): Promise<Result> =>
      this.#collect(agent, key, decideAgentCollection({ agent, phase: decision.phase, activeJobs: runningJobs(jobs, req.name), now, gcAfterMs: config.gcAfterMs }), decision.requeueAfterMs, ctx);
    if (!decision.write || decision.status === undefined) return collect();

    // A phase change: its watch event brings the written status back, and collection decides on that.
    const written = orThrow(await this.#deps.statusWriter.updateStatus(agent, decision.status, { signal: ctx.signal, retryOn429: false }));
    switch (written.outcome) {
      case "conflict":
        return retryWithBackoff();
      case "gone":
        this.#forget(namespace, req.name, key);
        return awaitChange();
      case "unchanged":
        return collect();
      case "written":
        break;
    }
    const changed = decision.transition ?? (decision.breakerChange === undefined ? undefined : { reason: decision.breakerChange, to: decision.phase, from: decision.phase, message: "" });
    if (changed !== undefined) {
      const message = decision.transition?.message ?? readyMessage(written.object);
      this.#announce(written.object, changed.reason, message);
      if (decision.transition !== undefined) this.#deps.transitions?.inc({ phase: decision.transition.to });
      ctx.log.info({ from: changed.from, to: changed.to, reason: changed.reason, message }, "agent phase changed");
    }
    return requeueAfter(decision.requeueAfterMs);
  }

  #announceRaise(key: string, agent: Agent, raise: StaleTimeoutRaise | undefined, ctx: ReconcileContext): void {
    if (raise === undefined) {
      this.#raisesAnnounced.delete(key);
      return;
    }
    if (this.#raisesAnnounced.get(key) === raise.leaseDurationSeconds) return;
    this.#raisesAnnounced.set(key, raise.leaseDurationSeconds);
    const message = staleTimeoutRaiseMessage(raise);
    this.#deps.events.event(agent, STALE_TIMEOUT_RAISED.type, STALE_TIMEOUT_RAISED.reason, STALE_TIMEOUT_RAISED.action, message);
    ctx.log.warn(
      { reason: STALE_TIMEOUT_RAISED.reason, configuredMs: raise.configuredMs, effectiveMs: raise.effectiveMs, leaseDurationSeconds: raise.leaseDurationSeconds, why: message },
      "agent stale timeout raised to what its lease allows",
    );
  }

  #announce(agent: Agent, reason: AgentReason, message: string): void {
    const notice = NOTICES[reason];
    this.#deps.events.event(agent, notice.event.type, notice.event.reason, notice.event.action, message);
    this.#deps.audit.record({
      namespace: agent.metadata.namespace ?? "",
      action: notice.audit,
      kind: "Agent",
      name: agent.metadata.name ?? "",
      ...(agent.metadata.uid === undefined ? {} : { uid: agent.metadata.uid }),
      agent: agent.metadata.name ?? "",
      reason: notice.event.reason,
      message,
      actor: AGENT_HEALTH_CONTROLLER,
    });
  }

  // Out of a pod, an agent Offline past --agent-gc-after is deleted; the garbage collector takes its Lease.
  /** `healthRecheckMs`: when the health decision wants to look again (undefined: not before a change). */
  async #collect(agent: Agent, key: string, decision: AgentCollectionDecision, healthRecheckMs: number | undefined, ctx: ReconcileContext): Promise<Result> {
    if (decision.kind === "keep") return requeueAfter(healthRecheckMs);
    if (decision.kind === "wait") return requeueAfter(Math.min(healthRecheckMs ?? Infinity, decision.requeueAfterMs));
    const outcome = await deleteUnchanged(this.#deps.deleter, agent, { signal: ctx.signal });
    // Changed since the read (re-registered, drained, recreated): decide again on the newer version.
    if (outcome === "changed") return retryWithBackoff();
    // Gone already: someone else deleted it, and the next reconcile notes that (#forget).
    if (outcome === "gone") return awaitChange();
    this.#tracker.forget(key);
    this.#raisesAnnounced.delete(key);
    const name = agent.metadata.name ?? "";
    this.#deps.events.event(agent, "Normal", "AgentDeleted", "Delete", decision.message);
    this.#deps.audit.record({
      namespace: agent.metadata.namespace ?? "",
      action: "agent-deleted",
      kind: "Agent",
      name,
      ...(agent.metadata.uid === undefined ? {} : { uid: agent.metadata.uid }),
      agent: name,
      reason: decision.reason,
      message: decision.message,
      actor: AGENT_HEALTH_CONTROLLER,
    });
    ctx.log.info({ reason: decision.reason, offlineSince: new Date(decision.offlineSince).toISOString() }, "agent deleted");
    return awaitChange();
  }

  // A deleted agent: the dispatcher moves its jobs (job recovery's rule sees the agent missing); we note it once.
  #forget(namespace: string, name: string, key: string): void {
    this.#raisesAnnounced.delete(key);
    if (!this.#tracker.has(key)) return;
    this.#tracker.forget(key);
    this.#deps.audit.record({
      namespace,
      action: "agent-offline",
      kind: "Agent",
      name,
      agent: name,
      reason: "AgentDeleted",
      message: "the Agent object was deleted; its jobs go to job recovery",
      actor: AGENT_HEALTH_CONTROLLER,
    });
  }
}

function readyMessage(agent: Agent): string {
  return agent.status?.conditions?.find((c) => c.type === "Ready")?.message ?? "";
}
