// createAgent: registers an Agent, heartbeats through its Lease, watches its own Jobs and runs them.
//
// Flow: server-side apply of the Agent (field manager helios-agent; never spec.drain; owner-referenced
// to its Pod when it runs in one) → Lease created or taken over and renewed every leaseDuration/4 →
// an informer over `status.assignedAgent=NAME` (server-side filtered: the agent sees only its Jobs) →
// each Job this agent holds the fence for becomes a JobRun when a slot is free → a run's outcome is
// written by the run (job-run.ts).
//
// Guarantees: one run per Job at a time on this agent (a new attempt of a Job waits for the old
// run's handler to return); nothing starts while draining (spec.drain or shutdown): such Jobs are
// handed back at once (outcome Released); a Job leaving the watch (requeued elsewhere, deleted)
// aborts its run, which then writes nothing.
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { AGENT_CONDITIONS, AGENT_HALF_OPEN_REASON, AGENT_TYPE, API_VERSION, JOB_TYPE, KINDS, podOwnerReference, type Agent, type Job, type JobError } from "../api/index.js";
import type { ControlFlagContext } from "../api/index.js";
import { Informer } from "../runtime/cache/index.js";
import { LEASES, ResourceClient, resourcePath, Transport, type Lease } from "../runtime/client/index.js";
import { silentLogger } from "../runtime/log/index.js";
import { realClock } from "../runtime/clock/index.js";
import { AgentConfigError } from "./errors.js";
import { writeFenced } from "./fenced-write.js";
import { LeaseHeartbeat } from "./heartbeat.js";
import { JobRun, type RunEnvironment } from "./job-run.js";
import { RecentKeys } from "./recent-keys.js";
import { AGENT_ERROR_REASONS, AGENT_OUTCOMES, attemptFactStatus, holdsFence, type Fence } from "./status-updates.js";
import type { AgentOptions, AgentReadiness, AgentStats, ExecutionRecord, Handler, HeliosAgent } from "./types.js";

/** The field manager of the agent's server-side apply; users and `helios drain` own spec.drain. */
export const AGENT_FIELD_MANAGER = "helios-agent";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Finished attempts are remembered this long, at most FINISHED_MAX of them, so a late watch event does not start them again. */
const FINISHED_TTL_MS = 120_000;
const FINISHED_MAX = 10_000;
/** Default of AgentOptions.executionHistory. */
const EXECUTION_HISTORY = 1_000;

/** Builds an agent; nothing happens until `start`. Throws AgentConfigError for unusable options. */
export function createAgent(options: AgentOptions): HeliosAgent {
  if (!DNS_LABEL.test(options.name) || options.name.length > 63) throw new AgentConfigError("name", `"${options.name}" is not a DNS-1123 label`);
  if (!DNS_LABEL.test(options.namespace)) throw new AgentConfigError("namespace", `"${options.namespace}" is not a namespace name`);
  const max = options.maxConcurrency ?? 1;
  if (!Number.isInteger(max) || max < 1 || max > 1000) throw new AgentConfigError("maxConcurrency", "must be an integer from 1 to 1000");
  if (Object.keys(options.handlers).length === 0) throw new AgentConfigError("handlers", "at least one handler is needed");
  const lease = options.leaseDurationSeconds ?? 40;
  if (!Number.isInteger(lease) || lease < 1) throw new AgentConfigError("leaseDurationSeconds", "must be a positive integer");
  const history = options.executionHistory ?? EXECUTION_HISTORY;
  if (!Number.isInteger(history) || history < 0) throw new AgentConfigError("executionHistory", "must be a non-negative integer");
  if (options.pod !== undefined) {
    if (!DNS_SUBDOMAIN.test(options.pod.name) || options.pod.name.length > 253) throw new AgentConfigError("pod.name", `"${options.pod.name}" is not a Pod name`);
    if (options.pod.uid.trim() === "") throw new AgentConfigError("pod.uid", "must be the Pod's uid (metadata.uid)");
  }
  return new AgentProcess(options);
}

class AgentProcess implements HeliosAgent {
  readonly name: string;
  readonly namespace: string;
  readonly identity: string;
  readonly stopped: Promise<void>;
  readonly #options: AgentOptions;
  readonly #log: Logger;
  readonly #transport: Transport;
  readonly #jobs: ResourceClient<Job>;
  readonly #env: RunEnvironment;
  readonly #stopper = new AbortController();
  readonly #resolveStopped: () => void;
  readonly #runs = new Map<string, JobRun>();
  readonly #waiting = new Map<string, Job>();
  /**
   * Finished attempts by `uid/attempt`. One whose Job still shows it assigned here (its final report
   * did not land and the operator has not recovered it yet) is kept past the TTL, so an event for
   * that Job never starts the attempt a second time.
   */
  readonly #finished = new RecentKeys<Fence & { readonly namespace: string; readonly name: string }>(FINISHED_TTL_MS, FINISHED_MAX, (f) => {
    const job = this.#jobInformer?.store.getByName(f.namespace, f.name);
    return job !== undefined && holdsFence(job, f);
  });
  readonly #handingBack = new Map<string, Promise<void>>();
  readonly #executions: ExecutionRecord[] = [];
  readonly #counts = { started: 0, succeeded: 0, failed: 0, released: 0, dropped: 0 };
  #heartbeat: LeaseHeartbeat | undefined;
  #jobInformer: Informer<Job> | undefined;
  #started = false;
  #draining = false;
  #specDrain = false;
  /** agent-health says half-open (Ready reason HalfOpen): one job at a time until one succeeds. */
  #halfOpen = false;
  #drained: Promise<void> | undefined;
  #idle: (() => void) | undefined;

  constructor(options: AgentOptions) {
    this.#options = options;
    this.name = options.name;
    this.namespace = options.namespace;
    this.identity = `${options.name}_${options.instanceId ?? randomBytes(4).toString("hex")}`;
    this.#log = (options.log ?? silentLogger()).child({ agent: options.name, namespace: options.namespace });
    this.#transport = new Transport(options.kubeConfig);
    this.#jobs = new ResourceClient<Job>(this.#transport, JOB_TYPE);
    this.#env = {
      agentName: options.name,
      client: this.#jobs,
      clock: realClock,
      log: this.#log,
      ackDelayMs: options.ackDelayMs ?? 1000,
      progressIntervalMs: options.progressIntervalMs ?? 2000,
      writeRetryMs: 30_000,
    };
    let resolve!: () => void;
    this.stopped = new Promise<void>((r) => (resolve = r));
    this.#resolveStopped = resolve;
  }

  get stats(): AgentStats {
    return {
      running: this.#runs.size,
      waiting: this.#waiting.size,
      capacity: this.#capacity(),
      draining: this.#draining || this.#specDrain,
      ...this.#counts,
      leaseRenewals: this.#heartbeat?.renewals ?? 0,
    };
  }

  get readiness(): AgentReadiness {
    return { leaseHeld: this.#heartbeat?.held() ?? false, jobsSynced: this.#jobInformer?.hasSynced() ?? false };
  }

  /** The attempts this agent ran, oldest first; the most recent `executionHistory` (default 1 000) are kept. */
  get executions(): readonly ExecutionRecord[] {
    return this.#executions;
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (this.#started) throw new Error(`agent ${this.name} already started`);
    this.#started = true;
    const stop = this.#stopper.signal;
    const agent = await this.#register();
    this.#heartbeat = new LeaseHeartbeat(new ResourceClient<Lease>(this.#transport, LEASES), {
      name: this.name,
      namespace: this.namespace,
      holderIdentity: this.identity,
      leaseDurationSeconds: this.#options.leaseDurationSeconds ?? 40,
      ownerUid: agent.metadata.uid ?? "",
      log: this.#log,
    });
    await this.#heartbeat.acquire();
    void this.#heartbeat.run(stop);

    const self = new Informer<Agent>(new ResourceClient<Agent>(this.#transport, AGENT_TYPE), {
      name: "agent/self",
      namespace: this.namespace,
      fieldSelector: `metadata.name=${this.name}`,
      log: this.#log,
    });
    self.addEventHandler({ onAdd: (a) => this.#onSelf(a), onUpdate: (_, a) => this.#onSelf(a) });
    const jobs = new Informer<Job>(this.#jobs, {
      name: "agent/jobs",
      namespace: this.namespace,
      fieldSelector: `status.assignedAgent=${this.name}`,
      log: this.#log,
    });
    jobs.addEventHandler({ onAdd: (j) => this.#consider(j), onUpdate: (_, j) => this.#consider(j), onDelete: (j) => this.#left(j) });
    this.#jobInformer = jobs;
    void self.start(stop);
    void jobs.start(stop);
    await Promise.all([self.waitForSync(stop), jobs.waitForSync(stop)]);
    const unsubscribe = this.#options.flags?.onChange(() => this.#reevaluate());
    if (unsubscribe) stop.addEventListener("abort", unsubscribe, { once: true });
    if (signal?.aborted) void this.drain(0);
    else signal?.addEventListener("abort", () => void this.drain(0), { once: true });
    this.#log.info({ identity: this.identity, capacity: this.#capacity() }, "agent started");
  }

  drain(graceMs: number): Promise<void> {
    this.#drained ??= this.#drain(graceMs);
    return this.#drained;
  }

  async #drain(graceMs: number): Promise<void> {
    this.#draining = true;
    this.#log.info({ graceMs, running: this.#runs.size }, "draining");
    try {
      if (this.#started) {
        for (const job of this.#waiting.values()) this.#handBack(job);
        this.#waiting.clear();
        await this.#heartbeat?.markDraining();
        if (this.#runs.size > 0) {
          await new Promise<void>((resolve) => {
            const timer = this.#env.clock.setTimer(graceMs, resolve);
            this.#idle = () => {
              timer.cancel();
              resolve();
            };
          });
        }
        for (const run of this.#runs.values()) run.abort("Drain");
        await Promise.all([...this.#runs.values()].map((run) => run.done));
        await Promise.all(this.#handingBack.values());
      }
    } finally {
      this.#stopper.abort();
      await this.#heartbeat?.release();
      this.#log.info({ ...this.#counts }, "agent stopped");
      this.#resolveStopped();
    }
  }

  // Server-side apply of the fields this agent owns; spec.drain is left to users. In a pod, the owner
  // reference to it is one of them (an agent run out of a pod later drops it).
  async #register(): Promise<Agent> {
    const o = this.#options;
    const body = {
      apiVersion: API_VERSION,
      kind: KINDS.agent,
      metadata: {
        name: this.name,
        namespace: this.namespace,
        ...(o.labels === undefined ? {} : { labels: { ...o.labels } }),
        ...(o.pod === undefined ? {} : { ownerReferences: [podOwnerReference(o.pod)] }),
      },
      spec: {
        ...(o.capabilities === undefined || o.capabilities.length === 0 ? {} : { capabilities: [...o.capabilities] }),
        queues: [...(o.queues ?? ["default"])],
        maxConcurrency: o.maxConcurrency ?? 1,
      },
    };
    return this.#transport.request<Agent>({
      method: "PATCH",
      path: resourcePath(AGENT_TYPE, { namespace: this.namespace, name: this.name }),
      query: { fieldManager: AGENT_FIELD_MANAGER, force: true },
      // JSON is YAML: the apply content type takes it as is.
      contentType: "application/apply-patch+yaml",
      body,
    });
  }

  #onSelf(agent: Agent): void {
    const halfOpen = agent.status?.conditions?.some((c) => c.type === AGENT_CONDITIONS.ready && c.reason === AGENT_HALF_OPEN_REASON) ?? false;
    if (halfOpen !== this.#halfOpen) {
      this.#halfOpen = halfOpen;
      this.#log.info({ halfOpen }, halfOpen ? "half-open: one job at a time" : "breaker closed: full capacity");
      if (!halfOpen) this.#pump();
    }
    const drain = agent.spec.drain === true;
    if (drain === this.#specDrain) return;
    this.#specDrain = drain;
    this.#log.info({ drain }, drain ? "spec.drain set: taking no new work" : "spec.drain cleared");
    if (drain) {
      for (const job of this.#waiting.values()) this.#handBack(job);
      this.#waiting.clear();
    } else {
      this.#pump();
    }
  }

  // Level-triggered: whatever the event, decide from the Job as it is now.
  #consider(job: Job): void {
    const uid = job.metadata.uid;
    if (uid === undefined) return;
    const attempt = job.status?.attempt ?? 0;
    const fence: Fence = { uid, agent: this.name, attempt };
    const ours = holdsFence(job, fence);
    const run = this.#runs.get(uid);
    if (run !== undefined) {
      if (run.attempt === attempt && ours) {
        run.observe(job);
        if (job.spec.cancel === true) run.abort("Cancelled");
        else if (this.#killed(job)) run.abort("KillSwitch");
        return;
      }
      // Finished (by its own write: then abort is a no-op), moved on, or a new attempt: the old run stops.
      run.abort("Fenced");
      if (ours) this.#waiting.set(uid, job); // a new attempt waits for the old handler to return
      return;
    }
    if (!ours || this.#finished.has(`${uid}/${attempt}`) || this.#handingBack.has(`${uid}/${attempt}`)) {
      this.#waiting.delete(uid);
      return;
    }
    // Cancelled or killed Jobs are the operator's to move; just do not start them.
    if (job.spec.cancel === true || this.#killed(job)) {
      this.#waiting.delete(uid);
      return;
    }
    if (this.#draining || this.#specDrain) {
      this.#waiting.delete(uid);
      this.#handBack(job);
      return;
    }
    const handler = this.#options.handlers[job.spec.type];
    if (handler === undefined) {
      this.#report(job, AGENT_OUTCOMES.failed, { reason: AGENT_ERROR_REASONS.noHandler, message: `agent ${this.name} has no handler for type "${job.spec.type}"`, terminal: true });
      return;
    }
    if (this.#runs.size >= this.#capacity()) {
      this.#waiting.set(uid, job);
      return;
    }
    this.#waiting.delete(uid);
    this.#startRun(job, handler);
  }

  #left(job: Job): void {
    const uid = job.metadata.uid;
    if (uid === undefined) return;
    this.#waiting.delete(uid);
    this.#runs.get(uid)?.abort("Fenced");
  }

  #startRun(job: Job, handler: Handler): void {
    const run = new JobRun(this.#env, job, handler);
    this.#runs.set(run.uid, run);
    this.#counts.started++;
    void run.done.then((record) => this.#finish(run, record));
  }

  #finish(run: JobRun, record: ExecutionRecord): void {
    this.#runs.delete(run.uid);
    this.#remember({ uid: run.uid, agent: this.name, attempt: run.attempt, namespace: run.namespace, name: run.name });
    this.#executions.push(record);
    // A long-running agent keeps the most recent records only.
    const keep = this.#options.executionHistory ?? EXECUTION_HISTORY;
    if (this.#executions.length > keep) this.#executions.splice(0, this.#executions.length - keep);
    const key = record.outcome.toLowerCase() as "succeeded" | "failed" | "released" | "dropped";
    this.#counts[key]++;
    if (this.#runs.size === 0) this.#idle?.();
    this.#pump();
  }

  // Starts waiting Jobs while there is room, each re-read from the cache (it may have moved on).
  #pump(): void {
    if (this.#draining || this.#specDrain) return;
    for (const [uid, stale] of [...this.#waiting]) {
      if (this.#runs.size >= this.#capacity()) return;
      if (this.#runs.has(uid)) continue;
      this.#waiting.delete(uid);
      const current = this.#jobInformer?.store.getByName(stale.metadata.namespace, stale.metadata.name ?? "");
      if (current !== undefined) this.#consider(current);
    }
  }

  #reevaluate(): void {
    for (const run of this.#runs.values()) {
      const job = this.#jobInformer?.store.list().find((j) => j.metadata.uid === run.uid);
      if (job !== undefined && this.#killed(job)) run.abort("KillSwitch");
    }
    this.#pump();
  }

  #handBack(job: Job): void {
    this.#report(job, AGENT_OUTCOMES.released, { reason: AGENT_ERROR_REASONS.draining, message: `agent ${this.name} is draining; handed back without running` });
  }

  // A fact about an attempt this agent will not run (handed back, no handler), written fenced.
  #report(job: Job, outcome: "Failed" | "Released", error: JobError): void {
    const uid = job.metadata.uid ?? "";
    const fence: Fence = { uid, agent: this.name, attempt: job.status?.attempt ?? 0 };
    const key = `${uid}/${fence.attempt}`;
    if (this.#handingBack.has(key)) return;
    const write = writeFenced(this.#jobs, job, fence, (j) => attemptFactStatus(j, fence, outcome, error, new Date(this.#env.clock.now()), undefined), {
      log: this.#log,
      retryForMs: 10_000,
    }).then((result) => {
      this.#remember({ ...fence, namespace: job.metadata.namespace ?? "", name: job.metadata.name ?? "" });
      this.#log.info({ job: job.metadata.name, attempt: fence.attempt, outcome, reason: error.reason, result: result.outcome }, "attempt not run");
    });
    this.#handingBack.set(key, write);
    void write.finally(() => this.#handingBack.delete(key));
  }

  #remember(attempt: Fence & { readonly namespace: string; readonly name: string }): void {
    this.#finished.add(`${attempt.uid}/${attempt.attempt}`, attempt, this.#env.clock.now());
  }

  #flagContext(job?: Job): ControlFlagContext {
    return {
      agent: this.name,
      namespace: this.namespace,
      ...(this.#options.labels === undefined ? {} : { agentLabels: this.#options.labels }),
      ...(job === undefined ? {} : { jobType: job.spec.type, queue: job.spec.queue, priority: job.spec.priority }),
    };
  }

  #killed(job: Job): boolean {
    return this.#options.flags?.killSwitch(this.#flagContext(job)) ?? false;
  }

  #capacity(): number {
    // The dispatcher caps a half-open agent at one job too; this holds extra ones back if it did not.
    const max = this.#halfOpen ? 1 : (this.#options.maxConcurrency ?? 1);
    const cap = this.#options.flags?.agentMaxConcurrency(this.#flagContext());
    return cap === undefined ? max : Math.max(0, Math.min(max, Math.floor(cap)));
  }
}
