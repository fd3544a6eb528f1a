// `helios agents`: Agents with phase, capabilities, queues, running/max counted from Jobs, heartbeat from Leases, quarantine.
import { AGENT_LEASE_SELECTOR, AGENT_TYPE, JOB_TYPE, type Agent, type Job } from "../../api/index.js";
import { isApiError, LEASES, ResourceClient, type Lease } from "../../runtime/client/index.js";
import type { CliCommand } from "../command.js";
import { addKubeOptions, CliError, connect, UNFINISHED_SELECTOR, type KubeFlags } from "../kube/index.js";
import {
  agentViews,
  formatAgentTable,
  formatDocument,
  isDocumentFormat,
  parseOutputFormat,
  printView,
  sortAgentViews,
  type WatchContext,
} from "../output/index.js";

interface AgentsFlags extends KubeFlags {
  readonly output?: string;
  readonly watch?: boolean;
}

async function runAgents(flags: AgentsFlags, ctx: WatchContext): Promise<void> {
  const format = parseOutputFormat(flags.output);
  const target = connect(flags, ctx.env);
  const namespace = target.listNamespace;
  const agents = new ResourceClient<Agent>(target.transport, AGENT_TYPE);
  const jobs = new ResourceClient<Job>(target.transport, JOB_TYPE);
  const leases = new ResourceClient<Lease>(target.transport, LEASES);
  // Leases are a nicety (fresh heartbeats): without permission to list them, fall back to
  // status.lastHeartbeatTime, say so once, and do not watch them.
  let leasesReadable = true;
  const where = namespace === undefined ? "" : ` in namespace "${namespace}"`;
  await printView(ctx, {
    target,
    watch: flags.watch === true,
    gather: async (source) => {
      const [agentList, jobList] = await Promise.all([
        source.list({ client: agents, namespace }),
        source.list({ client: jobs, namespace, fieldSelector: UNFINISHED_SELECTOR }),
      ]);
      let leaseList: readonly Lease[] = [];
      if (leasesReadable && agentList.length > 0) {
        try {
          // Only agents' Leases: a cluster also holds a Lease per node and other applications' leader Leases.
          leaseList = await source.list({ client: leases, namespace, labelSelector: AGENT_LEASE_SELECTOR });
        } catch (err) {
          if (!(err instanceof CliError && isApiError(err.cause, "Forbidden"))) throw err;
          leasesReadable = false;
          ctx.stderr(`warning: cannot list leases${where} (${err.message}); heartbeats come from Agent status instead\n`);
        }
      }
      return { agents: agentList, jobs: jobList, leases: leaseList };
    },
    render: (data, nowMs) => {
      const views = sortAgentViews(agentViews(data.agents, data.jobs, data.leases));
      if (isDocumentFormat(format)) return formatDocument(views, format);
      if (views.length === 0) return `No agents found${where}.\n`;
      return formatAgentTable(views, { namespaces: namespace === undefined, wide: format === "wide", nowMs });
    },
  });
}

export const command: CliCommand = {
  register(program, ctx) {
    addKubeOptions(
      program
        .command("agents")
        .description("list Helios Agents: phase, capabilities, queues, running/max (from Jobs), last heartbeat (from Leases), quarantine"),
      { allNamespaces: true },
    )
      .option("-o, --output <format>", "table (default), wide, json or yaml")
      .option("-w, --watch", "keep watching and re-render on every change (Ctrl-C ends)")
      .action((flags: AgentsFlags) => runAgents(flags, ctx));
  },
};
