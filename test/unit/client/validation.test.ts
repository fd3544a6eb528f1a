// Bad input is refused before any request: the client's transport fails the test if it is touched.
import { describe, expect, it } from "vitest";
import { InvalidJobSpecError, JobClient } from "../../../src/client/index.js";
import { Transport, type ClusterAccess } from "../../../src/runtime/client/index.js";

const untouchable: ClusterAccess = {
  getCurrentCluster: () => {
    throw new Error("a request was sent");
  },
  applyToHTTPSOptions: () => Promise.reject(new Error("a request was sent")),
};
const jobs = new JobClient(new Transport(untouchable), "shop");

describe("submit refuses bad input before any request, naming the field", () => {
  it.each([
    { spec: { type: "echo", priority: "urgent" }, options: {}, field: "spec.priority" },
    { spec: { type: "echo", payload: { blob: "x".repeat(70_000) } }, options: {}, field: "spec.payload" },
    { spec: { type: "echo", agentSelector: { matchExpressions: [{ key: "zone", operator: "Near" }] } }, options: {}, field: "spec.agentSelector.matchExpressions.0.operator" },
    { spec: { type: "" }, options: {}, field: "spec.type" },
    { spec: { type: "echo" }, options: { name: "Not_A_Name" }, field: "name" },
    { spec: { type: "echo" }, options: { name: "a", idempotencyKey: "k" }, field: "give at most one of name, generateName and idempotencyKey" },
    { spec: { type: "echo" }, options: { labels: { "bad key!": "v" } }, field: "labels" },
  ])("$field", async ({ spec, options, field }) => {
    // @ts-expect-error: the wrong values are the point
    const error = await jobs.submit(spec, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidJobSpecError);
    expect(error).toMatchObject({ code: "InvalidJobSpec", message: expect.stringContaining(field) as string });
  });

  it("in a batch, names the request", async () => {
    const error = await jobs.submitMany([{ spec: { type: "echo" } }, { spec: { type: "echo", timeoutSeconds: 0 } }]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "InvalidJobSpec", message: expect.stringContaining("requests[1].spec.timeoutSeconds") as string });
  });
});
