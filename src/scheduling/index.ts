// The scheduling core: pure decisions over a snapshot (effective priority, namespace fairness,
// placement, retry backoff), with no I/O. The queue-priority and job-recovery controllers map API
// objects onto these types, call these functions and write the results.
export { retryDelayMs, type BackoffPolicy } from "./backoff.js";
export { fairOrder } from "./fairness.js";
export { agentCapacity, isSchedulable } from "./placement.js";
export { planDispatch } from "./plan.js";
export {
  AGING_POINTS_PER_MINUTE,
  effectivePriority,
  eligibleAt,
  overtakeWindowMs,
  PRIORITY_BASE,
  STARVATION_BOUND_MS,
} from "./priority.js";
export { UNPLACED_REASONS } from "./reasons.js";
export { formatSelector, matchesSelector } from "./selector.js";
export type {
  AgentFlagContext,
  AgentPhase,
  Assignment,
  DispatchPlan,
  InFlightCount,
  JobFlagContext,
  LabelSelector,
  LabelSelectorRequirement,
  PriorityClass,
  SchedulingAgent,
  SchedulingFlags,
  SchedulingJob,
  SchedulingSnapshot,
  Unplaced,
  UnplacedReason,
} from "./types.js";
