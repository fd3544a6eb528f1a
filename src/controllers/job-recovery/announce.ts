// What a written recovery decision tells the world: the audit entry, the Event, the retry metric and the log line.
import type { AuditAction } from "../../api/index.js";
import type { AuditSink } from "../../audit/index.js";
import type { EventRecorder, EventType } from "../../runtime/events/index.js";
import type { Logger } from "pino";
import { queueOf, type CachedJob, type JobMetrics } from "../shared/index.js";
import type { RecoveryDecision } from "./decide.js";

export interface AnnounceDeps {
  readonly audit: AuditSink;
  readonly events: EventRecorder;
  readonly metrics?: JobMetrics | undefined;
}

/** A decision that was acted on (written or deleted). */
export type ActedDecision = Exclude<RecoveryDecision, { kind: "none" }>;

interface Notice {
  readonly audit: AuditAction;
  /** Undefined: routine, no Event. */
  readonly event?: { readonly type: EventType; readonly reason: string; readonly action: string };
}

/**
 * Announces `decision`, acted on by `actor`. `job` carries the status the decision wrote (for a
 * requeue or failure: the attempt taken away is still `status.attempt`, its record names the agent).
 */
export function announceRecovery(deps: AnnounceDeps, job: CachedJob, decision: ActedDecision, actor: string, log: Logger): void {
  const notice = noticeFor(decision);
  const namespace = job.metadata.namespace ?? "";
  const attempt = job.status?.attempt;
  const agent = decision.kind === "requeue" || decision.kind === "fail" ? previousAgent(job) : undefined;
  if (decision.kind === "requeue" && decision.countsRetry) {
    deps.metrics?.retries.inc({ namespace, queue: queueOf(job), reason: decision.reason });
  }
  if (notice !== undefined) {
    deps.audit.record({
      namespace,
      action: notice.audit,
      kind: "Job",
      name: job.metadata.name ?? "",
      ...(job.metadata.uid === undefined ? {} : { uid: job.metadata.uid }),
      ...(attempt === undefined || attempt === 0 ? {} : { attempt }),
      ...(agent === undefined ? {} : { agent }),
      reason: decision.reason,
      message: decision.message.slice(0, 1024),
      actor,
    });
    if (notice.event !== undefined) deps.events.event(job, notice.event.type, notice.event.reason, notice.event.action, decision.message);
  }
  log.info(
    { job: job.metadata.name, namespace, uid: job.metadata.uid, attempt, decision: decision.kind, reason: decision.reason, message: decision.message },
    `job ${decision.kind}`,
  );
}

function previousAgent(job: CachedJob): string | undefined {
  const attempt = job.status?.attempt;
  return job.status?.attempts?.find((a) => a.attempt === attempt)?.agent;
}

// Agent loss, deadlines and terminal failures are worth a Warning in `kubectl describe`; a handler's
// own failure retried with backoff is routine (the audit trail and lastError keep it).
function noticeFor(decision: ActedDecision): Notice | undefined {
  switch (decision.kind) {
    case "requeue": {
      const audit: AuditAction = decision.countsRetry ? "retried" : "requeued";
      if (decision.reason === "HandlerFailed") return { audit };
      const type: EventType = decision.reason === "Released" || decision.reason === "KillSwitch" ? "Normal" : "Warning";
      return { audit, event: { type, reason: decision.reason, action: "Requeue" } };
    }
    case "fail":
      return { audit: "failed", event: { type: "Warning", reason: decision.reason, action: "Fail" } };
    case "expire":
      return { audit: "expired", event: { type: "Warning", reason: decision.reason, action: "Expire" } };
    case "cancel":
      return { audit: "cancelled", event: { type: "Normal", reason: decision.reason, action: "Cancel" } };
    case "delete":
      return { audit: "deleted" };
    case "complete":
      return undefined;
  }
}
