// The Helm chart's values (charts/helios/values.yaml) as a zod schema: the source of values.schema.json.
// Every value a binary reads is checked with the binary's own schema piece, so `helm install` refuses
// what `helios operator` or `helios agent` would refuse at start-up.
import { z } from "zod";
import { capabilitySchema, dnsLabelSchema, labelKeySchema, labelValueSchema, LIMITS } from "../api/index.js";
import { durationSchema, OPERATOR_FLAG_SCHEMAS, OPERATOR_FLAGS, POSITIVE_DURATION_PATTERN, quarantineBoundHolds } from "../runtime/config/index.js";
import type { OperatorConfig } from "../runtime/config/index.js";
import { listenersClash } from "../runtime/serving/index.js";

/** A DNS-1123 subdomain (Secret, ServiceAccount and PriorityClass names). */
const DNS_SUBDOMAIN_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/** A Kubernetes resource quantity (resource.Quantity): 500m, 128Mi, 1.5Gi, 1e3. */
export const QUANTITY_PATTERN = "^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$";
/** An image repository: an optional registry host (with port), then lowercase path components; no tag. */
const PATH_COMPONENT = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*";
const REPOSITORY_PATTERN = `^([A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*(:[0-9]+)?/)?${PATH_COMPONENT}(/${PATH_COMPONENT})*$`;
/** An image tag (a digest goes in image.digest). */
const TAG_PATTERN = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";
/** An OCI content digest: algorithm:hex. */
const DIGEST_PATTERN = "^[a-z0-9]+([+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$";
const PROMETHEUS_DURATION_PATTERN = "^([0-9]+(ms|s|m|h|d|w|y))+$";

/** One extra operator argument: a flag the operator has, with a value (or none, for a boolean flag). */
const flagNames = (bool: boolean) => OPERATOR_FLAGS.filter((f) => (f.kind === "bool") === bool).map((f) => f.flag).join("|");
const EXTRA_ARG_PATTERN = `^--((${flagNames(false)})=.*|(${flagNames(true)})(=.*)?)$`;

const optionalEmpty = <T extends z.ZodType>(schema: T) => z.union([z.literal(""), schema]);
const pattern = (p: string, description: string) => z.string().regex(new RegExp(p)).meta({ description });

/** A list without repeats (JSON Schema uniqueItems). */
function uniqueList<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .refine((list) => new Set(list.map((x) => JSON.stringify(x))).size === list.length, { message: "expected no repeated items" })
    .meta({ uniqueItems: true });
}

/** How an operator flag describes itself, for the value that feeds it. */
function flagDescription(key: keyof OperatorConfig): string {
  const spec = OPERATOR_FLAGS.find((f) => f.key === key);
  return `${spec?.description ?? key} (--${spec?.flag ?? key})`;
}

type FlagSchemas = typeof OPERATOR_FLAG_SCHEMAS;
type DurationKey = { [K in keyof FlagSchemas]: FlagSchemas[K] extends ReturnType<typeof durationSchema> ? K : never }[keyof FlagSchemas];

/** An operator duration flag's own schema, described by the flag it feeds. */
function operatorDuration(key: DurationKey): ReturnType<typeof durationSchema> {
  return OPERATOR_FLAG_SCHEMAS[key].meta({ description: flagDescription(key) });
}

/** A duration flag where 0 means never: the YAML number 0 too. */
const zeroOrDuration = (key: "agentGcAfterMs" | "finishedJobTtlMs") => z.union([operatorDuration(key), z.literal(0)]);
const positiveInt = z.number().int().min(1);
const port = z.number().int().min(1).max(65535);
const stringMap = z.record(z.string(), z.string());
const labels = z.record(labelKeySchema, labelValueSchema);
const quantity = z.union([pattern(QUANTITY_PATTERN, "A Kubernetes quantity such as 500m, 128Mi or 1.5Gi"), z.number().min(0)]);
const resources = z
  .strictObject({
    requests: z.record(z.string(), quantity),
    limits: z.record(z.string(), quantity),
    claims: z.array(z.unknown()),
  })
  .partial()
  .meta({ description: "Container resources (requests/limits)" });
const serviceAccount = (whose: string) =>
  z
    .strictObject({
      create: z.boolean(),
      name: optionalEmpty(pattern(DNS_SUBDOMAIN_PATTERN, "A ServiceAccount name").max(253)),
      annotations: stringMap,
    })
    .partial()
    .meta({ description: `The ${whose} ServiceAccount` });
const envVars = z
  .array(z.looseObject({ name: z.string().min(1) }))
  .meta({ description: "Extra environment variables (Kubernetes EnvVar objects)" });
const spreadConstraints = (whose: string) =>
  z
    .array(z.looseObject({ maxSkew: z.number().int().min(1), topologyKey: z.string().min(1), whenUnsatisfiable: z.enum(["DoNotSchedule", "ScheduleAnyway"]) }))
    .meta({ description: `${whose} pod topologySpreadConstraints` });
const uid = z.number().int().min(0).nullable();
const networkPeer = z
  .strictObject({
    podSelector: z.record(z.string(), z.unknown()),
    namespaceSelector: z.record(z.string(), z.unknown()),
    ipBlock: z.looseObject({ cidr: z.string() }),
  })
  .partial()
  .refine((peer) => Object.keys(peer).length > 0, { message: "a peer names a podSelector, a namespaceSelector or an ipBlock" })
  .meta({ minProperties: 1 });
const intOrPercent = z.union([z.number().int().min(0), pattern("^[0-9]+%$", "A percentage")]);
const heapPercent = (limit: string) =>
  z.number().int().min(0).max(90).meta({ description: `V8 heap cap (--max-old-space-size) as a percentage of ${limit}; 0 leaves V8's default` });
const podPlacement = {
  podAnnotations: stringMap,
  podLabels: labels,
  nodeSelector: labels,
  tolerations: z.array(z.unknown()).meta({ description: "Pod tolerations" }),
  affinity: z.record(z.string(), z.unknown()).meta({ description: "Pod affinity" }),
};

const agents = z
  .strictObject({
    enabled: z.boolean(),
    namespace: optionalEmpty(dnsLabelSchema).meta({
      description: "Namespace the agents serve (required with enabled, never the release namespace); empty means no agent identity",
    }),
    replicas: z.number().int().min(0),
    capabilities: uniqueList(capabilitySchema).max(LIMITS.capabilities).meta({ description: "Capabilities the agents advertise (--capabilities)" }),
    queues: uniqueList(dnsLabelSchema).min(1).max(LIMITS.queues).meta({ description: "Queues the agents serve (--queues)" }),
    maxConcurrency: z.number().int().min(1).max(LIMITS.agentMaxConcurrency).meta({ description: "Jobs one agent runs at once (--max-concurrency)" }),
    allowExec: uniqueList(pattern("^[^,]+$", "A command")).meta({ description: "Commands the exec handler may run; empty keeps exec off (--allow-exec)" }),
    metricsPort: port.meta({ description: "Port of each agent's /metrics" }),
    healthPort: port.meta({ description: "Port of each agent's /healthz and /readyz (probes)" }),
    logLevel: optionalEmpty(OPERATOR_FLAG_SCHEMAS.logLevel).meta({ description: "Agents' log level; empty means logLevel" }),
    heapPercentOfMemoryLimit: heapPercent("agents.resources.limits.memory"),
    imagePullSecrets: uniqueList(pattern(DNS_SUBDOMAIN_PATTERN, "A Secret name")).meta({
      description: "Names of image pull Secrets in agents.namespace; empty means imagePullSecrets (which must then exist there too)",
    }),
    podDisruptionBudget: z
      .strictObject({ enabled: z.boolean(), maxUnavailable: intOrPercent, minAvailable: z.union([intOrPercent, z.literal("")]).meta({ description: "When set, replaces maxUnavailable" }) })
      .partial()
      .meta({ description: "PDB of the agent pool (unhealthyPodEvictionPolicy AlwaysAllow)" }),
    resources,
    ...podPlacement,
    affinity: z.record(z.string(), z.unknown()).meta({ description: "Pod affinity; empty means a soft anti-affinity over nodes" }),
    topologySpreadConstraints: spreadConstraints("Agent").meta({ description: "Agent pod topology spread constraints; one without labelSelector gets the agent pods' selector" }),
    priorityClassName: optionalEmpty(pattern(DNS_SUBDOMAIN_PATTERN, "A PriorityClass name").max(253)),
    extraArgs: z.array(pattern("^--", "An agent flag")).meta({ description: "Extra agent flags, each starting with --" }),
    extraEnv: envVars,
    serviceAccount: serviceAccount("agents'"),
  })
  .partial()
  .meta({ description: "Optional agent pool" });

const metrics = z
  .strictObject({
    secure: z.boolean().meta({
      description: "Serve /metrics over HTTPS to authenticated (TokenReview) and authorized (SubjectAccessReview, nonResourceURL /metrics get) scrapers only",
    }),
    readers: z
      .array(z.strictObject({ name: pattern(DNS_SUBDOMAIN_PATTERN, "A ServiceAccount name").max(253), namespace: dnsLabelSchema }))
      .meta({ description: "ServiceAccounts bound to the <fullname>-metrics-reader ClusterRole when secure" }),
    service: z.strictObject({ enabled: z.boolean(), type: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]), port }).partial(),
    serviceMonitor: z
      .strictObject({
        enabled: z.boolean(),
        interval: pattern(PROMETHEUS_DURATION_PATTERN, "Scrape interval (Prometheus duration, e.g. 30s, 10m)"),
        scrapeTimeout: pattern(PROMETHEUS_DURATION_PATTERN, "Scrape timeout (Prometheus duration, e.g. 30s, 10m)"),
        labels: stringMap,
      })
      .partial(),
    prometheusRule: z
      .strictObject({
        enabled: z.boolean(),
        labels: stringMap,
        queueAgeThresholdSeconds: positiveInt.meta({ description: "Alert when a queue's oldest Pending job is older than this" }),
        reconcileErrorRateThreshold: z.number().min(0).meta({ description: "Alert when reconcile errors per second exceed this" }),
        agentOfflineWindowSeconds: positiveInt.meta({ description: "Alert on Offline agents while the latest went Offline less than this many seconds ago" }),
        for: pattern(PROMETHEUS_DURATION_PATTERN, "How long a condition holds before an alert fires (Prometheus duration, e.g. 30s, 10m)"),
      })
      .partial(),
  })
  .partial()
  .meta({ description: "Metrics Service, ServiceMonitor and PrometheusRule" });

const flags = z
  .strictObject({
    ofrep: z
      .strictObject({
        enabled: z.boolean().meta({ description: "Run `helios flags serve`: FeatureFlags over OFREP for applications in any language (a Deployment, Service and RBAC)" }),
        replicas: z.number().int().min(1),
        port: port.meta({ description: "Port of the OFREP endpoint, /healthz and /readyz (--bind-address)" }),
        tls: z
          .strictObject({
            mode: z.enum(["none", "self-signed", "secret"]).meta({
              description: "none: plain HTTP; self-signed: a certificate made at start (--tls-self-signed); secret: tls.crt/tls.key of secretName (--tls-cert/--tls-key)",
            }),
            secretName: optionalEmpty(pattern(DNS_SUBDOMAIN_PATTERN, "A kubernetes.io/tls Secret in the release namespace").max(253)),
          })
          .partial(),
        service: z.strictObject({ type: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]), port }).partial(),
        logLevel: optionalEmpty(OPERATOR_FLAG_SCHEMAS.logLevel).meta({ description: "The flags server's log level; empty means logLevel" }),
        resources,
      })
      .partial()
      .meta({ description: "The OFREP server; it serves the namespaces of watchNamespaces (all when empty), to callers that may get their FeatureFlags" }),
  })
  .partial()
  .meta({ description: "Feature flags for applications" });

const dashboard = z
  .strictObject({
    enabled: z.boolean().meta({ description: "Run `helios dashboard` in the cluster (a Deployment, ClusterIP Service, and a ServiceAccount that may only create TokenReviews)" }),
    auth: z.enum(["token", "proxy"]).meta({
      description: "token: users sign in with a bearer token on the dashboard's page; proxy: an authenticating proxy in front sends Authorization: Bearer <token> on every request",
    }),
    replicas: z.number().int().min(1).meta({ description: "Dashboard replicas (sessions live in one replica's memory: more than 1 needs sticky sessions in token mode)" }),
    port: port.meta({ description: "Port of the dashboard and its /healthz" }),
    namespace: optionalEmpty(dnsLabelSchema).meta({ description: "The namespace users see unless they pick one at sign-in; empty: all namespaces" }),
    allowedHosts: z.array(z.string().min(1).max(261)).meta({ description: "Host[:port] values the browser reaches the dashboard at (--allowed-host); empty: any" }),
    sessionIdle: pattern(POSITIVE_DURATION_PATTERN, "A session ends after this long without a request (--session-idle)"),
    sessionMax: pattern(POSITIVE_DURATION_PATTERN, "A session ends this long after sign-in (--session-max)"),
    service: z.strictObject({ port }).partial(),
    logLevel: optionalEmpty(OPERATOR_FLAG_SCHEMAS.logLevel).meta({ description: "The dashboard's log level; empty means logLevel" }),
    resources,
  })
  .partial()
  .meta({ description: "The web dashboard in the cluster: every read and action goes to the apiserver as the signed-in user (their bearer token)" });

const fields = {
  global: z
    .looseObject({
      imageRegistry: optionalEmpty(pattern("^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*/?$", "A registry (host[:port][/path]) prefixed to image.repository")).optional(),
    })
    .meta({ description: "Helm global values (passed to every chart)" }),
  commonLabels: labels.meta({ description: "Labels added to every object and pod" }),
  nameOverride: optionalEmpty(dnsLabelSchema),
  fullnameOverride: optionalEmpty(dnsLabelSchema),
  replicaCount: z.number().int().min(0).meta({ description: "Operator replicas (integer >= 0; at most 1 without leader election)" }),
  image: z
    .strictObject({
      repository: pattern(REPOSITORY_PATTERN, "Image repository without tag, e.g. helios or registry.example:5000/team/helios"),
      tag: optionalEmpty(pattern(TAG_PATTERN, "Image tag; empty means the chart's appVersion (a digest goes in image.digest)")).optional(),
      digest: optionalEmpty(pattern(DIGEST_PATTERN, "Image digest, e.g. sha256:<64 hex>; when set the image is repository@digest and tag is ignored")).optional(),
      pullPolicy: z.enum(["Always", "IfNotPresent", "Never"]),
    })
    .meta({ description: "Operator and agent image" }),
  imagePullSecrets: uniqueList(pattern(DNS_SUBDOMAIN_PATTERN, "A Secret name")).meta({ description: "Names of image pull Secrets" }),
  logLevel: OPERATOR_FLAG_SCHEMAS.logLevel.meta({ description: flagDescription("logLevel") }),
  leaderElection: z
    .strictObject({ enabled: z.boolean(), id: OPERATOR_FLAG_SCHEMAS.leaderElectionId.max(63).meta({ description: flagDescription("leaderElectionId") }) })
    .meta({ description: "Leader election among operator replicas" }),
  watchNamespaces: uniqueList(dnsLabelSchema).meta({ description: "Namespaces to reconcile, each with its own Role; empty means all (a ClusterRole) (--namespace)" }),
  timing: z
    .strictObject({
      agentStaleTimeout: operatorDuration("agentStaleTimeoutMs"),
      jobAckTimeout: operatorDuration("jobAckTimeoutMs"),
      jobStuckThreshold: operatorDuration("jobStuckThresholdMs"),
      maxQueueTime: operatorDuration("maxQueueTimeMs"),
      agentGcAfter: zeroOrDuration("agentGcAfterMs"),
    })
    .meta({ description: "Operator timing (Go durations such as 90s, 2m, 1h30m)" }),
  breaker: z
    .strictObject({
      failureThreshold: positiveInt.meta({ description: "Failed attempts in a row that quarantine an agent (--agent-failure-threshold)" }),
      quarantine: operatorDuration("agentQuarantineMs"),
      maxQuarantine: operatorDuration("agentMaxQuarantineMs"),
      offenceWindow: operatorDuration("agentOffenceWindowMs"),
    })
    .meta({ description: "The agents' circuit breaker" }),
  jobs: z.strictObject({ finishedTtl: zeroOrDuration("finishedJobTtlMs") }).meta({ description: "Finished Jobs" }),
  audit: z
    .strictObject({
      retention: operatorDuration("auditRetentionMs"),
      retentionInterval: operatorDuration("auditRetentionIntervalMs"),
      retentionBatch: positiveInt.meta({ description: "Audit chunks deleted per batch (--audit-retention-batch)" }),
      dryRun: z.boolean(),
    })
    .meta({ description: "Audit retention" }),
  extraEnv: envVars,
  extraVolumes: z.array(z.looseObject({ name: z.string().min(1) })).meta({ description: "Extra volumes of the operator pod (Kubernetes Volume objects)" }),
  extraVolumeMounts: z
    .array(z.looseObject({ name: z.string().min(1), mountPath: z.string().min(1) }))
    .meta({ description: "Extra volume mounts of the operator container (Kubernetes VolumeMount objects)" }),
  topologySpreadConstraints: spreadConstraints("Operator"),
  podSecurityContext: z
    .looseObject({ runAsUser: uid, runAsGroup: uid, fsGroup: uid, runAsNonRoot: z.boolean() })
    .partial()
    .meta({ description: "Pod securityContext of the operator and the agents; null runAsUser/runAsGroup/fsGroup lets the platform assign them (OpenShift restricted SCC)" }),
  securityContext: z
    .looseObject({ runAsUser: uid, runAsGroup: uid, runAsNonRoot: z.boolean(), readOnlyRootFilesystem: z.boolean(), allowPrivilegeEscalation: z.boolean() })
    .partial()
    .meta({ description: "Container securityContext of the operator and the agents" }),
  crds: z
    .strictObject({
      enabled: z.boolean().meta({ description: "Install and upgrade the CRDs with the release" }),
      keep: z.boolean().meta({ description: "Annotate the CRDs helm.sh/resource-policy: keep, so an uninstall leaves them (and the users' objects)" }),
    })
    .partial()
    .meta({ description: "The CRDs, templated" }),
  networkPolicy: z
    .strictObject({
      enabled: z.boolean(),
      ingressFrom: z.array(networkPeer),
      dnsTo: z.array(networkPeer).min(1),
      apiServerCidrs: z.array(pattern("^[0-9a-fA-F.:]+/[0-9]{1,3}$", "A CIDR")),
      apiServerPorts: z.array(port).min(1),
    })
    .partial()
    .meta({ description: "NetworkPolicy of the operator pods" }),
  extraArgs: z.array(pattern(EXTRA_ARG_PATTERN, "--flag=value (or --flag for a boolean flag) of helios operator")).meta({ description: "Extra operator flags" }),
  resources,
  heapPercentOfMemoryLimit: heapPercent("resources.limits.memory"),
  ...podPlacement,
  priorityClassName: optionalEmpty(pattern(DNS_SUBDOMAIN_PATTERN, "A PriorityClass name").max(253)),
  serviceAccount: serviceAccount("operator's"),
  rbac: z.strictObject({ create: z.boolean(), tenantRoles: z.boolean() }).partial().meta({ description: "RBAC objects" }),
  ports: z.strictObject({ metrics: port, health: port }).meta({ description: "Operator ports (they must differ)" }),
  metrics,
  podDisruptionBudget: z
    .strictObject({ enabled: z.boolean(), maxUnavailable: intOrPercent })
    .partial()
    .meta({ description: "Operator PodDisruptionBudget" }),
  agents,
  flags,
  dashboard,
  grafana: z
    .strictObject({ dashboard: z.strictObject({ enabled: z.boolean(), labels: stringMap, annotations: stringMap }).partial() })
    .partial()
    .meta({ description: "Grafana dashboard ConfigMap" }),
  admissionPolicy: z
    .strictObject({ enabled: z.boolean() })
    .partial()
    .meta({
      description: "ValidatingAdmissionPolicies: agents write only their own Agent, Lease and assigned Jobs' status; only the operator writes AuditLogs",
    }),
};

/** Values every template reads; the others may be left out. */
const REQUIRED = ["replicaCount", "image", "logLevel", "leaderElection", "timing", "breaker", "jobs", "audit"] as const;
type Required = (typeof REQUIRED)[number];
const requiredFields = Object.fromEntries(REQUIRED.map((k) => [k, fields[k]])) as Pick<typeof fields, Required>;
const optionalFields = Object.fromEntries(
  Object.entries(fields)
    .filter(([k]) => !(REQUIRED as readonly string[]).includes(k))
    .map(([k, v]) => [k, v.optional()]),
) as { [K in Exclude<keyof typeof fields, Required>]: z.ZodOptional<(typeof fields)[K]> };

/** The cross-field rule JSON Schema can express (if/then); the chart's template helper checks the others. */
const REPLICAS_WITHOUT_LEADER_ELECTION = {
  if: { properties: { leaderElection: { properties: { enabled: { const: false } } } } },
  then: { properties: { replicaCount: { maximum: 1, description: "Without leader election at most 1 operator replica may run" } } },
};

/** The chart's values; the cross-field rules are the operator's own (the template helper repeats the last two for helm). */
export const chartValuesSchema = z
  .strictObject({ ...requiredFields, ...optionalFields })
  .superRefine((v, ctx) => {
    if (!v.leaderElection.enabled && v.replicaCount > 1) {
      ctx.addIssue({ code: "custom", path: ["replicaCount"], message: "without leader election at most 1 operator replica may run" });
    }
    if (!quarantineBoundHolds(v.breaker.quarantine, v.breaker.maxQuarantine)) {
      ctx.addIssue({ code: "custom", path: ["breaker", "maxQuarantine"], message: "must not be shorter than breaker.quarantine" });
    }
    if (v.ports !== undefined && listenersClash(`:${v.ports.metrics}`, `:${v.ports.health}`)) {
      ctx.addIssue({ code: "custom", path: ["ports", "health"], message: "must differ from ports.metrics" });
    }
    const tls = v.flags?.ofrep?.tls;
    if (tls?.mode === "secret" && (tls.secretName ?? "") === "") {
      ctx.addIssue({ code: "custom", path: ["flags", "ofrep", "tls", "secretName"], message: "is required with tls.mode secret" });
    }
  })
  .meta({ title: "Helios chart values", ...REPLICAS_WITHOUT_LEADER_ELECTION });

export type ChartValues = z.input<typeof chartValuesSchema>;
