// The leader election record kept in a coordination.k8s.io/v1 Lease, read and written with resourceVersion.
import { isApiError, LEASES, microTime, ResourceClient, type Lease, type Transport } from "../client/index.js";

/** What a Lease says about leadership (client-go's LeaderElectionRecord). */
export interface LeaderElectionRecord {
  /** Empty when nobody holds it (released). */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  /** RFC 3339 with microseconds, as the apiserver returns it; compared as text, never as time. */
  readonly acquireTime: string;
  readonly renewTime: string;
  readonly leaseTransitions: number;
}

/** A record together with the resourceVersion it was read at. */
export interface ObservedLease {
  readonly record: LeaderElectionRecord;
  readonly resourceVersion: string;
}

/** The outcome of a conditional write: `conflict` means someone else wrote first (409). */
export type LeaseWriteOutcome = { readonly ok: true; readonly resourceVersion: string } | { readonly ok: false; readonly reason: "conflict" };

function toRecord(lease: Lease): LeaderElectionRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? "",
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime ?? "",
    renewTime: spec.renewTime ?? "",
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/** The time `ms` as the Lease stores it (MicroTime: RFC 3339 with six fractional digits). */
export function leaseTime(ms: number): string {
  return microTime(new Date(ms));
}

/** Reads and conditionally writes one Lease. */
export class LeaseLock {
  readonly #client: ResourceClient<Lease>;

  constructor(
    transport: Transport,
    readonly namespace: string,
    readonly name: string,
  ) {
    this.#client = new ResourceClient<Lease>(transport, LEASES);
  }

  /** The current record, or `undefined` if the Lease does not exist. */
  async get(): Promise<ObservedLease | undefined> {
    try {
      const lease = await this.#client.get({ namespace: this.namespace, name: this.name });
      return { record: toRecord(lease), resourceVersion: lease.metadata.resourceVersion ?? "" };
    } catch (err) {
      if (isApiError(err, "NotFound")) return undefined;
      throw err;
    }
  }

  /** Creates the Lease holding `record`; a conflict means another candidate created it first. */
  async create(record: LeaderElectionRecord): Promise<LeaseWriteOutcome> {
    return this.#write(() => this.#client.create(this.#lease(record, undefined)));
  }

  /** Replaces the record if the Lease is still at `resourceVersion` (optimistic concurrency). */
  async update(record: LeaderElectionRecord, resourceVersion: string): Promise<LeaseWriteOutcome> {
    return this.#write(() => this.#client.replace(this.#lease(record, resourceVersion)));
  }

  async #write(send: () => Promise<Lease>): Promise<LeaseWriteOutcome> {
    try {
      const lease = await send();
      return { ok: true, resourceVersion: lease.metadata.resourceVersion ?? "" };
    } catch (err) {
      // A create that lost the race answers AlreadyExists, a stale update Conflict: both are a 409.
      if (isApiError(err, "Conflict") || isApiError(err, "AlreadyExists")) return { ok: false, reason: "conflict" };
      throw err;
    }
  }

  #lease(record: LeaderElectionRecord, resourceVersion: string | undefined): Lease {
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: this.name, namespace: this.namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
      spec: {
        holderIdentity: record.holderIdentity,
        leaseDurationSeconds: record.leaseDurationSeconds,
        leaseTransitions: record.leaseTransitions,
        // An empty time is "unset" (a released lease keeps its times, a fresh record may have none).
        ...(record.acquireTime === "" ? {} : { acquireTime: record.acquireTime }),
        ...(record.renewTime === "" ? {} : { renewTime: record.renewTime }),
      },
    };
  }
}
