// `helios audit` output: audit rows as a kubectl-style table (JSON and YAML go through formatDocument).
import type { AuditRow } from "../../audit/index.js";
import { formatTable, oneLine } from "./table.js";

const MESSAGE_WIDTH = 100;

export interface AuditTableOptions {
  /** Add a NAMESPACE column (for `-A`). */
  readonly namespaces: boolean;
  /** `-o wide`: add the object's UID and print messages up to the table's 200-character cell bound. */
  readonly wide?: boolean;
}

/**
 * Rows as a table, one line per entry, oldest first; the message is cut at 100 characters unless
 * wide. An entry a new leader recovered from a Job's status shows its actor as `<actor> (recovered)`.
 */
export function formatAuditTable(rows: readonly AuditRow[], options: AuditTableOptions): string {
  const wide = options.wide === true;
  const head = [...(options.namespaces ? ["NAMESPACE"] : []), "TIME", "ACTION", "OBJECT", ...(wide ? ["UID"] : []), "ATTEMPT", "AGENT", "REASON", "ACTOR", "MESSAGE"];
  return formatTable(
    head,
    rows.map((r) => [
      ...(options.namespaces ? [r.namespace] : []),
      r.time,
      r.action,
      `${r.kind}/${r.name}`,
      ...(wide ? [r.uid ?? ""] : []),
      r.attempt === undefined ? "" : String(r.attempt),
      r.agent ?? "",
      r.reason ?? "",
      r.recovered === true ? `${r.actor ?? ""} (recovered)` : (r.actor ?? ""),
      wide ? (r.message ?? "") : oneLine(r.message ?? "", MESSAGE_WIDTH),
    ]),
  );
}
