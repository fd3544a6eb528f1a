// Durations as kubectl prints them (its HumanDuration: `45s`, `3m12s`, `5h2m`, `3d4h`) and time helpers.
import { parseTime } from "../../api/index.js";

/**
 * `ms` in kubectl's short human form: precise when small, coarser as it grows. Negative
 * durations within a second are `0s` (clock skew); more negative ones are `<invalid>`.
 */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "<invalid>";
  if (ms < -1000) return "<invalid>";
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return withRest(minutes, "m", seconds % 60, "s");
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return withRest(hours, "h", minutes % 60, "m");
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return withRest(days, "d", hours % 24, "h");
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (years < 8) return withRest(years, "y", days % 365, "d");
  return `${years}y`;
}

function withRest(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}

/** How long ago `value` was, in kubectl form, or `<unknown>` (kubectl's word) when there is no time. */
export function ageOf(value: string | undefined, nowMs: number): string {
  const at = parseTime(value);
  return at === undefined ? "<unknown>" : humanDuration(nowMs - at);
}

/** A duration in ms for a table cell: kubectl form, or `-` when there is none. */
export function durationCell(ms: number | undefined): string {
  return ms === undefined ? "-" : humanDuration(ms);
}
