// `helios audit` output: audit rows as a kubectl-style table or as JSON.
import type { AuditRow } from "../../audit/index.js";
import { formatTable, oneLine } from "./table.js";

const MESSAGE_WIDTH = 100;

export interface AuditTableOptions {
  /** Add a NAMESPACE column (for `-A`). */
  readonly namespaces: boolean;
}

/** Rows as a table, one line per entry, oldest first; the message is cut at 100 characters. */
export function formatAuditTable(rows: readonly AuditRow[], options: AuditTableOptions): string {
  const head = [...(options.namespaces ? ["NAMESPACE"] : []), "TIME", "ACTION", "OBJECT", "ATTEMPT", "AGENT", "REASON", "ACTOR", "MESSAGE"];
  return formatTable(
    head,
    rows.map((r) => [
      ...(options.namespaces ? [r.namespace] : []),
      r.time,
      r.action,
      `${r.kind}/${r.name}`,
      r.attempt === undefined ? "" : String(r.attempt),
      r.agent ?? "",
      r.reason ?? "",
      r.actor ?? "",
      oneLine(r.message ?? "", MESSAGE_WIDTH),
    ]),
  );
}

/** Rows as a JSON array (every field, full messages), for scripts and `jq`. */
export function formatAuditJson(rows: readonly AuditRow[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}
