// Operator configuration: Go-style durations and the operator's flags (with HELIOS_* env fallbacks)
// validated into one typed OperatorConfig; a bad value is a ConfigError naming the flag.
export { DurationError, formatDuration, parseDuration } from "./duration.js";
export type { ConfigIssue, FlagKind, FlagSpec, OperatorConfig, RawFlags } from "./operator-config.js";
export { ConfigError, flagAttribute, flagEnv, OPERATOR_FLAGS, resolveOperatorConfig } from "./operator-config.js";
