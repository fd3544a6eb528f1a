// Operator configuration: Go-style durations and the operator's flags (with HELIOS_* env fallbacks)
// validated into one typed OperatorConfig; a bad value is a ConfigError naming the flag.
export { DURATION_PATTERN, DurationError, formatDuration, parseDuration, POSITIVE_DURATION_PATTERN } from "./duration.js";
export type { ConfigIssue, FlagKind, FlagSpec, OperatorConfig, RawFlags } from "./operator-config.js";
export {
  ConfigError,
  durationSchema,
  flagAttribute,
  flagEnv,
  OPERATOR_FLAG_SCHEMAS,
  OPERATOR_FLAGS,
  quarantineBoundHolds,
  resolveOperatorConfig,
} from "./operator-config.js";
