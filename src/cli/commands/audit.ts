// `helios audit`: reads the audit trail (AuditLog chunks) with the user's kubeconfig and prints matching entries.
import { KubeConfig } from "@kubernetes/client-node";
import { Option } from "commander";
import { AUDIT_LOG_TYPE, GROUP, PLURALS, VERSION, type AuditLog } from "../../api/index.js";
import { readAuditTrail, type AuditQuery } from "../../audit/index.js";
import { formatAuditTable, formatDocument, isDocumentFormat, OUTPUT_FORMATS, parseOutputFormat } from "../output/index.js";
import { isApiError, ResourceClient, Transport } from "../../runtime/client/index.js";
import { parseDuration } from "../../runtime/config/index.js";
import { UsageError } from "../command.js";
import type { CliCommand, CliContext } from "../command.js";

interface AuditFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly job?: string;
  readonly agent?: string;
  readonly action?: string[];
  readonly since?: string;
  readonly output: string;
}

/** A failure the user can act on; printed as is, exit 1. */
export class AuditCommandError extends Error {
  readonly code = "AuditCommand" as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AuditCommandError";
  }
}

/**
 * `--since` as a Go duration back from now (`1h`, `30m`) or an RFC 3339 instant; epoch ms.
 * @throws UsageError for anything else.
 */
export function parseSince(value: string, nowMs: number): number {
  try {
    return nowMs - parseDuration(value);
  } catch {
    const at = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
    if (!Number.isNaN(at)) return at;
    throw new UsageError(`invalid value ${JSON.stringify(value)} for --since: expected a duration such as 1h or 30m, or an RFC 3339 time`);
  }
}

function loadKubeConfig(flags: AuditFlags, env: CliContext["env"]): KubeConfig {
  const kc = new KubeConfig();
  const path = flags.kubeconfig ?? (env["KUBECONFIG"] || undefined);
  try {
    if (path !== undefined && !path.includes(":")) kc.loadFromFile(path);
    else kc.loadFromDefault();
  } catch (err) {
    throw new AuditCommandError(`cannot load kubeconfig ${path ?? "(default)"}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (flags.context !== undefined) {
    if (!kc.getContextObject(flags.context)) throw new UsageError(`--context: no context named ${JSON.stringify(flags.context)} in the kubeconfig`);
    kc.setCurrentContext(flags.context);
  }
  if (!kc.getCurrentCluster()) throw new AuditCommandError("no cluster configured: the kubeconfig has no current context (use --kubeconfig or --context)");
  return kc;
}

// Names what went wrong in the user's terms: unreachable cluster, API not installed, RBAC.
function explain(err: unknown, server: string, scope: string): Error {
  if (!isApiError(err)) return err instanceof Error ? err : new Error(String(err));
  const resource = `${PLURALS.auditLog}.${GROUP}`;
  switch (err.code) {
    case "Network":
    case "Timeout":
      return new AuditCommandError(`cannot reach the cluster at ${server}: ${err.message}`, { cause: err });
    case "NotFound":
      return new AuditCommandError(
        `the AuditLog API (${resource}/${VERSION}) is not installed in the cluster at ${server}: apply crds/ or install the Helios chart`,
        { cause: err },
      );
    case "Forbidden":
      return new AuditCommandError(`not allowed to list ${resource} ${scope}: ${err.message}`, { cause: err });
    case "Unauthorized":
      return new AuditCommandError(`the cluster at ${server} rejected the credentials of the current kubeconfig user`, { cause: err });
    default:
      return new AuditCommandError(`listing ${resource} ${scope} failed: ${err.message}`, { cause: err });
  }
}

async function runAudit(flags: AuditFlags, ctx: CliContext): Promise<void> {
  const format = parseOutputFormat(flags.output);
  if (flags.allNamespaces === true && flags.namespace !== undefined) throw new UsageError("--namespace and --all-namespaces cannot be used together");
  const now = Date.now();
  const query: AuditQuery = {
    job: flags.job,
    agent: flags.agent,
    actions: flags.action?.flatMap((a) => a.split(",")).map((a) => a.trim()).filter((a) => a !== ""),
    sinceMs: flags.since === undefined ? undefined : parseSince(flags.since, now),
  };
  const kc = loadKubeConfig(flags, ctx.env);
  const namespace = flags.allNamespaces === true ? undefined : (flags.namespace ?? (kc.getContextObject(kc.getCurrentContext())?.namespace || "default"));
  const scope = namespace === undefined ? "across all namespaces" : `in namespace ${JSON.stringify(namespace)}`;
  const client = new ResourceClient<AuditLog>(new Transport(kc), AUDIT_LOG_TYPE);
  let rows;
  try {
    rows = await readAuditTrail(client, { namespace, query, now });
  } catch (err) {
    throw explain(err, kc.getCurrentCluster()?.server ?? "(unknown)", scope);
  }
  if (isDocumentFormat(format)) {
    ctx.stdout(formatDocument(rows, format));
    return;
  }
  if (rows.length === 0) {
    ctx.stderr(`No audit entries found ${scope}.\n`);
    return;
  }
  ctx.stdout(formatAuditTable(rows, { namespaces: namespace === undefined, wide: format === "wide" }));
}

export const command: CliCommand = {
  register(program, ctx) {
    program
      .command("audit")
      .description("print the audit trail: control-plane decisions recorded in AuditLog chunks, oldest first")
      .option("--kubeconfig <path>", "path to a kubeconfig (default: $KUBECONFIG or ~/.kube/config)")
      .option("--context <name>", "kubeconfig context to use")
      .option("-n, --namespace <namespace>", "namespace whose trail to read (default: the context's, else default)")
      .option("-A, --all-namespaces", "read every namespace you may list")
      .option("--job <name>", "only entries about this Job")
      .option("--agent <name>", "only entries naming this agent or about this Agent")
      .addOption(
        new Option("--action <action>", "only these actions (repeat or comma-separate), e.g. requeued,failed").argParser(
          (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
        ),
      )
      .option("--since <duration>", "only entries newer than this (1h, 30m) or since an RFC 3339 time")
      .addOption(new Option("-o, --output <format>", `output format: ${OUTPUT_FORMATS.join(", ")}`).default("table"))
      .action((flags: AuditFlags) => runAudit(flags, ctx));
  },
};
