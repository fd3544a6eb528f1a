import { describe, expect, it } from "vitest";
import { API_VERSION, KINDS, type Job } from "../../../src/api/index.js";
import { SubmitManyError, type Submitted } from "../../../src/client/index.js";
import { submitBatch } from "../../../src/client/submit-many.js";
import { InvalidError, TooManyRequestsError } from "../../../src/runtime/client/index.js";

const submitted = (name: string): Submitted => ({
  name,
  created: true,
  job: { apiVersion: API_VERSION, kind: KINDS.job, metadata: { name }, spec: { type: "echo", priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 15, maxBackoffSeconds: 300 } } } satisfies Job,
});
const throttled = (seconds: number): TooManyRequestsError => new TooManyRequestsError({ message: "slow down", status: 429, retryAfterSeconds: seconds });

describe("submitBatch", () => {
  it("keeps at most `concurrency` requests in flight and returns outcomes in order", async () => {
    let inFlight = 0;
    let most = 0;
    const outcomes = await submitBatch(
      Array.from({ length: 20 }, (_, i) => i),
      async (i) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return submitted(`job-${i}`);
      },
      { concurrency: 3 },
    );
    expect(most).toBe(3);
    expect(outcomes.map((o) => o.job.metadata.name)).toEqual(Array.from({ length: 20 }, (_, i) => `job-${i}`));
  });

  it("a 429 holds every worker for its Retry-After, then resends the throttled request", async () => {
    const log: { readonly request: number; readonly at: number }[] = [];
    let throttled429 = false;
    let heldAt = 0;
    const holds: number[] = [];
    const outcomes = await submitBatch(
      [0, 1, 2, 3],
      async (i) => {
        log.push({ request: i, at: performance.now() });
        if (i === 0 && !throttled429) {
          throttled429 = true;
          throw throttled(1);
        }
        await new Promise((resolve) => setImmediate(resolve));
        return submitted(`job-${i}`);
      },
      {
        concurrency: 2,
        onThrottled: (ms) => {
          heldAt = performance.now();
          holds.push(ms);
        },
      },
    );
    expect(outcomes.map((o) => o.job.metadata.name)).toEqual(["job-0", "job-1", "job-2", "job-3"]);
    expect(holds).toEqual([1000]);
    const afterThrottle = log.filter((entry) => entry.at > heldAt);
    // job-1 was sent before the 429 was seen; every later send, the resent job-0 included, waited out the hold.
    expect(afterThrottle.map((entry) => entry.request).sort()).toEqual([0, 2, 3]);
    expect(afterThrottle.every((entry) => entry.at - heldAt >= 990)).toBe(true);
  });

  it("stops at the first other failure and says what was submitted", async () => {
    const error = await submitBatch(
      [0, 1, 2, 3, 4],
      (i) => (i === 2 ? Promise.reject(new InvalidError({ message: "refused by admission", status: 422 })) : Promise.resolve(submitted(`job-${i}`))),
      { concurrency: 1 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmitManyError);
    expect(error).toMatchObject({ index: 2, message: expect.stringContaining("refused by admission") as string });
    expect((error as SubmitManyError).submitted.map((s) => s?.job.metadata.name)).toEqual(["job-0", "job-1", undefined, undefined, undefined]);
  });

  it("refuses a concurrency out of range", async () => {
    await expect(submitBatch([1], () => Promise.resolve(submitted("x")), { concurrency: 0 })).rejects.toThrow(/concurrency must be an integer from 1 to 100/);
  });
});
