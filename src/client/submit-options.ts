// The options of a submission, checked before any request: how the Job is named, where, and with which labels.
import { z } from "zod";
import { labelKeySchema, labelValueSchema } from "../api/index.js";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const submitOptionsSchema = z
  .object({
    namespace: z.string().regex(DNS_SUBDOMAIN).max(63).optional().describe("Namespace of the Job; default: the client's."),
    name: z.string().max(253).regex(DNS_SUBDOMAIN, "must be a DNS subdomain: lowercase alphanumerics, '-' and '.'").optional().describe("An exact name; submitting it twice fails with AlreadyExists."),
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
