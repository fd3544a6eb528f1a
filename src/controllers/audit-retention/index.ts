// audit-retention: deletes AuditLog chunks past `--audit-retention` in batches on a requeue-after
// timer, supports dry run, and records a `records-deleted` meta-audit entry for every run.
import { AUDIT_LOG_TYPE, type AuditLog } from "../../api/index.js";
import { ResourceClient } from "../../runtime/client/index.js";
import { Controller } from "../../runtime/controller/index.js";
import type { ControllerRegistration, OperatorContext } from "../operator-context.js";
import { AUDIT_RETENTION_REQUEST, AuditRetentionReconciler } from "./reconciler.js";

export {
  AUDIT_RETENTION_ACTOR,
  AUDIT_RETENTION_REQUEST,
  AuditRetentionReconciler,
  describeRun,
  RetentionDeleteError,
  type AuditRetentionOptions,
  type RetentionRun,
} from "./reconciler.js";
export { oldestSurvivor, retentionSelector, selectExpired, type ChunkSummary, type RetentionPlan, type RetentionPolicy } from "./select.js";

export const AUDIT_RETENTION_CONTROLLER = "audit-retention";

/**
 * The leader-elected controller. It watches nothing: its one key is queued at construction, and
 * each run answers `requeueAfter`, so the timer lives in the work queue like every other timer.
 */
export function auditRetentionController(ctx: OperatorContext): Controller {
  const { config } = ctx;
  const controller = new Controller({
    name: AUDIT_RETENTION_CONTROLLER,
    reconciler: new AuditRetentionReconciler({
      client: new ResourceClient<AuditLog>(ctx.transport, AUDIT_LOG_TYPE),
      audit: ctx.audit,
      namespaces: config.namespaces,
      operatorNamespace: config.operatorNamespace,
      retentionMs: config.auditRetentionMs,
      intervalMs: config.auditRetentionIntervalMs,
      batch: config.auditRetentionBatch,
      dryRun: config.auditDryRun,
      clock: ctx.clock,
      registry: ctx.registry,
    }),
    registry: ctx.registry,
    logger: ctx.log,
    clock: ctx.clock,
  });
  controller.enqueue(AUDIT_RETENTION_REQUEST);
  return controller;
}

/** The entry in CONTROLLERS. */
export const auditRetention: ControllerRegistration = {
  name: AUDIT_RETENTION_CONTROLLER,
  setup: (ctx) => [auditRetentionController(ctx)],
};
