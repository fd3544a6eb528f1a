// Presentation of audit rows for `helios audit`: a kubectl-style table (cli-table3) or JSON.
import Table from "cli-table3";
import type { AuditRow } from "./query.js";

/** Borderless, like `kubectl get`: columns separated by three spaces, headers in capitals. */
const PLAIN = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: "   ",
} as const;

const MESSAGE_WIDTH = 100;

export interface TableFormatOptions {
  /** Add a NAMESPACE column (for `-A`). */
  readonly namespaces: boolean;
}

/** Rows as a table, one line per entry, oldest first; the message is cut at 100 characters. */
export function formatAuditTable(rows: readonly AuditRow[], options: TableFormatOptions): string {
  const head = [
    ...(options.namespaces ? ["NAMESPACE"] : []),
    "TIME",
    "ACTION",
    "OBJECT",
    "ATTEMPT",
    "AGENT",
    "REASON",
    "ACTOR",
    "MESSAGE",
  ];
  const table = new Table({ head, chars: PLAIN, style: { head: [], border: [], "padding-left": 0, "padding-right": 0 } });
  for (const r of rows) {
    table.push([
      ...(options.namespaces ? [r.namespace] : []),
      r.time,
      r.action,
      `${r.kind}/${r.name}`,
      r.attempt === undefined ? "" : String(r.attempt),
      r.agent ?? "",
      r.reason ?? "",
      r.actor ?? "",
      oneLine(r.message ?? "", MESSAGE_WIDTH),
    ]);
  }
  // cli-table3 pads the last column too; kubectl does not.
  return `${table.toString().split("\n").map((line) => line.trimEnd()).join("\n")}\n`;
}

/** Rows as a JSON array (every field, full messages), for scripts and `jq`. */
export function formatAuditJson(rows: readonly AuditRow[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
