// Doc-tests: the fenced blocks of README.md and docs/ marked `sh doctest` are commands a test runs, so
// the docs cannot rot silently. A page's doctest blocks run in order, as one shell script.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** The info string that marks a fenced block as run by the doc-command test. */
export const DOCTEST_INFO = "sh doctest";

export interface FencedBlock {
  /** The info string after the opening fence, trimmed (`sh`, `sh doctest`, `yaml`, ...). */
  readonly info: string;
  readonly body: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

const OPENING_FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** Every fenced code block of a CommonMark page; a fence closes on a line of at least as many of its character. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split("\n");
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const opening = OPENING_FENCE.exec(lines[i] ?? "");
    if (opening === null) continue;
    const fence = opening[1] ?? "";
    const closing = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    const end = lines.findIndex((line, j) => j > i && closing.test(line));
    const last = end === -1 ? lines.length : end;
    blocks.push({ info: (opening[2] ?? "").trim(), body: lines.slice(i + 1, last).join("\n"), line: i + 1 });
    i = last;
  }
  return blocks;
}

/** The page's doctest blocks, in order. */
export function doctestBlocks(markdown: string): FencedBlock[] {
  return fencedBlocks(markdown).filter((block) => block.info === DOCTEST_INFO);
}

export interface DoctestPage {
  /** Path relative to the repository root. */
  readonly path: string;
  readonly blocks: readonly FencedBlock[];
}

/** The script that runs a page's blocks: strict bash, each block announced by its page line. */
export function doctestScript(page: DoctestPage): string {
  return [
    "set -euo pipefail",
    ...page.blocks.map((block) => `echo "--- ${page.path}:${block.line}" >&2\n${block.body}`),
  ].join("\n");
}

/** README.md and every page under docs/ (generated reference pages included) that has doctest blocks. */
export function doctestPages(root: string): DoctestPage[] {
  const paths = ["README.md", ...markdownFiles(join(root, "docs")).map((file) => relative(root, file))];
  return paths
    .map((path) => ({ path, blocks: doctestBlocks(readFileSync(join(root, path), "utf8")) }))
    .filter((page) => page.blocks.length > 0);
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? markdownFiles(join(dir, entry.name)) : entry.name.endsWith(".md") ? [join(dir, entry.name)] : []))
    .sort();
}
