import { describe, expect, it } from "vitest";
import { API_VERSION, KINDS, type Job } from "../../../src/api/index.js";
import { SubmitManyError, type Submitted } from "../../../src/client/index.js";
import { submitBatch } from "../../../src/client/submit-many.js";
import { InvalidError, TooManyRequestsError } from "../../../src/runtime/client/index.js";
import { FakeClock } from "../../../src/runtime/clock/index.js";

const submitted = (name: string): Submitted => ({
  name,
  created: true,
  job: { apiVersion: API_VERSION, kind: KINDS.job, metadata: { name }, spec: { type: "echo", priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 15, maxBackoffSeconds: 300 } } } satisfies Job,
});
/** Lets every pending promise callback run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean): Promise<void> {
  for (let turns = 0; !condition(); turns++) {
    if (turns > 1000) throw new Error("condition not reached");
    await settle();
  }
}

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
    const clock = new FakeClock();
    const sent: number[] = [];
    let throttledOnce = false;
    const holds: number[] = [];
    const batch = submitBatch(
      [0, 1, 2, 3],
      (i) => {
        sent.push(i);
        if (i === 0 && !throttledOnce) {
          throttledOnce = true;
          return Promise.reject(throttled(2));
        }
        return Promise.resolve(submitted(`job-${i}`));
      },
      { concurrency: 2, clock, onThrottled: (ms) => holds.push(ms) },
    );
    // job-0 is throttled and job-1 goes out with it; then both workers wait out the hold.
    await until(() => clock.pendingTimers() === 2);
    expect(sent).toEqual([0, 1]);
    expect(holds).toEqual([2000]);
    clock.advance(1999);
    await settle();
    expect(sent).toEqual([0, 1]);
    clock.advance(1);
    const outcomes = await batch;
    expect(sent.slice(2).sort()).toEqual([0, 2, 3]);
    expect(outcomes.map((o) => o.job.metadata.name)).toEqual(["job-0", "job-1", "job-2", "job-3"]);
  });

  it("a failure ends the holds of the other workers at once", async () => {
    const clock = new FakeClock();
    const batch = submitBatch(
      [0, 1],
      (i) => (i === 0 ? Promise.reject(throttled(30)) : Promise.reject(new InvalidError({ message: "refused", status: 422 }))),
      { concurrency: 2, clock },
    ).catch((e: unknown) => e);
    expect(await batch).toMatchObject({ index: 1, code: "SubmitMany" });
    expect(clock.now()).toBe(0);
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
