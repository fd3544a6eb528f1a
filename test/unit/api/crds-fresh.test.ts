// Fails when the checked-in crds/ differ from what the zod schemas generate.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateCrdFiles } from "../../../hack/generate-crds.js";

const crdDir = join(import.meta.dirname, "../../../crds");

describe("crds/", () => {
  const generated = generateCrdFiles();

  it("holds exactly the generated files (run make crds)", () => {
    const onDisk = readdirSync(crdDir).filter((f) => f.endsWith(".yaml")).sort();
    expect(onDisk, "crds/ is stale: run make crds").toEqual(generated.map((f) => f.fileName).sort());
  });

  it.each(generated.map((f) => [f.fileName, f.content] as const))("%s matches the zod schemas (run make crds)", (fileName, content) => {
    const onDisk = readFileSync(join(crdDir, fileName), "utf8");
    expect(onDisk === content, `crds/${fileName} is stale: run make crds`).toBe(true);
  });
});
