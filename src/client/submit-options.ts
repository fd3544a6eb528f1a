// The options of the client's calls, checked before any request: how a Job is named and where, and what a list or watch selects.
import { z } from "zod";
import { dnsLabelSchema, dnsSubdomainSchema, JOB_PHASES, jobSpecSchema, labelKeySchema, labelValueSchema } from "../api/index.js";

/** A namespace; the empty string (e.g. an unset variable) means "the client's". */
export const namespaceSchema = dnsLabelSchema.optional().or(z.literal("").transform(() => undefined));

export const submitOptionsSchema = z
  .object({
    namespace: namespaceSchema.describe("Namespace of the Job; default: the client's."),
    name: dnsSubdomainSchema.optional().describe("An exact name; submitting it twice fails with AlreadyExists."),
    generateName: z
      .string()
      .max(200)
      .regex(/^[a-z0-9]([-a-z0-9.]*)?$/, "must start a DNS subdomain: lowercase alphanumerics, '-' and '.'")
      .optional()
      .describe("A name prefix the apiserver completes; default: the type made a name, e.g. `report-generate-`."),
    idempotencyKey: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe("Names the Job deterministically: submitting the same key again returns the Job it created."),
    labels: z.record(labelKeySchema, labelValueSchema).optional(),
    annotations: z.record(z.string().min(1).max(317), z.string()).optional(),
  })
  .refine((o) => [o.name, o.generateName, o.idempotencyKey].filter((v) => v !== undefined).length <= 1, {
    message: "give at most one of name, generateName and idempotencyKey",
  });
export type SubmitOptionsInput = z.input<typeof submitOptionsSchema>;

/** What a list or a watch selects; values land in field selectors, so they are checked, not pasted. */
export const selectionSchema = z.object({
  namespace: namespaceSchema,
  allNamespaces: z.boolean().optional(),
  phase: z.enum(JOB_PHASES).or(z.array(z.enum(JOB_PHASES))).optional(),
  type: jobSpecSchema.shape.type.optional(),
  labelSelector: z.string().max(4096).optional(),
});

/** The name of one Job to get, wait for or watch. */
export const jobNameSchema = dnsSubdomainSchema;
