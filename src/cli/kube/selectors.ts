// Field selectors over the Job CRD's selectable fields (see jobResource.selectableFields in src/api).
import { TERMINAL_JOB_PHASES } from "../../api/index.js";

/**
 * Jobs not yet finished. A Job without status has no phase, which the selector reads as "" and
 * keeps, as it should (such a Job is Pending).
 */
export const UNFINISHED_SELECTOR = TERMINAL_JOB_PHASES.map((p) => `status.phase!=${p}`).join(",");

/** Unfinished Jobs of one agent (the ones it holds or is about to get back after a requeue). */
export function agentJobsSelector(agent: string): string {
  return `status.assignedAgent=${agent},${UNFINISHED_SELECTOR}`;
}
