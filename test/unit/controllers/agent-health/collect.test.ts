// Unit tests of agent collection: which Offline agents agent-health deletes, when, and which it never touches.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatTime, podOwnerReference, type Agent, type AgentPhase, type AgentStatus } from "../../../../src/api/index.js";
import { decideAgentCollection, decideAgentHealth, DEFAULT_AGENT_HEALTH_CONFIG, type AgentCollectionInput } from "../../../../src/controllers/agent-health/index.js";

const T0 = Date.parse("2030-01-01T00:00:00Z");
const S = 1000;
const H = 3600 * S;
const GC = 24 * H;
const at = (ms: number): string => formatTime(new Date(ms));

function agent(status: AgentStatus | undefined, meta: Partial<Agent["metadata"]> = {}): Agent {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Agent",
    metadata: { name: "a1", namespace: "ns", uid: "u-a1", resourceVersion: "7", ...meta },
    spec: { queues: ["default"], maxConcurrency: 1 },
    ...(status === undefined ? {} : { status }),
  };
}

const offlineSince = (since: number): AgentStatus => ({ phase: "Offline", lastPhaseTransitionTime: at(since) });

function input(over: Partial<AgentCollectionInput> = {}): AgentCollectionInput {
  return { agent: agent(offlineSince(T0)), phase: "Offline", activeJobs: 0, now: T0 + GC, gcAfterMs: GC, ...over };
}

describe("decideAgentCollection", () => {
  it("waits until gcAfter has passed since the persisted phase change, then deletes", () => {
    expect(decideAgentCollection(input({ now: T0 }))).toEqual({ kind: "wait", requeueAfterMs: GC });
    expect(decideAgentCollection(input({ now: T0 + GC - 1 }))).toEqual({ kind: "wait", requeueAfterMs: 1 });
    expect(decideAgentCollection(input({ now: T0 + GC }))).toEqual({
      kind: "delete",
      reason: "OfflineTooLong",
      offlineSince: T0,
      message: "Offline since 2030-01-01T00:00:00Z, longer than --agent-gc-after (24h): the Agent is deleted, and its Lease with it",
    });
  });

  it("never collects with gcAfter 0, an agent being deleted, or one owned by a Pod", () => {
    expect(decideAgentCollection(input({ gcAfterMs: 0 }))).toEqual({ kind: "keep", reason: "Disabled" });
    expect(decideAgentCollection(input({ agent: agent(offlineSince(T0), { deletionTimestamp: at(T0) }) }))).toEqual({ kind: "keep", reason: "Deleting" });
    const inPod = agent(offlineSince(T0), { ownerReferences: [podOwnerReference({ name: "pool-7f9c-x2", uid: "pod-uid" })] });
    expect(decideAgentCollection(input({ agent: inPod, now: T0 + 100 * GC }))).toEqual({ kind: "keep", reason: "OwnedByPod" });
    // An owner that is not a Pod (say, a user's own object) leaves collection to the operator.
    const otherOwner = agent(offlineSince(T0), { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "rs-uid" }] });
    expect(decideAgentCollection(input({ agent: otherOwner })).kind).toBe("delete");
  });

  it("keeps an agent that is not Offline as persisted, or not any more as judged now", () => {
    for (const phase of ["Ready", "Draining", "Quarantined"] as const) {
      expect(decideAgentCollection(input({ agent: agent({ phase, lastPhaseTransitionTime: at(T0) }), phase }))).toEqual({ kind: "keep", reason: "NotOffline" });
    }
    // Its Lease was renewed since: agent-health is about to write Ready.
    expect(decideAgentCollection(input({ phase: "Ready" }))).toEqual({ kind: "keep", reason: "NotOffline" });
    expect(decideAgentCollection(input({ phase: undefined }))).toEqual({ kind: "keep", reason: "NotOffline" });
    expect(decideAgentCollection(input({ agent: agent(undefined) }))).toEqual({ kind: "keep", reason: "NotOffline" });
  });

  it("never deletes an agent with jobs still Assigned or Running; it waits for job recovery", () => {
    expect(decideAgentCollection(input({ activeJobs: 1 }))).toEqual({ kind: "keep", reason: "ActiveJobs" });
    // Before the bound it still waits on the timer: the jobs are looked at when it is due.
    expect(decideAgentCollection(input({ activeJobs: 3, now: T0 + H }))).toEqual({ kind: "wait", requeueAfterMs: GC - H });
  });

  it("counts from the Ready condition when the status predates lastPhaseTransitionTime, and keeps it without either", () => {
    const legacy: AgentStatus = {
      phase: "Offline",
      conditions: [{ type: "Ready", status: "False", reason: "AgentOffline", message: "", lastTransitionTime: at(T0 - H) }],
    };
    expect(decideAgentCollection(input({ agent: agent(legacy), now: T0 - H + GC }))).toMatchObject({ kind: "delete", offlineSince: T0 - H });
    expect(decideAgentCollection(input({ agent: agent({ phase: "Offline" }) }))).toEqual({ kind: "keep", reason: "NoTransitionTime" });
  });

  it("property: deletes only an Offline, unowned agent with no active jobs, at or after since + gcAfter", () => {
    const phases: readonly (AgentPhase | undefined)[] = ["Ready", "Offline", "Draining", "Quarantined", undefined];
    fc.assert(
      fc.property(
        fc.record({
          persisted: fc.constantFrom(...phases),
          judged: fc.constantFrom(...phases),
          // Kubernetes timestamps have whole seconds, so the phase change is on a second.
          sinceSeconds: fc.integer({ min: 0, max: 1000 * 3600 }),
          elapsed: fc.integer({ min: 0, max: 1000 * H }),
          gcAfterMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100 * H })),
          activeJobs: fc.integer({ min: 0, max: 3 }),
          inPod: fc.boolean(),
          deleting: fc.boolean(),
        }),
        (c) => {
          const since = T0 + c.sinceSeconds * S;
          const meta = {
            ...(c.inPod ? { ownerReferences: [podOwnerReference({ name: "p", uid: "pod-uid" })] } : {}),
            ...(c.deleting ? { deletionTimestamp: at(since) } : {}),
          };
          const status = c.persisted === undefined ? undefined : { phase: c.persisted, lastPhaseTransitionTime: at(since) };
          const now = since + c.elapsed;
          const decision = decideAgentCollection({ agent: agent(status, meta), phase: c.judged, activeJobs: c.activeJobs, now, gcAfterMs: c.gcAfterMs });
          const eligible = c.gcAfterMs > 0 && !c.inPod && !c.deleting && c.persisted === "Offline" && c.judged === "Offline";
          expect(decision.kind === "delete").toBe(eligible && c.elapsed >= c.gcAfterMs && c.activeJobs === 0);
          if (decision.kind === "wait") {
            expect(eligible && c.elapsed < c.gcAfterMs).toBe(true);
            expect(now + decision.requeueAfterMs).toBe(since + c.gcAfterMs);
          }
        },
      ),
    );
  });
});

describe("the persisted phase change that collection counts from", () => {
  it("is stamped when agent-health changes the phase, and kept while it does not", () => {
    const config = { ...DEFAULT_AGENT_HEALTH_CONFIG, staleTimeoutMs: 90 * S };
    const ready = decideAgentHealth({ agent: agent(undefined), lease: { state: "held", lastChangeAt: T0, changed: true, draining: false, leaseDurationSeconds: undefined }, jobs: [], now: T0, config });
    expect(ready.status).toMatchObject({ phase: "Ready", lastPhaseTransitionTime: at(T0) });
    const readyAgent = agent(ready.status);
    const stale = decideAgentHealth({ agent: readyAgent, lease: { state: "held", lastChangeAt: T0, changed: true, draining: false, leaseDurationSeconds: undefined }, jobs: [], now: T0 + 90 * S, config });
    expect(stale.status).toMatchObject({ phase: "Offline", lastPhaseTransitionTime: at(T0 + 90 * S) });
    const still = decideAgentHealth({ agent: agent(stale.status), lease: { state: "missing", since: T0 }, jobs: [], now: T0 + H, config });
    expect(still).toMatchObject({ phase: "Offline", write: false });
  });
});
