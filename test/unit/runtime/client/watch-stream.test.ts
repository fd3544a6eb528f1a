// Decoding watch bodies: lines split anywhere across chunks, every event type, corrupt lines.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineSplitter, parseWatchLine } from "../../../../src/runtime/client/watch-stream.js";
import { GoneError, WatchDecodeError, type KubeObject } from "../../../../src/runtime/client/index.js";

describe("LineSplitter", () => {
  it("yields the same lines however the bytes are chunked (multi-byte characters included)", () => {
    const line = fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).filter((s) => !s.includes("\n") && s.trim() !== "");
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 20 }), (lines, cuts) => {
        const bytes = new TextEncoder().encode(lines.map((l) => `${l}\n`).join(""));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const splitter = new LineSplitter();
        const out: string[] = [];
        let from = 0;
        for (const to of [...points, bytes.length]) {
          out.push(...splitter.push(bytes.subarray(from, to)));
          from = to;
        }
        out.push(...splitter.flush());
        expect(out).toEqual(lines);
      }),
    );
  });

  it("returns an unterminated last line on flush", () => {
    const splitter = new LineSplitter();
    expect(splitter.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(splitter.push(":2}")).toEqual([]);
    expect(splitter.flush()).toEqual(['{"b":2}']);
  });
});

describe("parseWatchLine", () => {
  it("decodes object events, bookmarks and errors", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "n", resourceVersion: "12" } };
    expect(parseWatchLine<KubeObject>(JSON.stringify({ type: "MODIFIED", object: cm }))).toEqual({ type: "MODIFIED", object: cm });
    expect(parseWatchLine(JSON.stringify({ type: "BOOKMARK", object: { kind: "ConfigMap", metadata: { resourceVersion: "40" } } }))).toEqual({
      type: "BOOKMARK",
      resourceVersion: "40",
    });
    const gone = parseWatchLine(
      JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", message: "too old resource version: 1 (50)", reason: "Expired", code: 410 } }),
    );
    expect(gone.type).toBe("ERROR");
    if (gone.type === "ERROR") {
      expect(gone.error).toBeInstanceOf(GoneError);
      expect(gone.error.message).toBe("too old resource version: 1 (50)");
    }
  });

  it("rejects corrupt lines with WatchDecodeError", () => {
    expect(() => parseWatchLine("{not json")).toThrow(WatchDecodeError);
    expect(() => parseWatchLine('{"type":"ADDED"}')).toThrow(WatchDecodeError);
    expect(() => parseWatchLine('{"type":"SURPRISE","object":{}}')).toThrow(WatchDecodeError);
  });
});
