// The one rule for a failed write: what it was, whether it may have landed, and settling it by a read.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  InternalError,
  InvalidError,
  NetworkError,
  NotFoundError,
  TimeoutError,
  TooManyRequestsError,
  UnavailableError,
  apiErrorFromResponse,
  failedWrite,
  mayHaveLanded,
  orThrow,
  settleByReading,
  type KubeApiError,
} from "../../../../src/runtime/client/index.js";

const init = (status: number) => ({ message: `HTTP ${status}`, status });

describe("failedWrite", () => {
  it("names each failure's outcome", () => {
    const conflict = new ConflictError(init(409));
    expect(failedWrite(conflict)).toEqual({ outcome: "conflict", error: conflict });
    expect(failedWrite(new NotFoundError(init(404)))).toEqual({ outcome: "gone" });
    const throttled = new TooManyRequestsError({ ...init(429), retryAfterSeconds: 3 });
    expect(failedWrite(throttled)).toEqual({ outcome: "throttled", retryAfterMs: 3000, error: throttled });
    for (const refused of [new BadRequestError(init(400)), new ForbiddenError(init(403)), new InvalidError(init(422)), new Error("not an API error")]) {
      expect(failedWrite(refused)).toEqual({ outcome: "rejected", error: refused });
    }
    for (const lost of [new NetworkError({ message: "ECONNRESET" }), new TimeoutError(init(504)), new InternalError(init(500)), new UnavailableError(init(503))]) {
      expect(failedWrite(lost)).toEqual({ outcome: "unknown", error: lost });
    }
  });

  it("caps a 429's wait at 30 s", () => {
    expect(failedWrite(new TooManyRequestsError({ ...init(429), retryAfterSeconds: 3600 }))).toMatchObject({ outcome: "throttled", retryAfterMs: 30_000 });
  });
});

describe("mayHaveLanded", () => {
  it("holds for exactly the retryable errors other than 429, for any HTTP status", () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), (status) => {
        const err = apiErrorFromResponse(status, JSON.stringify({ kind: "Status", code: status, message: "x" }), undefined);
        expect(mayHaveLanded(err)).toBe(err.retryable && status !== 429);
        expect(failedWrite(err).outcome === "unknown").toBe(mayHaveLanded(err));
      }),
    );
  });
});

describe("settleByReading", () => {
  const lost = { outcome: "unknown" as const, error: new NetworkError({ message: "ECONNRESET" }) as KubeApiError };

  it("is written when the stored object is ours, else still unknown", async () => {
    await expect(settleByReading(lost, () => Promise.resolve("ours"), (s) => s === "ours")).resolves.toEqual({ outcome: "written", object: "ours" });
    await expect(settleByReading(lost, () => Promise.resolve("theirs"), (s) => s === "ours")).resolves.toBe(lost);
  });

  it("is gone when the object was deleted, and unknown when the read fails otherwise", async () => {
    await expect(settleByReading(lost, () => Promise.reject(new NotFoundError(init(404))), () => true)).resolves.toEqual({ outcome: "gone" });
    await expect(settleByReading(lost, () => Promise.reject(new NetworkError({ message: "down" })), () => true)).resolves.toBe(lost);
  });
});

describe("orThrow", () => {
  it("passes settled outcomes through and throws the error of the others", () => {
    expect(orThrow({ outcome: "unchanged" })).toEqual({ outcome: "unchanged" });
    expect(orThrow({ outcome: "gone" })).toEqual({ outcome: "gone" });
    const forbidden = new ForbiddenError(init(403));
    expect(() => orThrow({ outcome: "rejected", error: forbidden })).toThrow(forbidden);
    const throttled = new TooManyRequestsError(init(429));
    expect(() => orThrow({ outcome: "throttled", retryAfterMs: 1000, error: throttled })).toThrow(throttled);
  });
});
