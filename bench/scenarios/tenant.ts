// One scenario's world: a namespace, a `helios operator` process watching it, agent-host processes
// with SDK agents, and the bench's own watch of its Jobs.
import { JOB_TYPE, type Job } from "../../src/api/index.js";
import { ResourceClient } from "../../src/runtime/client/index.js";
import { AgentFleet } from "../agent-fleet.js";
import { JobTimeline } from "../job-timeline.js";
import { waitAgentsReady } from "../jobs.js";
import { OperatorProcess } from "../operator-process.js";
import type { BenchContext } from "./context.js";

export interface FleetSpec {
  /** Names the host process in logs. */
  readonly name: string;
  readonly agents: readonly string[];
  readonly maxConcurrency: number;
}

export interface TenantOptions {
  readonly namespace: string;
  readonly fleets: readonly FleetSpec[];
  readonly leaseDurationSeconds: number;
  readonly ackDelayMs: number;
  /** Extra `helios operator` flags. */
  readonly operatorArgs?: readonly string[];
}

export interface Tenant {
  readonly namespace: string;
  readonly operator: OperatorProcess;
  readonly fleets: ReadonlyMap<string, AgentFleet>;
  readonly timeline: JobTimeline;
  readonly jobs: ResourceClient<Job>;
  /** Stops the operator (SIGTERM) and kills the agent hosts (their work is abandoned with the namespace). */
  stop(): Promise<void>;
}

export async function startTenant(ctx: BenchContext, scenario: string, options: TenantOptions): Promise<Tenant> {
  const { cluster, progress } = ctx;
  const namespace = await cluster.createNamespace(options.namespace);
  const stopper = new AbortController();
  const timeline = new JobTimeline(cluster.transport, namespace);
  await timeline.start(stopper.signal);
  progress.phase(scenario, `starting helios operator for ${namespace}`);
  const operator = await OperatorProcess.start({
    kubeconfigPath: cluster.plane.kubeconfigPath,
    namespaces: [namespace],
    operatorNamespace: ctx.operatorNamespace,
    logDir: ctx.logDir,
    name: scenario,
    nodeOptions: ctx.operatorNodeOptions,
    ...(options.operatorArgs === undefined ? {} : { args: options.operatorArgs }),
  });
  const fleets = new Map<string, AgentFleet>();
  try {
    await operator.waitReady(60_000);
    const agents = options.fleets.reduce((n, f) => n + f.agents.length, 0);
    progress.phase(scenario, `starting ${agents} SDK agents in ${options.fleets.length} agent-host process(es)`);
    for (const fleet of options.fleets) {
      const spec = {
        kubeconfigPath: cluster.plane.kubeconfigPath,
        namespace,
        agents: fleet.agents.map((name) => ({ name, maxConcurrency: fleet.maxConcurrency })),
        leaseDurationSeconds: options.leaseDurationSeconds,
        ackDelayMs: options.ackDelayMs,
      };
      fleets.set(fleet.name, await AgentFleet.start(spec, ctx.logDir, `${scenario}-${fleet.name}`));
    }
    await waitAgentsReady(cluster.transport, namespace, options.fleets.flatMap((f) => f.agents), 60_000);
  } catch (err) {
    await Promise.all([...fleets.values()].map((f) => f.kill()));
    await operator.stop();
    stopper.abort();
    throw err;
  }
  return {
    namespace,
    operator,
    fleets,
    timeline,
    jobs: new ResourceClient<Job>(cluster.transport, JOB_TYPE),
    async stop() {
      await operator.stop();
      await Promise.all([...fleets.values()].map((f) => f.kill()));
      stopper.abort();
    },
  };
}

/** `prefix-000123`: names that sort in creation order. */
export function jobName(prefix: string, i: number): string {
  return `${prefix}-${String(i).padStart(6, "0")}`;
}
