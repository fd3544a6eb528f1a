import { describe, expect, it } from "vitest";
import { API_VERSION, JOB_PHASES, KINDS, type Job, type JobPhase } from "../../../src/api/index.js";
import { JobCancelledError, JobExpiredError, JobFailedError, settlementOf } from "../../../src/client/index.js";

const job = (phase: JobPhase | undefined, status: Job["status"] = {}): Job => ({
  apiVersion: API_VERSION,
  kind: KINDS.job,
  metadata: { name: "j", namespace: "n" },
  spec: { type: "echo", priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 15, maxBackoffSeconds: 300 } },
  status: { ...status, ...(phase === undefined ? {} : { phase }) },
});

describe("settlementOf", () => {
  it("resolves Succeeded with the result", () => {
    expect(settlementOf(job("Succeeded", { result: { n: 1 } }))).toMatchObject({ settled: true, succeeded: { phase: "Succeeded", result: { n: 1 } } });
  });

  it.each([
    ["Failed", JobFailedError, "JobFailed"],
    ["Expired", JobExpiredError, "JobExpired"],
    ["Cancelled", JobCancelledError, "JobCancelled"],
  ] as const)("turns %s into a typed error carrying lastError", (phase, type, code) => {
    const lastError = { reason: "HandlerFailed", message: "boom" };
    const settlement = settlementOf(job(phase, { lastError }));
    expect(settlement.settled && "error" in settlement && settlement.error).toBeInstanceOf(type);
    expect(settlement).toMatchObject({ error: { code, lastError, message: expect.stringContaining("HandlerFailed: boom") as string } });
  });

  it("leaves every unfinished phase unsettled, and a Job without status is Pending", () => {
    for (const phase of JOB_PHASES.filter((p) => !["Succeeded", "Failed", "Expired", "Cancelled"].includes(p))) {
      expect(settlementOf(job(phase))).toEqual({ settled: false, phase });
    }
    expect(settlementOf(job(undefined))).toEqual({ settled: false, phase: "Pending" });
  });
});
