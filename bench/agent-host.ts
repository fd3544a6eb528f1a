// A child process hosting SDK agents for the bench, so they can be killed (SIGKILL: no hand-back,
// no lease release) the way a crashed machine vanishes. Prints one JSON line once every agent is ready.
//
// Run: node dist/bench/agent-host.js '<AgentHostSpec as JSON>'
import { pathToFileURL } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { createAgent, type Handler, type HeliosAgent } from "../src/agent/index.js";

export interface AgentHostSpec {
  readonly kubeconfigPath: string;
  readonly namespace: string;
  readonly agents: readonly { readonly name: string; readonly maxConcurrency: number }[];
  readonly leaseDurationSeconds: number;
  readonly ackDelayMs: number;
}

/** Job types the bench submits: `noop` returns at once, `hold` runs until its attempt is aborted. */
export const BENCH_HANDLERS: Readonly<Record<"noop" | "hold", Handler>> = {
  noop: () => Promise.resolve(undefined),
  hold: (_payload, ctx) =>
    new Promise((_resolve, reject) => {
      if (ctx.signal.aborted) reject(ctx.signal.reason as Error);
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error), { once: true });
    }),
};

async function main(raw: string | undefined): Promise<void> {
  if (raw === undefined) throw new Error("usage: agent-host.js '<spec JSON>'");
  const spec = JSON.parse(raw) as AgentHostSpec;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(spec.kubeconfigPath);
  const log = pino({ level: "warn" }, pino.destination(2));
  const agents: HeliosAgent[] = spec.agents.map((a) =>
    createAgent({
      name: a.name,
      namespace: spec.namespace,
      maxConcurrency: a.maxConcurrency,
      handlers: BENCH_HANDLERS,
      kubeConfig,
      leaseDurationSeconds: spec.leaseDurationSeconds,
      ackDelayMs: spec.ackDelayMs,
      log,
    }),
  );
  await Promise.all(agents.map((a) => a.start()));
  process.stdout.write(`${JSON.stringify({ ready: agents.map((a) => a.name) })}\n`);
  process.once("SIGTERM", () => {
    void Promise.all(agents.map((a) => a.drain(0))).then(() => process.exit(0));
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2]).catch((err: unknown) => {
    process.stderr.write(`agent-host: ${String(err)}\n`);
    process.exit(1);
  });
}
