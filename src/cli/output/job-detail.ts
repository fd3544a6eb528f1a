// `helios jobs NAME`: one Job in full, like kubectl describe: spec, status, conditions, attempts and its audit trail.
import { stringify } from "yaml";
import { jobPhase, type Job } from "../../api/index.js";
import type { AuditRow } from "../../audit/index.js";
import { formatAuditTable } from "./audit.js";
import { ageOf } from "./durations.js";
import { formatTable } from "./table.js";

/** The job page; `audit` undefined means the trail could not be read (`auditProblem` says why). */
export function formatJobDetail(job: Job, audit: readonly AuditRow[] | undefined, nowMs: number, auditProblem?: string): string {
  const { spec, status } = job;
  const lines: string[] = [];
  const field = (name: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== "") lines.push(`${`${name}:`.padEnd(14)}${value}`);
  };
  const block = (name: string, value: Readonly<Record<string, unknown>> | undefined): void => {
    if (value === undefined) return;
    lines.push(`${name}:`, ...stringify(value, { lineWidth: 0 }).trimEnd().split("\n").map((l) => `  ${l}`));
  };
  field("Name", job.metadata.name);
  field("Namespace", job.metadata.namespace);
  field("Type", spec.type);
  field("Priority", spec.priority);
  field("Queue", spec.queue);
  field("Phase", `${jobPhase(job)}${spec.cancel === true && status?.phase !== "Cancelled" ? " (cancel requested)" : ""}`);
  field("Agent", status?.assignedAgent);
  field("Attempt", status?.attempt === undefined ? undefined : `${status.attempt} (retries ${status.retries ?? 0} of ${spec.retry.maxRetries})`);
  field("Created", timeAndAge(job.metadata.creationTimestamp, nowMs));
  field("Started", timeAndAge(status?.startedAt, nowMs));
  field("Finished", timeAndAge(status?.finishedAt, nowMs));
  field("Next attempt", timeAndAge(status?.nextAttemptAt, nowMs));
  const progress = status?.progress;
  if (progress !== undefined) field("Progress", `${progress.percent === undefined ? "" : `${Math.round(progress.percent)}% `}${progress.message ?? ""}`.trim());
  if (status?.lastError !== undefined) {
    const e = status.lastError;
    field("Last error", `${e.reason}: ${e.message}${e.attempt === undefined ? "" : ` (attempt ${e.attempt})`}${e.terminal === true ? " [terminal]" : ""}`);
  }
  block("Payload", spec.payload);
  block("Result", status?.result);
  lines.push("Conditions:");
  const conditions = status?.conditions ?? [];
  lines.push(
    conditions.length === 0
      ? "  <none>"
      : indent(formatTable(["TYPE", "STATUS", "REASON", "AGE", "MESSAGE"], conditions.map((c) => [c.type, c.status, c.reason, ageOf(c.lastTransitionTime, nowMs), c.message ?? ""]))),
  );
  lines.push("Attempts:");
  const attempts = status?.attempts ?? [];
  lines.push(
    attempts.length === 0
      ? "  <none>"
      : indent(
          formatTable(
            ["ATTEMPT", "AGENT", "OUTCOME", "REASON", "ASSIGNED", "STARTED", "FINISHED"],
            attempts.map((a) => [String(a.attempt), a.agent, a.outcome || "(running)", a.reason ?? "", a.assignedAt ?? "", a.startedAt ?? "", a.finishedAt ?? ""]),
          ),
        ),
  );
  lines.push("Audit trail:");
  if (audit === undefined) lines.push(`  <unavailable: ${auditProblem ?? "not read"}>`);
  else lines.push(audit.length === 0 ? "  <none>" : indent(formatAuditTable(audit, { namespaces: false })));
  return `${lines.join("\n")}\n`;
}

function timeAndAge(value: string | undefined, nowMs: number): string | undefined {
  return value === undefined ? undefined : `${value} (${ageOf(value, nowMs)} ago)`;
}

function indent(table: string): string {
  return table
    .trimEnd()
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
