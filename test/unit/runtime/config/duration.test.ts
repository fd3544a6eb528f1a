// Go-style duration parsing: Go's accepted forms, rejected forms, and a format/parse round trip.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DurationError, formatDuration, parseDuration } from "../../../../src/runtime/config/index.js";

describe("parseDuration", () => {
  it.each([
    ["0", 0],
    ["90s", 90_000],
    ["2m", 120_000],
    ["30m", 1_800_000],
    ["1h", 3_600_000],
    ["8760h", 8760 * 3_600_000],
    ["1h30m", 5_400_000],
    ["2h45m30s", 9_930_000],
    ["300ms", 300],
    ["1.5h", 5_400_000],
    [".5s", 500],
    ["1.s", 1000],
    ["-1m", -60_000],
    ["+5s", 5000],
    ["1500us", 1.5],
    ["1500µs", 1.5],
    ["2000000ns", 2],
    ["1m0s", 60_000],
  ])("parses %s", (input, ms) => {
    expect(parseDuration(input)).toBeCloseTo(ms, 9);
  });

  it.each(["", "-", "10", "1.5", "s", "1x", "1 h", "1h 30m", ".s", "1hh", "abc", "90 s", "1h-30m"])(
    "rejects %j",
    (input) => {
      expect(() => parseDuration(input)).toThrow(DurationError);
    },
  );

  it("names the bad input and the reason", () => {
    expect(() => parseDuration("5d")).toThrow('invalid duration "5d": unknown unit "d"');
    expect(() => parseDuration("10")).toThrow(/missing unit/);
  });

  it("round-trips whole milliseconds through formatDuration", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 24 * 3_600_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
    expect(formatDuration(5_400_000)).toBe("1h30m");
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(0)).toBe("0s");
  });
});
