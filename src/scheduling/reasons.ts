// Why a job stays Pending: the reason constants, whether each blocks, and the human messages.
import type { UnplacedReason } from "./types.js";

/**
 * Every reason the scheduler gives, as constants. A reason is `blocked` when waiting for running
 * work to finish cannot help, so someone must act (flip a flag, start or undrain an agent, fix the
 * selector); the controller shows those as condition `Blocked`.
 */
export const UNPLACED_REASONS: Readonly<Record<UnplacedReason, { readonly blocked: boolean }>> = {
  DispatchPaused: { blocked: true },
  KillSwitch: { blocked: true },
  NotBefore: { blocked: false },
  BackoffWait: { blocked: false },
  DispatchDelay: { blocked: false },
  QueueAtCapacity: { blocked: false },
  NoCapableAgent: { blocked: true },
  NoAgentForQueue: { blocked: true },
  NoMatchingAgent: { blocked: true },
  NoReadyAgent: { blocked: true },
  NoFreeCapacity: { blocked: false },
};

const iso = (ms: number): string => new Date(ms).toISOString();
const quoted = (items: readonly string[]): string => items.map((s) => `"${s}"`).join(", ");

/** Message builders, one per reason; each says what is wrong and what would fix it. */
export const messages = {
  dispatchPaused: (): string =>
    "Dispatch is paused by flag helios-dispatch-paused; running work continues. Set the flag to false to resume assignment.",
  killSwitch: (jobType: string, queue: string): string =>
    `Flag helios-job-kill-switch is on for this job (type "${jobType}", queue "${queue}"); it will not be assigned until the flag is off for it.`,
  notBefore: (at: number): string => `Delayed job: waiting until notBefore ${iso(at)}.`,
  backoffWait: (at: number): string => `Waiting out retry backoff until ${iso(at)}.`,
  dispatchDelay: (delayMs: number, at: number): string =>
    `Waiting out helios-dispatch-delay-ms (${delayMs} ms) until ${iso(at)}.`,
  queueAtCapacity: (queue: string, namespace: string, inFlight: number, cap: number): string =>
    `Queue "${queue}" in namespace "${namespace}" has ${inFlight} jobs in flight, at its cap of ${cap} (flag helios-queue-max-inflight); the job is assigned when one finishes or the cap is raised.`,
  noAgents: (namespace: string): string =>
    `No agent is registered in namespace "${namespace}"; start one with \`helios agent --namespace ${namespace}\`.`,
  missingCapability: (namespace: string, missing: readonly string[]): string =>
    `No agent in namespace "${namespace}" has capability ${quoted(missing)}; start one with --capabilities ${missing.join(",")}.`,
  noSingleCapableAgent: (namespace: string, required: readonly string[]): string =>
    `No single agent in namespace "${namespace}" has all of capabilities ${quoted(required)}; start one with --capabilities ${required.join(",")}.`,
  noAgentForQueue: (namespace: string, queue: string): string =>
    `No agent with the required capabilities in namespace "${namespace}" serves queue "${queue}"; start one with --queues ${queue}.`,
  noMatchingAgent: (queue: string, selector: string): string =>
    `No capable agent on queue "${queue}" matches agentSelector ${selector}; label an agent to match or relax the selector.`,
  noReadyAgent: (matching: number, byPhase: string): string =>
    `All ${matching} matching agents are unavailable (${byPhase}); the job is assigned when one is Ready and not draining.`,
  noFreeCapacity: (matching: number): string =>
    `All ${matching} matching Ready agents are at capacity; the job is assigned when one frees up (add agents or raise maxConcurrency).`,
};
