// The agent's heartbeat: its coordination.k8s.io Lease, created owner-referenced to the Agent and renewed
// every leaseDuration/4 with resourceVersion, as the kubelet renews its node Lease.
//
// Flow: `acquire` creates the Lease or takes it over (a restarted agent) → `run` renews it on a fixed
// period; a renewal that hits 409 re-reads and retries at once; other failures retry with a short
// backoff until the next period → `release` hands it back (holderIdentity cleared) so agent-health
// can call the agent Offline at once instead of waiting for staleness.
// Every write carries the agent label (`helios.dev/agent: <name>`), the only Leases the operator
// watches, so a Lease left unlabelled by an older agent is labelled on takeover.
// Caveats: renewals never touch the Agent object; its status is the operator's to write.
import type { Logger } from "pino";
import { AGENT_LABEL, AGENT_LEASE_DRAINING_ANNOTATION, API_VERSION, KINDS } from "../api/index.js";
import { exponentialBackoff } from "../runtime/backoff/index.js";
import { realClock, sleep } from "../runtime/clock/index.js";
import { isApiError, microTime, type Lease, type ResourceClient } from "../runtime/client/index.js";

export interface HeartbeatOptions {
  readonly name: string;
  readonly namespace: string;
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  /** The Agent's uid: the Lease is owned by it (garbage-collected with it). */
  readonly ownerUid: string;
  readonly log: Logger;
}

/** Renews one Lease; one instance per agent process. */
export class LeaseHeartbeat {
  readonly #client: Pick<ResourceClient<Lease>, "create" | "get" | "replace">;
  readonly #options: HeartbeatOptions;
  #lease: Lease | undefined;
  #draining = false;
  #renewals = 0;
  /** performance.now() of the last successful write that left this process the holder; undefined once released. */
  #heldSince: number | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(client: Pick<ResourceClient<Lease>, "create" | "get" | "replace">, options: HeartbeatOptions) {
    this.#client = client;
    this.#options = options;
  }

  get renewals(): number {
    return this.#renewals;
  }

  /**
   * Whether this process still holds the Lease: its last successful acquire or renewal is younger
   * than the lease duration (monotonic clock) and it has not released it. A Lease deleted or held by
   * another writer fails every renewal, so it stops being held one lease duration later.
   */
  held(): boolean {
    return this.#heldSince !== undefined && performance.now() - this.#heldSince < this.#options.leaseDurationSeconds * 1000;
  }

  /** Creates the Lease, or takes over an existing one (same name: a previous run of this agent). */
  async acquire(): Promise<void> {
    const { name, namespace } = this.#options;
    try {
      this.#lease = await this.#client.create(this.#desired(undefined));
      this.#heldSince = performance.now();
      return;
    } catch (err) {
      if (!isApiError(err, "AlreadyExists")) throw err;
    }
    await this.#renewWithRetry(this.#client.get({ namespace, name }));
  }

  /** Renews every leaseDuration/4 until `signal` aborts. */
  run(signal: AbortSignal): Promise<void> {
    this.#running = this.#loop(signal);
    return this.#running;
  }

  /** Marks the Lease draining (agent-health shows Draining, the dispatcher stops sending work) and renews now. */
  async markDraining(): Promise<void> {
    this.#draining = true;
    await this.#renewOnce().catch((err: unknown) => this.#options.log.warn({ err }, "could not mark the lease draining"));
  }

  /** Gives the Lease up (holderIdentity cleared); the caller stops `run` first. Best effort. */
  async release(): Promise<void> {
    await this.#running;
    this.#heldSince = undefined;
    for (let i = 0; i < 3 && this.#lease !== undefined; i++) {
      const current: Lease = this.#lease;
      try {
        this.#lease = await this.#client.replace({
          ...current,
          spec: { ...current.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: microTime(new Date()) },
        });
        return;
      } catch (err) {
        if (!isApiError(err, "Conflict")) {
          this.#options.log.warn({ err }, "could not release the lease");
          return;
        }
        this.#lease = await this.#client.get({ namespace: this.#options.namespace, name: this.#options.name });
      }
    }
  }

  async #loop(signal: AbortSignal): Promise<void> {
    const periodMs = (this.#options.leaseDurationSeconds * 1000) / 4;
    const retryDelayMs = exponentialBackoff({ baseMs: 200, maxMs: periodMs / 2 });
    while (!signal.aborted) {
      await sleep(realClock, periodMs, signal);
      if (signal.aborted) return;
      // kubelet's rule: a few quick retries, then wait for the next period.
      for (let attempt = 0; attempt < 5 && !signal.aborted; attempt++) {
        try {
          await this.#renewOnce();
          break;
        } catch (err) {
          this.#options.log.warn({ err, attempt }, "lease renewal failed");
          await sleep(realClock, retryDelayMs(attempt), signal);
        }
      }
    }
  }

  async #renewOnce(): Promise<void> {
    const current = this.#lease;
    if (current === undefined) throw new Error("lease not acquired");
    await this.#renewWithRetry(Promise.resolve(current));
  }

  // PUT with the resourceVersion read; on 409 re-read and try again (someone else touched it).
  async #renewWithRetry(read: Promise<Lease>): Promise<void> {
    let current = await read;
    for (let conflicts = 0; ; conflicts++) {
      try {
        this.#lease = await this.#client.replace(this.#desired(current));
        this.#heldSince = performance.now();
        this.#renewals++;
        return;
      } catch (err) {
        if (!isApiError(err, "Conflict") || conflicts >= 3) throw err;
        current = await this.#client.get({ namespace: this.#options.namespace, name: this.#options.name });
      }
    }
  }

  #desired(current: Lease | undefined): Lease {
    const { name, namespace, holderIdentity, leaseDurationSeconds, ownerUid } = this.#options;
    const now = microTime(new Date());
    const spec = current?.spec ?? {};
    const takeover = spec.holderIdentity !== holderIdentity;
    const annotations = { ...current?.metadata.annotations };
    if (this.#draining) annotations[AGENT_LEASE_DRAINING_ANNOTATION] = "true";
    else delete annotations[AGENT_LEASE_DRAINING_ANNOTATION];
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        ...current?.metadata,
        name,
        namespace,
        labels: { ...current?.metadata.labels, [AGENT_LABEL]: name },
        annotations,
        ownerReferences: [{ apiVersion: API_VERSION, kind: KINDS.agent, name, uid: ownerUid, blockOwnerDeletion: false }],
      },
      spec: {
        holderIdentity,
        leaseDurationSeconds,
        acquireTime: takeover || spec.acquireTime === undefined ? now : spec.acquireTime,
        renewTime: now,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (current !== undefined && takeover ? 1 : 0),
      },
    };
  }
}
