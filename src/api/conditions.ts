// metav1.Condition as a zod schema, and pure helpers that set and read conditions the Kubernetes way.
import { z } from "zod";
import { LIMITS } from "./constants.js";
import { listMap } from "./k8s-extensions.js";
import { formatTime, timestampSchema } from "./meta.js";

export const CONDITION_STATUSES = ["True", "False", "Unknown"] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

// Patterns and lengths are metav1.Condition's own, so conditions read the same as on built-in kinds.
const CONDITION_TYPE_PATTERN =
  "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$";
const CONDITION_REASON_PATTERN = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$";

export const conditionSchema = z
  .object({
    type: z
      .string()
      .max(316)
      .regex(new RegExp(CONDITION_TYPE_PATTERN))
      .describe("Type of condition in CamelCase, e.g. Ready, Complete, Failed."),
    status: z.enum(CONDITION_STATUSES).describe("Status of the condition: True, False or Unknown."),
    observedGeneration: z
      .int()
      .min(0)
      .optional()
      .describe("The .metadata.generation the condition was set from; older means the condition is stale."),
    lastTransitionTime: timestampSchema.describe("When the condition last changed status."),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(new RegExp(CONDITION_REASON_PATTERN))
      .describe("Programmatic CamelCase identifier of why the condition last transitioned."),
    message: z
      .string()
      .max(32768)
      .describe("Human-readable details of the transition; may be empty."),
  })
  .describe("One aspect of the object's current state, as metav1.Condition.");
export type Condition = z.infer<typeof conditionSchema>;

/** The conditions list: one entry per type, merged by type. */
export const conditionsSchema = listMap(
  z.array(conditionSchema).max(LIMITS.conditions),
  ["type"],
).describe("Latest observations of the object's state, one per condition type.");

/** What a caller decides; `lastTransitionTime` is derived by `setCondition`. */
export interface ConditionInput {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message?: string;
  readonly observedGeneration?: number;
}

/**
 * Return a new list with `next` set. `lastTransitionTime` moves to `now` only when the status changes
 * (or the type is new), so it tells when the condition last flipped, not when it was last written.
 * Other conditions keep their order and content.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: ConditionInput,
  now: Date,
): Condition[] {
  const list = conditions ?? [];
  const existing = findCondition(list, next.type);
  const condition: Condition = {
    type: next.type,
    status: next.status,
    reason: next.reason,
    message: next.message ?? "",
    lastTransitionTime:
      existing !== undefined && existing.status === next.status ? existing.lastTransitionTime : formatTime(now),
    ...(next.observedGeneration !== undefined ? { observedGeneration: next.observedGeneration } : {}),
  };
  if (existing === undefined) return [...list, condition];
  return list.map((c) => (c.type === next.type ? condition : c));
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === "True";
}
