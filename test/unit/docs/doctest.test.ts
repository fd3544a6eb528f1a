// The doc-test block extraction: which fenced blocks run, and the script a page becomes.
import { describe, expect, it } from "vitest";
import { doctestBlocks, doctestScript, fencedBlocks } from "../../../hack/docs/index.js";

const page = [
  "# Title",
  "```sh doctest",
  "kubectl create namespace shop",
  "```",
  "",
  "```sh",
  "helm install helios charts/helios",
  "```",
  "````md",
  "```sh doctest",
  "not a block: inside a longer fence",
  "```",
  "````",
  "~~~sh doctest",
  "helios wait job/a -n shop",
  "~~~",
].join("\n");

describe("fencedBlocks", () => {
  it("finds every fenced block with its info string and line, nested fences included as text", () => {
    expect(fencedBlocks(page).map((b) => [b.info, b.line])).toEqual([
      ["sh doctest", 2],
      ["sh", 6],
      ["md", 9],
      ["sh doctest", 14],
    ]);
    expect(fencedBlocks(page)[2]?.body).toContain("not a block");
  });

  it("runs an unclosed fence to the end of the page", () => {
    expect(fencedBlocks("```sh doctest\necho a\n")).toEqual([{ info: "sh doctest", body: "echo a\n", line: 1 }]);
  });
});

describe("doctestBlocks", () => {
  it("keeps only the blocks marked `sh doctest`", () => {
    expect(doctestBlocks(page).map((b) => b.body)).toEqual(["kubectl create namespace shop", "helios wait job/a -n shop"]);
  });
});

describe("doctestScript", () => {
  it("is strict bash running the blocks in order, each announced with its page line", () => {
    const script = doctestScript({ path: "docs/x.md", blocks: doctestBlocks(page) });
    expect(script.split("\n")).toEqual([
      "set -euo pipefail",
      'echo "--- docs/x.md:2" >&2',
      "kubectl create namespace shop",
      'echo "--- docs/x.md:14" >&2',
      "helios wait job/a -n shop",
    ]);
  });
});
