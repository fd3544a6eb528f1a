// Test support for the scheduler: fast-check arbitraries for snapshots, builders, and reference checks.
import fc from "fast-check";
import type {
  LabelSelector,
  LabelSelectorRequirement,
  PriorityClass,
  SchedulingAgent,
  SchedulingFlags,
  SchedulingJob,
  SchedulingSnapshot,
} from "../../../src/scheduling/index.js";

export const NOW = Date.UTC(2030, 0, 1);
export const MINUTE = 60_000;
export const NAMESPACES = ["alpha", "beta", "gamma"] as const;
export const QUEUES = ["default", "batch"] as const;
export const CAPABILITIES = ["cpu", "gpu", "net"] as const;
export const CLASSES: readonly PriorityClass[] = ["critical", "high", "normal", "low"];
const LABEL_KEYS = ["zone", "tier"] as const;
const LABEL_VALUES = ["a", "b"] as const;

/** True with roughly probability p (in 1/20 steps). */
function chance(p: number): fc.Arbitrary<boolean> {
  return fc.integer({ min: 0, max: 19 }).map((n) => n < Math.round(p * 20));
}

const labels = fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES), { maxKeys: 2 });

const requirement: fc.Arbitrary<LabelSelectorRequirement> = fc.record({
  key: fc.constantFrom(...LABEL_KEYS),
  operator: fc.constantFrom("In" as const, "NotIn" as const, "Exists" as const, "DoesNotExist" as const),
  values: fc.uniqueArray(fc.constantFrom(...LABEL_VALUES), { maxLength: 2 }),
});

const selector: fc.Arbitrary<LabelSelector> = fc.record(
  { matchLabels: labels, matchExpressions: fc.array(requirement, { maxLength: 2 }) },
  { requiredKeys: [] },
);

export const agentArb: fc.Arbitrary<SchedulingAgent> = fc
  .record({
    name: fc.constantFrom("a0", "a1", "a2", "a3", "a4", "a5"),
    namespace: fc.constantFrom(...NAMESPACES),
    phase: fc.constantFrom("Ready" as const, "Ready" as const, "Ready" as const, "Offline" as const, "Draining" as const, "Quarantined" as const),
    drain: chance(0.15),
    quarantined: fc.option(fc.integer({ min: -5, max: 5 }).map((m) => NOW + m * MINUTE), { nil: undefined, freq: 4 }),
    labels,
    capabilities: fc.uniqueArray(fc.constantFrom(...CAPABILITIES)),
    queues: fc.uniqueArray(fc.constantFrom(...QUEUES), { minLength: 1 }),
    maxConcurrency: fc.integer({ min: 0, max: 4 }),
    running: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ quarantined, ...rest }) => (quarantined === undefined ? rest : { ...rest, quarantinedUntil: quarantined }));

export const jobArb: fc.Arbitrary<Omit<SchedulingJob, "key">> = fc
  .record({
    namespace: fc.constantFrom(...NAMESPACES),
    type: fc.constantFrom("echo", "sleep", "fail"),
    queue: fc.constantFrom(...QUEUES),
    priority: fc.constantFrom(...CLASSES),
    queuedAt: fc.integer({ min: -90, max: 0 }).map((m) => NOW + m * MINUTE),
    requiredCapabilities: fc.uniqueArray(fc.constantFrom(...CAPABILITIES), { maxLength: 2 }),
    agentSelector: fc.option(selector, { nil: undefined, freq: 2 }),
    notBefore: fc.option(fc.integer({ min: -10, max: 10 }).map((m) => NOW + m * MINUTE), { nil: undefined, freq: 3 }),
    nextAttemptAt: fc.option(fc.integer({ min: -10, max: 10 }).map((m) => NOW + m * MINUTE), { nil: undefined, freq: 3 }),
  })
  .map(({ agentSelector, notBefore, nextAttemptAt, ...rest }) => ({
    ...rest,
    ...(agentSelector === undefined ? {} : { agentSelector }),
    ...(notBefore === undefined ? {} : { notBefore }),
    ...(nextAttemptAt === undefined ? {} : { nextAttemptAt }),
  }));

/** Flags as data, so a failing case prints readably; `flagsOf` turns them into callbacks. */
export interface FlagData {
  readonly dispatchPaused: boolean;
  readonly killedTypes: readonly string[];
  readonly agentCaps: Readonly<Record<string, number>>;
  readonly queueCaps: Readonly<Record<string, number>>;
  readonly dispatchDelayMs: number;
}

export const flagDataArb: fc.Arbitrary<FlagData> = fc.record({
  dispatchPaused: chance(0.1),
  killedTypes: fc.uniqueArray(fc.constantFrom("echo", "sleep", "fail"), { maxLength: 1 }),
  agentCaps: fc.dictionary(fc.constantFrom("a0", "a1", "a2"), fc.integer({ min: 0, max: 3 }), { maxKeys: 2 }),
  queueCaps: fc.dictionary(fc.constantFrom(...QUEUES), fc.integer({ min: 0, max: 6 }), { maxKeys: 1 }),
  dispatchDelayMs: fc.constantFrom(0, 0, 30_000, 5 * MINUTE),
});

export function flagsOf(data: FlagData): SchedulingFlags {
  return {
    dispatchPaused: data.dispatchPaused,
    killSwitch: (ctx) => data.killedTypes.includes(ctx.jobType),
    agentMaxConcurrency: (ctx) => data.agentCaps[ctx.agent],
    queueMaxInflight: (queue) => data.queueCaps[queue],
    dispatchDelayMs: data.dispatchDelayMs,
  };
}

export const noFlags: SchedulingFlags = {
  dispatchPaused: false,
  killSwitch: () => false,
  agentMaxConcurrency: () => undefined,
  queueMaxInflight: () => undefined,
  dispatchDelayMs: 0,
};

export interface Scenario {
  readonly jobs: readonly SchedulingJob[];
  readonly agents: readonly SchedulingAgent[];
  readonly inFlight: SchedulingSnapshot["inFlight"];
  readonly flags: FlagData;
  readonly maxAssignments: number | undefined;
}

export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  jobs: fc.array(jobArb, { maxLength: 40 }).map((jobs) => jobs.map((j, i) => ({ ...j, key: `${j.namespace}/j${i}` }))),
  // Agents are unique by namespace/name, as in the cluster.
  agents: fc.uniqueArray(agentArb, { maxLength: 12, selector: (a) => `${a.namespace}/${a.name}` }),
  inFlight: fc.array(
    fc.record({ namespace: fc.constantFrom(...NAMESPACES), queue: fc.constantFrom(...QUEUES), count: fc.integer({ min: 0, max: 5 }) }),
    { maxLength: 4 },
  ),
  flags: flagDataArb,
  maxAssignments: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined, freq: 3 }),
});

export function snapshotOf(s: Scenario): SchedulingSnapshot {
  const base = { now: NOW, jobs: s.jobs, agents: s.agents, inFlight: s.inFlight, flags: flagsOf(s.flags) };
  return s.maxAssignments === undefined ? base : { ...base, maxAssignments: s.maxAssignments };
}

/** A Ready agent with sensible defaults. */
export function agent(name: string, over: Partial<SchedulingAgent> = {}): SchedulingAgent {
  return {
    name,
    namespace: "alpha",
    phase: "Ready",
    drain: false,
    labels: {},
    capabilities: [],
    queues: ["default"],
    maxConcurrency: 1,
    running: 0,
    ...over,
  };
}

/** A Pending job queued an hour before NOW, with sensible defaults. */
export function job(name: string, over: Partial<SchedulingJob> = {}): SchedulingJob {
  const namespace = over.namespace ?? "alpha";
  return {
    key: `${namespace}/${name}`,
    namespace,
    type: "echo",
    queue: "default",
    priority: "normal",
    queuedAt: NOW - 60 * MINUTE,
    requiredCapabilities: [],
    ...over,
  };
}

/** An independent reading of the Kubernetes selector rules, to check the implementation against. */
export function referenceSelectorMatch(sel: LabelSelector | undefined, l: Readonly<Record<string, string>>): boolean {
  if (sel === undefined) return true;
  const ok = Object.entries(sel.matchLabels ?? {}).every(([k, v]) => l[k] === v && k in l);
  return (
    ok &&
    (sel.matchExpressions ?? []).every((e) => {
      const v = l[e.key];
      if (e.operator === "Exists") return v !== undefined;
      if (e.operator === "DoesNotExist") return v === undefined;
      if (e.operator === "In") return v !== undefined && (e.values ?? []).includes(v);
      return v === undefined || !(e.values ?? []).includes(v);
    })
  );
}
