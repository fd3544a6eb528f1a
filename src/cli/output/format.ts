// The `-o` output formats and the machine-readable printers (JSON and YAML documents).
import { stringify } from "yaml";
import { UsageError } from "../command.js";

/** What `-o` accepts: kubectl's names for the same ideas. */
export const OUTPUT_FORMATS = ["table", "wide", "json", "yaml"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Parses `-o`; an empty value is the default table.
 * @throws UsageError naming the accepted formats.
 */
export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === "") return "table";
  const found = OUTPUT_FORMATS.find((f) => f === value);
  if (found === undefined) {
    throw new UsageError(`invalid value ${JSON.stringify(value)} for --output: expected one of ${OUTPUT_FORMATS.join(", ")}`);
  }
  return found;
}

/** True for the formats meant for scripts rather than people. */
export function isDocumentFormat(format: OutputFormat): format is "json" | "yaml" {
  return format === "json" || format === "yaml";
}

/** `value` as one JSON or YAML document, ending with a newline (YAML starts with `---` so watched frames split cleanly). */
export function formatDocument(value: unknown, format: "json" | "yaml"): string {
  if (format === "json") return `${JSON.stringify(value, null, 2)}\n`;
  return `---\n${stringify(value, { lineWidth: 0 })}`;
}
