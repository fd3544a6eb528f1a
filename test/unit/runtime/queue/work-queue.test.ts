// Work-queue semantics: dedupe, dirty re-run, delays, rate-limited backoff, shutdown and metrics.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Registry } from "prom-client";
import {
  BucketRateLimiter,
  FakeClock,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  WorkQueue,
} from "../../../../src/runtime/queue/index.js";

// Resolves true if `p` settles within a few macrotask turns; false means it is still pending.
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  return done;
}

function newQueue(clock = new FakeClock()) {
  return { clock, q: new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialRateLimiter() }) };
}

describe("WorkQueue", () => {
  it("queues a key once however often it is added, in first-add order", async () => {
    const { q } = newQueue();
    q.add("a");
    q.add("b");
    q.add("a");
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBe("b");
    expect(q.len()).toBe(0);
  });

  it("runs a key added while it is processing exactly once more, after done", async () => {
    const { q } = newQueue();
    q.add("a");
    const item = await q.get();
    q.add("a");
    q.add("a");
    expect(q.len()).toBe(0); // not handed to a second worker while the first still has it
    const second = q.get();
    expect(await settled(second)).toBe(false);
    q.done(item ?? "");
    expect(await second).toBe("a");
    q.done("a");
    expect(q.len()).toBe(0);
  });

  it("makes get wait until an item arrives, serving waiting getters in order", async () => {
    const { q } = newQueue();
    const g1 = q.get();
    const g2 = q.get();
    expect(await settled(g1)).toBe(false);
    q.add("x");
    q.add("y");
    expect(await g1).toBe("x");
    expect(await g2).toBe("y");
  });

  it("holds addAfter items until due; the earliest time wins and duplicates collapse", async () => {
    const { q, clock } = newQueue();
    q.addAfter("a", 100);
    q.addAfter("a", 50); // earlier: replaces
    q.addAfter("a", 500); // later: ignored
    clock.advance(49);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    clock.advance(1000);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe("a");
    q.addAfter("b", 0);
    expect(q.len()).toBe(1);
  });

  it("backs off rate-limited adds exponentially per item and forget resets it", async () => {
    const { q, clock } = newQueue();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      q.addRateLimited("a");
      let waited = 0;
      while (q.len() === 0 && waited < 1000) {
        clock.advance(1);
        waited++;
      }
      delays.push(waited);
      q.done((await q.get()) ?? "");
    }
    expect(delays).toEqual([5, 10, 20, 40]);
    expect(q.numRequeues("a")).toBe(4);
    expect(q.numRequeues("b")).toBe(0);
    q.forget("a");
    expect(q.numRequeues("a")).toBe(0);
    q.addRateLimited("a");
    clock.advance(5);
    expect(q.len()).toBe(1);
  });

  it("ignores adds after shutDown, hands out what is left, then resolves undefined", async () => {
    const { q, clock } = newQueue();
    q.add("a");
    q.addAfter("later", 10);
    const waiting = newQueue().q;
    const pending = waiting.get();
    waiting.shutDown();
    expect(await pending).toBeUndefined();

    q.shutDown();
    expect(q.shuttingDown()).toBe(true);
    q.add("b");
    clock.advance(100); // the delayed item was cancelled
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBeUndefined();
  });

  it("shutDownWithDrain waits for in-flight items to be done", async () => {
    const { q } = newQueue();
    q.add("a");
    q.add("b");
    const a = await q.get();
    const b = await q.get();
    const drained = q.shutDownWithDrain();
    expect(await settled(drained)).toBe(false);
    q.done(a ?? "");
    expect(await settled(drained)).toBe(false);
    q.done(b ?? "");
    expect(await settled(drained)).toBe(true);
    expect(await settled(newQueue().q.shutDownWithDrain())).toBe(true);
  });

  it("reports client-go's metrics by queue name", async () => {
    const clock = new FakeClock();
    const registry = new Registry();
    const q = new WorkQueue<string>({ name: "jobs", clock, registry });
    q.add("a");
    q.add("a");
    q.add("b");
    clock.advance(2000);
    const item = await q.get();
    clock.advance(3000);
    const text = await registry.metrics();
    expect(text).toContain('workqueue_adds_total{name="jobs",controller="jobs"} 2');
    expect(text).toContain('workqueue_depth{name="jobs",controller="jobs"} 1');
    expect(text).toContain('workqueue_queue_duration_seconds_sum{name="jobs",controller="jobs"} 2');
    expect(text).toContain('workqueue_unfinished_work_seconds{name="jobs",controller="jobs"} 3');
    expect(text).toContain('workqueue_longest_running_processor_seconds{name="jobs",controller="jobs"} 3');
    q.done(item ?? "");
    q.addRateLimited("c");
    const after = await registry.metrics();
    expect(after).toContain('workqueue_work_duration_seconds_count{name="jobs",controller="jobs"} 1');
    expect(after).toContain('workqueue_retries_total{name="jobs",controller="jobs"} 1');
    expect(after).toContain('workqueue_unfinished_work_seconds{name="jobs",controller="jobs"} 0');
  });
});

describe("rate limiters", () => {
  it("item exponential: 5 ms doubling per failure, capped at 1000 s", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), (failures) => {
        const limiter = new ItemExponentialRateLimiter<string>();
        let last = 0;
        for (let i = 0; i < failures; i++) {
          const d = limiter.when("k");
          expect(d).toBe(Math.min(5 * 2 ** i, 1_000_000));
          expect(d).toBeGreaterThanOrEqual(last); // never shrinks until forgotten
          last = d;
        }
        expect(limiter.numRequeues("k")).toBe(failures);
        expect(limiter.when("other")).toBe(5); // per item
        limiter.forget("k");
        expect(limiter.when("k")).toBe(5);
      }),
    );
  });

  it("bucket: burst passes at once, then one token per 1/qps", () => {
    const clock = new FakeClock();
    const bucket = new BucketRateLimiter<string>(10, 3, clock);
    expect([bucket.when("a"), bucket.when("b"), bucket.when("c")]).toEqual([0, 0, 0]);
    expect(bucket.when("d")).toBe(100);
    expect(bucket.when("e")).toBe(200);
    clock.advance(1000); // refills 10 tokens, capped at the burst of 3, minus the 2 borrowed
    expect(bucket.when("f")).toBe(0);
  });

  it("max-of uses the longest delay and forgets in all limiters", () => {
    const clock = new FakeClock();
    const limiter = new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter(), new BucketRateLimiter(1, 1, clock));
    expect(limiter.when("a")).toBe(5);
    expect(limiter.when("a")).toBe(1000);
    expect(limiter.numRequeues("a")).toBe(2);
    limiter.forget("a");
    expect(limiter.numRequeues("a")).toBe(0);
  });
});
