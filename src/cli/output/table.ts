// kubectl-style tables: no borders, capitalised headers, columns three spaces apart, no trailing blanks.
import Table from "cli-table3";

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

/** One column: its header and, optionally, that it is shown only with `-o wide`. */
export interface Column<R> {
  readonly header: string;
  readonly value: (row: R) => string;
  readonly wide?: boolean;
}

/** Renders `rows` under `head`, one line each, ending with a newline. */
export function formatTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = new Table({
    head: [...head],
    chars: PLAIN,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
  });
  for (const row of rows) table.push(row.map((cell) => oneLine(cell)));
  // cli-table3 pads the last column too; kubectl does not.
  return `${table.toString().split("\n").map((line) => line.trimEnd()).join("\n")}\n`;
}

/** Renders `rows` through `columns`, keeping `wide` columns only when `wide` is true. */
export function formatColumns<R>(columns: readonly Column<R>[], rows: readonly R[], wide: boolean): string {
  const shown = columns.filter((c) => wide || c.wide !== true);
  return formatTable(
    shown.map((c) => c.header),
    rows.map((r) => shown.map((c) => c.value(r))),
  );
}

/** Squashes whitespace so a cell stays on one line; cuts it at `max` characters with an ellipsis. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
