// An agent with a handler of its own: `thumbnail` (a simulated resize) reports progress and stops as soon
// as its attempt is aborted (the Job was cancelled or timed out, or the agent drains). It also runs
// Helios' built-in `echo` and `fail`. It runs until SIGTERM or Ctrl-C, or for RUN_SECONDS.
import { setTimeout as sleep } from "node:timers/promises";
import { createAgent, echo, fail, loadClusterAccess, TerminalError, type Handler } from "@helios-dev/agent";

const name = process.env["AGENT_NAME"] ?? "example-agent";
const runSeconds = Number(process.env["RUN_SECONDS"] ?? "0");

const thumbnail: Handler = async (payload, { signal, progress, log }) => {
  const { image, width, bands = 5 } = payload;
  if (typeof image !== "string" || typeof width !== "number" || typeof bands !== "number") {
    // No retry can fix a bad payload: the Job fails at once, its retries unspent.
    throw new TerminalError("payload must be { image: string, width: number, bands?: number }", "BadPayload");
  }
  for (let band = 1; band <= bands; band++) {
    try {
      // One band of "work"; the wait takes `signal`, so it throws the moment the attempt is aborted.
      await sleep(200, undefined, { signal });
    } catch (err) {
      console.log(`thumbnail of ${image} stopped after ${band - 1} of ${bands} bands: ${String(signal.reason)}`);
      throw err;
    }
    progress((band / bands) * 100, `resized band ${band} of ${bands}`);
  }
  log.info({ image, width }, "thumbnail ready");
  return { thumbnail: `${image.replace(/\.\w+$/, "")}-${width}w.webp` };
};

// The cluster as kubectl finds it: $KUBECONFIG, ~/.kube/config, or the pod's service account.
const cluster = await loadClusterAccess({ env: process.env });
const namespace = process.env["HELIOS_NAMESPACE"] ?? cluster.namespace ?? "default";
const agent = createAgent({
  name,
  namespace,
  kubeConfig: cluster.access,
  maxConcurrency: 8,
  handlers: { thumbnail, echo, fail },
});
await agent.start();
console.log(`agent ${agent.identity} ready in namespace ${namespace} (thumbnail, echo, fail)`);

// Draining takes no new work, lets running attempts finish for up to 10 s and hands the rest back.
const stop = (): void => {
  agent.drain(10_000).catch((err: unknown) => {
    console.error("drain failed:", err);
    process.exitCode = 1;
  });
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
if (runSeconds > 0) setTimeout(stop, runSeconds * 1000).unref();
await agent.stopped;
console.log(`agent stopped: ${JSON.stringify(agent.stats)}`);
