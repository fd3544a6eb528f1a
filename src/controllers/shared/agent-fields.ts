// Reading a cached Agent's persisted times the same way in every controller.
import { AGENT_CONDITIONS, findCondition, parseTime, type Agent } from "../../api/index.js";

/** A job's agent is lost when its Agent is gone or Offline: its active jobs are taken from it (job recovery's rule). */
export function isLostAgent(agent: Agent | undefined): boolean {
  return agent === undefined || agent.status?.phase === "Offline";
}

/**
 * When the agent entered its current phase (epoch ms), from what agent-health persisted, so a
 * restarted operator counts on: `status.lastPhaseTransitionTime`; for a status written before that
 * field existed, the Ready condition's `lastTransitionTime`, which is at or before the phase change
 * (it stays put between Draining, Quarantined and Offline, all Ready=False). undefined when neither is set.
 */
export function phaseSinceOf(agent: Agent): number | undefined {
  const status = agent.status;
  return parseTime(status?.lastPhaseTransitionTime) ?? parseTime(findCondition(status?.conditions, AGENT_CONDITIONS.ready)?.lastTransitionTime);
}
