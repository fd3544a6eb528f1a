// Pure decision of agent garbage collection: does agent-health delete an Offline agent, and when to look again.
//
// Flow (first match wins):
// 1. `--agent-gc-after` is 0, the Agent is already being deleted, or a Pod owns it → keep. Kubernetes'
//    garbage collector deletes an in-pod Agent with its Pod (and the Lease with the Agent).
// 2. Not Offline, as persisted and as judged now → keep.
// 3. Offline for less than `gcAfterMs`, counted from the persisted phase change → wait until then.
// 4. Jobs still Assigned to or Running on it → keep: the dispatcher moves an Offline agent's jobs (job recovery's rule), and
//    each of those job changes wakes this agent's reconcile again.
// 5. Otherwise → delete, with the uid and resourceVersion it was decided on. The Lease is owned by
//    the Agent, so the garbage collector removes it too.
//
// Guarantees: the Offline time is read from the Agent's status (written on the phase change), never
// from this process's memory, so a restarted or new leader keeps counting where the last one was. An
// agent that still holds Assigned or Running jobs is never deleted.
// Caveats: an Offline status with no transition time at all (not written by agent-health) is kept.
import { formatTime, isOwnedByPod, type Agent, type AgentPhase } from "../../api/index.js";
import { formatDuration } from "../../runtime/config/index.js";
import { phaseSinceOf } from "../shared/index.js";

/** The `reason` of the `agent-deleted` audit entry. */
export const AGENT_DELETED_REASON = "OfflineTooLong";

export interface AgentCollectionInput {
  /** The Agent as cached (its status is what was persisted). */
  readonly agent: Agent;
  /** The phase agent-health judges now; undefined while it cannot tell yet. */
  readonly phase: AgentPhase | undefined;
  /** Jobs Assigned to or Running on the agent now. */
  readonly activeJobs: number;
  /** The operator's clock, epoch ms. */
  readonly now: number;
  /** `--agent-gc-after`; 0 = never. */
  readonly gcAfterMs: number;
}

/** Why an agent is kept with no timer (a change of the agent or of its jobs brings it back). */
export type AgentKeepReason = "Disabled" | "Deleting" | "OwnedByPod" | "NotOffline" | "NoTransitionTime" | "ActiveJobs";

export type AgentCollectionDecision =
  | { readonly kind: "keep"; readonly reason: AgentKeepReason }
  /** Offline, but not for long enough: look again after `requeueAfterMs`. */
  | { readonly kind: "wait"; readonly requeueAfterMs: number }
  | { readonly kind: "delete"; readonly reason: typeof AGENT_DELETED_REASON; readonly offlineSince: number; readonly message: string };

/** Decides whether to delete one agent; see the file comment for the rules and their order. */
export function decideAgentCollection(input: AgentCollectionInput): AgentCollectionDecision {
  const { agent, now, gcAfterMs } = input;
  if (gcAfterMs <= 0) return keep("Disabled");
  if (agent.metadata.deletionTimestamp !== undefined) return keep("Deleting");
  if (isOwnedByPod(agent)) return keep("OwnedByPod");
  if (agent.status?.phase !== "Offline" || input.phase !== "Offline") return keep("NotOffline");
  const since = phaseSinceOf(agent);
  if (since === undefined) return keep("NoTransitionTime");
  const dueAt = since + gcAfterMs;
  if (now < dueAt) return { kind: "wait", requeueAfterMs: dueAt - now };
  if (input.activeJobs > 0) return keep("ActiveJobs");
  return {
    kind: "delete",
    reason: AGENT_DELETED_REASON,
    offlineSince: since,
    message: `Offline since ${formatTime(new Date(since))}, longer than --agent-gc-after (${formatDuration(gcAfterMs)}): the Agent is deleted, and its Lease with it`,
  };
}

function keep(reason: AgentKeepReason): AgentCollectionDecision {
  return { kind: "keep", reason };
}
