// audit-recovery: on each new leadership, writes the audit entries a dead predecessor lost, from the
// decisions the Jobs' statuses record (see runnable.ts for the flow and its bound).
import type { ControllerRegistration } from "../operator-context.js";
import { AUDIT_RECOVERY, AuditRecovery } from "./runnable.js";

export { decisionsSince, lostDecisions, recordedDecisions } from "./decide.js";
export { AUDIT_RECOVERY, AuditRecovery, RECOVERY_DELAY_MS, RECOVERY_GIVE_UP_MS, RECOVERY_GRACE_MS, RECOVERY_WINDOW_MS, type AuditRecoveryDeps } from "./runnable.js";

/** The entry in CONTROLLERS. */
export const auditRecoveryRegistration: ControllerRegistration = {
  name: AUDIT_RECOVERY,
  setup: (ctx) => [
    new AuditRecovery({
      transport: ctx.transport,
      jobs: ctx.informers.jobs,
      sink: ctx.recoverySink,
      namespaces: ctx.config.namespaces,
      clock: ctx.clock,
      log: ctx.log.child({ controller: AUDIT_RECOVERY }),
      registry: ctx.registry,
    }),
  ],
};
