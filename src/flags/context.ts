// Turns the control-plane's evaluation context (DESIGN.md section 1) into an OpenFeature context.
import type { EvaluationContext } from "@openfeature/core";
import type { ControlFlagContext } from "../api/index.js";

/**
 * Agent labels become top-level keys (`{"var": "zone"}` reads label `zone`); the well-known keys win
 * over a label of the same name. `targetingKey` is the agent, so a plain `fractional` rule rolls out
 * over agents; bucket jobs by another key with `fractional`'s first argument instead.
 */
export function toEvaluationContext(ctx: ControlFlagContext): EvaluationContext {
  const out: EvaluationContext = { ...ctx.agentLabels };
  if (ctx.jobType !== undefined) out["jobType"] = ctx.jobType;
  if (ctx.queue !== undefined) out["queue"] = ctx.queue;
  if (ctx.namespace !== undefined) out["namespace"] = ctx.namespace;
  if (ctx.priority !== undefined) out["priority"] = ctx.priority;
  if (ctx.agent !== undefined) {
    out["agent"] = ctx.agent;
    out.targetingKey = ctx.agent;
  }
  return out;
}
