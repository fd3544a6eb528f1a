// Unit tests of agent-health's pure decisions: liveness on the operator's clock, skew, breaker, status writes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatTime, type Agent, type AgentStatus, type Job, type JobAttempt } from "../../../../src/api/index.js";
import {
  AGENT_REASONS,
  attemptOutcomes,
  breakerState,
  consecutiveFailures,
  cooldownMs,
  decideAgentHealth,
  DEFAULT_AGENT_HEALTH_CONFIG,
  effectiveStaleTimeoutMs,
  judgeLiveness,
  LeaseTracker,
  minimumStaleTimeoutMs,
  staleTimeoutRaise,
  staleTimeoutRaiseMessage,
  type AgentHealthConfig,
  type LeaseView,
} from "../../../../src/controllers/agent-health/index.js";
import type { Lease } from "../../../../src/runtime/client/index.js";

const T0 = Date.parse("2030-01-01T00:00:00Z");
const S = 1000;
const config: AgentHealthConfig = { ...DEFAULT_AGENT_HEALTH_CONFIG, staleTimeoutMs: 90 * S, failureThreshold: 3, baseCooldownMs: 60 * S };

function agent(status?: AgentStatus, drain?: boolean): Agent {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Agent",
    metadata: { name: "a1", namespace: "ns", uid: "u-a1", generation: 1, resourceVersion: "1" },
    spec: { queues: ["default"], maxConcurrency: 2, ...(drain === undefined ? {} : { drain }) },
    ...(status === undefined ? {} : { status }),
  };
}

let jobSeq = 0;
/** A job with one finished attempt of agent a1, assigned at `at` (operator clock). */
function finished(outcome: "Succeeded" | "Failed" | "Requeued" | "Released", at: number, agentName = "a1"): Job {
  jobSeq++;
  const record: JobAttempt = { attempt: 1, agent: agentName, outcome, assignedAt: formatTime(new Date(at)) };
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Job",
    metadata: { name: `j${jobSeq}`, namespace: "ns", uid: `u-j${jobSeq}` },
    spec: { type: "echo", priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 } },
    status: { phase: outcome === "Succeeded" ? "Succeeded" : "Pending", attempt: 1, attempts: [record] },
  };
}

const READY: AgentStatus = {
  phase: "Ready",
  conditions: [{ type: "Ready", status: "True", reason: AGENT_REASONS.ready, message: "", lastTransitionTime: formatTime(new Date(T0)) }],
};

// The default 40 s lease: its minimum bound (50 s) is below the 90 s of `config`, so it changes nothing.
const held = (lastChangeAt: number, changed = true, draining = false): LeaseView => ({ state: "held", lastChangeAt, changed, draining, leaseDurationSeconds: 40 });
/** A renewed lease that states `leaseDurationSeconds` (undefined: states none). */
const leased = (lastChangeAt: number, leaseDurationSeconds: number | undefined): LeaseView => ({ state: "held", lastChangeAt, changed: true, draining: false, leaseDurationSeconds });

describe("judgeLiveness", () => {
  it("is live strictly before the stale deadline and offline at it", () => {
    expect(judgeLiveness(held(T0), "Ready", T0 + 90 * S - 1, 90 * S).live).toBe(true);
    expect(judgeLiveness(held(T0), "Ready", T0 + 90 * S, 90 * S).live).toBe(false);
  });

  it("does not revive an Offline agent on a first sight of its lease, only on a change", () => {
    expect(judgeLiveness(held(T0, false), "Offline", T0, 90 * S).live).toBe(false);
    expect(judgeLiveness(held(T0, true), "Offline", T0, 90 * S).live).toBe(true);
    expect(judgeLiveness(held(T0, false), undefined, T0, 90 * S).live).toBe(true);
  });

  it("waits for a lease during the grace period of a new agent, then says Offline", () => {
    expect(judgeLiveness({ state: "missing", since: T0 }, undefined, T0 + 10 * S, 90 * S)).toEqual({ live: "unknown", decideAt: T0 + 90 * S });
    expect(judgeLiveness({ state: "missing", since: T0 }, undefined, T0 + 90 * S, 90 * S).live).toBe(false);
    expect(judgeLiveness({ state: "missing", since: T0 }, "Ready", T0, 90 * S).live).toBe(false);
  });

  it("says Offline at once for a released lease", () => {
    expect(judgeLiveness({ state: "released", lastChangeAt: T0 }, "Ready", T0, 90 * S)).toMatchObject({ live: false, reason: "stopped" });
  });
});

describe("the stale timeout never undercuts the agent's lease", () => {
  it("minimum = leaseDuration + one renew period (leaseDuration/4), with at least 1 s of margin", () => {
    expect(minimumStaleTimeoutMs(40)).toBe(50 * S); // the default lease: the node lifecycle controller's 50 s
    expect(minimumStaleTimeoutMs(8)).toBe(10 * S);
    expect(minimumStaleTimeoutMs(4)).toBe(5 * S); // L/4 = 1 s: both margins agree
    expect(minimumStaleTimeoutMs(3)).toBe(4 * S); // L/4 = 750 ms: the 1 s floor
    expect(minimumStaleTimeoutMs(2)).toBe(3 * S);
    expect(minimumStaleTimeoutMs(1)).toBe(2 * S);
    expect(minimumStaleTimeoutMs(3600)).toBe(4500 * S);
  });

  it("keeps a configured timeout at or above the minimum and raises one below it", () => {
    const cases: [configuredMs: number, lease: number | undefined, effectiveMs: number][] = [
      [90 * S, 40, 90 * S],
      [50 * S, 40, 50 * S],
      [50 * S - 1, 40, 50 * S],
      [6 * S, 40, 50 * S],
      [1, 40, 50 * S],
      [3 * S, 2, 3 * S],
      [3 * S, 4, 5 * S],
      [5 * S, 4, 5 * S],
      [60 * 60 * S, 3600, 4500 * S],
    ];
    for (const [configuredMs, lease, effectiveMs] of cases) expect(effectiveStaleTimeoutMs(configuredMs, lease), `${configuredMs} ms, lease ${lease}`).toBe(effectiveMs);
  });

  it("leaves the configured timeout alone when the lease states no usable duration", () => {
    for (const lease of [undefined, 0, -40, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) expect(effectiveStaleTimeoutMs(6 * S, lease), String(lease)).toBe(6 * S);
  });

  it("is the larger of the configured timeout and the lease's minimum, for any input", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 * 24 * 3600 * S }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (configuredMs, lease) => {
        const effective = effectiveStaleTimeoutMs(configuredMs, lease);
        expect(effective).toBe(Math.max(configuredMs, minimumStaleTimeoutMs(lease)));
        expect(effective).toBeGreaterThanOrEqual(lease * S + Math.max((lease * S) / 4, S));
      }),
    );
  });

  it("names a raise only for a held lease that needs it", () => {
    expect(staleTimeoutRaise(leased(T0, 40), 6 * S)).toEqual({ configuredMs: 6 * S, effectiveMs: 50 * S, leaseDurationSeconds: 40 });
    expect(staleTimeoutRaise(leased(T0, 40), 50 * S)).toBeUndefined();
    expect(staleTimeoutRaise(leased(T0, undefined), 6 * S)).toBeUndefined();
    expect(staleTimeoutRaise(leased(T0, 0), 6 * S)).toBeUndefined();
    expect(staleTimeoutRaise({ state: "missing", since: T0 }, 6 * S)).toBeUndefined();
    expect(staleTimeoutRaise({ state: "released", lastChangeAt: T0 }, 6 * S)).toBeUndefined();
  });

  it("says what was asked, what applies, and why", () => {
    const message = staleTimeoutRaiseMessage({ configuredMs: 6 * S, effectiveMs: 50 * S, leaseDurationSeconds: 40 });
    expect(message).toContain("--agent-stale-timeout 6s");
    expect(message).toContain("leaseDurationSeconds 40, renewed every 10s");
    expect(message).toContain("Offline after 50s");
    expect(message).toContain("at least 50s");
    expect(staleTimeoutRaiseMessage({ configuredMs: 2 * S, effectiveMs: 3 * S, leaseDurationSeconds: 2 })).toContain("renewed every 500ms");
  });

  it("judges a held lease by the raised bound: live until leaseDuration + renew period, Offline at it", () => {
    const lease = leased(T0, 40);
    expect(judgeLiveness(lease, "Ready", T0 + 50 * S - 1, 6 * S)).toMatchObject({ live: true, staleAt: T0 + 50 * S });
    expect(judgeLiveness(lease, "Ready", T0 + 50 * S, 6 * S).live).toBe(false);
    // A lease without a duration is judged by the flag; a missing lease too (nothing to go by).
    expect(judgeLiveness(leased(T0, undefined), "Ready", T0 + 6 * S, 6 * S).live).toBe(false);
    expect(judgeLiveness({ state: "missing", since: T0 }, undefined, T0 + 6 * S, 6 * S).live).toBe(false);
  });

  it("carries the raise on every decision, and the Offline message names the bound that applied", () => {
    const small = { ...config, staleTimeoutMs: 6 * S };
    const ready = decideAgentHealth({ agent: agent(READY), lease: leased(T0, 40), jobs: [], now: T0 + 20 * S, config: small });
    expect(ready).toMatchObject({ phase: "Ready", write: false, requeueAfterMs: 30 * S, staleTimeoutRaise: { configuredMs: 6 * S, effectiveMs: 50 * S, leaseDurationSeconds: 40 } });
    const offline = decideAgentHealth({ agent: agent(READY), lease: leased(T0, 40), jobs: [], now: T0 + 50 * S, config: small });
    expect(offline.phase).toBe("Offline");
    expect(offline.transition?.message).toBe("lease not renewed for 50s (stale after 50s)");
    expect(decideAgentHealth({ agent: agent(READY), lease: held(T0), jobs: [], now: T0, config }).staleTimeoutRaise).toBeUndefined();
  });

  // An agent renewing on schedule, as the operator sees it: renewTime changes at most `maxGap` ms apart
  // (on the operator's clock); agent-health looks at a random moment in between and at the last
  // moment before the next change (heartbeat events, requeues). Half the runs pick a timeout shorter
  // than one gap, where a bound that ignored the lease would bite.
  const renewingAgent = (maxGapOf: (leaseSeconds: number) => number) =>
    fc.integer({ min: 1, max: 3600 }).chain((leaseSeconds) => {
      const maxGap = maxGapOf(leaseSeconds);
      return fc.record({
        configuredMs: fc.oneof(fc.integer({ min: 1, max: Math.max(1, Math.floor(maxGap)) }), fc.integer({ min: 1, max: 2 * 3600 * S })),
        leaseSeconds: fc.constant(leaseSeconds),
        // [gap, look]: the gap to the next change (ms), and how far into it the random look falls (per mille).
        steps: fc.array(fc.tuple(fc.integer({ min: 1, max: Math.max(1, Math.floor(maxGap)) }), fc.integer({ min: 0, max: 1000 })), { minLength: 1, maxLength: 30 }),
      });
    });

  function neverOffline({ configuredMs, leaseSeconds, steps }: { configuredMs: number; leaseSeconds: number; steps: [number, number][] }): void {
    const tracker = new LeaseTracker();
    const cfg = { ...config, staleTimeoutMs: configuredMs };
    const lease = (tick: number): Lease => ({ metadata: { name: "a1", namespace: "ns" }, spec: { holderIdentity: "a1-x", leaseDurationSeconds: leaseSeconds, renewTime: `tick-${tick}` } });
    let now = T0;
    let status: AgentStatus | undefined;
    const judge = (view: LeaseView, at: number): void => {
      const liveness = judgeLiveness(view, status?.phase, at, configuredMs);
      expect(liveness.live, `lease ${leaseSeconds}s, timeout ${configuredMs} ms, at +${at - T0} ms`).toBe(true);
      const decision = decideAgentHealth({ agent: agent(status), lease: view, jobs: [], now: at, config: cfg });
      expect(decision.phase).toBe("Ready");
      if (decision.write) status = decision.status;
    };
    judge(tracker.observe("ns/a1", lease(0), now), now);
    steps.forEach(([gap, perMille], i) => {
      for (const lookAt of [now + Math.floor(((gap - 1) * perMille) / 1000), now + gap - 1]) {
        if (lookAt > now) judge(tracker.observe("ns/a1", lease(i), lookAt), lookAt);
      }
      now += gap;
      judge(tracker.observe("ns/a1", lease(i + 1), now), now);
    });
  }

  it("never judges Offline an agent whose renewTime advances at least every leaseDuration/4, for any configured timeout", () => {
    fc.assert(fc.property(renewingAgent((leaseSeconds) => (leaseSeconds * S) / 4), neverOffline));
  });

  it("nor one that misses renewals but still renews within its lease duration plus the margin", () => {
    fc.assert(fc.property(renewingAgent((leaseSeconds) => minimumStaleTimeoutMs(leaseSeconds) - 1), neverOffline));
  });

  it("still calls a silent agent Offline at max(configured, minimum) after the last change it saw, not later", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 * 3600 * S }), fc.integer({ min: 1, max: 3600 }), (configuredMs, leaseSeconds) => {
        const lease = leased(T0, leaseSeconds);
        const bound = Math.max(configuredMs, minimumStaleTimeoutMs(leaseSeconds));
        expect(judgeLiveness(lease, "Ready", T0 + bound - 1, configuredMs).live).toBe(true);
        expect(judgeLiveness(lease, "Ready", T0 + bound, configuredMs).live).toBe(false);
      }),
    );
  });
});

describe("LeaseTracker and skewed agent clocks", () => {
  const lease = (renewTime: string, holder = "a1-x"): Lease => ({ metadata: { name: "a1", namespace: "ns" }, spec: { holderIdentity: holder, renewTime } });

  it("judges on when the operator saw renewTime change, whatever renewTime says", () => {
    fc.assert(
      fc.property(
        // Agent clocks anywhere from 1970 to 2200: the value is never compared with the operator's clock.
        fc.array(fc.integer({ min: 0, max: 7_258_118_400_000 }), { minLength: 2, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 30 * S }), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 0, max: 200 * S }),
        (agentTimes, gaps, silence) => {
          const tracker = new LeaseTracker();
          let now = T0;
          let lastChange = T0;
          let previous: string | undefined;
          agentTimes.forEach((t, i) => {
            now += gaps[i] ?? S;
            const renewTime = new Date(t).toISOString();
            const view = tracker.observe("ns/a1", lease(renewTime), now);
            if (renewTime !== previous) lastChange = now;
            previous = renewTime;
            expect(view).toMatchObject({ state: "held", lastChangeAt: lastChange });
          });
          // Silence (no change) for `silence` ms: stale exactly when the operator clock says so.
          const view = tracker.observe("ns/a1", lease(previous ?? ""), now + silence);
          const live = judgeLiveness(view, "Ready", now + silence, 90 * S).live;
          expect(live).toBe(now + silence - lastChange < 90 * S);
        },
      ),
    );
  });

  it("a far-future renewTime that stops changing still goes stale; a far-past one that changes stays live", () => {
    const tracker = new LeaseTracker();
    tracker.observe("ns/a1", lease("2999-01-01T00:00:00.000000Z"), T0);
    const future = tracker.observe("ns/a1", lease("2999-01-01T00:00:00.000000Z"), T0 + 95 * S);
    expect(judgeLiveness(future, "Ready", T0 + 95 * S, 90 * S).live).toBe(false);

    const past = new LeaseTracker();
    let view: LeaseView = past.observe("ns/a1", lease("1971-01-01T00:00:00.000000Z"), T0);
    for (let i = 1; i <= 20; i++) view = past.observe("ns/a1", lease(`1971-01-01T00:00:${String(i).padStart(2, "0")}.000000Z`), T0 + i * 10 * S);
    expect(judgeLiveness(view, "Offline", T0 + 200 * S + 50 * S, 90 * S).live).toBe(true);
  });

  it("treats a lease created after the agent was first seen as a change, and a holder change as one too", () => {
    const tracker = new LeaseTracker();
    expect(tracker.observe("ns/a1", undefined, T0)).toEqual({ state: "missing", since: T0 });
    expect(tracker.observe("ns/a1", lease("x"), T0 + S)).toMatchObject({ changed: true, lastChangeAt: T0 + S });
    expect(tracker.observe("ns/a1", lease("x", "a1-y"), T0 + 2 * S)).toMatchObject({ lastChangeAt: T0 + 2 * S });
    expect(tracker.observe("ns/a1", lease("x", ""), T0 + 3 * S)).toEqual({ state: "released", lastChangeAt: T0 + 3 * S });
  });
});

describe("circuit breaker", () => {
  it("counts failed attempts in a row, newest first, ignoring requeues and stopping at a success", () => {
    const jobs = [finished("Failed", T0 + 5 * S), finished("Requeued", T0 + 4 * S), finished("Failed", T0 + 3 * S), finished("Succeeded", T0 + 2 * S), finished("Failed", T0 + 1 * S)];
    const outcomes = attemptOutcomes(jobs, "a1");
    expect(outcomes.map((o) => o.succeeded)).toEqual([false, false, true, false]);
    expect(consecutiveFailures(outcomes, undefined)).toBe(2);
    expect(consecutiveFailures(outcomes, T0 + 4 * S)).toBe(1);
    expect(consecutiveFailures(outcomes, T0 + 5 * S)).toBe(1);
    expect(consecutiveFailures(outcomes, T0 + 6 * S)).toBe(0);
    expect(attemptOutcomes([finished("Failed", T0, "other")], "a1")).toEqual([]);
  });

  it("doubles the cool-down per offence up to the cap", () => {
    expect([1, 2, 3, 4].map((n) => cooldownMs(n, config))).toEqual([60 * S, 120 * S, 240 * S, 480 * S]);
    expect(cooldownMs(100, config)).toBe(config.maxCooldownMs);
  });

  it("trips at exactly the threshold, not one below", () => {
    const two = [finished("Failed", T0 + 1 * S), finished("Failed", T0 + 2 * S)];
    expect(breakerState(agent({ phase: "Ready" }), attemptOutcomes(two, "a1"), T0 + 10 * S, config).state).toBe("closed");
    const three = [...two, finished("Failed", T0 + 3 * S)];
    expect(breakerState(agent({ phase: "Ready" }), attemptOutcomes(three, "a1"), T0 + 10 * S + 1, config)).toEqual({
      state: "trip",
      until: T0 + 71 * S,
      offence: 1,
      failures: 3,
    });
  });

  it("walks quarantine → half-open → closed on success, and doubles on a failed trial", () => {
    const failures = [finished("Failed", T0 + 1 * S), finished("Failed", T0 + 2 * S), finished("Failed", T0 + 3 * S)];
    const trip = decideAgentHealth({ agent: agent({ phase: "Ready" }), lease: held(T0 + 5 * S), jobs: failures, now: T0 + 5 * S, config });
    expect(trip).toMatchObject({ phase: "Quarantined", write: true, transition: { from: "Ready", to: "Quarantined", reason: AGENT_REASONS.quarantined } });
    expect(trip.status).toMatchObject({ quarantineCount: 1, consecutiveFailures: 3, quarantinedUntil: formatTime(new Date(T0 + 65 * S)) });
    expect(trip.requeueAfterMs).toBe(60 * S);

    const quarantined = agent(trip.status);
    const until = T0 + 65 * S;
    const during = decideAgentHealth({ agent: quarantined, lease: held(until - S), jobs: failures, now: until - 1, config });
    expect(during).toMatchObject({ phase: "Quarantined", write: false, requeueAfterMs: 1 });

    const halfOpen = decideAgentHealth({ agent: quarantined, lease: held(until), jobs: failures, now: until, config });
    expect(halfOpen).toMatchObject({ phase: "Ready", write: true, transition: { reason: AGENT_REASONS.halfOpen } });
    const probing = agent(halfOpen.status);

    const success = [...failures, finished("Succeeded", until + S)];
    const closed = decideAgentHealth({ agent: probing, lease: held(until + 2 * S), jobs: success, now: until + 2 * S, config });
    expect(closed).toMatchObject({ phase: "Ready", write: true, transition: undefined, breakerChange: AGENT_REASONS.ready });
    // Once closed, the old failures stay forgiven even if the successful job is deleted (TTL).
    const later = decideAgentHealth({ agent: agent(closed.status), lease: held(until + 3 * S), jobs: failures, now: until + 3 * S, config });
    expect(later).toMatchObject({ phase: "Ready", write: false });

    const failedTrial = [...failures, finished("Failed", until + S)];
    const again = decideAgentHealth({ agent: probing, lease: held(until + 2 * S), jobs: failedTrial, now: until + 2 * S, config });
    expect(again).toMatchObject({ phase: "Quarantined", write: true });
    expect(again.status).toMatchObject({ quarantineCount: 2, quarantinedUntil: formatTime(new Date(until + 2 * S + 120 * S)) });
    expect(again.transition?.message).toBe(`the trial attempt after the last cool-down failed; cool-down until ${formatTime(new Date(until + 2 * S + 120 * S))}`);
  });

  it("says why an agent is quarantined without claiming a count it does not have", () => {
    const long = { ...config, baseCooldownMs: 600 * S };
    const failures = [finished("Failed", T0 + 1 * S), finished("Failed", T0 + 2 * S), finished("Failed", T0 + 3 * S)];
    const trip = decideAgentHealth({ agent: agent({ phase: "Ready" }), lease: held(T0 + 5 * S), jobs: failures, now: T0 + 5 * S, config: long });
    const until = formatTime(new Date(T0 + 605 * S));
    expect(trip.transition?.message).toBe(`3 failed attempts in a row (threshold 3); cool-down until ${until}`);
    // Offline during the cool-down, back before it ends: Quarantined again, with no failures counted since.
    const offline = decideAgentHealth({ agent: agent(trip.status), lease: held(T0 + 5 * S), jobs: failures, now: T0 + 95 * S, config: long });
    expect(offline.phase).toBe("Offline");
    const back = decideAgentHealth({ agent: agent(offline.status), lease: held(T0 + 100 * S), jobs: failures, now: T0 + 100 * S, config: long });
    expect(back).toMatchObject({ phase: "Quarantined", transition: { from: "Offline", to: "Quarantined" } });
    expect(back.transition?.message).toBe(`in quarantine after failed attempts; cool-down until ${until}`);
  });

  it("restarts the offence count when the agent behaved for longer than the offence window", () => {
    const until = T0;
    const readyAgain = agent({
      phase: "Ready",
      quarantinedUntil: formatTime(new Date(until)),
      quarantineCount: 3,
      conditions: [{ type: "Ready", status: "True", reason: AGENT_REASONS.ready, message: "", lastTransitionTime: formatTime(new Date(until)) }],
    });
    const late = until + config.offenceWindowMs + S;
    const jobs = [finished("Failed", late - 3 * S), finished("Failed", late - 2 * S), finished("Failed", late - 1 * S)];
    expect(breakerState(readyAgain, attemptOutcomes(jobs, "a1"), late, config)).toMatchObject({ state: "trip", offence: 1 });
    const soon = until + 10 * S;
    const early = [finished("Failed", soon - 3 * S), finished("Failed", soon - 2 * S), finished("Failed", soon - 1 * S)];
    expect(breakerState(readyAgain, attemptOutcomes(early, "a1"), soon, config)).toMatchObject({ state: "trip", offence: 4 });
  });
});

describe("decideAgentHealth", () => {
  it("writes only on a phase change: heartbeats alone never write", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 90 * S - 1 }), (age) => {
        const ready = decideAgentHealth({ agent: agent(READY), lease: held(T0), jobs: [], now: T0 + age, config });
        expect(ready.write).toBe(false);
        expect(ready.requeueAfterMs).toBe(90 * S - age);
      }),
    );
  });

  it("marks a new agent Ready on its first lease, and a stale one Offline with the heartbeat it last saw", () => {
    const first = decideAgentHealth({ agent: agent(), lease: held(T0, false), jobs: [], now: T0, config });
    expect(first).toMatchObject({ phase: "Ready", write: true, transition: { from: undefined, to: "Ready" } });
    expect(first.status?.conditions?.[0]).toMatchObject({ type: "Ready", status: "True", reason: AGENT_REASONS.ready });
    const stale = decideAgentHealth({ agent: agent(first.status), lease: held(T0), jobs: [], now: T0 + 90 * S, config });
    expect(stale).toMatchObject({ phase: "Offline", write: true, requeueAfterMs: undefined });
    expect(stale.status).toMatchObject({ lastHeartbeatTime: formatTime(new Date(T0)), conditions: [{ status: "False", reason: AGENT_REASONS.offline }] });
  });

  it("Draining from spec.drain or the lease annotation; Offline wins over both", () => {
    expect(decideAgentHealth({ agent: agent({ phase: "Ready" }, true), lease: held(T0), jobs: [], now: T0, config }).phase).toBe("Draining");
    expect(decideAgentHealth({ agent: agent({ phase: "Ready" }), lease: held(T0, true, true), jobs: [], now: T0, config }).phase).toBe("Draining");
    expect(decideAgentHealth({ agent: agent({ phase: "Ready" }, true), lease: held(T0), jobs: [], now: T0 + 91 * S, config }).phase).toBe("Offline");
  });

  it("decides nothing while a new agent's lease has not appeared", () => {
    expect(decideAgentHealth({ agent: agent(), lease: { state: "missing", since: T0 }, jobs: [], now: T0 + S, config })).toMatchObject({
      phase: undefined,
      write: false,
      requeueAfterMs: 89 * S,
    });
  });

  it("is idempotent: deciding again on the written status writes nothing", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<AgentStatus | undefined>(undefined, { phase: "Ready" }, { phase: "Offline" }, { phase: "Quarantined" }, { phase: "Draining" }),
        fc.integer({ min: 0, max: 200 * S }),
        fc.boolean(),
        fc.array(fc.constantFrom<"Succeeded" | "Failed">("Succeeded", "Failed"), { maxLength: 6 }),
        (status, age, drain, outcomes) => {
          const jobs = outcomes.map((o, i) => finished(o, T0 - 10 * S + i * S));
          const lease = held(T0);
          const first = decideAgentHealth({ agent: agent(status, drain), lease, jobs, now: T0 + age, config });
          if (!first.write) return;
          const second = decideAgentHealth({ agent: agent(first.status, drain), lease, jobs, now: T0 + age, config });
          expect(second.write).toBe(false);
          expect(second.phase).toBe(first.phase);
        },
      ),
    );
  });
});
