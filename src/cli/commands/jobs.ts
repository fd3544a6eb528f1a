// `helios jobs`: Jobs with wait and run times, attempts, retries, the reason they are where they are, and the agent.
import { Option } from "commander";
import { AUDIT_LOG_TYPE, JOB_PHASES, JOB_TYPE, type AuditLog, type Job, type JobPhase } from "../../api/index.js";
import { readAuditTrail } from "../../audit/index.js";
import { ResourceClient } from "../../runtime/client/index.js";
import { UsageError } from "../command.js";
import type { CliCommand } from "../command.js";
import { addKubeOptions, connect, explainApiError, explained, type KubeFlags } from "../kube/index.js";
import {
  formatDocument,
  formatJobDetail,
  formatJobTable,
  isDocumentFormat,
  jobView,
  parseOutputFormat,
  printView,
  sortJobViews,
  type OutputFormat,
  type WatchContext,
} from "../output/index.js";

interface JobsFlags extends KubeFlags {
  readonly phase?: string[];
  readonly type?: string;
  readonly output?: string;
  readonly watch?: boolean;
}

/**
 * `--phase` values (repeatable or comma-separated, any case) as phases.
 * @throws UsageError naming the phases for anything else.
 */
export function parsePhases(values: readonly string[] | undefined): ReadonlySet<JobPhase> | undefined {
  if (values === undefined) return undefined;
  const phases = new Set<JobPhase>();
  for (const raw of values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "")) {
    const phase = JOB_PHASES.find((p) => p.toLowerCase() === raw.toLowerCase());
    if (phase === undefined) throw new UsageError(`invalid value ${JSON.stringify(raw)} for --phase: expected one of ${JOB_PHASES.join(", ")}`);
    phases.add(phase);
  }
  return phases;
}

async function runJobs(name: string | undefined, flags: JobsFlags, ctx: WatchContext): Promise<void> {
  const format = parseOutputFormat(flags.output);
  if (name !== undefined) return showJob(name, flags, format, ctx);
  const phases = parsePhases(flags.phase);
  const target = connect(flags, ctx.env);
  const jobs = new ResourceClient<Job>(target.transport, JOB_TYPE);
  // spec.type is a selectable field of the CRD: filter on the server. Phase is filtered here,
  // because a Job the operator has not written yet has no status.phase but is Pending.
  const fieldSelector = flags.type === undefined ? undefined : `spec.type=${flags.type}`;
  const where = target.listNamespace === undefined ? "" : ` in namespace "${target.listNamespace}"`;
  await printView(ctx, {
    target,
    watch: flags.watch === true,
    gather: (source) => source.list({ client: jobs, namespace: target.listNamespace, fieldSelector }),
    render: (items, nowMs) => {
      const views = sortJobViews(items.map((j) => jobView(j, nowMs)).filter((v) => phases === undefined || phases.has(v.phase)));
      if (isDocumentFormat(format)) return formatDocument(views, format);
      if (views.length === 0) return `No jobs found${where}.\n`;
      return formatJobTable(views, { namespaces: target.listNamespace === undefined, wide: format === "wide", nowMs });
    },
  });
}

/** One Job in full: spec, status, conditions, attempts and its audit trail (which may be unreadable: RBAC). */
async function showJob(name: string, flags: JobsFlags, format: OutputFormat, ctx: WatchContext): Promise<void> {
  if (flags.allNamespaces === true) throw new UsageError("a job name and --all-namespaces cannot be used together");
  if (flags.watch === true) throw new UsageError("--watch lists jobs; to follow one job use \"helios wait NAME\"");
  const target = connect(flags, ctx.env);
  const namespace = target.namespace;
  const jobs = new ResourceClient<Job>(target.transport, JOB_TYPE);
  const job = await explained(target, { verb: "get", resource: "jobs.helios.dev", namespace, name }, () => jobs.get({ namespace, name }));
  if (isDocumentFormat(format)) {
    ctx.stdout(formatDocument(job, format));
    return;
  }
  const now = Date.now();
  const auditLogs = new ResourceClient<AuditLog>(target.transport, AUDIT_LOG_TYPE);
  try {
    ctx.stdout(formatJobDetail(job, await readAuditTrail(auditLogs, { namespace, query: { job: name }, now }), now));
  } catch (err) {
    ctx.stdout(formatJobDetail(job, undefined, now, explainApiError(err, { verb: "list", resource: "auditlogs.helios.dev", namespace }, target).message));
  }
}

export const command: CliCommand = {
  register(program, ctx) {
    addKubeOptions(
      program
        .command("jobs")
        .argument("[name]", "show this one job in full: spec, status, conditions, attempts and its audit trail")
        .description("list Helios Jobs with wait and run times, attempts, retries, reasons and agents (richer than kubectl get hjob)"),
      { allNamespaces: true },
    )
      .addOption(
        new Option("--phase <phase>", `only jobs in this phase (repeat or comma-separate): ${JOB_PHASES.join(", ")}`).argParser(
          (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
        ),
      )
      .option("--type <type>", "only jobs of this handler type (spec.type)")
      .option("-o, --output <format>", "table (default), wide, json or yaml")
      .option("-w, --watch", "keep watching and re-render on every change (Ctrl-C ends)")
      .action((name: string | undefined, flags: JobsFlags) => runJobs(name, flags, ctx));
  },
};
