// Go-style durations ("90s", "1h30m", "300ms") parsed to and formatted from milliseconds.

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3, // U+00B5 micro sign, as Go accepts
  "μs": 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A string that is not a Go duration; `input` is what was given. */
export class DurationError extends Error {
  readonly code = "InvalidDuration" as const;

  constructor(readonly input: string, reason: string) {
    super(`invalid duration "${input}": ${reason}`);
    this.name = "DurationError";
  }
}

// The unsigned forms parseDuration accepts, as regular expressions that JSON Schema validators (RE2 and
// ECMAScript alike) run: values.schema.json checks durations with them before a binary sees the value.
const UNIT = "(ns|us|µs|μs|ms|s|m|h)";
const NUMBER = "([0-9]+(\\.[0-9]*)?|\\.[0-9]+)";
const ZERO = "(0+(\\.0*)?|\\.0+)";
const NONZERO = "([0-9]*[1-9][0-9]*(\\.[0-9]*)?|[0-9]*\\.[0-9]*[1-9][0-9]*)";

/** A positive duration without sign: some segment is not zero. */
export const POSITIVE_DURATION_PATTERN = `^(${ZERO}${UNIT})*${NONZERO}${UNIT}(${NUMBER}${UNIT})*$`;
/** A duration without sign, zero included ("0" alone needs no unit). */
export const DURATION_PATTERN = `^(0|(${NUMBER}${UNIT})+)$`;

const SEGMENT = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/**
 * Parses a duration as Go's `time.ParseDuration` does: an optional sign, then one or more
 * `<decimal><unit>` segments with units ns, us (µs), ms, s, m, h; "0" alone needs no unit.
 * Returns milliseconds (fractional below 1 ms). Throws {@link DurationError}.
 */
export function parseDuration(input: string): number {
  let rest = input;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") throw new DurationError(input, "empty");
  let total = 0;
  while (rest !== "") {
    const m = SEGMENT.exec(rest);
    const whole = m?.[1] ?? "";
    const frac = m?.[2] ?? "";
    const unit = m?.[3] ?? "";
    if (m === null || (whole === "" && frac === "")) throw new DurationError(input, "expected a number");
    if (unit === "") throw new DurationError(input, `missing unit (one of ${Object.keys(UNIT_MS).join(", ")})`);
    const scale = UNIT_MS[unit];
    if (scale === undefined) throw new DurationError(input, `unknown unit "${unit}"`);
    total += Number(`${whole === "" ? "0" : whole}.${frac === "" ? "0" : frac}`) * scale;
    rest = rest.slice(m[0].length);
  }
  if (!Number.isFinite(total)) throw new DurationError(input, "out of range");
  return sign * total;
}

const FORMAT_UNITS: readonly [string, number][] = [
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];

/**
 * Formats milliseconds the short way ("1h30m", "90s", "250ms"); sub-millisecond parts are dropped.
 * `parseDuration(formatDuration(ms)) === Math.trunc(ms)` for non-negative integers.
 */
export function formatDuration(ms: number): string {
  let rest = Math.trunc(Math.abs(ms));
  if (rest === 0) return "0s";
  let out = ms < 0 ? "-" : "";
  for (const [unit, size] of FORMAT_UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
