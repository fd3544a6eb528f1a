// Cache transforms: each drops only what it names, without touching the input.
import { describe, expect, it } from "vitest";
import { composeTransforms, LAST_APPLIED_ANNOTATION, stripLastApplied, stripManagedFields, stripSpecFields } from "../../../../src/runtime/cache/index.js";
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

describe("stripLastApplied", () => {
  it("drops kubectl's last-applied copy and keeps the other annotations", () => {
    const obj: KubeObject = { metadata: { name: "a", annotations: { [LAST_APPLIED_ANNOTATION]: '{"spec":{}}', team: "x" } } };
    expect(stripLastApplied(obj)).toEqual({ metadata: { name: "a", annotations: { team: "x" } } });
    expect(obj.metadata?.annotations?.[LAST_APPLIED_ANNOTATION]).toBeDefined();
  });

  it("leaves no empty annotations map behind, and returns untouched objects as they are", () => {
    expect(stripLastApplied({ metadata: { name: "a", annotations: { [LAST_APPLIED_ANNOTATION]: "{}" } } })).toEqual({ metadata: { name: "a" } });
    const plain: KubeObject = { metadata: { name: "a", annotations: { team: "x" } } };
    expect(stripLastApplied(plain)).toBe(plain);
  });
});

describe("stripSpecFields and composeTransforms", () => {
  type WithSpec = KubeObject & { spec?: { type?: string; payload?: unknown; cancel?: boolean }; status?: { phase: string } };

  it("drops only the named spec fields, never status", () => {
    const job: WithSpec = { metadata: { name: "j" }, spec: { type: "echo", payload: { big: "x".repeat(100) }, cancel: false }, status: { phase: "Pending" } };
    const stripped = stripSpecFields<WithSpec>("payload")(job);
    expect(stripped).toEqual({ metadata: { name: "j" }, spec: { type: "echo", cancel: false }, status: { phase: "Pending" } });
    expect(job.spec?.payload).toBeDefined();
    const bare: WithSpec = { metadata: { name: "j" }, spec: { type: "echo" } };
    expect(stripSpecFields<WithSpec>("payload")(bare)).toBe(bare);
  });

  it("applies transforms in order", () => {
    const job: WithSpec = {
      metadata: { name: "j", managedFields: [{}], annotations: { [LAST_APPLIED_ANNOTATION]: "{}" } } as KubeObject["metadata"],
      spec: { type: "echo", payload: {} },
    };
    const all = composeTransforms<WithSpec>(stripManagedFields, stripLastApplied, stripSpecFields<WithSpec>("payload"));
    expect(all(job)).toEqual({ metadata: { name: "j" }, spec: { type: "echo" } });
  });
});
