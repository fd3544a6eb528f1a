// stripManagedFields: drops only metadata.managedFields, without touching the input.
import { describe, expect, it } from "vitest";
import { stripManagedFields } from "../../../../src/runtime/cache/index.js";
import type { KubeObject } from "../../../../src/runtime/client/index.js";

describe("stripManagedFields", () => {
  it("drops managedFields and keeps everything else", () => {
    const obj = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "a", namespace: "n", resourceVersion: "7", labels: { x: "y" }, managedFields: [{ manager: "kubectl" }] },
      data: { k: "v" },
    } as KubeObject & { data: Record<string, string> };
    const stripped = stripManagedFields(obj);
    expect(stripped).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "n", resourceVersion: "7", labels: { x: "y" } }, data: { k: "v" } });
    expect((obj.metadata as Record<string, unknown>)["managedFields"]).toBeDefined();
  });

  it("returns an object without managedFields as it is", () => {
    const obj: KubeObject = { metadata: { name: "a" } };
    expect(stripManagedFields(obj)).toBe(obj);
    const bare: KubeObject = {};
    expect(stripManagedFields(bare)).toBe(bare);
  });
});
