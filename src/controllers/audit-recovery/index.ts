// audit-recovery: on each new leadership, writes the audit entries a dead predecessor lost, from the
// decisions the Jobs' statuses record (see runnable.ts for the flow and its bound).
import type { ControllerRegistration } from "../operator-context.js";
import { AUDIT_RECOVERY, AuditRecovery } from "./runnable.js";

export { lostDecisions, recordedDecisions, type LostDecisionsInput } from "./decide.js";
export { AUDIT_RECOVERY, AuditRecovery, RECOVERY_DELAY_MS, RECOVERY_GRACE_MS, RECOVERY_WINDOW_MS, type AuditRecoveryDeps } from "./runnable.js";

/** The entry in CONTROLLERS. */
export const auditRecovery: ControllerRegistration = {
  name: AUDIT_RECOVERY,
  setup: (ctx) => [
    new AuditRecovery({
      transport: ctx.transport,
      sink: ctx.audit,
      namespaces: ctx.config.namespaces,
      clock: ctx.clock,
      log: ctx.log.child({ controller: AUDIT_RECOVERY }),
      registry: ctx.registry,
    }),
  ],
};
