// Every relative Markdown link in README.md and docs/ points at a file that exists, and every #anchor
// at a heading of its page (GitHub's heading ids), so moving a section cannot silently break a link.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fencedBlocks } from "../../../hack/docs/index.js";

const ROOT = resolve(import.meta.dirname, "../../..");

/** README.md and every .md file under docs/, relative to the repository root. */
function markdownPages(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir)).flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(join(ROOT, path)).isDirectory()) return walk(path);
      return path.endsWith(".md") ? [path] : [];
    });
  return ["README.md", ...walk("docs")];
}

/** The page without its fenced code blocks (fences included). */
function withoutFencedBlocks(markdown: string): string {
  const inBlock = new Set<number>();
  for (const block of fencedBlocks(markdown)) {
    const bodyLines = block.body === "" ? 0 : block.body.split("\n").length;
    for (let line = block.line; line <= block.line + bodyLines + 1; line++) inBlock.add(line);
  }
  return markdown
    .split("\n")
    .filter((_, i) => !inBlock.has(i + 1))
    .join("\n");
}

/** The page's text without code, where brackets are not links. */
function prose(markdown: string): string {
  return withoutFencedBlocks(markdown).replace(/`[^`\n]*`/g, "");
}

/** Targets of inline links `[text](target)` that are not URLs. */
function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1] ?? "")
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** GitHub's id for a heading: lower case, punctuation dropped, spaces to hyphens. */
function headingId(heading: string): string {
  return heading
    .replace(/`/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The ids of a page's headings, repeats suffixed -1, -2 as GitHub does. */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of withoutFencedBlocks(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const id = headingId(m[1] ?? "");
    const count = seen.get(id) ?? 0;
    ids.add(count === 0 ? id : `${id}-${count}`);
    seen.set(id, count + 1);
  }
  return ids;
}

/** Broken links of one page, as "target: why". */
function brokenLinks(page: string): string[] {
  const markdown = readFileSync(join(ROOT, page), "utf8");
  return relativeLinks(markdown).flatMap((link) => {
    const [path = "", anchor] = link.split("#", 2);
    const file = path === "" ? join(ROOT, page) : resolve(ROOT, dirname(page), decodeURIComponent(path));
    if (!existsSync(file)) return [`${link}: no file ${relative(ROOT, file)}`];
    if (anchor === undefined || anchor === "" || !file.endsWith(".md")) return [];
    return headingIds(readFileSync(file, "utf8")).has(anchor) ? [] : [`${link}: no heading #${anchor} in ${relative(ROOT, file)}`];
  });
}

describe("headingId", () => {
  it.each([
    ["The `helios` CLI", "the-helios-cli"],
    ["OFREP: flags for every language (`helios flags serve`)", "ofrep-flags-for-every-language-helios-flags-serve"],
    ["Admission policies: what RBAC cannot name", "admission-policies-what-rbac-cannot-name"],
    ["What `make demo` and `make test` set up", "what-make-demo-and-make-test-set-up"],
    ["Flag sets: shared evaluators, flag-set metadata, static context", "flag-sets-shared-evaluators-flag-set-metadata-static-context"],
  ])("%s → %s", (heading, id) => {
    expect(headingId(heading)).toBe(id);
  });
});

describe("relativeLinks", () => {
  it("skips URLs and links inside code", () => {
    const page = "[a](b.md#c) [u](https://x.y) `[d](e.md)`\n```md\n[f](g.md)\n```\n[h](#i)";
    expect(relativeLinks(page)).toEqual(["b.md#c", "#i"]);
  });
});

describe.each(markdownPages())("%s", (page) => {
  it("has no broken relative link or anchor", () => {
    expect(brokenLinks(page)).toEqual([]);
  });
});
