// Pure decisions of agent-health: liveness on the operator's clock, the circuit breaker, the next status.
//
// Flow: `judgeLiveness` (lease as this process observed it) → `breakerState` (attempt history of the
// agent's jobs) → `decideAgentHealth` combines them with spec.drain into a phase, a Ready condition, the
// desired status and when to look again. No I/O and no clock reads: `now` is an argument.
//
// Guarantees: staleness never compares an agent-written timestamp with the operator's clock (only
// whether `renewTime` changed, and when this process saw it change), so agent clock skew cannot fool
// it. Attempt records are ordered by `assignedAt`, which the dispatcher writes on the operator's
// clock, so quarantine windows compare operator times with operator times. An agent that renews its
// Lease on schedule is never judged Offline, whatever `--agent-stale-timeout` says: the bound is
// raised to what the Lease itself promises (`effectiveStaleTimeoutMs`).
import {
  AGENT_CONDITIONS,
  AGENT_HALF_OPEN_REASON,
  findCondition,
  formatTime,
  parseTime,
  setCondition,
  type Agent,
  type AgentPhase,
  type AgentStatus,
  type ConditionInput,
} from "../../api/index.js";
import { exponentialBackoff } from "../../runtime/backoff/index.js";
import { formatDuration } from "../../runtime/config/index.js";
import type { CachedJob } from "../shared/index.js";

/** Tunables of agent-health; durations in milliseconds. */
export interface AgentHealthConfig {
  /**
   * An agent whose lease has not changed this long (on the operator's clock) is Offline; raised per
   * agent to its Lease's minimum (`effectiveStaleTimeoutMs`).
   */
  readonly staleTimeoutMs: number;
  /** Failed attempts in a row that trip the breaker. */
  readonly failureThreshold: number;
  /** Cool-down of a first quarantine. */
  readonly baseCooldownMs: number;
  /** Upper bound of the doubled cool-down. */
  readonly maxCooldownMs: number;
  /** A trip within this long after the last cool-down ended is a repeat offence (doubles the cool-down). */
  readonly offenceWindowMs: number;
  /** An Offline agent not owned by a Pod is deleted this long after it went Offline; 0 = never (collect.ts). */
  readonly gcAfterMs: number;
}

export const DEFAULT_AGENT_HEALTH_CONFIG: AgentHealthConfig = {
  staleTimeoutMs: 90_000,
  failureThreshold: 5,
  baseCooldownMs: 60_000,
  maxCooldownMs: 60 * 60_000,
  offenceWindowMs: 60 * 60_000,
  gcAfterMs: 24 * 60 * 60_000,
};

/** Ready-condition reasons; `HalfOpen` (Ready=True) tells the dispatcher to give the agent one job at a time. */
export const AGENT_REASONS = {
  ready: "AgentReady",
  halfOpen: AGENT_HALF_OPEN_REASON,
  offline: "AgentOffline",
  stopped: "AgentStopped",
  draining: "AgentDraining",
  quarantined: "AgentQuarantined",
} as const;
export type AgentReason = (typeof AGENT_REASONS)[keyof typeof AGENT_REASONS];

/**
 * The agent's Lease as this process has observed it. Times are the operator's own clock.
 * - `missing`: no Lease (yet); `since` is when this process first saw the Agent.
 * - `released`: the holder gave the Lease up (clean shutdown).
 * - `held`: `lastChangeAt` is when `renewTime` was last seen to change (first sight counts as a change
 *   only if `changed` is false: a first sight proves nothing about freshness);
 *   `leaseDurationSeconds` is the Lease's `spec.leaseDurationSeconds` as written (undefined if unset).
 */
export type LeaseView =
  | { readonly state: "missing"; readonly since: number }
  | { readonly state: "released"; readonly lastChangeAt: number }
  | {
      readonly state: "held";
      readonly lastChangeAt: number;
      readonly changed: boolean;
      readonly draining: boolean;
      readonly leaseDurationSeconds: number | undefined;
    };

/** The least margin over the lease duration, whatever the lease: one apiserver write plus one watch event on a busy control plane. */
const MIN_STALE_MARGIN_MS = 1000;

/**
 * The shortest staleness bound that never calls an agent renewing on schedule Offline:
 *
 *     leaseDuration + max(leaseDuration / 4, 1 s)
 *
 * An agent renews every leaseDuration/4 and, when a renewal fails, retries a few times with a backoff
 * of at most half a period, then tries again at the next period (src/agent/heartbeat.ts, the kubelet's
 * rule). By the Lease's own contract it is alive while it renews within leaseDuration; the margin of
 * one renew period covers the last renewal's write, its retries and the watch event that brings it to
 * the operator, as the node lifecycle controller's grace period (50 s) exceeds the kubelet's 40 s node
 * Lease renewed every 10 s. A short lease (tests) gets at least 1 s of margin: apiserver latency does
 * not shrink with the lease. Defaults: 40 s lease → 50 s, below the 90 s default timeout.
 */
export function minimumStaleTimeoutMs(leaseDurationSeconds: number): number {
  const leaseMs = leaseDurationSeconds * 1000;
  return leaseMs + Math.max(leaseMs / 4, MIN_STALE_MARGIN_MS);
}

/**
 * The staleness bound agent-health applies to an agent: `configuredMs` (`--agent-stale-timeout`),
 * raised to {@link minimumStaleTimeoutMs} of its Lease. A Lease without a usable duration (unset, not
 * a positive integer, as a hand-written Lease may be) leaves `configuredMs` as it is.
 */
export function effectiveStaleTimeoutMs(configuredMs: number, leaseDurationSeconds: number | undefined): number {
  if (leaseDurationSeconds === undefined || !Number.isSafeInteger(leaseDurationSeconds) || leaseDurationSeconds <= 0) return configuredMs;
  return Math.max(configuredMs, minimumStaleTimeoutMs(leaseDurationSeconds));
}

/** `--agent-stale-timeout` was raised for an agent: what was asked, what applies, and the lease why. */
export interface StaleTimeoutRaise {
  readonly configuredMs: number;
  readonly effectiveMs: number;
  readonly leaseDurationSeconds: number;
}

/** The raise applied to an agent whose lease is `lease`, or undefined when the configured timeout stands. */
export function staleTimeoutRaise(lease: LeaseView, configuredMs: number): StaleTimeoutRaise | undefined {
  if (lease.state !== "held" || lease.leaseDurationSeconds === undefined) return undefined;
  const effectiveMs = effectiveStaleTimeoutMs(configuredMs, lease.leaseDurationSeconds);
  return effectiveMs > configuredMs ? { configuredMs, effectiveMs, leaseDurationSeconds: lease.leaseDurationSeconds } : undefined;
}

/** The note of the Warning Event and log line that say a raise applies (one rule, one wording). */
export function staleTimeoutRaiseMessage(raise: StaleTimeoutRaise): string {
  const effective = formatDuration(raise.effectiveMs);
  return (
    `--agent-stale-timeout ${formatDuration(raise.configuredMs)} is shorter than this agent's Lease allows ` +
    `(leaseDurationSeconds ${raise.leaseDurationSeconds}, renewed every ${formatDuration((raise.leaseDurationSeconds * 1000) / 4)}): ` +
    `it is judged Offline after ${effective} without a renewal (lease duration + one renew period, at least 1s), so a ` +
    `healthy agent is never Offline between renewals. Set --agent-stale-timeout to at least ${effective}, or give the ` +
    `agent a shorter --lease-duration, to judge it by the flag.`
  );
}

export type Liveness =
  | { readonly live: true; readonly staleAt: number; readonly draining: boolean; readonly heartbeatAt: number }
  | { readonly live: false; readonly reason: "offline" | "stopped"; readonly heartbeatAt: number | undefined }
  /** No lease yet and not long enough to call the agent Offline: decide nothing until `decideAt`. */
  | { readonly live: "unknown"; readonly decideAt: number };

/**
 * Whether the agent is alive as of `now`. A first sight of a lease is trusted (grace period, as the
 * node lifecycle controller gives) unless the agent is already Offline: then only a change of
 * `renewTime` brings it back, so an operator restart cannot revive a dead agent. A held lease is
 * stale after {@link effectiveStaleTimeoutMs}, never after less than its lease promises.
 */
export function judgeLiveness(lease: LeaseView, currentPhase: AgentPhase | undefined, now: number, staleTimeoutMs: number): Liveness {
  switch (lease.state) {
    case "missing": {
      const decideAt = lease.since + staleTimeoutMs;
      if (currentPhase === undefined && now < decideAt) return { live: "unknown", decideAt };
      return { live: false, reason: "offline", heartbeatAt: undefined };
    }
    case "released":
      return { live: false, reason: "stopped", heartbeatAt: lease.lastChangeAt };
    case "held": {
      const trusted = lease.changed || currentPhase !== "Offline";
      const staleAt = lease.lastChangeAt + effectiveStaleTimeoutMs(staleTimeoutMs, lease.leaseDurationSeconds);
      if (trusted && now < staleAt) return { live: true, staleAt, draining: lease.draining, heartbeatAt: lease.lastChangeAt };
      return { live: false, reason: "offline", heartbeatAt: lease.lastChangeAt };
    }
  }
}

/** One finished attempt of this agent, placed on the operator's clock. */
export interface AttemptOutcome {
  readonly jobUid: string;
  readonly attempt: number;
  readonly succeeded: boolean;
  /** `assignedAt` of the attempt (operator clock), else its `finishedAt`; epoch ms. */
  readonly at: number;
}

/**
 * Succeeded and Failed attempts of `agentName` found in `jobs`, newest first. Other outcomes (Requeued,
 * Released, Cancelled, running) say nothing about the agent's health and are left out.
 */
export function attemptOutcomes(jobs: readonly CachedJob[], agentName: string): AttemptOutcome[] {
  const out: AttemptOutcome[] = [];
  for (const job of jobs) {
    const status = job.status;
    for (const record of status?.attempts ?? []) {
      if (record.agent !== agentName || (record.outcome !== "Succeeded" && record.outcome !== "Failed")) continue;
      const assignedAt = record.assignedAt ?? (status?.attempt === record.attempt ? status.assignedAt : undefined);
      const at = parseTime(assignedAt ?? record.finishedAt);
      if (at === undefined) continue;
      out.push({ jobUid: job.metadata.uid ?? "", attempt: record.attempt, succeeded: record.outcome === "Succeeded", at });
    }
  }
  return out.sort((a, b) => b.at - a.at || b.attempt - a.attempt || (a.jobUid < b.jobUid ? -1 : a.jobUid > b.jobUid ? 1 : 0));
}

/**
 * Leading failures of `outcomes` (newest first), counting only attempts assigned at or after `since`.
 * (Timestamps have whole seconds; nothing is assigned during a quarantine, so `>=` is exact enough.)
 */
export function consecutiveFailures(outcomes: readonly AttemptOutcome[], since: number | undefined): number {
  let count = 0;
  for (const o of outcomes) {
    if (since !== undefined && o.at < since) break;
    if (o.succeeded) break;
    count++;
  }
  return count;
}

/** The cool-down of the `offence`-th quarantine in a row: base × 2^(offence−1), capped. */
export function cooldownMs(offence: number, config: Pick<AgentHealthConfig, "baseCooldownMs" | "maxCooldownMs">): number {
  const doublings = Math.max(0, Math.min(offence - 1, 40));
  return exponentialBackoff({ baseMs: config.baseCooldownMs, maxMs: config.maxCooldownMs })(doublings);
}

export type BreakerState =
  | { readonly state: "closed"; readonly failures: number }
  | { readonly state: "open"; readonly until: number; readonly failures: number }
  | { readonly state: "half-open"; readonly failures: number }
  /** Trips now: quarantine until `until`, the `offence`-th time in a row. */
  | { readonly state: "trip"; readonly until: number; readonly offence: number; readonly failures: number };

/**
 * The circuit breaker. Closed: N failed attempts in a row (after the last cool-down) trip it. Open:
 * until `quarantinedUntil`. Half-open after that: the dispatcher gives one job at a time; a success
 * closes it, a failure trips it again with a doubled cool-down. The closed state after a half-open
 * success is remembered in the Ready condition (reason AgentReady) so it survives jobs being deleted.
 */
export function breakerState(agent: Agent, outcomes: readonly AttemptOutcome[], now: number, config: AgentHealthConfig): BreakerState {
  const status = agent.status;
  const until = parseTime(status?.quarantinedUntil);
  const failures = consecutiveFailures(outcomes, until);
  const offences = status?.quarantineCount ?? 0;
  // Rounded up to a whole second: the status stores whole seconds, and the cool-down must not shrink.
  const trip = (offence: number): BreakerState => ({ state: "trip", until: Math.ceil((now + cooldownMs(offence, config)) / 1000) * 1000, offence, failures });
  if (until === undefined) return failures >= config.failureThreshold ? trip(1) : { state: "closed", failures };
  if (now < until) return { state: "open", until, failures };
  const repeat = now - until < config.offenceWindowMs ? offences + 1 : 1;
  const ready = findCondition(status?.conditions, AGENT_CONDITIONS.ready);
  const closedBefore = status?.phase === "Ready" && ready?.status === "True" && ready.reason === AGENT_REASONS.ready;
  const closedByOutcome = outcomes.some((o) => o.succeeded && o.at >= until);
  if (closedBefore || closedByOutcome) return failures >= config.failureThreshold ? trip(repeat) : { state: "closed", failures };
  // Half-open: the trial attempt(s) since the cool-down ended decide.
  return outcomes.some((o) => !o.succeeded && o.at >= until) ? trip(offences + 1) : { state: "half-open", failures };
}

/** Everything one decision looks at. */
export interface AgentHealthInput {
  readonly agent: Agent;
  readonly lease: LeaseView;
  /** Jobs that are, or were, assigned to the agent (at least those with its attempt records). */
  readonly jobs: readonly CachedJob[];
  /** The operator's clock, epoch ms. */
  readonly now: number;
  readonly config: AgentHealthConfig;
}

/** A phase change worth an Event and an audit record. */
export interface AgentTransition {
  readonly from: AgentPhase | undefined;
  readonly to: AgentPhase;
  /** The Ready condition's reason after the change. */
  readonly reason: AgentReason;
  readonly message: string;
}

export interface AgentHealthDecision {
  /** undefined: too early to tell (no lease yet, grace running); write nothing. */
  readonly phase: AgentPhase | undefined;
  /** The status to write when `write` is true (with resourceVersion); undefined when phase is. */
  readonly status: AgentStatus | undefined;
  /** True on a phase change or a breaker change; heartbeats alone never write. */
  readonly write: boolean;
  readonly transition: AgentTransition | undefined;
  /** When the breaker closed, opened again or went half-open without a phase change. */
  readonly breakerChange: AgentReason | undefined;
  /** Look again after this long (staleness deadline, end of cool-down); undefined = on change only. */
  readonly requeueAfterMs: number | undefined;
  /** Set on every decision while the agent's lease raises `--agent-stale-timeout` (the reconciler says so once). */
  readonly staleTimeoutRaise: StaleTimeoutRaise | undefined;
}

/** Jobs of the agent that hold a slot: Assigned or Running there now. */
export function runningJobs(jobs: readonly CachedJob[], agentName: string): number {
  return jobs.filter((j) => j.status?.assignedAgent === agentName && (j.status.phase === "Assigned" || j.status.phase === "Running")).length;
}

/** Decides the agent's phase and status; see the file comment for the rules and their order. */
export function decideAgentHealth(input: AgentHealthInput): AgentHealthDecision {
  const { agent, now, config } = input;
  const name = agent.metadata.name ?? "";
  const current = agent.status?.phase;
  const liveness = judgeLiveness(input.lease, current, now, config.staleTimeoutMs);
  const raise = staleTimeoutRaise(input.lease, config.staleTimeoutMs);
  if (liveness.live === "unknown") {
    return {
      phase: undefined,
      status: undefined,
      write: false,
      transition: undefined,
      breakerChange: undefined,
      requeueAfterMs: Math.max(1, liveness.decideAt - now),
      staleTimeoutRaise: raise,
    };
  }
  const outcomes = attemptOutcomes(input.jobs, name);
  const breaker = breakerState(agent, outcomes, now, config);
  const draining = agent.spec.drain === true || (liveness.live === true && liveness.draining);

  let phase: AgentPhase;
  let reason: AgentReason;
  let message: string;
  if (liveness.live === false) {
    phase = "Offline";
    reason = liveness.reason === "stopped" ? AGENT_REASONS.stopped : AGENT_REASONS.offline;
    message =
      liveness.reason === "stopped"
        ? "the agent released its lease (clean shutdown)"
        : liveness.heartbeatAt === undefined
          ? `no lease seen within ${seconds(config.staleTimeoutMs)}`
          : `lease not renewed for ${seconds(now - liveness.heartbeatAt)} (stale after ${seconds(raise?.effectiveMs ?? config.staleTimeoutMs)})`;
  } else if (draining) {
    phase = "Draining";
    reason = AGENT_REASONS.draining;
    message = agent.spec.drain === true ? "spec.drain is set: no new work" : "the agent is shutting down: no new work";
  } else if (breaker.state === "open" || breaker.state === "trip") {
    phase = "Quarantined";
    reason = AGENT_REASONS.quarantined;
    message = quarantineMessage(breaker, config);
  } else if (breaker.state === "half-open") {
    phase = "Ready";
    reason = AGENT_REASONS.halfOpen;
    message = "cool-down over: one job at a time until one succeeds";
  } else {
    phase = "Ready";
    reason = AGENT_REASONS.ready;
    message = "lease renewed";
  }

  const previous = agent.status ?? {};
  const quarantine =
    breaker.state === "trip"
      ? { quarantinedUntil: formatTime(new Date(breaker.until)), quarantineCount: breaker.offence }
      : pickQuarantine(previous);
  const condition: ConditionInput = {
    type: AGENT_CONDITIONS.ready,
    status: phase === "Ready" ? "True" : "False",
    reason,
    message,
    ...(agent.metadata.generation === undefined ? {} : { observedGeneration: agent.metadata.generation }),
  };
  const heartbeatAt = liveness.heartbeatAt;
  const nowDate = new Date(now);
  const phaseChanged = current !== phase;
  const status: AgentStatus = {
    ...previous,
    phase,
    ...(phaseChanged ? { lastPhaseTransitionTime: formatTime(nowDate) } : {}),
    conditions: setCondition(previous.conditions, condition, nowDate),
    runningJobs: runningJobs(input.jobs, name),
    consecutiveFailures: breaker.failures,
    ...quarantine,
    ...(heartbeatAt === undefined ? {} : { lastHeartbeatTime: formatTime(new Date(heartbeatAt)) }),
    ...(agent.metadata.generation === undefined ? {} : { observedGeneration: agent.metadata.generation }),
  };

  const previousReason = findCondition(previous.conditions, AGENT_CONDITIONS.ready)?.reason;
  const breakerChanged =
    breaker.state === "trip" || (!phaseChanged && previousReason !== reason && (reason === AGENT_REASONS.ready || reason === AGENT_REASONS.halfOpen));
  const write = phaseChanged || breakerChanged;
  return {
    phase,
    status: write ? status : undefined,
    write,
    transition: phaseChanged ? { from: current, to: phase, reason, message } : undefined,
    breakerChange: !phaseChanged && breakerChanged ? reason : undefined,
    requeueAfterMs: nextCheck(liveness, breaker, now),
    staleTimeoutRaise: raise,
  };
}

/**
 * Why the agent is in quarantine, from what the breaker knows: a trip by the threshold names its
 * count, a trip by a failed half-open trial says so, and an ongoing cool-down (failures are counted
 * only after it ends, so there are none yet) names no count.
 */
function quarantineMessage(breaker: Extract<BreakerState, { state: "open" | "trip" }>, config: AgentHealthConfig): string {
  const until = `cool-down until ${formatTime(new Date(breaker.until))}`;
  if (breaker.state === "open") return `in quarantine after failed attempts; ${until}`;
  if (breaker.failures >= config.failureThreshold) return `${breaker.failures} failed attempts in a row (threshold ${config.failureThreshold}); ${until}`;
  return `the trial attempt after the last cool-down failed; ${until}`;
}

function nextCheck(liveness: Liveness, breaker: BreakerState, now: number): number | undefined {
  const deadlines: number[] = [];
  if (liveness.live === true) deadlines.push(liveness.staleAt);
  if (breaker.state === "open" || breaker.state === "trip") deadlines.push(breaker.until);
  if (deadlines.length === 0) return undefined;
  return Math.max(1, Math.min(...deadlines) - now);
}

function pickQuarantine(status: AgentStatus): Pick<AgentStatus, "quarantinedUntil" | "quarantineCount"> {
  return {
    ...(status.quarantinedUntil === undefined ? {} : { quarantinedUntil: status.quarantinedUntil }),
    ...(status.quarantineCount === undefined ? {} : { quarantineCount: status.quarantineCount }),
  };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}
