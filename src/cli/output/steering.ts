// What the steering commands print: what they did and what happens next (drain, uncordon, cancel, pause/resume).
import { jobPhase } from "../../api/index.js";
import type { CancelOutcome } from "../../client/index.js";
import type { DrainOutcome, PauseOutcome } from "../kube/index.js";

/** What `helios drain` prints: what it did and what happens next. */
export function describeDrain(outcome: DrainOutcome, namespace: string, program: string): string {
  const name = outcome.agent.metadata.name ?? "";
  const phase = outcome.agent.status?.phase ?? "Unknown";
  const jobs = outcome.inflight;
  const running =
    jobs === undefined
      ? "Jobs already assigned to it run to completion."
      : jobs.length === 0
        ? "It has no unfinished jobs, so it is idle from now on."
        : `Its ${jobs.length} unfinished job${jobs.length === 1 ? "" : "s"} (${jobs.map((j) => j.metadata.name ?? "").join(", ")}) run to completion.`;
  return [
    `agent.helios.dev/${name} ${outcome.changed ? "drained" : "already drained"} (phase ${phase}).`,
    `Next: the operator shows it Draining and assigns it no new work. ${running}`,
    `Undo with: ${program} uncordon ${name} -n ${namespace}`,
    "",
  ].join("\n");
}

/** What `helios uncordon` prints: what it did and when work arrives again. */
export function describeUncordon(outcome: DrainOutcome): string {
  const name = outcome.agent.metadata.name ?? "";
  const phase = outcome.agent.status?.phase ?? "Unknown";
  const when =
    phase === "Offline"
      ? "It is Offline: it takes work once its heartbeat (Lease) is renewed again."
      : phase === "Quarantined"
        ? "It is Quarantined: it takes work again when the cool-down ends."
        : "The operator marks it Ready and assigns it work from its queues.";
  return [`agent.helios.dev/${name} ${outcome.changed ? "uncordoned" : "was not drained"} (phase ${phase}).`, `Next: ${when}`, ""].join("\n");
}

/** What `helios cancel` prints: the job's phase and what the operator does next. */
export function describeCancel(outcome: CancelOutcome): string {
  const job = outcome.job;
  const name = job.metadata.name ?? "";
  const phase = jobPhase(job);
  const agent = job.status?.assignedAgent;
  const where = agent === undefined || phase === "Pending" ? `phase ${phase}` : `phase ${phase} on agent ${agent}, attempt ${job.status?.attempt ?? 0}`;
  if (outcome.result === "finished") return `job.helios.dev/${name} already ${phase}: nothing to cancel.\n`;
  const next =
    phase === "Pending"
      ? "the operator marks it Cancelled; it is never assigned."
      : "the operator marks it Cancelled; the agent is told to stop the handler and its result is dropped.";
  const head = outcome.result === "requested" ? "cancel requested" : "cancel already requested";
  return `job.helios.dev/${name} ${head} (${where}).\nNext: ${next}\n`;
}

/** What pause and resume print: the state the operator now evaluates, how it got there, and the undo. */
export function describeDispatchState(outcome: PauseOutcome, wanted: boolean, operatorNamespace: string, program: string): string {
  const how = outcome.result === "created" ? "created" : outcome.result === "patched" ? "set" : "already set";
  const variant = outcome.variant === undefined ? "" : `, variant "${outcome.variant}"`;
  const lines = [
    outcome.paused
      ? "Dispatch is PAUSED: the operator assigns no new jobs; running jobs continue."
      : "Dispatch is running: the operator assigns pending jobs to ready agents.",
    `(flag helios-dispatch-paused in namespace ${operatorNamespace} ${how}${variant})`,
  ];
  if (outcome.paused !== wanted) {
    lines.push(`warning: the flag's targeting still evaluates to ${String(outcome.paused)}; edit it: kubectl edit hflag helios-dispatch-paused -n ${operatorNamespace}`);
  } else if (outcome.targeted) {
    lines.push("note: the flag has targeting rules; the operator evaluates it without context, as shown.");
  }
  lines.push(outcome.paused ? `Resume with: ${program} resume` : `Pause with: ${program} pause`, "");
  return lines.join("\n");
}
