import { describe, expect, it } from "vitest";
import { API_VERSION, KINDS, type Job, type JobPhase } from "../../../src/api/index.js";
import { eventsOf, type Seen } from "../../../src/client/job-events.js";

const job = (uid: string, phase?: JobPhase, percent?: number): Job => ({
  apiVersion: API_VERSION,
  kind: KINDS.job,
  metadata: { name: uid, namespace: "n", uid },
  spec: { type: "echo", priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 15, maxBackoffSeconds: 300 } },
  ...(phase === undefined ? {} : { status: { phase, ...(percent === undefined ? {} : { progress: { percent } }) } }),
});

describe("eventsOf", () => {
  it("reports a first sighting and each phase change, progress only when the phase stays", () => {
    let seen: Seen = new Map();
    const step = (observation: Parameters<typeof eventsOf>[1]): string[] => {
      const next = eventsOf(seen, observation);
      seen = next.seen;
      return next.events.map((e) => `${e.type}:${e.type === "phase" ? e.phase : e.type === "progress" ? String(e.progress.percent) : e.job.metadata.uid}`);
    };
    expect(step({ type: "listed", jobs: [job("a")] })).toEqual(["phase:Pending"]);
    expect(step({ type: "changed", job: job("a", "Running") })).toEqual(["phase:Running"]);
    expect(step({ type: "changed", job: job("a", "Running", 50) })).toEqual(["progress:50"]);
    expect(step({ type: "changed", job: job("a", "Running", 50) })).toEqual([]);
    expect(step({ type: "changed", job: job("a", "Succeeded", 100) })).toEqual(["phase:Succeeded"]);
    expect(step({ type: "deleted", job: job("a", "Succeeded") })).toEqual(["deleted:a"]);
    expect(seen.size).toBe(0);
  });

  it("a relist reports what changed while unobserved, and the Jobs that disappeared", () => {
    const seen = eventsOf(new Map(), { type: "listed", jobs: [job("a", "Running"), job("b", "Pending")] }).seen;
    const relisted = eventsOf(seen, { type: "listed", jobs: [job("a", "Succeeded"), job("c")] });
    expect(relisted.events.map((e) => [e.type, e.job.metadata.uid])).toEqual([
      ["phase", "a"],
      ["phase", "c"],
      ["deleted", "b"],
    ]);
    expect([...relisted.seen.keys()].sort()).toEqual(["a", "c"]);
  });
});
