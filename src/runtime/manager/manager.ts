// The manager: runs informers, leader election and controllers together, serves metrics and probes, stops them in order.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { LeaderElector } from "../leader/index.js";
import type { LeaderElectionOptions } from "../leader/index.js";
import { silentLogger } from "../log/index.js";
import { createRegistry } from "../metrics/index.js";
import { realClock, sleep } from "../queue/index.js";
import type { Clock } from "../queue/index.js";
import { closeServer, parseBindAddress, serveMetrics, serveProbes } from "../serving/index.js";
import type { Check, MetricsProtection } from "../serving/index.js";

/**
 * A long-running part of the operator. `start` runs until `signal` aborts, then returns once its
 * work has stopped. Leader-elected runnables (controllers) run only on the leader; the others
 * (informers, servers) run on every replica so a standby's caches stay warm.
 */
export interface Runnable {
  readonly name: string;
  readonly needsLeaderElection: boolean;
  start(signal: AbortSignal): Promise<void>;
}

/** Something whose first full list has arrived (an informer); /readyz waits for all of them. */
export interface ReadinessSource {
  hasSynced(): boolean;
}

/** An informer as the manager sees it: started on every replica, counted for readiness. */
export interface StartableInformer extends ReadinessSource {
  start(signal: AbortSignal): Promise<void>;
}

/** Leader election settings; callbacks are the manager's. */
export type ManagerLeaderElection = Omit<
  LeaderElectionOptions,
  "onStartedLeading" | "onStoppedLeading" | "registry" | "logger" | "clock"
>;

/** Options for {@link Manager}. */
export interface ManagerOptions {
  /** The one registry served on /metrics (default: a new one with process metrics). */
  readonly registry?: Registry;
  readonly logger?: Logger;
  /** `host:port`, `:port` or "0" to disable (default ":8080"). */
  readonly metricsBindAddress?: string;
  /** `host:port`, `:port` or "0" to disable (default ":8081"). */
  readonly healthProbeBindAddress?: string;
  /** Authenticated and authorized /metrics (TokenReview, SubjectAccessReview), over HTTPS with its `tls`. */
  readonly metricsProtection?: MetricsProtection;
  /** Without it every replica runs the leader-elected runnables (fine for a single replica). */
  readonly leaderElection?: ManagerLeaderElection;
  /** Bound on the whole stop sequence (default 30 s). */
  readonly gracefulShutdownTimeoutMs?: number;
  readonly clock?: Clock;
}

/** The addresses the manager actually listens on (useful with port 0). */
export interface ServingAddresses {
  readonly metrics?: AddressInfo;
  readonly health?: AddressInfo;
}

/** This replica lost the lease; the process should exit and restart as a standby. */
export class LeaderElectionLostError extends Error {
  readonly code = "LeaderElectionLost" as const;
  readonly retryable = false as const;

  constructor() {
    super("leader election lost");
    this.name = "LeaderElectionLostError";
  }
}

/** Runnables did not stop within gracefulShutdownTimeout; `pending` names them. */
export class GracefulShutdownTimeoutError extends Error {
  readonly code = "GracefulShutdownTimeout" as const;
  readonly retryable = false as const;

  constructor(
    readonly timeoutMs: number,
    readonly pending: readonly string[],
  ) {
    super(`graceful shutdown did not finish within ${timeoutMs} ms (still running: ${pending.join(", ") || "none"})`);
    this.name = "GracefulShutdownTimeoutError";
  }
}

const SYNC_POLL_MS = 100;

/**
 * Runs the operator's runnables.
 *
 * Flow of `start(signal)`: serve /metrics and the probes; start every non-leader runnable; campaign
 * for the lease (or skip it); once leading and every readiness source has synced, start the leader
 * runnables with a signal that aborts when leadership ends.
 *
 * Stop (signal aborted, a runnable failed, or the lease lost): leader runnables are stopped and
 * awaited first (in-flight reconciles finish), then the lease is released, then informers stop and
 * the servers close, all within gracefulShutdownTimeout. `start` resolves after a clean stop and
 * rejects with the first failure, {@link LeaderElectionLostError}, or
 * {@link GracefulShutdownTimeoutError}. A manager runs once: losing the lease ends it, like
 * controller-runtime, and the process restarts as a standby with fresh caches.
 */
export class Manager {
  readonly registry: Registry;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #options: ManagerOptions;
  readonly #runnables: Runnable[] = [];
  readonly #ready: Check[] = [];
  readonly #healthy: Check[] = [{ name: "ping", check: () => true }];
  readonly #running = new Set<string>();
  #elector: LeaderElector | undefined;
  #started = false;
  #resolveServing!: (a: ServingAddresses) => void;
  #rejectServing!: (err: unknown) => void;
  readonly #serving = new Promise<ServingAddresses>((resolve, reject) => {
    this.#resolveServing = resolve;
    this.#rejectServing = reject;
  });

  constructor(options: ManagerOptions = {}) {
    this.#options = options;
    this.registry = options.registry ?? createRegistry();
    this.#log = (options.logger ?? silentLogger()).child({ component: "manager" });
    this.#clock = options.clock ?? realClock;
    this.#serving.catch(() => {}); // observed via serving(); do not count as unhandled
  }

  /** Adds a runnable; must be called before `start`. */
  add(runnable: Runnable): void {
    if (this.#started) throw new Error(`cannot add ${runnable.name}: the manager has started`);
    this.#runnables.push(runnable);
  }

  /** Adds an informer: started on every replica, and /readyz waits for its sync. */
  addInformer(name: string, informer: StartableInformer): void {
    this.add({ name, needsLeaderElection: false, start: (signal) => informer.start(signal) });
    this.addReadyzCheck(name, informer);
  }

  /** /readyz passes only when every source added here has synced. */
  addReadyzCheck(name: string, source: ReadinessSource): void {
    this.#ready.push({ name, check: () => source.hasSynced() });
  }

  /** Adds a liveness check to /healthz. */
  addHealthzCheck(name: string, check: () => boolean): void {
    this.#healthy.push({ name, check });
  }

  /** True while this replica leads (always true without leader election once started). */
  isLeader(): boolean {
    return this.#elector === undefined ? this.#started : this.#elector.isLeader();
  }

  /** Resolves with the bound addresses once the servers listen; rejects if they cannot. */
  serving(): Promise<ServingAddresses> {
    return this.#serving;
  }

  /** Runs until `signal` aborts or something fails; see the class comment for the order of events. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new Error("the manager was already started");
    this.#started = true;
    const servers: Server[] = [];
    let failure: Error | undefined;
    let stopNow!: () => void;
    const stopRequested = new Promise<void>((resolve) => (stopNow = resolve));
    const fail = (err: unknown): void => {
      failure ??= err instanceof Error ? err : new Error(String(err));
      stopNow();
    };
    signal.addEventListener("abort", () => stopNow(), { once: true });
    if (signal.aborted) stopNow();

    try {
      const addresses = await this.#serve(servers);
      this.#resolveServing(addresses);
    } catch (err) {
      this.#rejectServing(err);
      await Promise.all(servers.map(closeServer));
      throw err;
    }

    const cacheStop = new AbortController();
    const leaderStop = new AbortController();
    const caches = this.#runnables
      .filter((r) => !r.needsLeaderElection)
      .map((r) => this.#run(r, cacheStop.signal, fail));
    const leaderPhase = this.#campaign(leaderStop.signal, fail);

    await stopRequested;
    this.#log.info({ reason: failure === undefined ? "stop requested" : failure.message }, "stopping");
    const timeoutMs = this.#options.gracefulShutdownTimeoutMs ?? 30_000;
    const stopped = (async () => {
      leaderStop.abort();
      await leaderPhase;
      cacheStop.abort();
      await Promise.all(caches);
      return true;
    })();
    const timer = new AbortController();
    const inTime = await Promise.race([stopped, sleep(this.#clock, timeoutMs, timer.signal).then(() => false)]);
    timer.abort();
    await Promise.all(servers.map(closeServer));
    if (!inTime) {
      const err = new GracefulShutdownTimeoutError(timeoutMs, [...this.#running]);
      this.#log.error({ pending: err.pending }, err.message);
      throw failure ?? err;
    }
    if (failure !== undefined) throw failure;
    this.#log.info("stopped");
  }

  async #serve(servers: Server[]): Promise<ServingAddresses> {
    const out: { metrics?: AddressInfo; health?: AddressInfo } = {};
    const metricsAt = parseBindAddress(this.#options.metricsBindAddress ?? ":8080");
    if (metricsAt !== undefined) {
      const { server, address } = await serveMetrics(this.registry, metricsAt, this.#options.metricsProtection);
      servers.push(server);
      out.metrics = address;
      this.#log.info(
        { address: `${address.address}:${address.port}`, secure: this.#options.metricsProtection !== undefined, tls: this.#options.metricsProtection?.tls !== undefined },
        "serving metrics",
      );
    }
    const healthAt = parseBindAddress(this.#options.healthProbeBindAddress ?? ":8081");
    if (healthAt !== undefined) {
      const { server, address } = await serveProbes(healthAt, () => this.#healthy, () => this.#ready);
      servers.push(server);
      out.health = address;
      this.#log.info({ address: `${address.address}:${address.port}` }, "serving health probes");
    }
    return out;
  }

  // Runs one runnable, tracking it by name; a failure (not a clean return) stops the manager.
  async #run(r: Runnable, signal: AbortSignal, fail: (err: unknown) => void): Promise<void> {
    this.#running.add(r.name);
    try {
      await r.start(signal);
    } catch (err) {
      this.#log.error({ err, runnable: r.name }, "runnable failed");
      fail(err);
    } finally {
      this.#running.delete(r.name);
    }
  }

  async #campaign(stop: AbortSignal, fail: (err: unknown) => void): Promise<void> {
    const le = this.#options.leaderElection;
    if (le === undefined) {
      await this.#lead(stop, fail);
      return;
    }
    this.#elector = new LeaderElector({
      ...le,
      registry: this.registry,
      logger: this.#log,
      clock: this.#clock,
      onStartedLeading: (signal) => this.#lead(signal, fail),
    });
    try {
      const outcome = await this.#elector.run(stop);
      if (outcome === "lost") fail(new LeaderElectionLostError());
    } catch (err) {
      fail(err);
    }
  }

  // Leader runnables start only after every readiness source synced: they read those caches.
  async #lead(signal: AbortSignal, fail: (err: unknown) => void): Promise<void> {
    while (!this.#ready.every((c) => c.check())) {
      if (signal.aborted) return;
      await sleep(this.#clock, SYNC_POLL_MS, signal);
    }
    if (signal.aborted) return;
    const leaders = this.#runnables.filter((r) => r.needsLeaderElection);
    this.#log.info({ runnables: leaders.map((r) => r.name) }, "caches synced, starting leader-elected runnables");
    await Promise.all(leaders.map((r) => this.#run(r, signal, fail)));
  }
}
