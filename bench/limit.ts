// The physical limit: a bare client doing the minimal API work of one job, with no Helios at all.
//
// Per job: create, then three status writes (assign, start, finish), each carrying the
// resourceVersion of the previous response, exactly as the operator and an agent would. Jobs run
// `concurrency` at a time; the best concurrency's jobs/s is this apiserver's ceiling on this machine.
import { performance } from "node:perf_hooks";
import { JOB_TYPE, type Job } from "../src/api/index.js";
import { ResourceClient, type Transport } from "../src/runtime/client/index.js";

export interface LimitRow {
  readonly concurrency: number;
  readonly jobs: number;
  readonly seconds: number;
  readonly jobsPerSecond: number;
  readonly writesPerJob: number;
}

function newJob(namespace: string, name: string): Job {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Job",
    metadata: { name, namespace },
    spec: { type: "noop", priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 } },
  };
}

async function oneJob(client: ResourceClient<Job>, namespace: string, name: string): Promise<void> {
  let job = await client.create(newJob(namespace, name));
  const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
  job = await client.replaceStatus({ ...job, status: { phase: "Assigned", attempt: 1, assignedAgent: "bench", assignedAt: now() } });
  job = await client.replaceStatus({ ...job, status: { ...job.status, phase: "Running", startedAt: now() } });
  await client.replaceStatus({ ...job, status: { ...job.status, phase: "Succeeded", finishedAt: now(), result: {} } });
}

/** Runs `jobs` job lifecycles at `concurrency` and reports the rate. */
export async function measureLimit(transport: Transport, namespace: string, jobs: number, concurrency: number, prefix: string): Promise<LimitRow> {
  const client = new ResourceClient<Job>(transport, JOB_TYPE);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs) {
        const i = next++;
        await oneJob(client, namespace, `${prefix}-${i}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { concurrency, jobs, seconds, jobsPerSecond: jobs / seconds, writesPerJob: 4 };
}
