// The generated reference pages under docs/reference/ (`make docs`): the API from the zod schemas, the
// flags, metrics, condition reasons and audit actions from the code that defines them.
import { join } from "node:path";
import { renderApiReference } from "./api-reference.js";
import { renderAuditActions } from "./audit-actions.js";
import { renderConditions } from "./conditions.js";
import { renderAgentFlags, renderOperatorFlags } from "./flags.js";
import { renderMetrics } from "./metrics.js";

export { GENERATED_NOTE } from "./markdown.js";
export { DOCTEST_INFO, doctestBlocks, doctestPages, doctestScript, fencedBlocks, type DoctestPage, type FencedBlock } from "./doctest.js";

/** Where the generated pages live, relative to the repository root. */
export const REFERENCE_DIR = join("docs", "reference");

export interface DocFile {
  /** File name inside docs/reference/. */
  readonly fileName: string;
  readonly content: string;
}

/** Every generated page, computed in memory; `root` is the repository (the chart templates are read from it). */
export function generateDocFiles(root: string): DocFile[] {
  return [
    { fileName: "api.md", content: renderApiReference() },
    { fileName: "conditions.md", content: renderConditions() },
    { fileName: "operator-flags.md", content: renderOperatorFlags(root) },
    { fileName: "agent-flags.md", content: renderAgentFlags(root) },
    { fileName: "metrics.md", content: renderMetrics() },
    { fileName: "audit-actions.md", content: renderAuditActions() },
  ];
}
