// Submits 100 `echo` jobs with the idempotency keys example-0 ... example-99 and waits for each result.
// Run it twice: the second run finds the same 100 Jobs (created: false) instead of adding 100 more.
// Then it submits a job that fails, to show how a failure surfaces: a JobFailedError with lastError.
import { connectJobClient, JobFailedError } from "@helios-dev/client";

const count = Number(process.env["JOB_COUNT"] ?? "100");

// The cluster as kubectl finds it ($KUBECONFIG, ~/.kube/config, or the pod's service account);
// the namespace is HELIOS_NAMESPACE's, else the kubeconfig context's.
const jobs = await connectJobClient({ namespace: process.env["HELIOS_NAMESPACE"] });

const specs = Array.from({ length: count }, (_, i) => ({
  spec: { type: "echo", payload: { message: `hello from job ${i}`, index: i } },
  idempotencyKey: `example-${i}`,
}));
const submitted = await jobs.submitMany(specs, { concurrency: 20 });
const created = submitted.filter((s) => s.created).length;
console.log(`submitted ${submitted.length} jobs: ${created} created, ${submitted.length - created} already existed`);

for (const { name } of submitted) {
  const done = await jobs.waitFor(name, { timeoutMs: 120_000 });
  console.log(`${name} ${done.phase} ${JSON.stringify(done.result)}`);
}

// `fail` with times -1 fails every attempt; with no retries the Job fails after its first.
const failing = await jobs.submit({ type: "fail", payload: { times: -1 }, retry: { maxRetries: 0 } }, { generateName: "example-fail-" });
const failingName = failing.name;
try {
  await jobs.waitFor(failingName, { timeoutMs: 60_000 });
  console.log(`${failingName} succeeded, which it should not have`);
  process.exitCode = 1;
} catch (err) {
  if (!(err instanceof JobFailedError)) throw err;
  console.log(`${err.code}: ${failingName} failed: ${err.lastError?.reason}: ${err.lastError?.message}`);
}
