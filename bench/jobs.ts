// Job bodies the bench submits, bounded-concurrency creation, and waiting for agents to be Ready.
import { AGENT_TYPE, type Agent, type Job } from "../src/api/index.js";
import { ResourceClient, type Transport } from "../src/runtime/client/index.js";
import { waitFor } from "./job-timeline.js";

/** A Job as a user submits it: the apiserver fills the CRD defaults (priority, queue, retry). */
export function benchJob(namespace: string, name: string, type: string, spec: Partial<Job["spec"]> = {}): Job {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Job",
    metadata: { name, namespace },
    spec: { type, payload: { n: name }, ...spec },
  } as Job;
}

/** Creates `count` jobs built by `body(i)` with `concurrency` creates in flight; `onCreated` gets each answer's time. */
export async function createJobs(
  client: ResourceClient<Job>,
  count: number,
  body: (i: number) => Job,
  concurrency: number,
  onCreated: (job: Job, at: number) => void | Promise<void> = () => undefined,
  signal?: AbortSignal,
): Promise<{ firstSentAt: number; lastAnsweredAt: number; created: number }> {
  let next = 0;
  let created = 0;
  const firstSentAt = Date.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count && signal?.aborted !== true) {
        const job = await client.create(body(next++));
        created++;
        await onCreated(job, Date.now());
      }
    }),
  );
  return { firstSentAt, lastAnsweredAt: Date.now(), created };
}

/** Waits until agent-health has marked every agent in `names` Ready. */
export async function waitAgentsReady(transport: Transport, namespace: string, names: readonly string[], timeoutMs: number): Promise<void> {
  const agents = new ResourceClient<Agent>(transport, AGENT_TYPE);
  let phases = new Map<string, string>();
  await waitFor(
    `${names.length} agents Ready in ${namespace}`,
    async () => {
      const items = (await agents.listAll({ namespace })).items;
      phases = new Map(items.map((a) => [a.metadata.name ?? "", a.status?.phase ?? ""]));
      return names.every((n) => phases.get(n) === "Ready");
    },
    timeoutMs,
    () => JSON.stringify(Object.fromEntries(phases)),
  );
}
