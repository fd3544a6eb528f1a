// Loads the user's kubeconfig and context the way kubectl does and builds the client transport.
import { KubeConfig } from "@kubernetes/client-node";
import type { Cluster, Context, User } from "@kubernetes/client-node";
import { Option } from "commander";
import type { Command } from "commander";
import { DEFAULT_OPERATOR_NAMESPACE } from "../../api/index.js";
import { DurationError, parseDuration } from "../../runtime/config/index.js";
import { Transport } from "../../runtime/client/index.js";
import { kubeconfigFiles as findKubeconfigFiles } from "../../runtime/kubeconfig/index.js";
import { UsageError } from "../command.js";
import { CLUSTER_UP_HINT, CliError, type RequestTarget } from "./errors.js";

/** The connection flags every operator-facing command takes (kubectl's names). */
export interface KubeFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly as?: string;
  readonly asGroup?: string[];
  readonly requestTimeout?: string;
}

/** Where and as whom requests go, and the namespace they act in: what the steering writes need. */
export interface ApiTarget extends RequestTarget {
  readonly transport: Transport;
  /** `-n`, else the context's namespace, else `default`. */
  readonly namespace: string;
}

/** Where and as whom the command talks, and the namespace it acts in. */
export interface KubeTarget extends ApiTarget {
  readonly kubeConfig: KubeConfig;
  /** Undefined with `-A`: lists span every namespace. */
  readonly listNamespace: string | undefined;
}

export interface KubeOptionsSpec {
  /** Offer `-n/--namespace` (commands acting on namespaced objects). Default true. */
  readonly namespace?: boolean;
  /** Offer `-A/--all-namespaces` (listing commands). */
  readonly allNamespaces?: boolean;
}

const DEFAULT_REQUEST_TIMEOUT = "30s";

/** Adds kubectl's connection flags to `cmd`. */
export function addKubeOptions(cmd: Command, spec: KubeOptionsSpec): Command {
  cmd
    .option("--kubeconfig <path>", "path to the kubeconfig (default: $KUBECONFIG, else ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use (default: the current context)");
  if (spec.namespace !== false) cmd.option("-n, --namespace <namespace>", "namespace (default: the context's, else default)");
  if (spec.allNamespaces === true) cmd.option("-A, --all-namespaces", "span every namespace");
  return cmd
    .option("--as <user>", "act as this user (impersonation, like kubectl --as)")
    .addOption(
      new Option("--as-group <group>", "act as a member of this group (repeatable; needs --as)").argParser(
        (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
      ),
    )
    .addOption(new Option("--request-timeout <duration>", "give up on one API request after this long (Go duration)").default(DEFAULT_REQUEST_TIMEOUT));
}

/**
 * Resolves the kubeconfig files like kubectl: `--kubeconfig`, else every existing file in
 * `$KUBECONFIG` (merged, first wins), else `~/.kube/config`.
 * @throws CliError when none can be read.
 */
export function kubeconfigFiles(flags: KubeFlags, env: Readonly<Record<string, string | undefined>>): string[] {
  let found: { files: string[]; looked: string[] };
  try {
    found = findKubeconfigFiles({ kubeconfig: flags.kubeconfig, env });
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  if (found.files.length === 0) {
    const looked = found.looked.length === 0 ? "" : ` (looked at ${found.looked.join(", ")})`;
    throw new CliError(
      `no kubeconfig found${looked}: pass --kubeconfig or set KUBECONFIG. For the local cluster run ${CLUSTER_UP_HINT}.`,
    );
  }
  return found.files;
}

/** Merges kubeconfig files the way kubectl does: the first file to name a cluster, user or context wins. */
export function loadKubeConfigFiles(files: readonly string[]): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext = "";
  for (const file of files) {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (err) {
      throw new CliError(`cannot load kubeconfig ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    for (const c of kc.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.getUsers()) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of kc.getContexts()) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (currentContext === "") currentContext = kc.getCurrentContext() ?? "";
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext });
  return merged;
}

/**
 * Everything a command needs to talk to the cluster: kubeconfig, context, namespace and an
 * impersonating transport. Reads files but sends nothing.
 * @throws UsageError for contradictory or malformed flags, CliError for an unusable kubeconfig.
 */
export function connect(flags: KubeFlags, env: Readonly<Record<string, string | undefined>>): KubeTarget {
  if (flags.allNamespaces === true && flags.namespace !== undefined) {
    throw new UsageError("--namespace and --all-namespaces cannot be used together");
  }
  if (flags.asGroup !== undefined && flags.as === undefined) throw new UsageError("--as-group needs --as");
  const requestTimeoutMs = parseTimeout(flags.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT);
  const files = kubeconfigFiles(flags, env);
  const kubeConfig = loadKubeConfigFiles(files);
  if (flags.context !== undefined) {
    if (!kubeConfig.getContextObject(flags.context)) {
      const known = kubeConfig.getContexts().map((c) => c.name);
      throw new UsageError(`--context: no context named ${JSON.stringify(flags.context)} in ${files.join(", ")} (known: ${known.join(", ") || "none"})`);
    }
    kubeConfig.setCurrentContext(flags.context);
  }
  const contextName = kubeConfig.getCurrentContext();
  const context = contextName ? kubeConfig.getContextObject(contextName) : null;
  if (!context) {
    throw new CliError(`the kubeconfig (${files.join(", ")}) has no current context: pass --context NAME`);
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new CliError(`context "${contextName}" names cluster "${context.cluster}", which the kubeconfig does not define`);
  const namespace = flags.namespace ?? (context.namespace || "default");
  const impersonate = flags.as === undefined ? undefined : { user: flags.as, ...(flags.asGroup ? { groups: flags.asGroup } : {}) };
  return {
    kubeConfig,
    transport: new Transport(kubeConfig, { requestTimeoutMs, maxRetriesOn429: 2, ...(impersonate ? { impersonate } : {}) }),
    server: cluster.server,
    contextName,
    userName: flags.as ?? context.user,
    namespace,
    listNamespace: flags.allNamespaces === true ? undefined : namespace,
  };
}

function parseTimeout(value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms < 0) throw new DurationError(value, "negative");
    // kubectl: 0 means no timeout; a day stands in for "never" in a one-shot command.
    return ms === 0 ? 86_400_000 : ms;
  } catch (err) {
    if (err instanceof DurationError) throw new UsageError(`invalid value ${JSON.stringify(value)} for --request-timeout: expected a Go duration such as 30s`);
    throw err;
  }
}

/** `--operator-namespace`: where control flags live (same env fallback as `helios operator`). */
export function operatorNamespaceOption(env: Readonly<Record<string, string | undefined>>): Option {
  return new Option("--operator-namespace <namespace>", "namespace the operator reads control flags from")
    .default(env["HELIOS_OPERATOR_NAMESPACE"] || DEFAULT_OPERATOR_NAMESPACE);
}
