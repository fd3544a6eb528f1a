// Pure renderers for the demo: the live terminal view, the plain lines for CI, and the summary.
import type { Agent, Job, JobPhase } from "../../src/api/index.js";

export interface DemoNote {
  readonly atMs: number;
  readonly text: string;
}

export interface DemoSnapshot {
  readonly now: Date;
  readonly elapsedMs: number;
  readonly stage: string;
  readonly jobs: readonly Job[];
  readonly agents: readonly Agent[];
  readonly notes: readonly DemoNote[];
}

const PHASE_ORDER: readonly JobPhase[] = ["Running", "Assigned", "Pending", "Succeeded", "Failed", "Expired", "Cancelled"];
const PRIORITIES = ["critical", "high", "normal", "low"] as const;

export const phaseOf = (job: Job): JobPhase => job.status?.phase ?? "Pending";
const nameOf = (obj: { metadata: { name?: string | undefined } }): string => obj.metadata.name ?? "";

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

function bar(percent: number, width = 10): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return "█".repeat(filled) + "░".repeat(width - filled);
}

function pad(text: string, width: number): string {
  return text.length > width ? text.slice(0, width - 1) + "…" : text.padEnd(width);
}

export function countByPhase(jobs: readonly Job[]): Map<JobPhase, number> {
  const counts = new Map<JobPhase, number>();
  for (const job of jobs) counts.set(phaseOf(job), (counts.get(phaseOf(job)) ?? 0) + 1);
  return counts;
}

function phaseTotals(jobs: readonly Job[]): string {
  const counts = countByPhase(jobs);
  return PHASE_ORDER.filter((p) => counts.has(p))
    .map((p) => `${p} ${counts.get(p)}`)
    .join("  ");
}

function queuedSince(job: Job): number {
  return Date.parse(job.status?.queuedAt ?? job.metadata.creationTimestamp ?? "") || 0;
}

function queueLines(s: DemoSnapshot): string[] {
  const pending = s.jobs.filter((j) => phaseOf(j) === "Pending");
  const queues = new Map<string, Job[]>();
  for (const j of pending) {
    const key = `${j.metadata.namespace}/${j.spec.queue}`;
    queues.set(key, [...(queues.get(key) ?? []), j]);
  }
  const lines = [`${pad("QUEUE", 18)} ${pad("pending", 8)} ${PRIORITIES.map((p) => pad(p.slice(0, 4), 5)).join("")} oldest`];
  if (queues.size === 0) lines.push("  (no pending jobs)");
  for (const [key, jobs] of [...queues].sort(([a], [b]) => a.localeCompare(b))) {
    const byPriority = PRIORITIES.map((p) => pad(String(jobs.filter((j) => j.spec.priority === p).length), 5)).join("");
    const oldest = Math.min(...jobs.map(queuedSince));
    lines.push(`${pad(key, 18)} ${pad(String(jobs.length), 8)} ${byPriority} ${seconds(s.now.getTime() - oldest)}`);
  }
  return lines;
}

function agentLines(s: DemoSnapshot): string[] {
  const lines = [`${pad("AGENT", 8)} ${pad("TENANT", 8)} ${pad("PHASE", 12)} ${pad("CAPABILITIES", 18)} RUNNING`];
  for (const a of [...s.agents].sort((x, y) => nameOf(x).localeCompare(nameOf(y)))) {
    const running = s.jobs.filter(
      (j) => j.status?.assignedAgent === nameOf(a) && j.metadata.namespace === a.metadata.namespace && ["Assigned", "Running"].includes(phaseOf(j)),
    ).length;
    const phase = a.status?.phase ?? "Registering";
    lines.push(`${pad(nameOf(a), 8)} ${pad(a.metadata.namespace ?? "", 8)} ${pad(phase, 12)} ${pad((a.spec.capabilities ?? []).join(","), 18)} ${running}/${a.spec.maxConcurrency}`);
  }
  return lines;
}

function jobDetail(job: Job, now: Date): string {
  const phase = phaseOf(job);
  const st = job.status;
  if (phase === "Running") return `${bar(st?.progress?.percent ?? 0)} ${Math.round(st?.progress?.percent ?? 0)}% ${st?.progress?.message ?? ""}`;
  if (phase === "Pending") {
    const next = Date.parse(st?.nextAttemptAt ?? "");
    const conditions = st?.conditions ?? [];
    const blocked =
      conditions.find((c) => c.type === "Blocked" && c.status === "True") ?? conditions.find((c) => c.type === "Scheduled" && c.status === "False");
    if (next > now.getTime()) return `retry in ${seconds(next - now.getTime())} (${st?.lastError?.reason ?? "backoff"})`;
    return blocked ? `${blocked.reason}: ${blocked.message}` : "waiting";
  }
  if (phase === "Failed" || phase === "Expired" || phase === "Cancelled") return `${st?.lastError?.reason ?? phase}: ${st?.lastError?.message ?? ""}`;
  if (phase === "Succeeded") return st?.retries ? `after ${st.retries} retr${st.retries === 1 ? "y" : "ies"}` : "";
  return "";
}

function jobLines(s: DemoSnapshot, maxRows: number): string[] {
  const rank = (j: Job) => PHASE_ORDER.indexOf(phaseOf(j));
  const sorted = [...s.jobs].sort((a, b) => rank(a) - rank(b) || nameOf(a).localeCompare(nameOf(b)));
  const lines = [`${pad("JOB", 30)} ${pad("PRIORITY", 9)} ${pad("PHASE", 10)} ${pad("AGENT", 7)} ${pad("TRY", 4)} DETAIL`];
  for (const j of sorted.slice(0, maxRows)) {
    const name = `${j.metadata.namespace}/${j.metadata.name}`;
    lines.push(
      `${pad(name, 30)} ${pad(j.spec.priority, 9)} ${pad(phaseOf(j), 10)} ${pad(j.status?.assignedAgent ?? "-", 7)} ${pad(`#${j.status?.attempt ?? 0}`, 4)} ${jobDetail(j, s.now)}`,
    );
  }
  if (sorted.length > maxRows) lines.push(`  … and ${sorted.length - maxRows} more`);
  return lines;
}

/** The compact live view, redrawn in place on a terminal; lines are cut to the terminal's width. */
export function renderLive(s: DemoSnapshot, rows = 40, columns = 120): string {
  const header = `Helios demo  ${clock(s.elapsedMs)}  │  ${s.stage}`;
  const notes = s.notes.slice(-5).map((n) => `  ${clock(n.atMs)} ${n.text}`);
  const fixed = 12 + s.agents.length + notes.length;
  return [
    header,
    "",
    ...queueLines(s),
    "",
    ...agentLines(s),
    "",
    ...jobLines(s, Math.max(5, rows - fixed - 6)),
    `  ${phaseTotals(s.jobs)}`,
    "",
    "RECENT",
    ...notes,
  ]
    .map((line) => (line.length > columns ? `${line.slice(0, columns - 1)}…` : line))
    .join("\n");
}

/** One line for non-interactive output (CI). */
export function renderPlainLine(s: DemoSnapshot): string {
  const counts = countByPhase(s.jobs);
  const ready = s.agents.filter((a) => a.status?.phase === "Ready").length;
  const c = (p: JobPhase) => counts.get(p) ?? 0;
  return (
    `[demo ${clock(s.elapsedMs)}] ${s.stage} | jobs pending=${c("Pending")} assigned=${c("Assigned")} running=${c("Running")} ` +
    `succeeded=${c("Succeeded")} failed=${c("Failed")} | agents ready=${ready}/${s.agents.length}`
  );
}

export interface DemoOutcome {
  readonly name: string;
  readonly expected: JobPhase;
  readonly actual: JobPhase;
  readonly attempts: number;
  readonly note: string;
}

export interface DemoSummary {
  readonly outcomes: readonly DemoOutcome[];
  readonly retries: number;
  readonly scheduleLatencyMs: readonly number[];
  readonly recoveryMs: number | undefined;
  readonly staleTimeoutMs: number;
  readonly pausedAssignments: number;
  readonly durationMs: number;
  readonly kubeconfig: string;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export function renderSummary(s: DemoSummary): string {
  const byPhase = new Map<string, number>();
  for (const o of s.outcomes) byPhase.set(o.actual, (byPhase.get(o.actual) ?? 0) + 1);
  const unexpected = s.outcomes.filter((o) => o.actual !== o.expected);
  const lat = [...s.scheduleLatencyMs].sort((a, b) => a - b);
  const lines = [
    "",
    `Helios demo finished in ${seconds(s.durationMs)}: ${unexpected.length === 0 ? "every job ended as expected" : `${unexpected.length} job(s) did NOT end as expected`}`,
    "",
    `  jobs by outcome   ${[...byPhase].map(([p, n]) => `${p} ${n}`).join(", ")}`,
    `  retries           ${s.retries}`,
    `  schedule latency  p50 ${Math.round(percentile(lat, 50))} ms, p95 ${Math.round(percentile(lat, 95))} ms, max ${Math.round(lat.at(-1) ?? Number.NaN)} ms (created → assigned, ${lat.length} jobs)`,
    `  recovery          ${s.recoveryMs === undefined ? "n/a" : `${seconds(s.recoveryMs)} from killing the agent to its jobs running elsewhere (stale timeout ${seconds(s.staleTimeoutMs)})`}`,
    `  maintenance mode  ${s.pausedAssignments} assignment(s) while paused`,
    "",
    ...s.outcomes.map((o) => `  ${o.actual === o.expected ? "✓" : "✗"} ${pad(o.name, 30)} ${pad(o.actual, 10)} ${o.attempts} attempt(s)  ${o.note}${o.actual === o.expected ? "" : ` (expected ${o.expected})`}`),
    "",
    "Keep exploring (the local control plane keeps running; `make cluster-down` stops it):",
    `  export KUBECONFIG=${s.kubeconfig}`,
    "  kubectl get helios -A",
    "  kubectl describe hjob -n team-b flaky-sync",
    "See the demo's jobs in the browser (the dashboard; Ctrl-C stops it):",
    `  ./bin/helios dashboard --kubeconfig ${s.kubeconfig} -A`,
  ];
  return lines.join("\n");
}
