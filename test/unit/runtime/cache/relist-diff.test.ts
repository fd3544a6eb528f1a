// A relist diff, applied to the old contents, gives exactly the listed state.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffRelist } from "../../../../src/runtime/cache/index.js";
import { objectKey, type KubeObject } from "../../../../src/runtime/client/index.js";

const obj = fc.record({
  metadata: fc.record({
    name: fc.constantFrom("a", "b", "c", "d", "e"),
    namespace: fc.constantFrom("n1", "n2"),
    resourceVersion: fc.constantFrom("1", "2", "3"),
    uid: fc.constantFrom("u1", "u2"),
  }),
});
const uniqueList = fc.uniqueArray(obj, { selector: (o) => objectKey(o), maxLength: 10 });

describe("diffRelist", () => {
  it("old contents + diff = listed contents, and unchanged objects are not reported", () => {
    fc.assert(
      fc.property(uniqueList, uniqueList, (before, listed) => {
        const previous = new Map(before.map((o) => [objectKey(o), o] as const));
        const diff = diffRelist(previous, listed);
        const after = new Map(previous);
        for (const o of diff.deleted) after.delete(objectKey(o));
        for (const o of diff.added) after.set(objectKey(o), o);
        for (const { current } of diff.updated) after.set(objectKey(current), current);
        const byKey = (m: ReadonlyMap<string, KubeObject>) => [...m.keys()].sort().map((k) => m.get(k));
        expect(byKey(after)).toEqual(byKey(new Map(listed.map((o) => [objectKey(o), o] as const))));

        const reported = new Set([...diff.added, ...diff.deleted, ...diff.updated.map((u) => u.current)]);
        for (const o of listed) {
          const old = previous.get(objectKey(o));
          const unchanged = old?.metadata.resourceVersion === o.metadata.resourceVersion && old.metadata.uid === o.metadata.uid;
          expect(reported.has(o)).toBe(!unchanged);
        }
      }),
    );
  });

  it("reports a name re-created with a new uid as delete + add, not an update", () => {
    const old: KubeObject = { metadata: { name: "a", namespace: "n", resourceVersion: "5", uid: "u1" } };
    const fresh: KubeObject = { metadata: { name: "a", namespace: "n", resourceVersion: "9", uid: "u2" } };
    const diff = diffRelist(new Map([["n/a", old]]), [fresh]);
    expect(diff).toEqual({ added: [fresh], updated: [], deleted: [old] });
  });
});
