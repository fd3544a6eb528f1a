// The operator's configuration: flags of DESIGN.md section 6 with HELIOS_* env fallbacks, validated by zod.
import { z } from "zod";
import { LOG_LEVELS } from "../log/index.js";
import type { LogLevel } from "../log/index.js";
import { bindAddressSchema, listenersClash } from "../serving/index.js";
import { DURATION_PATTERN, formatDuration, parseDuration, POSITIVE_DURATION_PATTERN } from "./duration.js";

/** The validated operator configuration; durations are milliseconds. */
export interface OperatorConfig {
  readonly kubeconfig?: string | undefined;
  /** A kubeconfig context other than the current one. */
  readonly context?: string | undefined;
  /** Namespaces to watch; empty means all. */
  readonly namespaces: readonly string[];
  /** Where the leader Lease and the control FeatureFlags live. */
  readonly operatorNamespace: string;
  readonly leaderElect: boolean;
  readonly leaderElectionId: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  /** `host:port`, `:port` (all interfaces) or "0" (disabled). */
  readonly metricsBindAddress: string;
  /** /metrics over HTTPS (self-signed) with TokenReview authentication and SubjectAccessReview authorization. */
  readonly metricsSecure: boolean;
  readonly healthProbeBindAddress: string;
  readonly gracefulShutdownTimeoutMs: number;
  readonly logLevel: LogLevel;
  readonly agentStaleTimeoutMs: number;
  /** The circuit breaker: failed attempts in a row that quarantine an agent. */
  readonly agentFailureThreshold: number;
  /** A first quarantine's cool-down; each repeat doubles it up to `agentMaxQuarantineMs`. */
  readonly agentQuarantineMs: number;
  readonly agentMaxQuarantineMs: number;
  /** A trip this soon after the last cool-down ended counts as a repeat. */
  readonly agentOffenceWindowMs: number;
  /** An out-of-pod agent Offline this long is deleted; 0 = never. */
  readonly agentGcAfterMs: number;
  readonly jobAckTimeoutMs: number;
  readonly jobStuckThresholdMs: number;
  readonly maxQueueTimeMs: number;
  /** A finished Job without `spec.ttlSecondsAfterFinished` is deleted this long after it finished; 0 keeps it. */
  readonly finishedJobTtlMs: number;
  readonly auditRetentionMs: number;
  readonly auditRetentionIntervalMs: number;
  readonly auditRetentionBatch: number;
  readonly auditDryRun: boolean;
}

/** How a flag is given on the command line (its value is checked by the config schema). */
export type FlagKind = "value" | "strings" | "bool";

/** One operator flag: its CLI name, env fallback, default and what it accepts. */
export interface FlagSpec {
  readonly key: keyof OperatorConfig;
  /** Without the leading dashes, e.g. "agent-stale-timeout". */
  readonly flag: string;
  readonly env: string;
  readonly kind: FlagKind;
  readonly default?: string;
  readonly description: string;
}

/** The env variable a Helios flag falls back to: `HELIOS_` and the flag's name ("log-level" → HELIOS_LOG_LEVEL). */
export function flagEnv(name: string): string {
  return `HELIOS_${name.toUpperCase().replaceAll("-", "_")}`;
}

const flag = (key: keyof OperatorConfig, name: string, kind: FlagKind, description: string, dflt?: string): FlagSpec => ({
  key,
  flag: name,
  env: flagEnv(name),
  kind,
  description,
  ...(dflt === undefined ? {} : { default: dflt }),
});

/** Every operator flag, in help order. Names follow controller-runtime / kube-controller-manager. */
export const OPERATOR_FLAGS: readonly FlagSpec[] = [
  flag("kubeconfig", "kubeconfig", "value", "path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config or in-cluster)"),
  flag("context", "context", "value", "kubeconfig context to use (default: the current context)"),
  flag("namespaces", "namespace", "strings", "namespace to watch; repeat or comma-separate (default: all)"),
  flag("operatorNamespace", "operator-namespace", "value", "namespace of the leader Lease and control flags", "helios-system"),
  flag("leaderElect", "leader-elect", "bool", "elect a leader so only one replica runs controllers", "false"),
  flag("leaderElectionId", "leader-election-id", "value", "name of the leader election Lease", "helios-operator-leader"),
  flag("leaseDurationMs", "leader-elect-lease-duration", "value", "how long standbys wait before taking an unrenewed lease", "15s"),
  flag("renewDeadlineMs", "leader-elect-renew-deadline", "value", "how long the leader retries renewing before it steps down", "10s"),
  flag("retryPeriodMs", "leader-elect-retry-period", "value", "interval between acquire and renew attempts", "2s"),
  flag("metricsBindAddress", "metrics-bind-address", "value", 'address of /metrics; "0" disables', ":8080"),
  flag("metricsSecure", "metrics-secure", "bool", "serve /metrics over HTTPS (self-signed) to scrapers whose bearer token passes a TokenReview and whose user may get /metrics (SubjectAccessReview)", "false"),
  flag("healthProbeBindAddress", "health-probe-bind-address", "value", 'address of /healthz and /readyz, never the metrics one; "0" disables', ":8081"),
  flag("gracefulShutdownTimeoutMs", "graceful-shutdown-timeout", "value", "bound on draining work at shutdown", "30s"),
  flag("logLevel", "log-level", "value", `log level: ${LOG_LEVELS.join(", ")}`, "info"),
  flag("agentStaleTimeoutMs", "agent-stale-timeout", "value", "an agent whose lease has not advanced this long is Offline (never less than its lease duration + max(duration/4, 1s))", "90s"),
  flag("agentFailureThreshold", "agent-failure-threshold", "value", "failed attempts in a row that quarantine an agent (circuit breaker)", "5"),
  flag("agentQuarantineMs", "agent-quarantine", "value", "cool-down of an agent's first quarantine; each repeat doubles it", "1m"),
  flag("agentMaxQuarantineMs", "agent-max-quarantine", "value", "upper bound of the doubled quarantine cool-down", "1h"),
  flag("agentOffenceWindowMs", "agent-offence-window", "value", "a trip this soon after a quarantine ended counts as a repeat", "1h"),
  flag("agentGcAfterMs", "agent-gc-after", "value", "an agent not in a pod that is Offline this long is deleted (its Lease with it); 0 = never", "24h"),
  flag("jobAckTimeoutMs", "job-ack-timeout", "value", "an Assigned job not started this long is requeued", "2m"),
  flag("jobStuckThresholdMs", "job-stuck-threshold", "value", "a Running job without progress this long is requeued", "30m"),
  flag("maxQueueTimeMs", "max-queue-time", "value", "a Pending job never started this long Expires (unless the job says)", "1h"),
  flag("finishedJobTtlMs", "finished-job-ttl", "value", "a finished Job without ttlSecondsAfterFinished is deleted this long after it finished; 0 keeps it forever", "168h"),
  flag("auditRetentionMs", "audit-retention", "value", "audit chunks older than this are deleted", "8760h"),
  flag("auditRetentionIntervalMs", "audit-retention-interval", "value", "how often audit retention runs", "24h"),
  flag("auditRetentionBatch", "audit-retention-batch", "value", "audit chunks deleted per batch", "1000"),
  flag("auditDryRun", "audit-dry-run", "bool", "report what audit retention would delete, delete nothing", "false"),
];

/** One rejected flag value, named the way the user typed it. */
export interface ConfigIssue {
  /** e.g. "--agent-stale-timeout". */
  readonly flag: string;
  /** Where the bad value came from: the flag itself, its env variable, or the default. */
  readonly source: string;
  readonly value: string;
  /** What the flag accepts. */
  readonly message: string;
}

/** The configuration could not be built; every bad flag is listed. */
export class ConfigError extends Error {
  readonly code = "InvalidConfig" as const;
  readonly retryable = false as const;

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.map((i) => `invalid value ${JSON.stringify(i.value)} for ${i.flag}${i.source}: ${i.message}`).join("\n"));
    this.name = "ConfigError";
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const BOOL = new Map([
  ["true", true],
  ["1", true],
  ["t", true],
  ["false", false],
  ["0", false],
  ["f", false],
]);

/**
 * A Go duration in milliseconds; positive, or also 0 where `allowZero` (the flag's "never"). Its JSON
 * Schema (the chart's values.schema.json) carries the unsigned pattern of the same set.
 */
export function durationSchema(options: { allowZero?: boolean } = {}) {
  const pattern = options.allowZero === true ? DURATION_PATTERN : POSITIVE_DURATION_PATTERN;
  return z.string().meta({ pattern }).transform((s, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(s);
    } catch {
      ctx.addIssue({ code: "custom", message: "expected a Go duration such as 90s, 2m, 1h30m or 300ms" });
      return z.NEVER;
    }
    if (ms < 0 || (ms === 0 && options.allowZero !== true)) {
      ctx.addIssue({ code: "custom", message: options.allowZero === true ? "expected 0 or a positive duration" : "expected a positive duration" });
      return z.NEVER;
    }
    return ms;
  });
}

const namespaces = z
  .array(z.string())
  .transform((list) => list.flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== ""))
  .pipe(z.array(z.string().regex(DNS_LABEL, { message: "expected namespace names (DNS-1123 labels)" })));
const bool = z
  .string()
  .transform((s) => BOOL.get(s.toLowerCase()))
  .pipe(z.boolean({ message: "expected true or false" }));
const int = z
  .string()
  .regex(/^\d+$/, { message: "expected a positive integer" })
  .transform(Number)
  .pipe(z.number().int().positive({ message: "expected a positive integer" }));
const dnsLabel = z.string().regex(DNS_LABEL, { message: "expected a DNS-1123 label (lowercase letters, digits, '-')" });
const level = z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(", ")}` });

/** The breaker's doubling starts at its first cool-down and stops at its bound, so the bound may not be shorter. */
export function quarantineBoundHolds(quarantineMs: number, maxQuarantineMs: number): boolean {
  return maxQuarantineMs >= quarantineMs;
}

// Inputs are the raw strings (string lists for --namespace) after env and default fallback.
const configShape = {
    kubeconfig: z.string().min(1, { message: "expected a path" }).optional(),
    context: z.string().min(1, { message: "expected a context name" }).optional(),
    namespaces,
    operatorNamespace: dnsLabel,
    leaderElect: bool,
    leaderElectionId: dnsLabel,
    leaseDurationMs: durationSchema(),
    renewDeadlineMs: durationSchema(),
    retryPeriodMs: durationSchema(),
    metricsBindAddress: bindAddressSchema,
    metricsSecure: bool,
    healthProbeBindAddress: bindAddressSchema,
    gracefulShutdownTimeoutMs: durationSchema(),
    logLevel: level,
    agentStaleTimeoutMs: durationSchema(),
    agentFailureThreshold: int,
    agentQuarantineMs: durationSchema(),
    agentMaxQuarantineMs: durationSchema(),
    agentOffenceWindowMs: durationSchema(),
    agentGcAfterMs: durationSchema({ allowZero: true }),
    jobAckTimeoutMs: durationSchema(),
    jobStuckThresholdMs: durationSchema(),
    maxQueueTimeMs: durationSchema(),
    finishedJobTtlMs: durationSchema({ allowZero: true }),
    auditRetentionMs: durationSchema(),
    auditRetentionIntervalMs: durationSchema(),
    auditRetentionBatch: int,
    auditDryRun: bool,
};

/** Each flag's schema by config key: what one flag's raw string must be (the chart's values reuse them). */
export const OPERATOR_FLAG_SCHEMAS = configShape;

const configSchema = z
  .object(configShape)
  // client-go's constraints: lease > renew deadline > retry period x jitter factor (1.2); the
  // breaker's doubling starts at its first cool-down and stops at its bound; the two endpoints need
  // two listeners.
  .superRefine((c, ctx) => {
    if (!(c.leaseDurationMs > c.renewDeadlineMs)) {
      ctx.addIssue({
        code: "custom",
        path: ["renewDeadlineMs"],
        message: `must be shorter than --leader-elect-lease-duration (${formatDuration(c.leaseDurationMs)})`,
      });
    }
    if (!(c.renewDeadlineMs > c.retryPeriodMs * 1.2)) {
      ctx.addIssue({
        code: "custom",
        path: ["retryPeriodMs"],
        message: `must be under --leader-elect-renew-deadline / 1.2 (${formatDuration(c.renewDeadlineMs / 1.2)})`,
      });
    }
    if (!quarantineBoundHolds(c.agentQuarantineMs, c.agentMaxQuarantineMs)) {
      ctx.addIssue({
        code: "custom",
        path: ["agentMaxQuarantineMs"],
        message: `must not be shorter than --agent-quarantine (${formatDuration(c.agentQuarantineMs)})`,
      });
    }
    if (listenersClash(c.metricsBindAddress, c.healthProbeBindAddress)) {
      ctx.addIssue({
        code: "custom",
        path: ["healthProbeBindAddress"],
        message: `must not listen where --metrics-bind-address (${c.metricsBindAddress}) does`,
      });
    }
  });

/** Values as commander parsed them: strings, string lists, or `true` for a bare boolean flag. */
export type RawFlags = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

/** Converts a flag name to commander's camelCase attribute name ("log-level" → "logLevel"). */
export function flagAttribute(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Builds the configuration from parsed flags, falling back to `HELIOS_*` env variables, then to
 * defaults. Throws {@link ConfigError} naming every flag whose value is not accepted.
 */
export function resolveOperatorConfig(flags: RawFlags, env: Readonly<Record<string, string | undefined>>): OperatorConfig {
  const input: Record<string, string | readonly string[]> = {};
  const origin = new Map<string, { source: string; value: string }>();
  for (const spec of OPERATOR_FLAGS) {
    const given = flags[flagAttribute(spec.flag)];
    const fromEnv = env[spec.env];
    let raw: string | readonly string[] | undefined;
    let source = "";
    if (given !== undefined) {
      raw = typeof given === "boolean" ? String(given) : given;
    } else if (fromEnv !== undefined && fromEnv !== "") {
      raw = fromEnv;
      source = ` (from ${spec.env})`;
    } else {
      raw = spec.default;
      source = " (default)";
    }
    if (spec.kind === "strings") raw = typeof raw === "string" ? [raw] : (raw ?? []);
    if (raw === undefined) continue;
    input[spec.key] = raw;
    origin.set(spec.key, { source, value: typeof raw === "string" ? raw : raw.join(",") });
  }
  const parsed = configSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "");
      const spec = OPERATOR_FLAGS.find((f) => f.key === key);
      const at = origin.get(key) ?? { source: "", value: "" };
      return { flag: `--${spec?.flag ?? key}`, source: at.source, value: at.value, message: issue.message };
    }),
  );
}
