// Feature flags: FeatureFlag objects validated and evaluated in-process by flagd-core, served to the
// operator and agents as ControlFlags (operator namespace only) and to applications through an
// OpenFeature server provider.
export { toEvaluationContext } from "./context.js";
export { validateFlagDefinition, type FlagSetDefinition, type FlagValidation } from "./definition.js";
export { mergeFlagSets } from "./flag-set-definition.js";
export { FlagSet, type FlagResolution, type FlagState, type ServingDefinition } from "./flag-set.js";
export {
  FlagStore,
  sharedFlagStore,
  watchFlags,
  type FlagChange,
  type FlagChangeListener,
  type FlagSource,
  type FlagStoreOptions,
  type FlagWatch,
  type WatchedFlags,
} from "./flag-store.js";
export { HeliosProvider, type HeliosProviderOptions } from "./provider.js";
export { StoreControlFlags, watchControlFlags, type WatchedControlFlags } from "./store-control-flags.js";
