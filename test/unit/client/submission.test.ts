import { describe, expect, it } from "vitest";
import { IdempotencyConflictError, jobOfSubmission, sameSubmission } from "../../../src/client/index.js";

describe("sameSubmission", () => {
  const submitted = jobOfSubmission({ type: "echo", timeoutSeconds: undefined, payload: { a: 1, b: undefined } }, { idempotencyKey: "k" }, "shop");
  // What the apiserver stores: the JSON that was sent (undefined fields dropped), cancel possibly set since.
  const sent = JSON.parse(JSON.stringify(submitted)) as typeof submitted;
  const stored = { ...sent, spec: { ...sent.spec, cancel: true } };

  it("finds the key's Job the same although fields set to undefined were not sent and cancel was set since", () => {
    expect(sameSubmission(stored, submitted, "k")).toBe(stored);
  });

  it("refuses another spec under the key, and a Job not created with the key", () => {
    const other = jobOfSubmission({ type: "echo", payload: { a: 2 } }, { idempotencyKey: "k" }, "shop");
    expect(() => sameSubmission(stored, other, "k")).toThrow(IdempotencyConflictError);
    expect(() => sameSubmission(stored, submitted, "another-key")).toThrow(/not submitted with this key/);
  });
});
