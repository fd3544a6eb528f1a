// Property tests of planDispatch's safety rules over random snapshots.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eligibleAt, planDispatch, type SchedulingAgent } from "../../../src/scheduling/index.js";
import { NOW, referenceSelectorMatch, scenarioArb, snapshotOf, flagsOf, type Scenario } from "./support.js";

const RUNS = 400;

function agentsById(s: Scenario): Map<string, SchedulingAgent> {
  return new Map(s.agents.map((a) => [`${a.namespace}/${a.name}`, a]));
}

function capacityOf(s: Scenario, a: SchedulingAgent): number {
  const flagCap = flagsOf(s.flags).agentMaxConcurrency({ agent: a.name, namespace: a.namespace, labels: a.labels });
  return Math.max(0, Math.min(a.maxConcurrency, flagCap ?? Infinity) - a.running);
}

describe("planDispatch properties", () => {
  it("accounts for every job exactly once and never assigns a job twice", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const plan = planDispatch(snapshotOf(s));
        const keys = [...plan.assignments.map((a) => a.jobKey), ...plan.unplaced.map((u) => u.jobKey), ...plan.deferred];
        expect(new Set(keys).size).toBe(keys.length);
        expect(new Set(keys)).toEqual(new Set(s.jobs.map((j) => j.key)));
      }),
      { numRuns: RUNS },
    );
  });

  it("never assigns a duplicated job key twice", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const doubled = { ...s, jobs: [...s.jobs, ...s.jobs] };
        const plan = planDispatch(snapshotOf(doubled));
        const keys = plan.assignments.map((a) => a.jobKey);
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { numRuns: RUNS },
    );
  });

  it("never puts an agent over capacity = min(maxConcurrency, flag cap) - running", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const plan = planDispatch(snapshotOf(s));
        const agents = agentsById(s);
        const perAgent = new Map<string, number>();
        for (const a of plan.assignments) {
          const id = `${a.namespace}/${a.agentName}`;
          perAgent.set(id, (perAgent.get(id) ?? 0) + 1);
        }
        for (const [id, count] of perAgent) {
          const agent = agents.get(id);
          expect(agent).toBeDefined();
          expect(count).toBeLessThanOrEqual(capacityOf(s, agent as SchedulingAgent));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("assigns only to Ready, undrained, unquarantined agents of the job's namespace that match queue, capabilities and selector", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const plan = planDispatch(snapshotOf(s));
        const agents = agentsById(s);
        const jobs = new Map(s.jobs.map((j) => [j.key, j]));
        for (const a of plan.assignments) {
          const job = jobs.get(a.jobKey);
          const agent = agents.get(`${a.namespace}/${a.agentName}`);
          if (job === undefined || agent === undefined) throw new Error(`unknown job or agent in ${JSON.stringify(a)}`);
          expect(agent.namespace).toBe(job.namespace);
          expect(agent.phase).toBe("Ready");
          expect(agent.drain).toBe(false);
          expect(agent.quarantinedUntil === undefined || agent.quarantinedUntil <= NOW).toBe(true);
          expect(agent.queues).toContain(job.queue);
          for (const c of job.requiredCapabilities) expect(agent.capabilities).toContain(c);
          expect(referenceSelectorMatch(job.agentSelector, agent.labels)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("assigns only eligible jobs that are not kill-switched, within queue caps and the cycle budget", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const plan = planDispatch(snapshotOf(s));
        const jobs = new Map(s.jobs.map((j) => [j.key, j]));
        const perQueue = new Map<string, number>();
        for (const a of plan.assignments) {
          const job = jobs.get(a.jobKey);
          if (job === undefined) throw new Error("unknown job");
          expect(eligibleAt(job, s.flags.dispatchDelayMs)).toBeLessThanOrEqual(NOW);
          expect(s.flags.killedTypes).not.toContain(job.type);
          perQueue.set(job.queue + "/" + job.namespace, (perQueue.get(job.queue + "/" + job.namespace) ?? 0) + 1);
        }
        for (const [qns, added] of perQueue) {
          const [queue, ns] = qns.split("/") as [string, string];
          const cap = s.flags.queueCaps[queue];
          if (cap === undefined) continue;
          const before = s.inFlight.filter((f) => f.queue === queue && f.namespace === ns).reduce((n, f) => n + f.count, 0);
          expect(before + added).toBeLessThanOrEqual(Math.max(before, cap));
        }
        if (s.maxAssignments !== undefined) expect(plan.assignments.length).toBeLessThanOrEqual(s.maxAssignments);
      }),
      { numRuns: RUNS },
    );
  });

  it("assigns nothing while paused, and says so for every job", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const plan = planDispatch(snapshotOf({ ...s, flags: { ...s.flags, dispatchPaused: true } }));
        expect(plan.assignments).toEqual([]);
        expect(plan.unplaced.every((u) => u.reason === "DispatchPaused" && u.blocked)).toBe(true);
        expect(plan.unplaced.length).toBe(s.jobs.length);
      }),
      { numRuns: RUNS },
    );
  });

  it("is work-conserving: NoFreeCapacity only when every matching agent is full", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const plan = planDispatch(snapshotOf(s));
        const jobs = new Map(s.jobs.map((j) => [j.key, j]));
        const used = new Map<string, number>();
        for (const a of plan.assignments) used.set(`${a.namespace}/${a.agentName}`, (used.get(`${a.namespace}/${a.agentName}`) ?? 0) + 1);
        for (const u of plan.unplaced.filter((x) => x.reason === "NoFreeCapacity")) {
          const job = jobs.get(u.jobKey);
          if (job === undefined) throw new Error("unknown job");
          for (const agent of s.agents) {
            const matches =
              agent.namespace === job.namespace &&
              agent.phase === "Ready" &&
              !agent.drain &&
              (agent.quarantinedUntil === undefined || agent.quarantinedUntil <= NOW) &&
              agent.queues.includes(job.queue) &&
              job.requiredCapabilities.every((c) => agent.capabilities.includes(c)) &&
              referenceSelectorMatch(job.agentSelector, agent.labels);
            if (matches) expect(used.get(`${agent.namespace}/${agent.name}`) ?? 0).toBeGreaterThanOrEqual(capacityOf(s, agent));
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("lists assignments in non-increasing effective priority", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const prios = planDispatch(snapshotOf(s)).assignments.map((a) => a.effectivePriority);
        for (let i = 1; i < prios.length; i++) expect(prios[i]).toBeLessThanOrEqual(prios[i - 1] as number);
      }),
      { numRuns: RUNS },
    );
  });

  it("is deterministic: the order of agents in the snapshot does not change the plan", () => {
    fc.assert(
      fc.property(scenarioArb, fc.infiniteStream(fc.nat()), (s, noise) => {
        const it = noise[Symbol.iterator]();
        const shuffled = [...s.agents]
          .map((a) => ({ a, k: it.next().value as number }))
          .sort((x, y) => x.k - y.k)
          .map((x) => x.a);
        expect(planDispatch(snapshotOf({ ...s, agents: shuffled }))).toEqual(planDispatch(snapshotOf(s)));
      }),
      { numRuns: RUNS },
    );
  });

  it("sets nextWakeAt to the earliest future eligibility among waiting jobs", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const plan = planDispatch(snapshotOf({ ...s, flags: { ...s.flags, dispatchPaused: false } }));
        const waits = s.jobs
          .filter((j) => !s.flags.killedTypes.includes(j.type))
          .map((j) => eligibleAt(j, s.flags.dispatchDelayMs))
          .filter((t) => t > NOW);
        expect(plan.nextWakeAt).toBe(waits.length === 0 ? undefined : Math.min(...waits));
      }),
      { numRuns: RUNS },
    );
  });
});
