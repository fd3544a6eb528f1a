// The nesting depth of a JSON value, measured without recursion, so a value nested past the JSON
// encoder's stack (which throws RangeError) can still be measured and refused with a clear message.

/**
 * Levels of objects and arrays in `value`: a scalar is 0, `{}` and `[]` are 1, `{"a": [1]}` is 2.
 * Stops at `limit + 1` (so a cycle, or a huge value, costs no more than reaching the limit).
 */
export function jsonDepth(value: unknown, limit = Number.MAX_SAFE_INTEGER): number {
  let deepest = 0;
  const pending: { readonly node: unknown; readonly depth: number }[] = [{ node: value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, depth } = next;
    if (typeof node !== "object" || node === null) continue;
    const level = depth + 1;
    if (level > limit) return level;
    deepest = Math.max(deepest, level);
    for (const child of Array.isArray(node) ? (node as unknown[]) : Object.values(node)) pending.push({ node: child, depth: level });
  }
  return deepest;
}
