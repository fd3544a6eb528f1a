// The operator's controllers and their composition: the OperatorContext every controller is built
// from, and CONTROLLERS, the registry `helios operator` installs (add ONE entry per controller).
import { agentHealthRegistration } from "./agent-health/index.js";
import { auditRecoveryRegistration } from "./audit-recovery/index.js";
import { auditRetention } from "./audit-retention/index.js";
import { featureFlagController } from "./featureflag/index.js";
import { jobRecoveryRegistration } from "./job-recovery/index.js";
import { metricsRegistration } from "./metrics/index.js";
import { queuePriorityRegistration } from "./queue-priority/index.js";
import type { ControllerRegistration } from "./operator-context.js";

export {
  createOperatorContext,
  installOperator,
  type ControllerRegistration,
  type OperatorContext,
  type OperatorContextOptions,
} from "./operator-context.js";
export {
  agentIndexKey,
  isActivePhase,
  JOB_INDEX,
  jobPhase,
  type OperatorInformers,
} from "./shared/index.js";

/** Every controller `helios operator` runs, in start order. */
export const CONTROLLERS: readonly ControllerRegistration[] = [
  auditRetention,
  featureFlagController,
  agentHealthRegistration,
  queuePriorityRegistration,
  jobRecoveryRegistration,
  metricsRegistration,
  auditRecoveryRegistration,
];
