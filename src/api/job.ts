// The Job kind: a unit of background work that a Helios agent runs.
import { z } from "zod";
import { conditionsSchema } from "./conditions.js";
import {
  DEFAULT_PRIORITY,
  DEFAULT_QUEUE,
  DEFAULT_RETRY,
  JOB_PHASES,
  KINDS,
  type JobPhase,
  LIMITS,
  PLURALS,
  PRIORITY_CLASSES,
  SHORT_NAMES,
} from "./constants.js";
import { immutableFieldRules, oneWayFlagRule } from "./immutability.js";
import { jsonDepth } from "./json-depth.js";
import { freeForm, listMap, listSet, withRules } from "./k8s-extensions.js";
import { labelSelectorSchema } from "./label-selector.js";
import { capabilitySchema, dnsLabelSchema, timestampSchema } from "./meta.js";
import { parseOrThrow, safeParse, type ParseResult } from "./parse.js";
import { AGE_COLUMN, objectSchema, type ResourceDefinition } from "./resource.js";

const seconds = (max: number) => z.int().min(1).max(max);

export const retryPolicySchema = withRules(
  z
    .object({
      maxRetries: z
        .int()
        .min(0)
        .max(LIMITS.maxRetries)
        .default(DEFAULT_RETRY.maxRetries)
        .describe(`Retries after the first attempt before the Job fails (0 to ${LIMITS.maxRetries}).`),
      backoffSeconds: seconds(LIMITS.maxBackoffSeconds)
        .default(DEFAULT_RETRY.backoffSeconds)
        .describe("Initial retry delay in seconds; it doubles on each retry, with jitter."),
      maxBackoffSeconds: seconds(LIMITS.maxBackoffSeconds)
        .default(DEFAULT_RETRY.maxBackoffSeconds)
        .describe(`Upper bound of the retry delay in seconds (at most ${LIMITS.maxBackoffSeconds}).`),
    })
    .refine((r) => r.backoffSeconds <= r.maxBackoffSeconds, {
      message: "backoffSeconds must not exceed maxBackoffSeconds",
      path: ["backoffSeconds"],
    })
    .describe("How a failed or lost attempt is retried: exponential backoff with jitter."),
  [
    {
      rule: "self.backoffSeconds <= self.maxBackoffSeconds",
      message: "backoffSeconds must not exceed maxBackoffSeconds",
      fieldPath: ".backoffSeconds",
    },
  ],
);
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

const payloadSchema = freeForm(
  z
    .record(z.string(), z.unknown())
    .superRefine((p, ctx) => {
      // Depth first: a value nested past the encoder's stack cannot even be measured in bytes.
      const depth = jsonDepth(p, LIMITS.jsonDepth);
      if (depth > LIMITS.jsonDepth) {
        ctx.addIssue({ code: "custom", message: `payload must nest at most ${LIMITS.jsonDepth} levels deep, got more` });
      } else if (Buffer.byteLength(JSON.stringify(p)) > LIMITS.payloadBytes) {
        ctx.addIssue({ code: "custom", message: `payload must serialize to at most ${LIMITS.payloadBytes} bytes of JSON` });
      }
    })
    .describe(
      `Input for the handler, free-form JSON. At most ${LIMITS.payloadProperties} top-level keys, ` +
        `${LIMITS.payloadBytes / 1024} KiB of JSON and ${LIMITS.jsonDepth} levels deep (the chart's admission policy refuses more). Pass large data and secrets by reference.`,
    ),
  LIMITS.payloadProperties,
);

const jobSpecFields = z.object({
  type: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/)
    .describe("The handler an agent runs, e.g. report.generate or echo. Required."),
  payload: payloadSchema.optional(),
  priority: z
    .enum(PRIORITY_CLASSES)
    .default(DEFAULT_PRIORITY)
    .describe("Priority class: critical, high, normal (default) or low. Waiting time raises it gradually."),
  queue: dnsLabelSchema
    .default(DEFAULT_QUEUE)
    .describe("Queue the Job waits in; only agents serving this queue take it. Defaults to 'default'."),
  requiredCapabilities: listSet(z.array(capabilitySchema).max(LIMITS.capabilities))
    .optional()
    .describe("Capabilities the agent must offer, all of them."),
  agentSelector: labelSelectorSchema.optional().describe("Labels the agent must match; empty matches every agent."),
  retry: retryPolicySchema.default({ ...DEFAULT_RETRY }),
  timeoutSeconds: seconds(LIMITS.maxDurationSeconds)
    .optional()
    .describe("Running deadline in seconds: an attempt running longer is treated as stuck and retried."),
  maxQueueSeconds: seconds(LIMITS.maxDurationSeconds)
    .optional()
    .describe("The Job expires if it waits this many seconds for an agent, counted from when it became eligible (creation, notBefore, or the end of a retry backoff)."),
  notBefore: timestampSchema.optional().describe("The Job is not assigned before this time (RFC 3339)."),
  ttlSecondsAfterFinished: z
    .int()
    .min(0)
    .max(LIMITS.maxDurationSeconds)
    .optional()
    .describe("Seconds after finishing that the Job is deleted (0: at once); unset uses the operator's --finished-job-ttl (default 7 days)."),
  cancel: z
    .boolean()
    .optional()
    .describe("Set to true to request cancellation; the only field that may change after creation, and only to true."),
});

export const jobSpecSchema = withRules(jobSpecFields, [
  ...immutableFieldRules(Object.keys(jobSpecFields.shape), {
    path: "spec",
    except: ["cancel"],
    hint: "only spec.cancel may change after creation; create a new Job instead",
  }),
  oneWayFlagRule("cancel", { path: "spec", hint: "a cancelled Job stays cancelled; create a new Job to run the work again" }),
]).describe("What to run and how. Immutable after creation except cancel, which may only go from false to true.");
export type JobSpec = z.infer<typeof jobSpecSchema>;

export const jobProgressSchema = z
  .object({
    percent: z.number().min(0).max(100).optional().describe("Completion estimate, 0 to 100."),
    message: z.string().max(LIMITS.messageLength).optional().describe("What the handler is doing now."),
    updatedAt: timestampSchema.optional().describe("When the handler last reported progress."),
  })
  .describe("Latest progress reported by the handler.");
export type JobProgress = z.infer<typeof jobProgressSchema>;

export const jobErrorSchema = z
  .object({
    reason: z.string().max(128).describe("CamelCase cause, e.g. HandlerFailed, AgentOffline, Timeout."),
    message: z.string().max(LIMITS.messageLength).describe("Human-readable details."),
    attempt: z
      .int()
      .min(0)
      .optional()
      .describe("The attempt (status.attempt) the failure belongs to; absent means the current one."),
    terminal: z
      .boolean()
      .optional()
      .describe(
        "True when the agent judged that no retry can fix the failure (no handler for the type, a payload the handler " +
          "refuses, a result too large, or a handler's TerminalError): the Job fails at once with this reason, its retries unspent.",
      ),
  })
  .describe("The most recent failure.");
export type JobError = z.infer<typeof jobErrorSchema>;

export const jobAttemptSchema = z
  .object({
    attempt: z.int().min(1).describe("The attempt number (fencing token) of this assignment."),
    agent: z.string().max(253).describe("The agent the attempt was assigned to."),
    outcome: z
      .string()
      .max(64)
      .describe("How the attempt ended, e.g. Succeeded, Failed, Requeued, Cancelled; empty while running."),
    assignedAt: timestampSchema.optional().describe("When the attempt was assigned."),
    startedAt: timestampSchema.optional().describe("When the agent started it."),
    finishedAt: timestampSchema.optional().describe("When it ended."),
    reason: z.string().max(128).optional().describe("Why it ended that way, e.g. AgentOffline."),
  })
  .describe("One past or current attempt.");
export type JobAttempt = z.infer<typeof jobAttemptSchema>;

export const jobStatusSchema = z
  .object({
    phase: z
      .enum(JOB_PHASES)
      .optional()
      .describe("Pending, Assigned, Running, Succeeded, Failed, Expired or Cancelled."),
    conditions: conditionsSchema.optional(),
    observedGeneration: z.int().min(0).optional().describe("The generation this status was computed from."),
    assignedAgent: z.string().max(253).optional().describe("The agent holding the current attempt."),
    attempt: z
      .int()
      .min(0)
      .optional()
      .describe("Fencing token: increments on every assignment; an agent writes only for its own attempt."),
    retries: z.int().min(0).optional().describe("Retries used so far."),
    queuedAt: timestampSchema.optional().describe("When the Job last entered Pending."),
    assignedAt: timestampSchema.optional().describe("When the current attempt was assigned."),
    startedAt: timestampSchema.optional().describe("When the current attempt started running."),
    finishedAt: timestampSchema.optional().describe("When the Job reached a terminal phase."),
    nextAttemptAt: timestampSchema.optional().describe("Earliest time of the next attempt (backoff)."),
    progress: jobProgressSchema.optional(),
    result: freeForm(
      z
        .record(z.string(), z.unknown())
        .describe(
          `Small JSON result returned by the handler: at most ${LIMITS.resultProperties} top-level keys, ` +
            `${LIMITS.resultBytes / 1024} KiB of JSON and ${LIMITS.jsonDepth} levels deep (the chart's admission policy refuses more).`,
        ),
      LIMITS.resultProperties,
    ).optional(),
    lastError: jobErrorSchema.optional(),
    attempts: listMap(z.array(jobAttemptSchema).max(LIMITS.attemptHistory), ["attempt"])
      .optional()
      .describe(`History of the last ${LIMITS.attemptHistory} attempts.`),
  })
  .describe("Observed state, written by the operator and the assigned agent.");
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const jobSchema = objectSchema(KINDS.job, jobSpecSchema, jobStatusSchema);
export type Job = z.infer<typeof jobSchema>;
/** A Job as submitted: defaulted fields may be left out. */
export type JobInput = z.input<typeof jobSchema>;

/** A Job error as one line: `Reason: message`. */
export const formatJobError = (error: JobError): string => `${error.reason}: ${error.message}`;

/** Holds the idempotency key a Job was submitted with (the job client names such Jobs after the key). */
export const IDEMPOTENCY_KEY_ANNOTATION = "helios.dev/idempotency-key";

/** On a Job created as a retry of another (the dashboard's Retry): the name of the Job it repeats. */
export const RETRY_OF_ANNOTATION = "helios.dev/retry-of";

/** A Job's phase; one the operator has not written yet is Pending. */
export const jobPhase = (job: { readonly status?: { readonly phase?: JobPhase | undefined } | undefined }): JobPhase => job.status?.phase ?? "Pending";

export const parseJob = (value: unknown): Job => parseOrThrow(KINDS.job, jobSchema, value);
export const safeParseJob = (value: unknown): ParseResult<Job> => safeParse(jobSchema, value);

export const jobResource: ResourceDefinition = {
  kind: KINDS.job,
  plural: PLURALS.job,
  singular: "job",
  shortNames: [SHORT_NAMES.job],
  description: "A Helios background job: a handler type and payload, run by an agent with retries and deadlines.",
  spec: jobSpecSchema,
  status: jobStatusSchema,
  printerColumns: [
    { name: "Type", type: "string", jsonPath: ".spec.type", description: "The handler an agent runs." },
    { name: "Priority", type: "string", jsonPath: ".spec.priority", description: "Priority class." },
    { name: "Phase", type: "string", jsonPath: ".status.phase", description: "Lifecycle phase." },
    { name: "Agent", type: "string", jsonPath: ".status.assignedAgent", description: "Agent of the current attempt." },
    { name: "Attempt", type: "integer", jsonPath: ".status.attempt", description: "Current attempt number." },
    AGE_COLUMN,
  ],
  selectableFields: [".spec.type", ".spec.queue", ".spec.priority", ".status.phase", ".status.assignedAgent"],
};
