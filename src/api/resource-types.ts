// REST coordinates of the Helios kinds, in the shape the runtime client's ResourceType expects.
import { GROUP, KINDS, PLURALS, VERSION } from "./constants.js";

export interface HeliosResourceType {
  readonly group: typeof GROUP;
  readonly version: typeof VERSION;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: true;
}

const type = (plural: string, kind: string): HeliosResourceType => ({ group: GROUP, version: VERSION, plural, kind, namespaced: true });

/** Use these with `new ResourceClient<Job>(transport, JOB_TYPE)`; never spell the group/plural again. */
export const JOB_TYPE = type(PLURALS.job, KINDS.job);
export const AGENT_TYPE = type(PLURALS.agent, KINDS.agent);
export const FEATURE_FLAG_TYPE = type(PLURALS.featureFlag, KINDS.featureFlag);
export const FEATURE_FLAG_SET_TYPE = type(PLURALS.featureFlagSet, KINDS.featureFlagSet);
export const AUDIT_LOG_TYPE = type(PLURALS.auditLog, KINDS.auditLog);
