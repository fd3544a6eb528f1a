// The public shapes of the agent SDK: options, handlers and what they get, execution records, stats.
import type { Logger } from "pino";
import type { AgentPod, Job } from "../api/index.js";
import type { ClusterAccess } from "../runtime/client/index.js";
import type { ControlFlags } from "../api/index.js";

/** What a handler gets besides the payload. */
export interface HandlerContext {
  /**
   * Aborts when the attempt must stop: the Job was cancelled or requeued elsewhere (it left the
   * agent's watch), the kill switch matched it, its timeout passed, or the agent drains past its
   * grace period. `signal.reason` is an {@link AttemptAbortedError} saying which.
   */
  readonly signal: AbortSignal;
  /** Reports progress; throttled (latest wins), so call it as often as you like. */
  progress(percent: number, message?: string): void;
  /** The Job as assigned (metadata and spec; do not mutate). */
  readonly job: Pick<Job, "metadata" | "spec">;
  /** This attempt's fencing token (`status.attempt`). */
  readonly attempt: number;
  /** Retries used before this attempt (`status.retries`). */
  readonly retries: number;
  /** A child logger carrying the Job's uid, name and attempt. */
  readonly log: Logger;
}

/** Runs one attempt. Resolve with the result (a small JSON value) or throw to report a failure. */
export type Handler = (payload: Readonly<Record<string, unknown>>, ctx: HandlerContext) => Promise<unknown>;

/** Handlers by Job `spec.type`. */
export type Handlers = Readonly<Record<string, Handler>>;

export interface AgentOptions {
  /** The Agent's name (a DNS label); also the Lease's name. */
  readonly name: string;
  readonly namespace: string;
  readonly capabilities?: readonly string[];
  /** Default `[default]`. */
  readonly queues?: readonly string[];
  /** Default 1. */
  readonly maxConcurrency?: number;
  readonly handlers: Handlers;
  readonly labels?: Readonly<Record<string, string>>;
  /** The cluster: a client-node `KubeConfig`, or what `loadClusterAccess` returns (no client-node loaded). */
  readonly kubeConfig: ClusterAccess;
  /** Default 40; the Lease is renewed every quarter of it. */
  readonly leaseDurationSeconds?: number;
  /** A handler still running after this long moves the Job to Running (lazy ack). Default 1000. */
  readonly ackDelayMs?: number;
  /** At most one progress write per this long per Job. Default 2000. */
  readonly progressIntervalMs?: number;
  readonly log?: Logger;
  /** Control flags (kill switch, concurrency cap); without them nothing is capped. */
  readonly flags?: ControlFlags;
  /** How many of its latest attempts `executions` keeps. Default 1000. */
  readonly executionHistory?: number;
  /** Distinguishes this process in the Lease's holderIdentity. Default: random. */
  readonly instanceId?: string;
  /**
   * The Pod this agent runs in, if any. The Agent is then owner-referenced to it, so Kubernetes'
   * garbage collector deletes the Agent with the Pod (and the Lease, owned by the Agent, with it), and
   * the operator leaves it alone. The Pod must be in `namespace`: a namespaced owner in another
   * namespace counts as missing, and the collector would delete the Agent at once.
   */
  readonly pod?: AgentPod;
}

/** How one attempt this agent ran ended. `Dropped`: no longer its own, nothing written. */
export type ExecutionOutcome = "Succeeded" | "Failed" | "Released" | "Dropped";

/** One attempt this process ran, for invariant checks (never two runs of one Job at once). */
export interface ExecutionRecord {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly attempt: number;
  readonly outcome: ExecutionOutcome;
  readonly reason?: string;
  /** Whether the outcome reached the apiserver. */
  readonly written: boolean;
  /** Epoch ms on the agent's clock. */
  readonly startedAt: number;
  readonly finishedAt: number;
}

export interface AgentStats {
  readonly running: number;
  /** Assigned to this agent but waiting for a free slot. */
  readonly waiting: number;
  readonly capacity: number;
  readonly draining: boolean;
  readonly started: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly released: number;
  readonly dropped: number;
  readonly leaseRenewals: number;
}

/** What the agent's /readyz reports: both true means it can take work. */
export interface AgentReadiness {
  /** Its Lease was written by this process within the last lease duration, and not released. */
  readonly leaseHeld: boolean;
  /** The watch of its Jobs has delivered its first full list. */
  readonly jobsSynced: boolean;
}

/** A running agent. */
export interface HeliosAgent {
  readonly name: string;
  readonly namespace: string;
  /** `name/instanceId`: the Lease's holderIdentity. */
  readonly identity: string;
  /**
   * Registers the Agent (server-side apply), takes its Lease, starts heartbeats and the watch of its
   * Jobs; resolves once it is ready to run work. Aborting `signal` drains with no grace period.
   */
  start(signal?: AbortSignal): Promise<void>;
  /**
   * Takes no new work, lets running attempts finish for up to `graceMs`, hands the rest back
   * (outcome Released), releases the Lease and stops. Resolves when stopped; calling it again
   * returns the same promise.
   */
  drain(graceMs: number): Promise<void>;
  /** Resolves once the agent has stopped. */
  readonly stopped: Promise<void>;
  readonly stats: AgentStats;
  readonly readiness: AgentReadiness;
  /** The latest attempts this process ran (`executionHistory` of them), oldest first. */
  readonly executions: readonly ExecutionRecord[];
}
