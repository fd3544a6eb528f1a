// Two writers race on one Job's status through the status writer, against the real apiserver:
// per round exactly one wins, the loser gets `conflict`, re-reads and succeeds; nothing is lost.
import { beforeAll, describe, expect, it } from "vitest";
import { ResourceClient, Transport, type KubeObject, type ResourceType } from "../../../src/runtime/client/index.js";
import { StatusWriter } from "../../../src/runtime/status/index.js";
import { createNamespace, kubeConfig } from "../support/cluster.js";

const JOBS: ResourceType = { group: "helios.dev", version: "v1alpha1", plural: "jobs", kind: "Job", namespaced: true };

interface RaceJob extends KubeObject {
  metadata: { name: string; namespace: string; resourceVersion?: string; generation?: number };
  spec: { type: string };
  status?: { attempt?: number; attempts?: { attempt: number; agent: string; outcome: string }[] };
}

/** One contender: its own connection (own KubeConfig, own agent), client and status writer. */
function contender(name: string): { name: string; client: ResourceClient<RaceJob>; writer: StatusWriter<RaceJob> } {
  const client = new ResourceClient<RaceJob>(new Transport(kubeConfig()), JOBS);
  return { name, client, writer: new StatusWriter(client) };
}

/** The status a contender wants: the next attempt, recorded under its own name. */
function claim(job: RaceJob, who: string): NonNullable<RaceJob["status"]> {
  const attempt = (job.status?.attempt ?? 0) + 1;
  return { ...job.status, attempt, attempts: [...(job.status?.attempts ?? []), { attempt, agent: who, outcome: "Requeued" }] };
}

describe("status writer under contention", () => {
  let namespace: string;
  const ref = { name: "race", namespace: "" };

  beforeAll(async () => {
    namespace = await createNamespace("status-race");
    ref.namespace = namespace;
    await contender("setup").client.create({ metadata: { name: ref.name, namespace }, spec: { type: "echo" } });
  });

  it("lets exactly one of two racing writers win each round; the loser re-reads and succeeds", async () => {
    const a = contender("writer-a");
    const b = contender("writer-b");
    const rounds = 8;
    const winners: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const [readA, readB] = [await a.client.get(ref), await b.client.get(ref)];
      expect(readA.metadata.resourceVersion).toBe(readB.metadata.resourceVersion);
      const results = await Promise.all([a.writer.updateStatus(readA, claim(readA, a.name)), b.writer.updateStatus(readB, claim(readB, b.name))]);
      expect(results.map((r) => r.outcome).sort()).toEqual(["conflict", "written"]);
      const loserIndex = results.findIndex((r) => r.outcome === "conflict");
      const loser = loserIndex === 0 ? a : b;
      const conflict = results[loserIndex];
      if (conflict?.outcome === "conflict") {
        expect(conflict.error.code).toBe("Conflict");
        expect(conflict.error.status).toBe(409);
      }
      winners.push(loser === a ? b.name : a.name);

      const fresh = await loser.client.get(ref);
      const retry = await loser.writer.updateStatus(fresh, claim(fresh, loser.name));
      expect(retry.outcome).toBe("written");
      winners.push(loser.name);
    }

    const final = await a.client.get(ref);
    expect(final.status?.attempt).toBe(2 * rounds);
    // Every successful write is in the history, in order, under the name of the writer that made it.
    expect(final.status?.attempts?.map((x) => x.attempt)).toEqual(Array.from({ length: 2 * rounds }, (_, i) => i + 1));
    expect(final.status?.attempts?.map((x) => x.agent)).toEqual(winners);
  });

  it("does not write when the status is unchanged", async () => {
    const c = contender("writer-c");
    const current = await c.client.get(ref);
    expect(current.status).toBeDefined();
    const result = await c.writer.updateStatus(current, structuredClone(current.status ?? {}));
    expect(result).toEqual({ outcome: "unchanged" });
    expect((await c.client.get(ref)).metadata.resourceVersion).toBe(current.metadata.resourceVersion);
  });

  it("merge-patches status carrying a resourceVersion, and rejects a stale one with Conflict", async () => {
    const c = contender("writer-d");
    const current = await c.client.get(ref);
    const patched = await c.client.mergePatchStatus(ref, { status: { attempt: (current.status?.attempt ?? 0) + 1 } }, { resourceVersion: current.metadata.resourceVersion });
    expect(patched.status?.attempt).toBe((current.status?.attempt ?? 0) + 1);
    expect(patched.status?.attempts?.length).toBe(current.status?.attempts?.length);
    await expect(c.client.mergePatchStatus(ref, { status: { attempt: 1 } }, { resourceVersion: current.metadata.resourceVersion })).rejects.toMatchObject({
      code: "Conflict",
      status: 409,
    });
  });
});
