// What `helios status` shows: queue depth by priority and oldest wait, agents by phase, control flags in effect.
import { ErrorCode, StandardResolutionReasons } from "@openfeature/core";
import {
  AGENT_PHASES,
  capOfFlagValue,
  CONTROL_FLAGS,
  delayOfFlagValue,
  findCondition,
  isTerminalJobPhase,
  JOB_CONDITIONS,
  jobPhase,
  PRIORITY_CLASSES,
  type Agent,
  type ControlFlagKey,
  type FeatureFlag,
  type Job,
  type PriorityClass,
} from "../../api/index.js";
import { FlagSet } from "../../flags/index.js";
import { inflightByAgent } from "./agent-view.js";
import { durationCell } from "./durations.js";
import { queuedAtMs } from "./job-view.js";
import { formatTable } from "./table.js";

/** One queue of one namespace (the unit the dispatcher caps and orders). */
export interface QueueSummary {
  readonly namespace: string;
  readonly queue: string;
  /** Pending jobs, all priorities. */
  readonly pending: number;
  readonly pendingByPriority: Readonly<Record<PriorityClass, number>>;
  /** Pending jobs with condition Blocked=True: waiting cannot help, someone must act. */
  readonly blocked: number;
  readonly assigned: number;
  readonly running: number;
  /** The longest a Pending job of this queue has waited (since queuedAt, else creation). */
  readonly oldestWaitMs?: number;
}

/** The agents of one namespace by phase, and their capacity. */
export interface AgentSummary {
  readonly namespace: string;
  readonly phases: Readonly<Record<string, number>>;
  readonly total: number;
  /** Jobs Assigned or Running on these agents, counted from the Jobs. */
  readonly inflight: number;
  /** Sum of spec.maxConcurrency of Ready agents: what dispatch can fill now. */
  readonly readyCapacity: number;
}

/** Where a flag's value comes from, in the operator's terms. */
export type FlagSource = "missing" | "disabled" | "invalid" | "default" | "targeting" | "error";

/** One control flag as the operator evaluates it (empty context: what applies absent targeting). */
export interface FlagInEffect {
  readonly key: ControlFlagKey;
  readonly value: boolean | number;
  /** The value changes nothing (not paused, no cap, no delay), as the operator reads it. */
  readonly neutral: boolean;
  /** Set when the operator does not apply the value as served (a cap rounded down, a negative cap or delay that is none): what it applies, and why. */
  readonly applied?: string;
  readonly source: FlagSource;
  readonly variant?: string;
  /** The flag has targeting: jobs or agents may get other values than shown. */
  readonly targeted: boolean;
  /** Evaluator or validation message when the flag is invalid. */
  readonly message?: string;
  readonly effect: string;
}

/** Everything `helios status` prints. JSON/YAML print this. */
export interface StatusSummary {
  readonly operatorNamespace: string;
  readonly dispatchPaused: boolean;
  readonly queues: readonly QueueSummary[];
  readonly agents: readonly AgentSummary[];
  /** Undefined when the flags could not be read (shown with `flagsError`). */
  readonly flags?: readonly FlagInEffect[];
  readonly flagsError?: string;
}

const emptyByPriority = (): Record<PriorityClass, number> => ({ critical: 0, high: 0, normal: 0, low: 0 });

/**
 * Queue depth per namespace and queue from non-terminal Jobs; queues agents serve appear even
 * when empty, so an idle queue reads as 0 rather than missing.
 */
export function summarizeQueues(jobs: readonly Job[], agents: readonly Agent[], nowMs: number): QueueSummary[] {
  interface Acc {
    namespace: string;
    queue: string;
    pending: number;
    pendingByPriority: Record<PriorityClass, number>;
    blocked: number;
    assigned: number;
    running: number;
    oldestQueuedAt: number | undefined;
  }
  const acc = new Map<string, Acc>();
  const get = (namespace: string, queue: string): Acc => {
    const k = `${namespace}/${queue}`;
    let a = acc.get(k);
    if (a === undefined) {
      a = { namespace, queue, pending: 0, pendingByPriority: emptyByPriority(), blocked: 0, assigned: 0, running: 0, oldestQueuedAt: undefined };
      acc.set(k, a);
    }
    return a;
  };
  for (const agent of agents) for (const queue of agent.spec.queues) get(agent.metadata.namespace ?? "", queue);
  for (const job of jobs) {
    const phase = jobPhase(job);
    if (isTerminalJobPhase(phase)) continue;
    const a = get(job.metadata.namespace ?? "", job.spec.queue);
    if (phase === "Assigned") a.assigned++;
    else if (phase === "Running") a.running++;
    else {
      a.pending++;
      a.pendingByPriority[job.spec.priority]++;
      if (findCondition(job.status?.conditions, JOB_CONDITIONS.blocked)?.status === "True") a.blocked++;
      const queued = queuedAtMs(job);
      if (queued !== undefined && (a.oldestQueuedAt === undefined || queued < a.oldestQueuedAt)) a.oldestQueuedAt = queued;
    }
  }
  return [...acc.values()]
    .map(({ oldestQueuedAt, ...rest }) => ({
      ...rest,
      ...(oldestQueuedAt === undefined ? {} : { oldestWaitMs: Math.max(0, nowMs - oldestQueuedAt) }),
    }))
    .sort((x, y) => x.namespace.localeCompare(y.namespace) || x.queue.localeCompare(y.queue));
}

/** Agents per namespace by phase (`Unknown` before the operator's first write), with in-flight work and Ready capacity. */
export function summarizeAgents(agents: readonly Agent[], jobs: readonly Job[]): AgentSummary[] {
  const inflight = inflightByAgent(jobs);
  const acc = new Map<string, { phases: Record<string, number>; total: number; inflight: number; readyCapacity: number }>();
  for (const agent of agents) {
    const namespace = agent.metadata.namespace ?? "";
    let a = acc.get(namespace);
    if (a === undefined) {
      a = { phases: Object.fromEntries(AGENT_PHASES.map((p) => [p, 0])), total: 0, inflight: 0, readyCapacity: 0 };
      acc.set(namespace, a);
    }
    const phase = agent.status?.phase ?? "Unknown";
    a.phases[phase] = (a.phases[phase] ?? 0) + 1;
    a.total++;
    a.inflight += inflight.get(`${namespace}/${agent.metadata.name ?? ""}`) ?? 0;
    if (phase === "Ready") a.readyCapacity += agent.spec.maxConcurrency;
  }
  return [...acc.entries()].map(([namespace, a]) => ({ namespace, ...a })).sort((x, y) => x.namespace.localeCompare(y.namespace));
}

/**
 * Evaluates every control flag from the operator namespace's FeatureFlags with the project's
 * flagd-core evaluator, as the operator does (missing, disabled or invalid: the neutral value;
 * an invalid spec keeps serving its last valid definition).
 */
export function flagsInEffect(flags: readonly FeatureFlag[]): FlagInEffect[] {
  const set = new FlagSet();
  for (const flag of flags) set.apply(flag);
  return (Object.keys(CONTROL_FLAGS) as ControlFlagKey[]).map((key) => {
    const info = CONTROL_FLAGS[key];
    const state = set.owner(key);
    const resolution = set.resolve(info.type, key, info.neutralValue, {});
    const value = resolution.value;
    const source: FlagSource =
      resolution.errorCode === ErrorCode.FLAG_NOT_FOUND
        ? "missing"
        : resolution.errorCode === ErrorCode.PARSE_ERROR
          ? "invalid"
          : resolution.errorCode !== undefined
            ? "error"
            : resolution.reason === StandardResolutionReasons.DISABLED
              ? "disabled"
              : resolution.reason === StandardResolutionReasons.TARGETING_MATCH
                ? "targeting"
                : "default";
    const invalidMessage = state !== undefined && !state.validation.valid ? state.validation.message : undefined;
    const message = invalidMessage ?? (source === "error" || source === "invalid" ? resolution.errorMessage : undefined);
    const reading = readValue(key, value);
    return {
      key,
      value,
      neutral: reading.neutral,
      ...(reading.applied === undefined ? {} : { applied: reading.applied }),
      source,
      ...(resolution.variant === undefined ? {} : { variant: resolution.variant }),
      targeted: state?.serving?.spec.targeting !== undefined,
      ...(message === undefined ? {} : { message }),
      effect: info.effect,
    };
  });
}

/** What the operator makes of a served value, by the rules it evaluates with (capOfFlagValue, delayOfFlagValue). */
function readValue(key: ControlFlagKey, value: boolean | number): { neutral: boolean; applied?: string } {
  if (typeof value === "boolean") return { neutral: value === CONTROL_FLAGS[key].neutralValue };
  if (key === "helios-dispatch-delay-ms") {
    const delay = delayOfFlagValue(value);
    return { neutral: delay === 0, ...(delay === value ? {} : { applied: delay === 0 ? `0 (${value} is not a delay)` : `${delay} (served ${value})` }) };
  }
  const cap = capOfFlagValue(value);
  // Past the neutral value a cap is plainly none; a negative or non-number one is a mistake to show.
  if (cap === undefined) return { neutral: true, ...(value >= 0 && value !== Infinity ? {} : { applied: `no cap (${value} is not a cap)` }) };
  return { neutral: false, ...(cap === value ? {} : { applied: `${cap} (served ${value})` }) };
}

/** Builds the summary from what the command read. */
export function statusSummary(input: {
  readonly operatorNamespace: string;
  readonly jobs: readonly Job[];
  readonly agents: readonly Agent[];
  readonly flags: readonly FeatureFlag[] | { readonly error: string };
  readonly nowMs: number;
}): StatusSummary {
  const flags = "error" in input.flags ? undefined : flagsInEffect(input.flags);
  return {
    operatorNamespace: input.operatorNamespace,
    dispatchPaused: flags?.find((f) => f.key === "helios-dispatch-paused")?.value === true,
    queues: summarizeQueues(input.jobs, input.agents, input.nowMs),
    agents: summarizeAgents(input.agents, input.jobs),
    ...(flags === undefined ? {} : { flags }),
    ...("error" in input.flags ? { flagsError: input.flags.error } : {}),
  };
}

function flagValueCell(f: FlagInEffect): string {
  if (f.applied !== undefined) return f.applied;
  if (typeof f.value === "number" && f.neutral && f.key !== "helios-dispatch-delay-ms") return "no cap";
  return String(f.value);
}

function flagSourceCell(f: FlagInEffect): string {
  const variant = f.variant === undefined ? "" : ` (${f.variant})`;
  const base =
    f.source === "missing"
      ? "no FeatureFlag: neutral"
      : f.source === "disabled"
        ? "DISABLED: neutral"
        : f.source === "invalid"
          ? "invalid, never valid: neutral"
          : f.source === "error"
            ? "evaluation error: neutral"
            : `${f.source === "targeting" ? "targeting" : "default variant"}${variant}`;
  const stale = (f.source === "default" || f.source === "targeting") && f.message !== undefined ? "; spec invalid, last valid serves" : "";
  return `${base}${stale}${f.targeted ? "; varies by job/agent" : ""}`;
}

/** The status report for people: a headline, then queues, agents and flags. */
export function formatStatus(summary: StatusSummary, options: { readonly namespaces: boolean }): string {
  const out: string[] = [];
  out.push(
    summary.dispatchPaused
      ? `Dispatch: PAUSED by flag helios-dispatch-paused (nothing new is assigned; running jobs continue). Resume with: helios resume\n`
      : "Dispatch: running\n",
  );
  out.push("\nQUEUES\n");
  if (summary.queues.length === 0) out.push("No queues: no jobs in flight and no agents.\n");
  else {
    out.push(
      formatTable(
        [...(options.namespaces ? ["NAMESPACE"] : []), "QUEUE", "PENDING", ...PRIORITY_CLASSES.map((p) => p.toUpperCase()), "BLOCKED", "ASSIGNED", "RUNNING", "OLDEST-WAIT"],
        summary.queues.map((q) => [
          ...(options.namespaces ? [q.namespace] : []),
          q.queue,
          String(q.pending),
          ...PRIORITY_CLASSES.map((p) => String(q.pendingByPriority[p])),
          String(q.blocked),
          String(q.assigned),
          String(q.running),
          durationCell(q.oldestWaitMs),
        ]),
      ),
    );
  }
  out.push("\nAGENTS\n");
  if (summary.agents.length === 0) out.push("No agents registered. Start one with: helios agent --name NAME --namespace NS\n");
  else {
    const phases = [...AGENT_PHASES, ...(summary.agents.some((a) => (a.phases["Unknown"] ?? 0) > 0) ? ["Unknown"] : [])];
    out.push(
      formatTable(
        [...(options.namespaces ? ["NAMESPACE"] : []), ...phases.map((p) => p.toUpperCase()), "TOTAL", "IN-FLIGHT", "READY-CAPACITY"],
        summary.agents.map((a) => [
          ...(options.namespaces ? [a.namespace] : []),
          ...phases.map((p) => String(a.phases[p] ?? 0)),
          String(a.total),
          String(a.inflight),
          String(a.readyCapacity),
        ]),
      ),
    );
  }
  out.push(`\nCONTROL FLAGS (namespace ${summary.operatorNamespace})\n`);
  if (summary.flags === undefined) out.push(`Cannot read them: ${summary.flagsError ?? "unknown error"}\n`);
  else {
    out.push(
      formatTable(
        ["FLAG", "VALUE", "SOURCE", "EFFECT"],
        summary.flags.map((f) => [f.key, flagValueCell(f), flagSourceCell(f), f.effect]),
      ),
    );
  }
  return out.join("");
}
