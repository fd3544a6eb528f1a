// Lease-based leader election with client-go's leaderelection semantics.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { Transport, type ClusterAccess } from "../client/index.js";
import { silentLogger } from "../log/index.js";
import { getOrCreateGauge } from "../metrics/index.js";
import { realClock, sleep } from "../queue/index.js";
import type { Clock } from "../queue/index.js";
import { LeaseLock, leaseTime } from "./lease-lock.js";
import type { LeaderElectionRecord, ObservedLease } from "./lease-lock.js";

/** Options for {@link LeaderElector}. Durations in ms; defaults 15 s / 10 s / 2 s. */
export interface LeaderElectionOptions {
  /** Where the Lease lives and the credentials to write it (client-node's KubeConfig fits too). */
  readonly kubeConfig: ClusterAccess;
  /** Namespace and name of the Lease that is the lock. */
  readonly namespace: string;
  readonly name: string;
  /** Unique per candidate process (default `<hostname>_<uuid>`). */
  readonly identity?: string;
  /** How long standbys wait, on their own clock, after the last observed renewal before taking over. */
  readonly leaseDurationMs?: number;
  /** How long the leader keeps retrying a failing renewal before it steps down. */
  readonly renewDeadlineMs?: number;
  /** Interval between acquire attempts and between renewals. */
  readonly retryPeriodMs?: number;
  /** Give the Lease up on graceful stop so a standby takes over at once (default true). */
  readonly releaseOnCancel?: boolean;
  /**
   * Runs while this candidate leads. `signal` aborts when leadership ends (lost or stopping); the
   * returned promise should settle soon after, and the lease is released only once it has.
   */
  readonly onStartedLeading: (signal: AbortSignal) => Promise<void> | void;
  /** Called after leadership ended and the work above finished. */
  readonly onStoppedLeading?: () => void;
  /** Called when a different holder is observed (including this candidate). */
  readonly onNewLeader?: (identity: string) => void;
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

/** How `run` ended: stopped by its signal, or leadership lost (renewals failed past the deadline). */
export type LeaderElectionOutcome = "stopped" | "lost";

// client-go's JitterFactor bounds retryPeriod against renewDeadline; our own jitter stays smaller.
const JITTER_FACTOR = 1.2;
const ACQUIRE_JITTER = 0.1;

function masterStatus(registry: Registry) {
  return getOrCreateGauge(registry, {
    name: "leader_election_master_status",
    help:
      "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. " +
      "'name' is the string used to identify the lease.",
    labelNames: ["name"] as const,
  });
}

/** Declares `leader_election_master_status` on `registry` (listed even before a campaign starts). */
export function registerLeaderMetrics(registry: Registry): void {
  masterStatus(registry);
}

/** Default candidate identity: the hostname (pod name in a cluster) plus a random suffix. */
export function defaultIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

function rawRecord(r: LeaderElectionRecord): string {
  return JSON.stringify([r.holderIdentity, r.leaseDurationSeconds, r.acquireTime, r.renewTime, r.leaseTransitions]);
}

class AttemptTimeout extends Error {}

function withDeadline<T>(clock: Clock, ms: number, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimer(ms, () => reject(new AttemptTimeout(`no answer within ${ms} ms`)));
    work.then(
      (v) => {
        timer.cancel();
        resolve(v);
      },
      (err: unknown) => {
        timer.cancel();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * Elects one leader among candidates sharing a Lease.
 *
 * Flow: try to acquire every retryPeriod; a Lease held by another is taken only after this
 * candidate has seen its record unchanged for leaseDuration on its own clock (no clock sync
 * needed). The leader renews every retryPeriod; if renewals keep failing for renewDeadline it
 * steps down. Every write carries the resourceVersion read, so two candidates cannot both win.
 *
 * Guarantees: because renewDeadline < leaseDuration, the old leader's signal aborts before any
 * standby may take over. Caveats: work already running when the signal aborts is not killed; it
 * must watch the signal. The guarantee assumes clocks advance at similar rates, as client-go does.
 */
export class LeaderElector {
  readonly identity: string;
  readonly #lock: LeaseLock;
  readonly #leaseMs: number;
  readonly #renewMs: number;
  readonly #retryMs: number;
  readonly #release: boolean;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #options: LeaderElectionOptions;
  readonly #setMaster: (leading: boolean) => void;
  #observed: LeaderElectionRecord | undefined;
  #observedRaw = "";
  #observedAt = 0;
  #observedRv = "";
  #reportedLeader = "";
  // When the last successful acquire/renew was SENT: the server wrote it at or after this time, so
  // the renew deadline counted from here ends before any standby's lease expiry can.
  #lastSuccessSentAt = 0;
  #leading = false;
  #running = false;

  constructor(options: LeaderElectionOptions) {
    this.#options = options;
    this.identity = options.identity ?? defaultIdentity();
    this.#leaseMs = options.leaseDurationMs ?? 15_000;
    this.#renewMs = options.renewDeadlineMs ?? 10_000;
    this.#retryMs = options.retryPeriodMs ?? 2_000;
    if (!(this.#leaseMs > this.#renewMs)) throw new Error("leaseDuration must be greater than renewDeadline");
    if (!(this.#renewMs > JITTER_FACTOR * this.#retryMs)) {
      throw new Error(`renewDeadline must be greater than retryPeriod*${JITTER_FACTOR}`);
    }
    if (this.identity === "") throw new Error("leader election identity must not be empty");
    this.#release = options.releaseOnCancel ?? true;
    this.#clock = options.clock ?? realClock;
    this.#log = (options.logger ?? silentLogger()).child({ component: "leader-election", lease: `${options.namespace}/${options.name}` });
    this.#lock = new LeaseLock(new Transport(options.kubeConfig), options.namespace, options.name);
    const gauge = options.registry === undefined ? undefined : masterStatus(options.registry);
    gauge?.set({ name: options.name }, 0);
    this.#setMaster = (leading) => gauge?.set({ name: options.name }, leading ? 1 : 0);
  }

  /**
   * True while this candidate holds the lease: it leads and its last successful renewal is younger
   * than renewDeadline (checked on the clock, so a stalled process does not trust a stale flag).
   */
  isLeader(): boolean {
    return this.#leading && this.#clock.now() - this.#lastSuccessSentAt < this.#renewMs;
  }

  /** The holder this candidate last observed ("" if none). */
  getLeader(): string {
    return this.#observed?.holderIdentity ?? "";
  }

  /**
   * Campaigns until `signal` aborts or leadership is lost. While leading, `onStartedLeading` runs;
   * on stop the lease is released after that work finished (if `releaseOnCancel`).
   */
  async run(signal: AbortSignal): Promise<LeaderElectionOutcome> {
    if (this.#running) throw new Error("LeaderElector.run is already running");
    this.#running = true;
    try {
      if (!(await this.#acquire(signal))) return "stopped";
      return await this.#lead(signal);
    } finally {
      this.#running = false;
    }
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    this.#log.info({ identity: this.identity }, "attempting to acquire leader lease");
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew(this.#renewMs)) return !signal.aborted || (await this.#releaseIfAborted());
      await sleep(this.#clock, this.#nextAcquireDelay(), signal);
    }
    return false;
  }

  // Acquired just as we were told to stop: give it straight back.
  async #releaseIfAborted(): Promise<boolean> {
    if (this.#release) await this.#releaseLease();
    return false;
  }

  // Poll every retryPeriod (plus a little jitter so candidates do not move in lockstep), but wake
  // right when the observed lease expires so a takeover needs at most leaseDuration + retryPeriod.
  #nextAcquireDelay(): number {
    const jittered = this.#retryMs * (1 + Math.random() * ACQUIRE_JITTER);
    const holder = this.#observed?.holderIdentity ?? "";
    if (holder === "" || holder === this.identity) return jittered;
    const untilExpiry = this.#observedAt + this.#observedLeaseMs() - this.#clock.now() + 1;
    return Math.max(1, Math.min(jittered, untilExpiry));
  }

  async #lead(signal: AbortSignal): Promise<LeaderElectionOutcome> {
    this.#leading = true;
    this.#setMaster(true);
    this.#log.info({ identity: this.identity }, "successfully acquired lease");
    const lead = new AbortController();
    const work = Promise.resolve()
      .then(() => this.#options.onStartedLeading(lead.signal))
      .catch((err: unknown) => this.#log.error({ err }, "leader work failed"));
    let outcome: LeaderElectionOutcome = "stopped";
    while (!signal.aborted) {
      await sleep(this.#clock, this.#retryMs, signal);
      if (signal.aborted) break;
      const left = this.#lastSuccessSentAt + this.#renewMs - this.#clock.now();
      if (left > 0 && (await this.#tryAcquireOrRenew(left))) continue;
      if (this.#clock.now() - this.#lastSuccessSentAt >= this.#renewMs) {
        outcome = "lost";
        this.#log.error({ identity: this.identity, renewDeadlineMs: this.#renewMs }, "failed to renew lease: leader election lost");
        break;
      }
    }
    // Stop the leader's work first; only then may the lease be handed over.
    this.#leading = false;
    this.#setMaster(false);
    lead.abort();
    await work;
    if (outcome === "stopped" && this.#release) await this.#releaseLease();
    this.#options.onStoppedLeading?.();
    return outcome;
  }

  #observedLeaseMs(): number {
    const seconds = this.#observed?.leaseDurationSeconds ?? 0;
    return seconds > 0 ? seconds * 1000 : this.#leaseMs;
  }

  #observe(lease: ObservedLease): void {
    const raw = rawRecord(lease.record);
    if (raw !== this.#observedRaw) {
      this.#observed = lease.record;
      this.#observedRaw = raw;
      this.#observedAt = this.#clock.now();
    }
    this.#observedRv = lease.resourceVersion;
    const holder = lease.record.holderIdentity;
    if (holder !== "" && holder !== this.#reportedLeader) {
      this.#reportedLeader = holder;
      this.#log.info({ leader: holder }, "new leader observed");
      this.#options.onNewLeader?.(holder);
    }
  }

  #record(acquireTime: string, transitions: number): LeaderElectionRecord {
    const now = leaseTime(this.#clock.now());
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.#leaseMs / 1000),
      acquireTime: acquireTime === "" ? now : acquireTime,
      renewTime: now,
      leaseTransitions: transitions,
    };
  }

  // One attempt; never throws (errors are logged and count as "not acquired/renewed").
  async #tryAcquireOrRenew(deadlineMs: number): Promise<boolean> {
    const sent = this.#clock.now();
    try {
      const ok = await withDeadline(this.#clock, deadlineMs, this.#attempt());
      if (ok) this.#lastSuccessSentAt = sent;
      return ok;
    } catch (err) {
      this.#log.warn({ err }, "error acquiring or renewing lease");
      return false;
    }
  }

  async #attempt(): Promise<boolean> {
    // Fast path: the leader renews with the resourceVersion of its own last write, no read.
    if (this.#leading && this.#observed?.holderIdentity === this.identity && this.#observedRv !== "") {
      const record = this.#record(this.#observed.acquireTime, this.#observed.leaseTransitions);
      const out = await this.#lock.update(record, this.#observedRv);
      if (out.ok) {
        this.#observe({ record, resourceVersion: out.resourceVersion });
        return true;
      }
    }
    const current = await this.#lock.get();
    if (current === undefined) {
      const record = this.#record("", 0);
      const out = await this.#lock.create(record);
      if (!out.ok) return false;
      this.#observe({ record, resourceVersion: out.resourceVersion });
      return true;
    }
    this.#observe(current);
    const old = current.record;
    const mine = old.holderIdentity === this.identity;
    if (old.holderIdentity !== "" && !mine && this.#observedAt + this.#observedLeaseMs() > this.#clock.now()) {
      return false; // held by another and not expired by our clock
    }
    const record = mine ? this.#record(old.acquireTime, old.leaseTransitions) : this.#record("", old.leaseTransitions + 1);
    const out = await this.#lock.update(record, current.resourceVersion);
    if (!out.ok) return false;
    this.#observe({ record, resourceVersion: out.resourceVersion });
    return true;
  }

  // Hands the lease over: empty holder, 1 s duration, so standbys acquire on their next attempt.
  async #releaseLease(): Promise<void> {
    if (this.#observed?.holderIdentity !== this.identity || this.#observedRv === "") return;
    const now = leaseTime(this.#clock.now());
    const record: LeaderElectionRecord = {
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: this.#observed.leaseTransitions,
    };
    try {
      const out = await withDeadline(this.#clock, this.#renewMs, this.#lock.update(record, this.#observedRv));
      if (out.ok) {
        this.#observe({ record, resourceVersion: out.resourceVersion });
        this.#log.info("released leader lease");
      } else {
        this.#log.warn("lease changed before release; not released");
      }
    } catch (err) {
      this.#log.warn({ err }, "failed to release leader lease");
    }
  }
}
