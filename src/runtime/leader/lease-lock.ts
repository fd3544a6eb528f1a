// The leader election record kept in a coordination.k8s.io/v1 Lease, read and written with resourceVersion.
import { ApiException, CoordinationV1Api, V1MicroTime } from "@kubernetes/client-node";
import type { KubeConfig, V1Lease } from "@kubernetes/client-node";

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
export type WriteOutcome = { readonly ok: true; readonly resourceVersion: string } | { readonly ok: false; readonly reason: "conflict" };

function timeText(t: unknown): string {
  // client-node leaves MicroTime fields as the server's strings on read, Dates on write.
  if (t instanceof Date) return new V1MicroTime(t.getTime()).toISOString();
  return typeof t === "string" ? t : "";
}

function toRecord(lease: V1Lease): LeaderElectionRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? "",
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: timeText(spec.acquireTime),
    renewTime: timeText(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

function microTime(text: string): V1MicroTime | undefined {
  return text === "" ? undefined : new V1MicroTime(text);
}

/** The time `ms` as the Lease stores it (RFC 3339, microseconds). */
export function leaseTime(ms: number): string {
  return new V1MicroTime(ms).toISOString();
}

/** Reads and conditionally writes one Lease. */
export class LeaseLock {
  readonly #api: CoordinationV1Api;

  constructor(
    kubeConfig: KubeConfig,
    readonly namespace: string,
    readonly name: string,
  ) {
    this.#api = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** The current record, or `undefined` if the Lease does not exist. */
  async get(): Promise<ObservedLease | undefined> {
    try {
      const lease = await this.#api.readNamespacedLease({ name: this.name, namespace: this.namespace });
      return { record: toRecord(lease), resourceVersion: lease.metadata?.resourceVersion ?? "" };
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw err;
    }
  }

  /** Creates the Lease holding `record`; a conflict means another candidate created it first. */
  async create(record: LeaderElectionRecord): Promise<WriteOutcome> {
    try {
      const lease = await this.#api.createNamespacedLease({
        namespace: this.namespace,
        body: { metadata: { name: this.name, namespace: this.namespace }, spec: this.#spec(record) },
      });
      return { ok: true, resourceVersion: lease.metadata?.resourceVersion ?? "" };
    } catch (err) {
      if (err instanceof ApiException && err.code === 409) return { ok: false, reason: "conflict" };
      throw err;
    }
  }

  /** Replaces the record if the Lease is still at `resourceVersion` (optimistic concurrency). */
  async update(record: LeaderElectionRecord, resourceVersion: string): Promise<WriteOutcome> {
    try {
      const lease = await this.#api.replaceNamespacedLease({
        name: this.name,
        namespace: this.namespace,
        body: { metadata: { name: this.name, namespace: this.namespace, resourceVersion }, spec: this.#spec(record) },
      });
      return { ok: true, resourceVersion: lease.metadata?.resourceVersion ?? "" };
    } catch (err) {
      if (err instanceof ApiException && err.code === 409) return { ok: false, reason: "conflict" };
      throw err;
    }
  }

  #spec(record: LeaderElectionRecord) {
    const acquireTime = microTime(record.acquireTime);
    const renewTime = microTime(record.renewTime);
    return {
      holderIdentity: record.holderIdentity,
      leaseDurationSeconds: record.leaseDurationSeconds,
      leaseTransitions: record.leaseTransitions,
      ...(acquireTime === undefined ? {} : { acquireTime }),
      ...(renewTime === undefined ? {} : { renewTime }),
    };
  }
}
