// The list of every Helios kind, for code that handles them all (the CRD generator, `kubectl get helios`).
import { agentResource } from "./agent.js";
import { auditLogResource } from "./audit-log.js";
import { featureFlagResource } from "./feature-flag.js";
import { featureFlagSetResource } from "./feature-flag-set.js";
import { jobResource } from "./job.js";
import type { ResourceDefinition } from "./resource.js";

export const HELIOS_RESOURCES: readonly ResourceDefinition[] = [jobResource, agentResource, featureFlagResource, featureFlagSetResource, auditLogResource];
