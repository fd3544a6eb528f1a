// Remembers, per agent, when this process last saw its Lease's renewTime change (the operator's clock).
//
// This is the node lifecycle controller's probe timestamp: the agent's renewTime is compared only
// with its previous value, never with a clock, so a skewed agent clock cannot make a dead agent look
// alive or a live one look dead. The memory is per process; after a restart the first sight of a
// lease starts a fresh grace period (see `judgeLiveness`).
import { AGENT_LEASE_DRAINING_ANNOTATION } from "../../api/index.js";
import type { Lease } from "../../runtime/client/index.js";
import type { LeaseView } from "./decide.js";

interface Observation {
  readonly firstSeenAt: number;
  /** undefined while no lease has been seen. */
  readonly renewTime: string | undefined;
  readonly holder: string | undefined;
  readonly lastChangeAt: number;
  readonly changed: boolean;
}

/** One entry per agent key; the reconciler is its only user, one reconcile per key at a time. */
export class LeaseTracker {
  readonly #observations = new Map<string, Observation>();

  /** Records what the cache shows now and returns the view the decision needs. */
  observe(agentKey: string, lease: Lease | undefined, now: number): LeaseView {
    const seen = this.#observations.get(agentKey);
    const firstSeenAt = seen?.firstSeenAt ?? now;
    if (lease === undefined) {
      this.#observations.set(agentKey, { firstSeenAt, renewTime: undefined, holder: undefined, lastChangeAt: seen?.lastChangeAt ?? now, changed: false });
      return { state: "missing", since: firstSeenAt };
    }
    const renewTime = lease.spec?.renewTime ?? lease.spec?.acquireTime ?? "";
    const holder = lease.spec?.holderIdentity ?? "";
    const hadLease = seen?.renewTime !== undefined;
    // A change of holder also counts: a restarted agent may reuse a renewTime string only by accident.
    const moved = hadLease && (seen.renewTime !== renewTime || seen.holder !== holder);
    const observation: Observation = {
      firstSeenAt,
      renewTime,
      holder,
      lastChangeAt: moved || !hadLease ? now : seen.lastChangeAt,
      // A lease created after we first saw the agent is itself a sign of life.
      changed: moved || (seen?.changed ?? false) || (seen !== undefined && !hadLease),
    };
    this.#observations.set(agentKey, observation);
    if (holder === "") return { state: "released", lastChangeAt: observation.lastChangeAt };
    return {
      state: "held",
      lastChangeAt: observation.lastChangeAt,
      changed: observation.changed,
      draining: lease.metadata?.annotations?.[AGENT_LEASE_DRAINING_ANNOTATION] === "true",
      leaseDurationSeconds: lease.spec?.leaseDurationSeconds,
    };
  }

  /** Drops the memory of a deleted agent. */
  forget(agentKey: string): void {
    this.#observations.delete(agentKey);
  }

  has(agentKey: string): boolean {
    return this.#observations.has(agentKey);
  }

  get size(): number {
    return this.#observations.size;
  }
}
