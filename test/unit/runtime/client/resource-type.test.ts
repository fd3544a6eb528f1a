// REST paths for core and grouped resources, namespaced and cluster-scoped.
import { describe, expect, it } from "vitest";
import { CONFIG_MAPS, LEASES, NAMESPACES, apiVersionOf, keyOf, objectKey, resourcePath, splitKey, type ResourceType } from "../../../../src/runtime/client/index.js";
import fc from "fast-check";

const JOBS: ResourceType = { group: "helios.dev", version: "v1alpha1", plural: "jobs", kind: "Job", namespaced: true };

describe("resourcePath", () => {
  it("builds core and grouped collection and object paths", () => {
    expect(resourcePath(CONFIG_MAPS, { namespace: "a" })).toBe("/api/v1/namespaces/a/configmaps");
    expect(resourcePath(CONFIG_MAPS)).toBe("/api/v1/configmaps");
    expect(resourcePath(JOBS, { namespace: "t1", name: "j", subresource: "status" })).toBe("/apis/helios.dev/v1alpha1/namespaces/t1/jobs/j/status");
    expect(resourcePath(LEASES, { namespace: "n", name: "agent-1" })).toBe("/apis/coordination.k8s.io/v1/namespaces/n/leases/agent-1");
    expect(resourcePath(NAMESPACES, { namespace: "ignored", name: "x" })).toBe("/api/v1/namespaces/x");
  });

  it("refuses an object path without the namespace a namespaced resource needs", () => {
    expect(() => resourcePath(JOBS, { name: "j" })).toThrow(/namespace is required/);
  });

  it("gives apiVersion as the API expects it", () => {
    expect(apiVersionOf(CONFIG_MAPS)).toBe("v1");
    expect(apiVersionOf(JOBS)).toBe("helios.dev/v1alpha1");
  });
});

describe("keys", () => {
  const dnsName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
  it("splitKey inverts keyOf for namespaced and cluster-scoped names", () => {
    fc.assert(
      fc.property(fc.option(dnsName, { nil: undefined }), dnsName, (namespace, name) => {
        expect(splitKey(keyOf(namespace, name))).toEqual({ namespace, name });
      }),
    );
  });

  it("objectKey uses metadata and requires a name", () => {
    expect(objectKey({ metadata: { namespace: "a", name: "b" } })).toBe("a/b");
    expect(objectKey({ metadata: { name: "b" } })).toBe("b");
    expect(() => objectKey({ metadata: {} })).toThrow(TypeError);
  });
});
