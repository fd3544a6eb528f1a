// The AuditLog kind: one immutable chunk of audit entries for one namespace.
import { z } from "zod";
import { KINDS, LIMITS, PLURALS, SHORT_NAMES, type TerminalJobPhase } from "./constants.js";
import { withRules } from "./k8s-extensions.js";
import { timestampSchema } from "./meta.js";
import { parseOrThrow, safeParse, type ParseResult } from "./parse.js";
import { AGE_COLUMN, specOnlyObjectSchema, type ResourceDefinition } from "./resource.js";

/** Actions the operator records; the schema accepts any lowercase word so new decisions need no CRD change. */
export const AUDIT_ACTIONS = [
  "assigned",
  "started",
  "succeeded",
  "requeued",
  "retried",
  "expired",
  "failed",
  "cancelled",
  "deleted",
  "agent-offline",
  "agent-online",
  "agent-quarantined",
  "agent-drained",
  "agent-deleted",
  "flag-changed",
  "records-deleted",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The action of the entry that ends a Job in each terminal phase; a Job ends once. */
export const JOB_ENDING_ACTIONS = {
  Succeeded: "succeeded",
  Failed: "failed",
  Expired: "expired",
  Cancelled: "cancelled",
} as const satisfies Record<TerminalJobPhase, AuditAction>;

const name = z.string().max(253);

export const auditEntrySchema = z
  .object({
    time: timestampSchema.describe("When the decision was made."),
    action: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[a-z][-a-z0-9.]*$/)
      .describe("What was decided, e.g. assigned, requeued, agent-offline, flag-changed."),
    kind: z.string().min(1).max(63).describe("Kind of the object acted on, e.g. Job, Agent, FeatureFlag."),
    name: name.min(1).describe("Name of the object acted on."),
    uid: z.string().max(64).optional().describe("UID of the object acted on."),
    attempt: z.int().min(0).optional().describe("The Job attempt the decision concerns."),
    agent: name.optional().describe("The agent involved."),
    reason: z.string().max(128).optional().describe("CamelCase cause, e.g. AckTimeout, RetriesExhausted."),
    message: z.string().max(LIMITS.messageLength).optional().describe("Human-readable details."),
    actor: z.string().max(253).optional().describe("Who decided: a controller name or a user."),
    recovered: z
      .boolean()
      .optional()
      .describe(
        "True when a new leader wrote the entry from the Job's status because the process that made the decision " +
          "died before writing it; `time` is the time the status records.",
      ),
  })
  .describe("One audited control-plane decision.");
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditLogSpecSchema = withRules(
  z
    .object({
      startTime: timestampSchema.describe("Time of the first entry."),
      endTime: timestampSchema.describe("Time of the last entry."),
      count: z.int().min(1).max(LIMITS.auditEntries).describe("Number of entries."),
      entries: z
        .array(auditEntrySchema)
        .min(1)
        .max(LIMITS.auditEntries)
        .describe(`The entries, oldest first; at most ${LIMITS.auditEntries} per chunk.`),
    })
    .refine((s) => s.count === s.entries.length, { message: "count must equal the number of entries", path: ["count"] })
    .refine((s) => Date.parse(s.startTime) <= Date.parse(s.endTime), {
      message: "startTime must not be after endTime",
      path: ["startTime"],
    })
    .describe("An immutable chunk of audit entries; write a new chunk instead of changing one."),
  [
    { rule: "self == oldSelf", message: "AuditLog entries are immutable: write a new AuditLog chunk instead" },
    { rule: "self.count == size(self.entries)", message: "count must equal the number of entries", fieldPath: ".count" },
    { rule: "self.startTime <= self.endTime", message: "startTime must not be after endTime", fieldPath: ".startTime" },
  ],
);
export type AuditLogSpec = z.infer<typeof auditLogSpecSchema>;

export const auditLogSchema = specOnlyObjectSchema(KINDS.auditLog, auditLogSpecSchema);
export type AuditLog = z.infer<typeof auditLogSchema>;
export type AuditLogInput = z.input<typeof auditLogSchema>;

export const parseAuditLog = (value: unknown): AuditLog => parseOrThrow(KINDS.auditLog, auditLogSchema, value);
export const safeParseAuditLog = (value: unknown): ParseResult<AuditLog> => safeParse(auditLogSchema, value);

export const auditLogResource: ResourceDefinition = {
  kind: KINDS.auditLog,
  plural: PLURALS.auditLog,
  singular: "auditlog",
  shortNames: [SHORT_NAMES.auditLog],
  description: "An immutable chunk of Helios audit entries for the namespace it lives in.",
  spec: auditLogSpecSchema,
  printerColumns: [
    { name: "Entries", type: "integer", jsonPath: ".spec.count", description: "Number of entries." },
    { name: "From", type: "date", jsonPath: ".spec.startTime", description: "Time of the first entry." },
    { name: "To", type: "date", jsonPath: ".spec.endTime", description: "Time of the last entry." },
    AGE_COLUMN,
  ],
  selectableFields: [],
};
