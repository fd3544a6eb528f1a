// `helios agent`: runs an agent with the built-in handlers (echo, sleep, fail, and opt-in exec).
import type { Command } from "commander";
import { z } from "zod";
import type { Server } from "node:http";
import { builtinHandlers, createAgent, type AgentStats, type HeliosAgent } from "../../agent/index.js";
import { DEFAULT_OPERATOR_NAMESPACE, LIMITS, type AgentPod } from "../../api/index.js";
import { watchControlFlags } from "../../flags/index.js";
import { Transport } from "../../runtime/client/index.js";
import { loadCommandAccess } from "../access.js";
import { flagAttribute, flagEnv, parseDuration } from "../../runtime/config/index.js";
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from "../../runtime/log/index.js";
import {
  bindAddressSchema,
  closeServer,
  parseBindAddress,
  serveMetrics,
  serveProbes,
  shutdownSignal,
  type BindAddress,
  type Check,
} from "../../runtime/serving/index.js";
import { CliExit, UsageError } from "../command.js";
import type { CliCommand, CliContext } from "../command.js";

/** The validated flags of `helios agent`; durations in milliseconds. */
export interface AgentCliConfig {
  readonly name: string;
  readonly namespace: string;
  readonly capabilities: readonly string[];
  readonly queues: readonly string[];
  readonly maxConcurrency: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly allowExec: readonly string[];
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly leaseDurationSeconds: number;
  readonly ackDelayMs: number;
  readonly progressIntervalMs: number;
  readonly drainGraceMs: number;
  readonly logLevel: LogLevel;
  readonly operatorNamespace: string;
  /** Where /metrics is served; undefined when disabled ("0"). */
  readonly metricsBindAddress: BindAddress | undefined;
  /** Where /healthz and /readyz are served; undefined when disabled ("0"). */
  readonly healthProbeBindAddress: BindAddress | undefined;
}

export interface AgentFlagInfo {
  readonly flag: string;
  readonly arg: string;
  readonly help: string;
  readonly default?: string;
  /** Falls back to its HELIOS_<FLAG> env variable (flagEnv), as the operator's flags do. */
  readonly env?: true;
}

/** Every `helios agent` flag by config key, in help order. */
export const AGENT_FLAGS: Readonly<Record<keyof AgentCliConfig, AgentFlagInfo>> = {
  name: { flag: "name", arg: "<name>", help: "agent name (DNS label); also its Lease's name" },
  namespace: { flag: "namespace", arg: "<ns>", help: "namespace (tenant) the agent serves", default: "default" },
  capabilities: { flag: "capabilities", arg: "<a,b>", help: "capabilities offered, comma-separated", default: "" },
  queues: { flag: "queues", arg: "<q1,q2>", help: "queues to take jobs from, comma-separated", default: "default" },
  maxConcurrency: { flag: "max-concurrency", arg: "<n>", help: `jobs run at once (1 to ${LIMITS.agentMaxConcurrency})`, default: "1" },
  labels: { flag: "labels", arg: "<k=v,...>", help: "labels of the Agent (matched by job agentSelectors)", default: "" },
  allowExec: { flag: "allow-exec", arg: "<cmd,...>", help: "commands the exec handler may run (exec is off without it)", default: "" },
  kubeconfig: { flag: "kubeconfig", arg: "<path>", help: "path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config or in-cluster)" },
  context: { flag: "context", arg: "<name>", help: "kubeconfig context to use (default: the current context)" },
  leaseDurationSeconds: { flag: "lease-duration", arg: "<duration>", help: "Lease duration; renewed every quarter of it", default: "40s" },
  ackDelayMs: { flag: "ack-delay", arg: "<duration>", help: "a job still running after this is marked Running", default: "1s" },
  progressIntervalMs: { flag: "progress-interval", arg: "<duration>", help: "at most one progress write per job per interval", default: "2s" },
  drainGraceMs: { flag: "drain-grace", arg: "<duration>", help: "on SIGTERM, how long running jobs may finish before they are handed back", default: "30s" },
  logLevel: { flag: "log-level", arg: "<level>", help: `log level: ${LOG_LEVELS.join(", ")}; env HELIOS_LOG_LEVEL`, default: "info", env: true },
  metricsBindAddress: { flag: "metrics-bind-address", arg: "<address>", help: 'address of /metrics (process and helios_agent_* metrics); "0" disables', default: "0" },
  healthProbeBindAddress: {
    flag: "health-probe-bind-address",
    arg: "<address>",
    help: 'address of /healthz and /readyz (ready: Lease held and Job watch synced); "0" disables',
    default: "0",
  },
  operatorNamespace: {
    flag: "operator-namespace",
    arg: "<ns>",
    help: "namespace of the control flags the agent obeys (kill switch, concurrency cap); env HELIOS_OPERATOR_NAMESPACE",
    default: DEFAULT_OPERATOR_NAMESPACE,
    env: true,
  },
};

/** After this long without the control flags the agent warns (it runs with neutral ones until they arrive). */
const FLAGS_SYNC_TIMEOUT_MS = 5_000;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CAPABILITY = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

const list = (s: string): string[] => s.split(",").map((x) => x.trim()).filter((x) => x !== "");
const duration = (min: number) =>
  z.string().transform((s, ctx) => {
    try {
      const ms = parseDuration(s);
      if (ms >= min) return ms;
      ctx.addIssue({ code: "custom", message: `expected at least ${min} ms` });
    } catch {
      ctx.addIssue({ code: "custom", message: "expected a Go duration such as 500ms, 30s or 2m" });
    }
    return z.NEVER;
  });

const schema = z.object({
  name: z.string({ message: "is required" }).max(63).regex(DNS_LABEL, { message: "expected a DNS-1123 label (lowercase letters, digits, '-')" }),
  namespace: z.string().max(63).regex(DNS_LABEL, { message: "expected a namespace name" }),
  capabilities: z.string().transform(list).pipe(z.array(z.string().max(63).regex(CAPABILITY, { message: "expected capabilities such as gpu,region.eu" })).max(LIMITS.capabilities)),
  queues: z.string().transform(list).pipe(z.array(z.string().max(63).regex(DNS_LABEL, { message: "expected queue names (DNS labels)" })).min(1, { message: "expected at least one queue" }).max(LIMITS.queues)),
  maxConcurrency: z
    .string()
    .regex(/^\d+$/, { message: `expected an integer from 1 to ${LIMITS.agentMaxConcurrency}` })
    .transform(Number)
    .pipe(z.number().int().min(1, { message: "expected at least 1" }).max(LIMITS.agentMaxConcurrency, { message: `expected at most ${LIMITS.agentMaxConcurrency}` })),
  labels: z.string().transform((s, ctx) => {
    const labels: Record<string, string> = {};
    for (const pair of list(s)) {
      const eq = pair.indexOf("=");
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? "" : pair.slice(eq + 1);
      if (eq < 0 || !LABEL_KEY.test(key) || !LABEL_VALUE.test(value)) {
        ctx.addIssue({ code: "custom", message: `expected key=value label pairs, got "${pair}"` });
        return z.NEVER;
      }
      labels[key] = value;
    }
    return labels;
  }),
  allowExec: z.string().transform(list),
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1, { message: "expected a context name" }).optional(),
  leaseDurationSeconds: duration(1000).transform((ms) => Math.ceil(ms / 1000)),
  ackDelayMs: duration(0),
  progressIntervalMs: duration(0),
  drainGraceMs: duration(0),
  logLevel: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(", ")}` }),
  operatorNamespace: z.string().max(63).regex(DNS_LABEL, { message: "expected a namespace name" }),
  metricsBindAddress: bindAddressSchema.transform(parseBindAddress),
  healthProbeBindAddress: bindAddressSchema.transform(parseBindAddress),
});

/**
 * Validates commander's raw values (keyed by camelCased flag name), falling back to the HELIOS_* env
 * variable of the flags that have one, then to defaults; throws UsageError naming every bad flag.
 */
export function parseAgentFlags(raw: Readonly<Record<string, unknown>>, env: Readonly<Record<string, string | undefined>> = process.env): AgentCliConfig {
  const input: Record<string, unknown> = {};
  for (const [key, info] of Object.entries(AGENT_FLAGS)) {
    const fromEnv = info.env === true ? env[flagEnv(info.flag)] || undefined : undefined;
    input[key] = raw[flagAttribute(info.flag)] ?? fromEnv ?? info.default;
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new UsageError(
    parsed.error.issues
      .map((issue) => {
        const key = String(issue.path[0] ?? "") as keyof AgentCliConfig;
        const value = input[key];
        return value === undefined ? `--${AGENT_FLAGS[key].flag} is required` : `invalid value ${JSON.stringify(value)} for --${AGENT_FLAGS[key].flag}: ${issue.message}`;
      })
      .join("\n"),
  );
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The Pod the agent runs in, from the downward API: `POD_NAME` and `POD_UID` (fieldRef metadata.name
 * and metadata.uid), both or neither; undefined out of a pod. `POD_NAMESPACE`, when set, must be the
 * agent's namespace: a Pod cannot own an object in another namespace (the garbage collector would
 * take the owner for missing and delete the Agent at once). Throws UsageError naming what is wrong.
 */
export function podFromEnv(env: Readonly<Record<string, string | undefined>>, namespace: string): AgentPod | undefined {
  const name = env["POD_NAME"] || undefined;
  const uid = env["POD_UID"] || undefined;
  if (name === undefined && uid === undefined) return undefined;
  if (name === undefined || uid === undefined) {
    const [set, unset] = name === undefined ? ["POD_UID", "POD_NAME"] : ["POD_NAME", "POD_UID"];
    throw new UsageError(
      `${set} is set but ${unset} is not: set both from the downward API (fieldRef metadata.name and metadata.uid) so the Agent is owned by its Pod and removed with it, or set neither`,
    );
  }
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) throw new UsageError(`invalid value ${JSON.stringify(name)} for POD_NAME: expected a Pod name`);
  const podNamespace = env["POD_NAMESPACE"] || undefined;
  if (podNamespace !== undefined && podNamespace !== namespace) {
    throw new UsageError(
      `the pod is in namespace ${podNamespace} (POD_NAMESPACE) but the agent serves --namespace ${namespace}: a Pod can own only an Agent of its own namespace, so run the agent in a pod of ${namespace}, or unset POD_NAME and POD_UID`,
    );
  }
  return { name, uid };
}

async function runAgent(raw: Readonly<Record<string, unknown>>, ctx: CliContext): Promise<void> {
  const config = parseAgentFlags(raw, ctx.env);
  const pod = podFromEnv(ctx.env, config.namespace);
  const log = createLogger({ level: config.logLevel, base: { component: "agent" } });
  const loaded = await loadCommandAccess(config, ctx.env);
  const kubeConfig = loaded.access;
  if (loaded.reason !== undefined) log.info({ kubeconfig: loaded.source, kubeconfigLoader: loaded.loader, kubeconfigLoaderReason: loaded.reason }, "kubeconfig needs @kubernetes/client-node");
  const shutdown = shutdownSignal(log);
  const controlFlags = watchControlFlags(new Transport(kubeConfig), { operatorNamespace: config.operatorNamespace, log });
  const flagsDone = controlFlags.informer.start(shutdown);
  // Registration does not wait for the flags: the dispatcher already withholds killed or capped work,
  // and the agent's own check (a second line) applies as soon as the flags arrive.
  void controlFlags.informer.waitForSync(AbortSignal.any([shutdown, AbortSignal.timeout(FLAGS_SYNC_TIMEOUT_MS)])).then((synced) => {
    if (!synced && !shutdown.aborted) log.warn({ operatorNamespace: config.operatorNamespace }, "control flags not readable yet; neutral until they are");
  });
  const agent = createAgent({
    name: config.name,
    namespace: config.namespace,
    capabilities: config.capabilities,
    queues: config.queues,
    maxConcurrency: config.maxConcurrency,
    labels: config.labels,
    handlers: builtinHandlers({ allowExec: config.allowExec }),
    kubeConfig,
    leaseDurationSeconds: config.leaseDurationSeconds,
    ackDelayMs: config.ackDelayMs,
    progressIntervalMs: config.progressIntervalMs,
    flags: controlFlags.flags,
    log,
    ...(pod === undefined ? {} : { pod }),
  });
  // Endpoints first: an agent that cannot serve them stops before it takes a Lease or any work.
  const servers: Server[] = [];
  try {
    if (config.metricsBindAddress !== undefined) servers.push(await serveAgentMetrics(config.metricsBindAddress, () => agent.stats, log));
    if (config.healthProbeBindAddress !== undefined) servers.push(await serveAgentProbes(config.healthProbeBindAddress, agent, log));
    await agent.start();
  } catch (err) {
    log.error({ err }, "agent could not start");
    ctx.stderr(`agent ${config.name}: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    throw new CliExit(1);
  }
  // SIGTERM/SIGINT: finish what runs within the grace period, hand the rest back, release the Lease.
  if (!shutdown.aborted) await new Promise<void>((resolve) => shutdown.addEventListener("abort", () => resolve(), { once: true }));
  await agent.drain(config.drainGraceMs);
  await Promise.all(servers.map(closeServer));
  await flagsDone;
}

// prom-client is loaded only when metrics are on: an agent without them does not pay its memory.
async function serveAgentMetrics(at: BindAddress, stats: () => AgentStats, log: Logger): Promise<Server> {
  const { createRegistry } = await import("../../runtime/metrics/index.js");
  // agent/metrics is the agent's second face (packages/agent exports it as ./metrics), loaded lazily.
  const { registerAgentMetrics } = await import("../../agent/metrics.js");
  const registry = createRegistry();
  registerAgentMetrics(registry, stats);
  const { server, address } = await serveMetrics(registry, at);
  log.info({ address: `${address.address}:${address.port}` }, "serving metrics");
  return server;
}

/** /healthz: the process answers. /readyz: the agent holds its Lease and its Job watch has synced. */
export function agentProbeChecks(agent: Pick<HeliosAgent, "readiness">): { healthz: readonly Check[]; readyz: readonly Check[] } {
  return {
    healthz: [{ name: "ping", check: () => true }],
    readyz: [
      { name: "lease", check: () => agent.readiness.leaseHeld },
      { name: "jobs-watch", check: () => agent.readiness.jobsSynced },
    ],
  };
}

async function serveAgentProbes(at: BindAddress, agent: HeliosAgent, log: Logger): Promise<Server> {
  const checks = agentProbeChecks(agent);
  const { server, address } = await serveProbes(at, () => checks.healthz, () => checks.readyz);
  log.info({ address: `${address.address}:${address.port}` }, "serving health probes");
  return server;
}

export const command: CliCommand = {
  register(program: Command, ctx: CliContext) {
    const cmd = program.command("agent").description("run a Helios agent with the built-in handlers (echo, sleep, fail, exec)");
    for (const info of Object.values(AGENT_FLAGS)) {
      cmd.option(`--${info.flag} ${info.arg}`, `${info.help}${info.default === undefined || info.default === "" ? "" : ` (default: ${info.default})`}`);
    }
    cmd.action((raw: Record<string, unknown>) => runAgent(raw, ctx));
  },
};
