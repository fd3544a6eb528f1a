// The chart's values schema: the checked-in values.schema.json is what src/chart generates, values.yaml
// passes it, and the duration patterns in it accept exactly the durations the operator parses.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { chartValuesSchema, renderValuesSchema, VALUES_SCHEMA_PATH } from "../../../src/chart/index.js";
import { DURATION_PATTERN, parseDuration, POSITIVE_DURATION_PATTERN } from "../../../src/runtime/config/index.js";

const ROOT = join(import.meta.dirname, "../../..");
const valuesYaml = (): Record<string, unknown> => parse(readFileSync(join(ROOT, "charts/helios/values.yaml"), "utf8")) as Record<string, unknown>;

describe("charts/helios/values.schema.json", () => {
  it("is what src/chart/values.ts generates (run make crds)", () => {
    const onDisk = readFileSync(join(ROOT, VALUES_SCHEMA_PATH), "utf8");
    expect(onDisk === renderValuesSchema(), `${VALUES_SCHEMA_PATH} is stale: run make crds`).toBe(true);
  });

  it("accepts values.yaml as shipped", () => {
    const parsed = chartValuesSchema.safeParse(valuesYaml());
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it("states the cross-field rules on the parsed values too", () => {
    const issues = (patch: (v: Record<string, Record<string, unknown>>) => void) => {
      const values = valuesYaml() as Record<string, Record<string, unknown>>;
      patch(values);
      return (chartValuesSchema.safeParse(values).error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(issues((v) => (v["breaker"] = { ...v["breaker"], quarantine: "2h" }))).toEqual(["breaker.maxQuarantine: must not be shorter than breaker.quarantine"]);
    expect(issues((v) => (v["ports"] = { metrics: 9000, health: 9000 }))).toEqual(["ports.health: must differ from ports.metrics"]);
    expect(issues((v) => ((v["leaderElection"] = { ...v["leaderElection"], enabled: false }), (v["replicaCount"] = 2 as never)))).toEqual([
      "replicaCount: without leader election at most 1 operator replica may run",
    ]);
    expect(issues((v) => (v["breaker"] = { ...v["breaker"], quarantine: "1h" }))).toEqual([]);
  });
});

describe("duration patterns", () => {
  const unit = fc.constantFrom("ns", "us", "µs", "μs", "ms", "s", "m", "h");
  const number = fc.oneof(fc.stringMatching(/^[0-9]{1,4}$/), fc.stringMatching(/^[0-9]{0,3}\.[0-9]{0,3}$/), fc.constantFrom("0", "00", ".0", "0.", "."));
  const durationLike = fc.oneof(
    fc.array(fc.tuple(number, unit).map(([n, u]) => n + u), { minLength: 0, maxLength: 3 }).map((s) => s.join("")),
    fc.string({ maxLength: 8 }),
    fc.constantFrom("0", "7d", "1h30", "h", "1 h", "1hm"),
  );
  const parsesTo = (s: string): number | undefined => {
    try {
      return parseDuration(s);
    } catch {
      return undefined;
    }
  };

  it("POSITIVE_DURATION_PATTERN matches an unsigned string exactly when parseDuration gives more than 0", () => {
    fc.assert(
      fc.property(durationLike, (s) => {
        fc.pre(!s.startsWith("+") && !s.startsWith("-"));
        const ms = parsesTo(s);
        expect(new RegExp(POSITIVE_DURATION_PATTERN).test(s), `${JSON.stringify(s)} parses to ${ms}`).toBe(ms !== undefined && ms > 0);
      }),
      { numRuns: 2000 },
    );
  });

  it("DURATION_PATTERN matches an unsigned string exactly when parseDuration accepts it", () => {
    fc.assert(
      fc.property(durationLike, (s) => {
        fc.pre(!s.startsWith("+") && !s.startsWith("-"));
        expect(new RegExp(DURATION_PATTERN).test(s), JSON.stringify(s)).toBe(parsesTo(s) !== undefined);
      }),
      { numRuns: 2000 },
    );
  });
});
