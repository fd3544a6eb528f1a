// `helios status`: queue depth by priority and oldest wait, agents by phase, and the control flags in effect.
import { AGENT_TYPE, FEATURE_FLAG_TYPE, JOB_TYPE, type Agent, type FeatureFlag, type Job } from "../../api/index.js";
import { isApiError, ResourceClient } from "../../runtime/client/index.js";
import type { CliCommand } from "../command.js";
import { addKubeOptions, CliError, connect, operatorNamespaceOption, UNFINISHED_SELECTOR, type KubeFlags } from "../kube/index.js";
import { formatDocument, formatStatus, isDocumentFormat, parseOutputFormat, printView, statusSummary, type WatchContext } from "../output/index.js";

interface StatusFlags extends KubeFlags {
  readonly operatorNamespace: string;
  readonly output?: string;
  readonly watch?: boolean;
}

async function runStatus(flags: StatusFlags, ctx: WatchContext): Promise<void> {
  const format = parseOutputFormat(flags.output);
  const target = connect(flags, ctx.env);
  // An overview: every namespace unless -n narrows it.
  const namespace = flags.namespace === undefined ? undefined : target.namespace;
  const jobs = new ResourceClient<Job>(target.transport, JOB_TYPE);
  const agents = new ResourceClient<Agent>(target.transport, AGENT_TYPE);
  const featureFlags = new ResourceClient<FeatureFlag>(target.transport, FEATURE_FLAG_TYPE);
  // A tenant may see its own queues but not the platform's flags: report that instead of failing.
  let flagsError: string | undefined;
  await printView(ctx, {
    target,
    watch: flags.watch === true,
    gather: async (source) => {
      const [jobList, agentList] = await Promise.all([
        source.list({ client: jobs, namespace, fieldSelector: UNFINISHED_SELECTOR }),
        source.list({ client: agents, namespace }),
      ]);
      if (flagsError !== undefined) return { jobs: jobList, agents: agentList, flags: { error: flagsError } };
      try {
        return { jobs: jobList, agents: agentList, flags: await source.list({ client: featureFlags, namespace: flags.operatorNamespace }) };
      } catch (err) {
        if (!(err instanceof CliError && isApiError(err.cause, "Forbidden"))) throw err;
        flagsError = err.message;
        return { jobs: jobList, agents: agentList, flags: { error: flagsError } };
      }
    },
    render: (data, nowMs) => {
      const summary = statusSummary({ operatorNamespace: flags.operatorNamespace, ...data, nowMs });
      return isDocumentFormat(format) ? formatDocument(summary, format) : formatStatus(summary, { namespaces: namespace === undefined });
    },
  });
}

export const command: CliCommand = {
  register(program, ctx) {
    addKubeOptions(
      program
        .command("status")
        .description("show queues (depth by priority, oldest wait), agents by phase and the control flags in effect; all namespaces unless -n"),
      {},
    )
      .addOption(operatorNamespaceOption(ctx.env))
      .option("-o, --output <format>", "table (default), json or yaml")
      .option("-w, --watch", "keep watching and re-render on every change (Ctrl-C ends)")
      .action((flags: StatusFlags) => runStatus(flags, ctx));
  },
};
