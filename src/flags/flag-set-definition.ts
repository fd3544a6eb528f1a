// A namespace's FeatureFlagSets as the one flag set its flags are evaluated within.
import type { FeatureFlagSetSpec } from "../api/index.js";
import type { FlagSetDefinition } from "./definition.js";

/**
 * Merges `specs` (in name order) into one flag set: for evaluators, metadata and context alike, the
 * first set defining a name wins. Pure.
 */
export function mergeFlagSets(specs: readonly FeatureFlagSetSpec[]): FlagSetDefinition {
  const evaluators = firstWins(specs.map((s) => s.evaluators));
  const metadata = firstWins(specs.map((s) => s.metadata));
  const context = firstWins(specs.map((s) => s.context));
  return {
    ...(evaluators ? { evaluators } : {}),
    ...(metadata ? { metadata } : {}),
    ...(context ? { context } : {}),
  };
}

function firstWins<V>(records: readonly (Readonly<Record<string, V>> | undefined)[]): Record<string, V> | undefined {
  const present = records.filter((r) => r !== undefined);
  if (present.length === 0) return undefined;
  const out: Record<string, V> = {};
  for (const record of present) for (const [name, value] of Object.entries(record)) if (!Object.hasOwn(out, name)) out[name] = value;
  return out;
}
