// -o parsing, documents, and the kubectl-style table layout.
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../../src/cli/command.js";
import { formatDocument, formatTable, oneLine, parseOutputFormat } from "../../../../src/cli/output/index.js";

describe("output formats", () => {
  it("accepts table, wide, json and yaml, and says what it accepts otherwise", () => {
    expect(parseOutputFormat(undefined)).toBe("table");
    expect(parseOutputFormat("wide")).toBe("wide");
    expect(() => parseOutputFormat("xml")).toThrow(UsageError);
    expect(() => parseOutputFormat("xml")).toThrow(/expected one of table, wide, json, yaml/);
  });

  it("round-trips documents", () => {
    const value = { items: [{ name: "a", waitMs: 5 }] };
    expect(JSON.parse(formatDocument(value, "json"))).toEqual(value);
    expect(parse(formatDocument(value, "yaml"))).toEqual(value);
  });

  it("lays out columns three spaces apart without borders or trailing blanks", () => {
    expect(formatTable(["NAME", "PHASE"], [["a", "Running"], ["long-name", "-"]])).toBe("NAME        PHASE\na           Running\nlong-name   -\n");
    expect(oneLine("a\n  b", 200)).toBe("a b");
    expect(oneLine("abcdef", 4)).toBe("abc…");
  });
});
