// featureflag: validates each FeatureFlag with the evaluator (flagd-core, through the flag store) and
// writes its status: the Valid condition, observedGeneration, the served default value and the last
// valid definition; announces changes as Events and audit entries.
export { decideFlagStatus, FLAG_EVENTS, FLAG_REASONS, type FlagAnnouncement, type FlagStatusDecision } from "./decide.js";
export { FEATURE_FLAG_CONTROLLER, FeatureFlagReconciler, type FeatureFlagDeps } from "./reconciler.js";
export { createFeatureFlagController, featureFlagController, type FeatureFlagSetup, type FlagInformer } from "./setup.js";
