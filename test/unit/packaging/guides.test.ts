// The guides for application teams quote their example projects verbatim (the packaging integration test
// runs those files), the README links each guide, and no doc tells applications to import from ./src.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../../..");
const read = (path: string): string => readFileSync(join(ROOT, path), "utf8");

const GUIDES = [
  { guide: "docs/submit-jobs.md", title: "Submit jobs from code", example: "examples/producer/producer.ts" },
  { guide: "docs/write-an-agent.md", title: "Write an agent", example: "examples/agent/agent.ts" },
  { guide: "docs/read-flags.md", title: "Read flags from your app", example: "examples/flags/flags.ts" },
] as const;

/** The ```ts block right after `<!-- example: PATH ... -->`, or undefined. */
function quotedExample(doc: string, path: string): string | undefined {
  const marker = doc.indexOf(`<!-- example: ${path} `);
  if (marker < 0) return undefined;
  return /^<!--[^\n]*-->\n```ts\n([\s\S]*?)```\n/.exec(doc.slice(marker))?.[1];
}

describe.each(GUIDES)("$guide", ({ guide, title, example }) => {
  it(`is titled "${title}" and quotes ${example} as it is`, () => {
    const doc = read(guide);
    expect(doc.split("\n")[0]).toBe(`# ${title}`);
    expect(quotedExample(doc, example), `${guide} has no block marked <!-- example: ${example} -->`).toBe(read(example));
  });

  it("is linked from the README", () => {
    expect(read("README.md")).toContain(`](${guide})`);
  });
});

describe("package READMEs", () => {
  it.each(["client", "agent", "openfeature-provider"])("packages/%s/README.md links its guide and installs by name", (pkg) => {
    const readme = read(`packages/${pkg}/README.md`);
    expect(readme).toContain(`npm install @helios-dev/${pkg}`);
    expect(readme).toMatch(/https:\/\/github\.com\/helios-dev\/helios\/blob\/main\/docs\/[a-z-]+\.md/);
  });
});

it("no doc tells applications to import Helios from ./src", () => {
  for (const doc of ["README.md", "docs/openfeature.md", ...GUIDES.map((g) => g.guide)]) {
    expect(read(doc), doc).not.toMatch(/from "\.\/src\//);
  }
});
