// docs/reference/audit-actions.md: every audit action (AUDIT_ACTIONS) with what decision it records.
import { AUDIT_ACTIONS, type AuditAction } from "../../src/api/index.js";
import { code, page, table } from "./markdown.js";

interface ActionDoc {
  readonly kind: string;
  readonly meaning: string;
}

/** Keyed by action, so a new action fails the type check until it is documented. */
const ACTION_DOCS: Readonly<Record<AuditAction, ActionDoc>> = {
  assigned: { kind: "Job", meaning: "The dispatcher assigned an attempt to an agent (reason `Scheduled`; `attempt` and `agent` are set)." },
  started: { kind: "Job", meaning: "The agent reported the attempt Running (recorded by the operator when it sees the write)." },
  succeeded: { kind: "Job", meaning: "The agent reported success; the Job is Succeeded." },
  requeued: { kind: "Job", meaning: "An attempt was taken away without spending a retry (reason `Released` or `KillSwitch`); the Job is Pending again." },
  retried: { kind: "Job", meaning: "An attempt failed or was lost and a retry was spent (reason `HandlerFailed`, `Timeout`, `Stuck`, `AckTimeout`, `AgentOffline`, `AgentDeleted`); the Job is Pending again, or, taken from a lost agent, Assigned to another in the same write (an `assigned` entry follows)." },
  expired: { kind: "Job", meaning: "The Job was never started within its queue deadline (reason `Expired`)." },
  failed: { kind: "Job", meaning: "The Job Failed: `RetriesExhausted`, or an attempt's terminal reason." },
  cancelled: { kind: "Job", meaning: "The Job was Cancelled through `spec.cancel` (reason `Cancelled`)." },
  deleted: { kind: "Job", meaning: "A finished Job was deleted when its time to live elapsed (reason `TTLExpired`)." },
  "agent-offline": { kind: "Agent", meaning: "The agent went Offline (reason `AgentOffline` or `AgentStopped`), or its Agent object was deleted (reason `AgentDeleted`)." },
  "agent-online": { kind: "Agent", meaning: "The agent became Ready (reason `AgentReady`, or `HalfOpen` after a quarantine)." },
  "agent-quarantined": { kind: "Agent", meaning: "The circuit breaker quarantined the agent after failed attempts in a row (reason `AgentQuarantined`)." },
  "agent-drained": { kind: "Agent", meaning: "The agent started draining (reason `AgentDraining`)." },
  "agent-deleted": { kind: "Agent", meaning: "The operator deleted an agent that was not in a pod and stayed Offline for `--agent-gc-after` (reason `OfflineTooLong`)." },
  "flag-changed": { kind: "FeatureFlag", meaning: "A FeatureFlag was changed, found invalid or deleted (its Valid reason, or `Deleted`)." },
  "records-deleted": { kind: "AuditLog", meaning: "An audit-retention run deleted chunks older than `--audit-retention` (reason `RetentionExpired`, `DryRun` or `DeleteFailed`); written in the operator namespace." },
};

/** The audit actions page. */
export function renderAuditActions(): string {
  return page("Audit actions", [
    "The `action` of an audit entry, from `AUDIT_ACTIONS` in `src/api/audit-log.ts`. Entries live in AuditLog chunks per namespace " +
      "(fields in [api.md](api.md#auditlog)); `helios audit` reads them. Entries the operator rebuilt after a crash carry `recovered: true`.",
    table(["action", "object kind", "records"], AUDIT_ACTIONS.map((a) => [code(a), ACTION_DOCS[a].kind, ACTION_DOCS[a].meaning])),
  ]);
}
