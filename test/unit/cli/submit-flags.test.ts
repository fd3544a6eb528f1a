import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseLabels, parsePayload } from "../../../src/cli/commands/submit.js";
import { parseWaitTimeout } from "../../../src/cli/commands/wait.js";

describe("--payload", () => {
  it("takes a JSON object inline or a JSON or YAML object from @file", () => {
    const dir = mkdtempSync(join(tmpdir(), "payload-"));
    writeFileSync(join(dir, "p.yaml"), "message: hi\ncount: 2\n");
    expect(parsePayload('{"message":"hi"}')).toEqual({ message: "hi" });
    expect(parsePayload(`@${join(dir, "p.yaml")}`)).toEqual({ message: "hi", count: 2 });
  });

  it.each([
    ["[1]", /must be a JSON object/],
    ['"text"', /must be a JSON object/],
    ["{nope", /--payload: not JSON/],
    ["@/no/such/file.json", /cannot read \/no\/such\/file\.json/],
  ])("refuses %s", (value, message) => {
    expect(() => parsePayload(value)).toThrow(message);
  });
});

describe("--label", () => {
  it("takes repeated and comma-separated key=value pairs", () => {
    expect(parseLabels(["team=shop,tier=batch", "app=x"])).toEqual({ team: "shop", tier: "batch", app: "x" });
    expect(parseLabels(undefined)).toBeUndefined();
    expect(() => parseLabels(["novalue"])).toThrow(/expected key=value/);
  });
});

describe("--timeout", () => {
  it("is a duration; 0 waits without limit", () => {
    expect(parseWaitTimeout("90s")).toBe(90_000);
    expect(parseWaitTimeout("0")).toBeUndefined();
    expect(() => parseWaitTimeout("soon")).toThrow(/expected a duration such as 90s or 5m/);
  });
});
