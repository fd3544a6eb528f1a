// The testbed's flag files as flag sources: the evaluator suite's testkit file, the provider suite's
// merged file (what the testbed's launchpad serves by default) and one source per file a selector names.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { JsonValue } from "@openfeature/server-sdk";
import type { SourceRequest } from "./steps.js";

export const TESTBED_DIR = new URL("../../../conformance/flagd-testbed/", import.meta.url).pathname;

/** A flagd flag configuration file: flags by key, optional shared evaluators and flag-set metadata. */
export interface FlagConfiguration {
  readonly flags: Record<string, Record<string, JsonValue>>;
  readonly $evaluators?: Record<string, JsonValue>;
  readonly metadata?: Record<string, JsonValue>;
}

export interface FlagSource {
  /** Short label, also the namespace prefix. */
  readonly label: string;
  readonly configuration: FlagConfiguration;
  /** Static context the flag source adds to every evaluation (flagd's `context-value`). */
  readonly staticContext: Record<string, JsonValue>;
}

function readConfiguration(path: string): FlagConfiguration {
  return JSON.parse(readFileSync(path, "utf8")) as FlagConfiguration;
}

/** launchpad's merge of flags/*.json without the selector-* files (a deep merge; the files share no keys). */
function mergedProviderFlags(): FlagConfiguration {
  const dir = join(TESTBED_DIR, "flags");
  const parts = readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.startsWith("selector-"))
    .sort()
    .map((f) => readConfiguration(join(dir, f)));
  return {
    flags: Object.assign({}, ...parts.map((p) => p.flags)) as FlagConfiguration["flags"],
    $evaluators: Object.assign({}, ...parts.map((p) => p.$evaluators ?? {})) as Record<string, JsonValue>,
  };
}

const launchpad = JSON.parse(readFileSync(join(TESTBED_DIR, "launchpad-default.json"), "utf8")) as { "context-value": Record<string, JsonValue> };

/** Every source a scenario of the suite can name, by the key `sourceKey` gives. */
export function flagSources(): Map<string, FlagSource> {
  const sources = new Map<string, FlagSource>();
  sources.set("evaluator", { label: "evaluator", configuration: readConfiguration(join(TESTBED_DIR, "evaluator/flags/testkit-flags.json")), staticContext: {} });
  sources.set("provider", { label: "provider", configuration: mergedProviderFlags(), staticContext: launchpad["context-value"] });
  for (const file of ["selector-flags", "selector-flag-combined-metadata"]) {
    sources.set(file, { label: file, configuration: readConfiguration(join(TESTBED_DIR, `flags/${file}.json`)), staticContext: {} });
  }
  return sources;
}

/** The source a scenario asks for: `flags/allFlags.json` is the merged default, `rawflags/<f>.json` one file. */
export function sourceKey(request: SourceRequest): string {
  if (request.kind === "default") return request.suite;
  if (request.selector === "flags/allFlags.json") return "provider";
  const match = /^rawflags\/(.+)\.json$/.exec(request.selector);
  if (!match?.[1]) throw new Error(`unknown selector "${request.selector}"`);
  return match[1];
}
