// Heap bytes per Job in the operator's job cache: settled (the status Helios writes: assigned, then
// succeeded) and Pending (with a "why it waits" condition), each parsed from JSON as the apiserver
// sends it (managedFields and payload included), passed through the job informer's transform and
// stored with the job indexes. Run with a GC to call:
// `npx tsc -p tsconfig.build.json && node --expose-gc dist/bench/cache-bytes.js [--settled N] [--pending N]`.
import { randomUUID } from "node:crypto";
import { succeededStatus } from "../src/agent/index.js";
import type { Job } from "../src/api/index.js";
import { cachedJobTransform } from "../src/controllers/shared/cached-jobs.js";
import { JOB_INDEXERS, type CachedJob } from "../src/controllers/shared/index.js";
import { assignedStatus } from "../src/controllers/queue-priority/index.js";
import { composeTransforms, Store, stripLastApplied, stripManagedFields } from "../src/runtime/cache/index.js";
import { benchJob } from "./jobs.js";

const NAMESPACE = "bench-scale-abc12";
const T0 = Date.parse("2026-12-07T22:00:00Z");
const seconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

/** One Job as the apiserver would list it, as JSON (so every string is its own copy, like a real decode). */
function apiJson(i: number, settled: boolean): string {
  const created = T0 + i * 15;
  const base = benchJob(NAMESPACE, `${settled ? "done" : "wait"}-${String(i).padStart(6, "0")}`, "noop");
  const job: Job = {
    ...base,
    metadata: {
      ...base.metadata,
      uid: randomUUID(),
      resourceVersion: String(100_000 + i),
      generation: 1,
      creationTimestamp: seconds(created),
      managedFields: [{ manager: "bench", operation: "Update", apiVersion: base.apiVersion, time: seconds(created), fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:payload": { "f:n": {} }, "f:type": {} } } }],
    },
    spec: { ...base.spec, priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 } },
  };
  if (!settled) {
    const message = `No agent serves queue default in namespace ${NAMESPACE}; the job waits until one does.`;
    return JSON.stringify({ ...job, status: { phase: "Pending", conditions: [{ type: "Scheduled", status: "False", reason: "NoMatchingAgent", message, lastTransitionTime: seconds(created) }] } });
  }
  const agent = `agent-${i % 50}`;
  const assigned: Job = { ...job, status: assignedStatus(job, agent, created + 50) };
  return JSON.stringify({ ...assigned, status: succeededStatus(assigned, { uid: job.metadata.uid ?? "", agent, attempt: 1 }, undefined, new Date(created + 500), undefined) });
}

/** Heap bytes per job after caching `count` jobs, store and indexes included. */
function bytesPerJob(count: number, settled: boolean, gc: () => void): number {
  const transform = composeTransforms<CachedJob>(stripManagedFields, stripLastApplied, cachedJobTransform());
  const store = new Store<CachedJob>(JOB_INDEXERS);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) store.upsert(transform(JSON.parse(apiJson(i, settled)) as CachedJob));
  gc();
  const used = process.memoryUsage().heapUsed - before;
  if (store.size !== count) throw new Error(`cached ${store.size} of ${count}`);
  return used / count;
}

function main(): void {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error("run with node --expose-gc");
  const arg = (name: string, fallback: number): number => {
    const at = process.argv.indexOf(name);
    return at < 0 ? fallback : Number(process.argv[at + 1]);
  };
  const settled = arg("--settled", 40_000);
  const pending = arg("--pending", 10_000);
  const collect = (): void => {
    gc();
    gc();
  };
  process.stdout.write(`settled: ${bytesPerJob(settled, true, collect).toFixed(0)} heap bytes per cached job (${settled} jobs)\n`);
  process.stdout.write(`pending: ${bytesPerJob(pending, false, collect).toFixed(0)} heap bytes per cached job (${pending} jobs)\n`);
}

main();
