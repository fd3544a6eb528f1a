// Foreign Lease churn: Leases that are not agents' (node heartbeats, other applications' leader
// election), created and then renewed on a period the way kubelets renew node Leases, so a test or
// the bench can show what they cost an operator that should never see them.
import { setTimeout as delay } from "node:timers/promises";
import { microTime, type Lease, type ResourceClient } from "../src/runtime/client/index.js";

/** A group of foreign Leases: where they live, how many, and their labels (never the agent label). */
export interface ForeignLeaseGroup {
  readonly namespace: string;
  readonly count: number;
  /** Names are `<prefix>-<i>`. */
  readonly prefix: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** What a renewal run did. */
export interface ChurnRun {
  readonly rounds: number;
  readonly renewals: number;
  readonly seconds: number;
  /** Rounds that took longer than the period (the next one then starts at once). */
  readonly lateRounds: number;
}

/** Runs `work(i)` for i in [0, count) with `writers` calls in flight. */
async function pool(count: number, writers: number, work: (i: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(writers, count) }, async () => {
      while (next < count && signal?.aborted !== true) await work(next++);
    }),
  );
}

/** The Leases of some groups, held as last written so each renewal is a PUT with its resourceVersion. */
export class ForeignLeases {
  readonly #client: ResourceClient<Lease>;
  readonly #writers: number;
  readonly #leases: Lease[];

  private constructor(client: ResourceClient<Lease>, writers: number, leases: Lease[]) {
    this.#client = client;
    this.#writers = writers;
    this.#leases = leases;
  }

  /** Creates every Lease of `groups` with `writers` creates in flight. */
  static async create(client: ResourceClient<Lease>, groups: readonly ForeignLeaseGroup[], writers: number): Promise<ForeignLeases> {
    const bodies: Lease[] = groups.flatMap((g) =>
      Array.from({ length: g.count }, (_, i) => ({
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: `${g.prefix}-${i}`, namespace: g.namespace, ...(g.labels === undefined ? {} : { labels: { ...g.labels } }) },
        spec: { holderIdentity: `${g.prefix}-${i}`, leaseDurationSeconds: 40, renewTime: microTime(new Date()) },
      })),
    );
    const created: Lease[] = new Array<Lease>(bodies.length);
    await pool(bodies.length, writers, async (i) => {
      created[i] = await client.create(bodies[i] as Lease);
    });
    return new ForeignLeases(client, writers, created);
  }

  get count(): number {
    return this.#leases.length;
  }

  /** `namespace/name` of every Lease. */
  keys(): string[] {
    return this.#leases.map((l) => `${l.metadata.namespace ?? ""}/${l.metadata.name ?? ""}`);
  }

  /** Renews every Lease once (a PUT of renewTime with the resourceVersion last written). */
  async renewAll(signal?: AbortSignal): Promise<number> {
    let renewed = 0;
    await pool(
      this.#leases.length,
      this.#writers,
      async (i) => {
        const lease = this.#leases[i] as Lease;
        this.#leases[i] = await this.#client.replace({ ...lease, spec: { ...lease.spec, renewTime: microTime(new Date()) } });
        renewed++;
      },
      signal,
    );
    return renewed;
  }

  /** Renews everything every `periodMs`, `rounds` times (the first at once); lasts `rounds` periods. */
  async churn(periodMs: number, rounds: number, signal?: AbortSignal): Promise<ChurnRun> {
    const startedAt = Date.now();
    let renewals = 0;
    let lateRounds = 0;
    for (let round = 0; round < rounds && signal?.aborted !== true; round++) {
      const roundStart = Date.now();
      renewals += await this.renewAll(signal);
      const left = periodMs - (Date.now() - roundStart);
      if (left < 0) lateRounds++;
      else await delay(left, undefined, { signal }).catch(() => undefined);
    }
    return { rounds, renewals, seconds: (Date.now() - startedAt) / 1000, lateRounds };
  }

  /** Deletes every Lease (already gone is fine). */
  async delete(): Promise<void> {
    await pool(this.#leases.length, this.#writers, async (i) => {
      const lease = this.#leases[i] as Lease;
      await this.#client.delete({ namespace: lease.metadata.namespace, name: lease.metadata.name ?? "" }).catch(() => undefined);
    });
  }
}
