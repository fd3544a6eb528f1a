// Fails when the checked-in docs/reference/ pages differ from what the code generates (`make docs`).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateDocFiles, GENERATED_NOTE, REFERENCE_DIR } from "../../../hack/docs/index.js";

const root = join(import.meta.dirname, "../../..");
const referenceDir = join(root, REFERENCE_DIR);

describe("docs/reference/", () => {
  const generated = generateDocFiles(root);

  it("holds exactly the generated pages (run make docs)", () => {
    const onDisk = readdirSync(referenceDir).filter((f) => f.endsWith(".md") && readFileSync(join(referenceDir, f), "utf8").startsWith(GENERATED_NOTE));
    expect(onDisk.sort(), "docs/reference/ is stale: run make docs").toEqual(generated.map((f) => f.fileName).sort());
  });

  it.each(generated.map((f) => [f.fileName, f.content] as const))("%s matches the code (run make docs)", (fileName, content) => {
    const onDisk = readFileSync(join(referenceDir, fileName), "utf8");
    expect(onDisk === content, `docs/reference/${fileName} is stale: run make docs`).toBe(true);
  });

  it("names every condition reason the API reference links to", () => {
    const conditions = generated.find((f) => f.fileName === "conditions.md")?.content ?? "";
    const api = generated.find((f) => f.fileName === "api.md")?.content ?? "";
    const anchors = [...api.matchAll(/\(conditions\.md#([a-z0-9-]+)\)/g)].map((m) => m[1]);
    const headings = new Set([...conditions.matchAll(/^### (.+)$/gm)].map((m) => (m[1] ?? "").toLowerCase().replaceAll(" ", "-")));
    expect(anchors.length).toBeGreaterThan(0);
    for (const anchor of anchors) expect(headings, `api.md links conditions.md#${anchor}`).toContain(anchor);
  });
});
