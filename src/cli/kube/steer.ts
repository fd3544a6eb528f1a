// The writes behind drain/uncordon, cancel and pause/resume: read, decide (pure), merge-patch spec, report.
import {
  AGENT_TYPE,
  CONTROL_FLAG_KEYS,
  defaultVariantValue,
  FEATURE_FLAG_TYPE,
  JOB_TYPE,
  type Agent,
  type FeatureFlag,
  type FeatureFlagSpec,
  type Job,
} from "../../api/index.js";
import { cancelJob, type CancelOutcome } from "../../client/index.js";
import { FlagSet } from "../../flags/index.js";
import { isApiError, ResourceClient } from "../../runtime/client/index.js";
import { explainApiError, explained } from "./errors.js";
import type { ApiTarget } from "./kube-config.js";
import { agentJobsSelector } from "./selectors.js";

/** What a drain or uncordon found and did. */
export interface DrainOutcome {
  readonly agent: Agent;
  /** False when spec.drain already had the wanted value. */
  readonly changed: boolean;
  /** Unfinished Jobs assigned to the agent (they finish there); undefined when they could not be listed. */
  readonly inflight: readonly Job[] | undefined;
}

/** Sets (`drain`) or clears spec.drain of an Agent with a merge patch; spec, not status. */
export async function setAgentDrain(target: ApiTarget, name: string, drain: boolean): Promise<DrainOutcome> {
  const namespace = target.namespace;
  const agents = new ResourceClient<Agent>(target.transport, AGENT_TYPE);
  const resource = "agents.helios.dev";
  let agent = await explained(target, { verb: "get", resource, namespace, name }, () => agents.get({ namespace, name }));
  const changed = (agent.spec.drain === true) !== drain;
  if (changed) {
    // null deletes the field (RFC 7386), leaving the spec as it was before the drain.
    agent = await explained(target, { verb: "patch", resource, namespace, name }, () =>
      agents.mergePatch({ namespace, name }, { spec: { drain: drain ? true : null } }),
    );
  }
  let inflight: readonly Job[] | undefined;
  try {
    const jobs = new ResourceClient<Job>(target.transport, JOB_TYPE);
    inflight = (await jobs.listAll({ namespace, fieldSelector: agentJobsSelector(name) })).items;
  } catch {
    // Only for the message; the drain itself is done.
    inflight = undefined;
  }
  return { agent, changed, inflight };
}

/** Sets spec.cancel: true on a Job (the one spec field that may change) unless it already finished. */
export function requestJobCancel(target: ApiTarget, name: string): Promise<CancelOutcome> {
  const namespace = target.namespace;
  const jobs = new ResourceClient<Job>(target.transport, JOB_TYPE);
  const resource = "jobs.helios.dev";
  return cancelJob(
    {
      get: (ref, options) => explained(target, { verb: "get", resource, namespace, name }, () => jobs.get(ref, options)),
      mergePatch: (ref, patch, options) => explained(target, { verb: "patch", resource, namespace, name }, () => jobs.mergePatch(ref, patch, options)),
    },
    { namespace, name },
  );
}

/** The variants a new dispatch-paused flag gets: those of manifests/samples/control-flags.yaml. */
export const DISPATCH_PAUSED_VARIANTS = { on: true, off: false } as const;

/** Evaluates helios-dispatch-paused of one object as the operator does (empty context). */
export function evaluateDispatchPaused(flag: FeatureFlag): { readonly paused: boolean; readonly variant?: string; readonly targeted: boolean } {
  const set = new FlagSet();
  set.apply(flag);
  const resolution = set.resolve("boolean", CONTROL_FLAG_KEYS.dispatchPaused, false, {});
  return {
    paused: resolution.value,
    ...(resolution.variant === undefined ? {} : { variant: resolution.variant }),
    targeted: set.state(CONTROL_FLAG_KEYS.dispatchPaused)?.serving?.spec.targeting !== undefined,
  };
}

/**
 * The spec merge patch that makes `spec` serve `paused` by default: state ENABLED and the
 * default variant pointing at a variant with that value (added as `on`/`off` if none has it).
 * Pure; targeting is left alone (the caller warns when it still overrides).
 */
export function dispatchPausedPatch(spec: FeatureFlagSpec, paused: boolean): Record<string, unknown> {
  const existing = Object.entries(spec.variants).find(([, value]) => value === paused)?.[0];
  const preferred = paused ? "on" : "off";
  const name = existing ?? [preferred, paused ? "paused" : "running", `${preferred}-${String(paused)}`].find((n) => !Object.hasOwn(spec.variants, n)) ?? preferred;
  return {
    state: "ENABLED",
    defaultVariant: name,
    ...(existing === undefined ? { variants: { [name]: paused } } : {}),
  };
}

/** What pause/resume found and did. */
export interface PauseOutcome {
  readonly flag: FeatureFlag;
  /** "created": the flag did not exist; "patched": flipped; "unchanged": already in that state. */
  readonly result: "created" | "patched" | "unchanged";
  /** What the operator now evaluates (empty context). */
  readonly paused: boolean;
  readonly variant?: string;
  /** The flag has targeting, which may pick another variant than the default. */
  readonly targeted: boolean;
}

/** Flips helios-dispatch-paused in `operatorNamespace`, creating it (sample variants) if missing. */
export async function setDispatchPaused(target: ApiTarget, operatorNamespace: string, paused: boolean): Promise<PauseOutcome> {
  const flags = new ResourceClient<FeatureFlag>(target.transport, FEATURE_FLAG_TYPE);
  const name = CONTROL_FLAG_KEYS.dispatchPaused;
  const ref = { namespace: operatorNamespace, name };
  const resource = "featureflags.helios.dev";
  let current: FeatureFlag | undefined;
  try {
    current = await flags.get(ref);
  } catch (err) {
    // A missing object is a Status with reason NotFound; a missing CRD is not (explained below).
    if (!(isApiError(err, "NotFound") && err.reason === "NotFound")) {
      throw explainApiError(err, { verb: "get", resource, namespace: operatorNamespace, name }, target);
    }
  }
  let flag: FeatureFlag;
  let result: PauseOutcome["result"];
  if (current === undefined) {
    const body: FeatureFlag = {
      apiVersion: "helios.dev/v1alpha1",
      kind: "FeatureFlag",
      metadata: { name, namespace: operatorNamespace },
      spec: { state: "ENABLED", variants: { ...DISPATCH_PAUSED_VARIANTS }, defaultVariant: paused ? "on" : "off" },
    };
    flag = await explained(target, { verb: "create", resource, namespace: operatorNamespace, name }, () => flags.create(body));
    result = "created";
  } else {
    const before = evaluateDispatchPaused(current);
    const patch = dispatchPausedPatch(current.spec, paused);
    // Also rewrite a spec whose own default disagrees (e.g. an invalid spec while the last valid one serves).
    const specDefault = current.spec.state === "ENABLED" ? defaultVariantValue(current.spec) : false;
    const needed = before.paused !== paused || specDefault !== paused;
    if (needed) {
      flag = await explained(target, { verb: "patch", resource, namespace: operatorNamespace, name }, () => flags.mergePatch(ref, { spec: patch }));
      result = "patched";
    } else {
      flag = current;
      result = "unchanged";
    }
  }
  const after = evaluateDispatchPaused(flag);
  return { flag, result, paused: after.paused, targeted: after.targeted, ...(after.variant === undefined ? {} : { variant: after.variant }) };
}
