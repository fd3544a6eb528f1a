// Structural equality with JSON semantics: what the apiserver would store is what is compared.

/**
 * True when `a` and `b` serialise to the same JSON value: object key order is ignored, a property
 * holding `undefined` equals a missing one, array order matters, Dates compare by time.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) return toJsonScalar(a) === toJsonScalar(b);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    // NaN and ±Infinity serialise to null.
    return toJsonScalar(a) === toJsonScalar(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    return a.every((item: unknown, i) => jsonEqual(item === undefined ? null : item, b[i] === undefined ? null : b[i]));
  }
  const left = definedEntries(a as Record<string, unknown>);
  const right = definedEntries(b as Record<string, unknown>);
  if (left.size !== right.size) return false;
  for (const [key, value] of left) {
    if (!right.has(key) || !jsonEqual(value, right.get(key))) return false;
  }
  return true;
}

function definedEntries(obj: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(obj)) if (value !== undefined && typeof value !== "function") out.set(key, value);
  return out;
}

function toJsonScalar(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}
