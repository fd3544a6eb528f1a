// The dashboard's writes, each as the caller (their kubeconfig, their RBAC): cancel and retry a job,
// drain and uncordon an agent, the control flags, and editing a FeatureFlag. Bodies are validated
// with zod before anything is sent; a refusal by the apiserver comes back as a plain sentence.
import { z } from "zod";
import {
  CONTROL_FLAG_KEYS,
  FEATURE_FLAG_TYPE,
  featureFlagSpecSchema,
  formatIssues,
  JOB_TYPE,
  jobSpecSchema,
  RETRY_OF_ANNOTATION,
  type FeatureFlag,
  type FeatureFlagSpec,
  type Job,
} from "../api/index.js";
import { CliError, explainApiError, explained, requestJobCancel, setAgentDrain, setDispatchPaused, type ApiTarget } from "../cli/kube/index.js";
import { describeCancel, describeDispatchState, describeDrain, describeUncordon } from "../cli/output/index.js";
import { isApiError, ResourceClient } from "../runtime/client/index.js";
import type { ActionResult } from "./model.js";

const name = z.string().min(1).max(253);
const namespaced = z.object({ namespace: name, name });

/** Every action the browser may post, told apart by `action`. */
export const actionSchema = z.discriminatedUnion("action", [
  namespaced.extend({ action: z.literal("cancel-job") }),
  namespaced.extend({ action: z.literal("retry-job") }),
  namespaced.extend({ action: z.literal("drain-agent") }),
  namespaced.extend({ action: z.literal("uncordon-agent") }),
  z.object({ action: z.literal("set-dispatch-paused"), paused: z.boolean() }),
  z.object({ action: z.literal("set-kill-switch"), jobTypes: z.array(z.string().min(1).max(253)).max(100) }),
  z.object({
    action: z.literal("set-number-flag"),
    key: z.enum([CONTROL_FLAG_KEYS.agentMaxConcurrency, CONTROL_FLAG_KEYS.queueMaxInflight, CONTROL_FLAG_KEYS.dispatchDelayMs]),
    /** null turns the flag off (no cap, no delay). */
    value: z.number().int().min(0).max(1_000_000_000).nullable(),
  }),
  namespaced.extend({ action: z.literal("edit-feature-flag"), spec: featureFlagSpecSchema }),
]);
export type DashboardAction = z.infer<typeof actionSchema>;

/** Validates a posted body; a bad one gets the zod issues in one line. */
export function parseAction(body: unknown): { action: DashboardAction } | { error: string } {
  const parsed = actionSchema.safeParse(body);
  return parsed.success ? { action: parsed.data } : { error: formatIssues(parsed.error.issues) };
}

/** The job a retry creates: same spec (without cancel) and labels, a new generated name. Pure. */
export function retryJobBody(job: Job): Job {
  const source = job.metadata.name ?? "job";
  return {
    apiVersion: job.apiVersion,
    kind: job.kind,
    metadata: {
      generateName: `${source.slice(0, 200)}-retry-`,
      namespace: job.metadata.namespace,
      labels: { ...job.metadata.labels },
      annotations: { [RETRY_OF_ANNOTATION]: source },
    },
    // A retry starts afresh: cancel is the one spec field it does not copy.
    spec: jobSpecSchema.parse({ ...job.spec, cancel: undefined }),
  };
}

/**
 * The spec of the kill switch for `jobTypes`: true for jobs of those types (JsonLogic targeting on
 * `jobType`), false for everything else; no types: the flag is off. Pure.
 */
export function killSwitchSpec(jobTypes: readonly string[]): FeatureFlagSpec {
  const spec = {
    state: jobTypes.length === 0 ? "DISABLED" : "ENABLED",
    variants: { on: true, off: false },
    defaultVariant: "off",
    ...(jobTypes.length === 0 ? {} : { targeting: { if: [{ in: [{ var: "jobType" }, [...jobTypes]] }, "on", "off"] } }),
  };
  return featureFlagSpecSchema.parse(spec);
}

/** The spec of a number control flag serving `value`; null: disabled (the operator's neutral value). Pure. */
export function numberFlagSpec(value: number | null): FeatureFlagSpec {
  return featureFlagSpecSchema.parse({
    state: value === null ? "DISABLED" : "ENABLED",
    variants: { value: value ?? 0 },
    defaultVariant: "value",
  });
}

/** Whether the apiserver did not accept the caller's credentials (an expired token), directly or as a CliError's cause. */
export function isUnauthorized(err: unknown): boolean {
  return isApiError(err, "Unauthorized") || (err instanceof Error && isApiError(err.cause, "Unauthorized"));
}

/**
 * Runs one action as the caller. Never throws for an apiserver refusal: it is the result.
 * @throws the error when the apiserver did not accept the caller's credentials (see isUnauthorized).
 */
export async function runAction(action: DashboardAction, target: ApiTarget, operatorNamespace: string): Promise<ActionResult> {
  try {
    return await dispatch(action, target, operatorNamespace);
  } catch (err) {
    if (isUnauthorized(err)) throw err;
    if (err instanceof CliError) return { ok: false, message: err.message };
    if (isApiError(err)) return { ok: false, message: err.message };
    throw err;
  }
}

async function dispatch(action: DashboardAction, target: ApiTarget, operatorNamespace: string): Promise<ActionResult> {
  switch (action.action) {
    case "cancel-job":
      return { ok: true, message: describeCancel(await requestJobCancel({ ...target, namespace: action.namespace }, action.name)).trim() };
    case "retry-job":
      return retryJob(target, action.namespace, action.name);
    case "drain-agent":
      return { ok: true, message: describeDrain(await setAgentDrain({ ...target, namespace: action.namespace }, action.name, true), action.namespace, "helios").trim() };
    case "uncordon-agent":
      return { ok: true, message: describeUncordon(await setAgentDrain({ ...target, namespace: action.namespace }, action.name, false)).trim() };
    case "set-dispatch-paused": {
      const outcome = await setDispatchPaused(target, operatorNamespace, action.paused);
      return { ok: true, message: describeDispatchState(outcome, action.paused, operatorNamespace, "helios").trim() };
    }
    case "set-kill-switch":
      await writeFlagSpec(target, operatorNamespace, CONTROL_FLAG_KEYS.jobKillSwitch, killSwitchSpec(action.jobTypes));
      return { ok: true, message: action.jobTypes.length === 0 ? "kill switch off: every job type may be assigned" : `kill switch on for ${action.jobTypes.join(", ")}` };
    case "set-number-flag":
      await writeFlagSpec(target, operatorNamespace, action.key, numberFlagSpec(action.value));
      return { ok: true, message: action.value === null ? `${action.key} off` : `${action.key} = ${action.value}` };
    case "edit-feature-flag":
      await writeFlagSpec(target, action.namespace, action.name, action.spec, false);
      return { ok: true, message: `FeatureFlag ${action.namespace}/${action.name} updated` };
  }
}

async function retryJob(target: ApiTarget, namespace: string, jobName: string): Promise<ActionResult> {
  const jobs = new ResourceClient<Job>(target.transport, JOB_TYPE);
  const resource = "jobs.helios.dev";
  const job = await explained(target, { verb: "get", resource, namespace, name: jobName }, () => jobs.get({ namespace, name: jobName }));
  const created = await explained(target, { verb: "create", resource, namespace }, () => jobs.create(retryJobBody(job)));
  const createdName = created.metadata.name ?? "";
  return { ok: true, message: `job ${namespace}/${createdName} created from ${jobName}'s spec`, name: createdName };
}

/** Replaces a FeatureFlag's spec (optimistic concurrency through the read resourceVersion), creating it when missing and `create`. */
async function writeFlagSpec(target: ApiTarget, namespace: string, flagName: string, spec: FeatureFlagSpec, create = true): Promise<void> {
  const flags = new ResourceClient<FeatureFlag>(target.transport, FEATURE_FLAG_TYPE);
  const resource = "featureflags.helios.dev";
  let current: FeatureFlag | undefined;
  try {
    current = await flags.get({ namespace, name: flagName });
  } catch (err) {
    if (!(create && isApiError(err, "NotFound") && err.reason === "NotFound")) throw explainApiError(err, { verb: "get", resource, namespace, name: flagName }, target);
  }
  if (current === undefined) {
    const body: FeatureFlag = { apiVersion: "helios.dev/v1alpha1", kind: "FeatureFlag", metadata: { name: flagName, namespace }, spec };
    await explained(target, { verb: "create", resource, namespace, name: flagName }, () => flags.create(body));
    return;
  }
  const next: FeatureFlag = { ...current, spec };
  await explained(target, { verb: "update", resource, namespace, name: flagName }, () => flags.replace(next));
}
