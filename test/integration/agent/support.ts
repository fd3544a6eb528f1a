// Helpers for the agent tests: an in-process agent-health controller, a stand-in dispatcher, waits.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { AGENT_LEASE_SELECTOR, AGENT_TYPE, formatTime, JOB_TYPE, type Agent, type Job, type JobSpec } from "../../../src/api/index.js";
import type { AuditRecord, AuditSink } from "../../../src/audit/sink.js";
import { createAgentHealthController, jobAgentKeys, JOBS_BY_AGENT_INDEX, type AgentHealthConfig } from "../../../src/controllers/agent-health/index.js";
import { Informer } from "../../../src/runtime/cache/index.js";
import { EVENTS, LEASES, ResourceClient, Transport, type KubeEvent, type Lease } from "../../../src/runtime/client/index.js";
import { ApiEventRecorder } from "../../../src/runtime/events/index.js";
import { silentLogger } from "../../../src/runtime/log/index.js";

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export class RecordingAudit implements AuditSink {
  readonly records: AuditRecord[] = [];
  record(entry: AuditRecord): void {
    this.records.push(entry);
  }
}

/** agent-health running in this process against the real apiserver, for one namespace. */
export async function startAgentHealth(kc: KubeConfig, namespace: string, config: Partial<AgentHealthConfig>) {
  const transport = new Transport(kc);
  const stop = new AbortController();
  const agents = new Informer<Agent>(new ResourceClient<Agent>(transport, AGENT_TYPE), { namespace });
  const leases = new Informer<Lease>(new ResourceClient<Lease>(transport, LEASES), { namespace, labelSelector: AGENT_LEASE_SELECTOR });
  const jobs = new Informer<Job>(new ResourceClient<Job>(transport, JOB_TYPE), { namespace, indexers: { [JOBS_BY_AGENT_INDEX]: jobAgentKeys } });
  const events = new ApiEventRecorder(new ResourceClient<KubeEvent>(transport, EVENTS), { reportingController: "helios.dev/operator", reportingInstance: "test" });
  const audit = new RecordingAudit();
  const controller = createAgentHealthController({ agents, leases, jobs, transport, events, audit, log: silentLogger(), config });
  const running = Promise.all([agents.start(stop.signal), leases.start(stop.signal), jobs.start(stop.signal), controller.start(stop.signal)]);
  await Promise.all([agents.waitForSync(), leases.waitForSync(), jobs.waitForSync()]);
  return {
    audit,
    agents,
    jobs,
    async stop() {
      stop.abort();
      await running;
      await events.flush();
    },
  };
}

/** Clients for the test's own reads and writes. */
export function clients(kc: KubeConfig) {
  const transport = new Transport(kc);
  return {
    transport,
    jobs: new ResourceClient<Job>(transport, JOB_TYPE),
    agents: new ResourceClient<Agent>(transport, AGENT_TYPE),
    leases: new ResourceClient<Lease>(transport, LEASES),
  };
}

export function jobSpec(type: string, payload: Record<string, unknown> = {}, extra: Partial<JobSpec> = {}): JobSpec {
  return { type, payload, priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 1, maxBackoffSeconds: 10 }, ...extra };
}

/** Creates a Job and assigns it to `agent` the way the dispatcher would (Assigned, attempt+1, attempt record). */
export async function createAssigned(c: ReturnType<typeof clients>, namespace: string, name: string, spec: JobSpec, agent: string): Promise<Job> {
  const created = await c.jobs.create({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name, namespace }, spec });
  return assign(c, created, agent);
}

/** Pending → Assigned to `agent` with the next attempt, written with the resourceVersion read. */
export async function assign(c: ReturnType<typeof clients>, job: Job, agent: string): Promise<Job> {
  for (;;) {
    const current = await c.jobs.get({ namespace: job.metadata.namespace, name: job.metadata.name ?? "" });
    const attempt = (current.status?.attempt ?? 0) + 1;
    const now = formatTime(new Date());
    try {
      return await c.jobs.replaceStatus({
        ...current,
        status: {
          ...current.status,
          phase: "Assigned",
          attempt,
          assignedAgent: agent,
          assignedAt: now,
          queuedAt: current.status?.queuedAt ?? now,
          attempts: [...(current.status?.attempts ?? []), { attempt, agent, outcome: "", assignedAt: now }],
        },
      });
    } catch (err) {
      if (!(err instanceof Error && "code" in err && err.code === "Conflict")) throw err;
    }
  }
}

/** What job-recovery would do with a reported or lost attempt: back to Pending, retries+1 unless Released. */
export async function requeue(c: ReturnType<typeof clients>, job: Job): Promise<Job> {
  for (;;) {
    const current = await c.jobs.get({ namespace: job.metadata.namespace, name: job.metadata.name ?? "" });
    const status = current.status ?? {};
    const record = status.attempts?.find((a) => a.attempt === status.attempt);
    const rest = { ...status };
    delete rest.assignedAgent;
    try {
      return await c.jobs.replaceStatus({
        ...current,
        status: { ...rest, phase: "Pending", retries: (status.retries ?? 0) + (record?.outcome === "Released" ? 0 : 1), queuedAt: formatTime(new Date()) },
      });
    } catch (err) {
      if (!(err instanceof Error && "code" in err && err.code === "Conflict")) throw err;
    }
  }
}

/** The compiled CLI (run `npx tsc -p tsconfig.build.json` first; the test's beforeAll does). */
export const CLI = resolve("dist/src/cli/main.js");

/**
 * Starts `helios agent` as a child process; its JSON log lines are kept for failure messages. `env`
 * is added to this process's environment (an undefined value removes a variable).
 */
export function spawnAgent(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...env })) if (value !== undefined) merged[key] = value;
  const child = spawn(process.execPath, [CLI, "agent", ...args], { stdio: ["ignore", "pipe", "pipe"], env: merged });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, output: () => output, exited };
}
