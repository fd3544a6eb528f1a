// One attempt of one Job on this agent: run the handler, ack lazily, report progress and the outcome.
//
// Flow: start the handler at once → after the ack delay, if it still runs, write Running (lazy ack) →
// progress writes, throttled, only after the ack (earlier progress rides on the ack) → when the
// handler settles, write Succeeded with the bounded result, or the attempt's fact (Failed with a
// reason, or Released when drained); if the apiserver refuses that report (or it cannot be
// encoded), write a terminal Failed fact saying so instead. All writes go through one chain, each
// fenced (status.attempt, assignedAgent, resourceVersion), so they never race each other.
//
// Guarantees: nothing is written once the attempt is no longer this agent's; an abort for Fenced,
// Cancelled or KillSwitch writes nothing (the operator decides); the slot is held until the handler
// really returns, so a handler that ignores its signal never runs beside a new attempt on this agent.
import type { Logger } from "pino";
import type { Job, JobError, JobProgress, JobStatus } from "../api/index.js";
import { isApiError, type ResourceClient } from "../runtime/client/index.js";
import type { Clock, Timer } from "../runtime/queue/index.js";
import { AttemptAbortedError, HandlerError, TerminalError, type AbortCause } from "./errors.js";
import { writeFenced, type FencedWriteResult } from "./fenced-write.js";
import { boundResult } from "./result.js";
import {
  AGENT_ERROR_REASONS,
  AGENT_OUTCOMES,
  attemptFactStatus,
  boundProgress,
  progressStatus,
  runningStatus,
  succeededStatus,
  type Fence,
} from "./status-updates.js";
import { LatestWinsThrottle } from "./throttle.js";
import type { ExecutionOutcome, ExecutionRecord, Handler } from "./types.js";

/** What a run needs from its agent. */
export interface RunEnvironment {
  readonly agentName: string;
  readonly client: Pick<ResourceClient<Job>, "replaceStatus" | "get">;
  readonly clock: Clock;
  readonly log: Logger;
  readonly ackDelayMs: number;
  readonly progressIntervalMs: number;
  /** How long a final write keeps retrying transient failures. */
  readonly writeRetryMs: number;
}

// Causes after which the operator, not the agent, writes what happens next.
const SILENT: ReadonlySet<AbortCause> = new Set(["Fenced", "Cancelled", "KillSwitch"]);

/** A write failure that sending the same status again cannot fix: refused by the apiserver, or not encodable. */
function isRefusal(error: unknown): boolean {
  return !isApiError(error) || (!error.retryable && !isApiError(error, "Conflict"));
}

/** The terminal error reported in place of a refused report. */
function refusalError(error: unknown): JobError {
  const detail = error instanceof Error ? error.message : String(error);
  const message = isApiError(error) ? `the apiserver refused the attempt's status: ${detail}` : `the attempt's status could not be sent: ${detail}`;
  return { reason: AGENT_ERROR_REASONS.statusRejected, message, terminal: true };
}

export class JobRun {
  readonly uid: string;
  readonly attempt: number;
  readonly namespace: string;
  readonly name: string;
  /** Resolves with the execution record once the handler returned and the outcome was written (or dropped). */
  readonly done: Promise<ExecutionRecord>;
  readonly #env: RunEnvironment;
  readonly #fence: Fence;
  readonly #abort = new AbortController();
  readonly #log: Logger;
  #cause: AbortCause | undefined;
  #latest: Job;
  #writes: Promise<unknown> = Promise.resolve();
  #acked: boolean;
  #settled = false;
  #preAckProgress: JobProgress | undefined;
  readonly #throttle: LatestWinsThrottle<JobProgress>;

  constructor(env: RunEnvironment, job: Job, handler: Handler) {
    this.#env = env;
    this.uid = job.metadata.uid ?? "";
    this.attempt = job.status?.attempt ?? 0;
    this.namespace = job.metadata.namespace ?? "";
    this.name = job.metadata.name ?? "";
    this.#fence = { uid: this.uid, agent: env.agentName, attempt: this.attempt };
    this.#latest = job;
    // A Job already Running for this attempt (agent restarted mid-run) needs no second ack.
    this.#acked = job.status?.phase === "Running";
    this.#log = env.log.child({ jobUid: this.uid, job: this.name, namespace: this.namespace, attempt: this.attempt });
    this.#throttle = new LatestWinsThrottle(env.progressIntervalMs, env.clock, (p) => this.#chain(() => this.#write((j) => progressStatus(j, p))).then(() => undefined));
    this.done = this.#run(handler);
  }

  /** Why the run was aborted, if it was. */
  get abortCause(): AbortCause | undefined {
    return this.#cause;
  }

  /** A newer copy of the Job from the watch; writes start from the newest copy known. */
  observe(job: Job): void {
    if (job.metadata.uid === this.uid) this.#latest = job;
  }

  /** Asks the handler to stop; the first cause wins. No effect once the handler has settled. */
  abort(cause: AbortCause): void {
    if (this.#settled || this.#cause !== undefined) return;
    this.#cause = cause;
    this.#log.info({ cause }, "aborting attempt");
    this.#abort.abort(new AttemptAbortedError(cause));
  }

  async #run(handler: Handler): Promise<ExecutionRecord> {
    const { clock, ackDelayMs } = this.#env;
    const startedAt = clock.now();
    const timers: Timer[] = [clock.setTimer(ackDelayMs, () => void this.#chain(() => this.#ack()))];
    const timeoutSeconds = this.#latest.spec.timeoutSeconds;
    if (timeoutSeconds !== undefined) timers.push(clock.setTimer(timeoutSeconds * 1000, () => this.abort("Timeout")));

    let settled: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      const payload = this.#latest.spec.payload ?? {};
      settled = { ok: true, value: await handler(payload, this.#context()) };
    } catch (error) {
      settled = { ok: false, error };
    }
    this.#settled = true;
    for (const timer of timers) timer.cancel();
    await this.#throttle.close();

    const final = this.#final(settled);
    let { outcome, reason } = final;
    const { write } = final;
    let written = false;
    if (write !== undefined) {
      let result = await this.#chain(() => this.#write(write, this.#env.writeRetryMs));
      if (result.outcome === "failed" && isRefusal(result.error)) {
        // Never drop the attempt silently: report that its report was refused, without its result.
        const refused = refusalError(result.error);
        this.#log.warn({ err: result.error, outcome }, "the attempt's report was refused; reporting the refusal instead");
        ({ outcome, reason } = { outcome: AGENT_OUTCOMES.failed, reason: refused.reason });
        const at = new Date(this.#env.clock.now());
        result = await this.#chain(() => this.#write((job) => attemptFactStatus(job, this.#fence, AGENT_OUTCOMES.failed, refused, at, undefined), this.#env.writeRetryMs));
      }
      written = result.outcome === "written";
      if (result.outcome === "failed") this.#log.warn({ err: result.error, outcome }, "could not report the attempt; the operator's timeouts will recover it");
    }
    const recorded: ExecutionOutcome = write === undefined || written ? outcome : "Dropped";
    this.#log.info({ outcome: recorded, reason, written, ms: clock.now() - startedAt }, "attempt finished");
    return {
      namespace: this.namespace,
      name: this.name,
      uid: this.uid,
      attempt: this.attempt,
      outcome: recorded,
      ...(reason === undefined ? {} : { reason }),
      written,
      startedAt,
      finishedAt: clock.now(),
    };
  }

  // What to report for how the handler settled and why (if) it was aborted.
  #final(settled: { ok: true; value: unknown } | { ok: false; error: unknown }): {
    outcome: ExecutionOutcome;
    reason?: string;
    write?: (job: Job) => JobStatus;
  } {
    const cause = this.#cause;
    if (cause !== undefined && SILENT.has(cause)) return { outcome: "Dropped", reason: cause };
    const now = (): Date => new Date(this.#env.clock.now());
    const progress = (): JobProgress | undefined => this.#throttle.latest ?? this.#preAckProgress;
    const fact = (outcome: "Failed" | "Released", error: JobError) => ({
      outcome,
      reason: error.reason,
      write: (job: Job) => attemptFactStatus(job, this.#fence, outcome, error, now(), progress()),
    });
    if (settled.ok) {
      const bounded = boundResult(settled.value);
      if (!bounded.ok) return fact(AGENT_OUTCOMES.failed, bounded.error);
      return { outcome: "Succeeded", write: (job) => succeededStatus(job, this.#fence, bounded.result, now(), progress()) };
    }
    if (cause === "Timeout") {
      return fact(AGENT_OUTCOMES.failed, { reason: AGENT_ERROR_REASONS.timeout, message: `no result within timeoutSeconds (${this.#latest.spec.timeoutSeconds ?? 0}s)` });
    }
    if (cause === "Drain") {
      return fact(AGENT_OUTCOMES.released, { reason: AGENT_ERROR_REASONS.draining, message: "the agent shut down before the attempt finished; handed back" });
    }
    const error = settled.error;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof TerminalError) return fact(AGENT_OUTCOMES.failed, { reason: error.reason, message, terminal: true });
    const reason = error instanceof HandlerError ? error.reason : AGENT_ERROR_REASONS.handlerFailed;
    return fact(AGENT_OUTCOMES.failed, { reason, message });
  }

  #context() {
    return {
      signal: this.#abort.signal,
      progress: (percent: number, message?: string): void => {
        if (this.#settled) return;
        const value = boundProgress(percent, message, new Date(this.#env.clock.now()));
        if (this.#acked) this.#throttle.push(value);
        else this.#preAckProgress = value;
      },
      job: { metadata: this.#latest.metadata, spec: this.#latest.spec },
      attempt: this.attempt,
      retries: this.#latest.status?.retries ?? 0,
      log: this.#log,
    };
  }

  async #ack(): Promise<void> {
    if (this.#settled || this.#acked || this.#cause !== undefined) return;
    const result = await this.#write((job) => runningStatus(job, this.#fence, new Date(this.#env.clock.now()), this.#preAckProgress));
    if (result.outcome === "written" || result.outcome === "unchanged") {
      this.#acked = true;
      const pending = this.#preAckProgress;
      this.#preAckProgress = undefined;
      if (pending !== undefined && result.outcome === "unchanged") this.#throttle.push(pending);
    }
  }

  // Serializes writes: ack, progress and the final write never overlap or reorder.
  #chain<T>(write: () => Promise<T>): Promise<T> {
    const next = this.#writes.then(write, write);
    this.#writes = next.catch(() => undefined);
    return next;
  }

  async #write(mutate: (job: Job) => JobStatus | undefined, retryForMs = 0): Promise<FencedWriteResult> {
    const result = await writeFenced(this.#env.client, this.#latest, this.#fence, mutate, { log: this.#log, retryForMs });
    if (result.outcome === "written" || result.outcome === "unchanged" || result.outcome === "fenced") this.#latest = result.job;
    if (result.outcome === "fenced" || result.outcome === "gone") this.abort("Fenced");
    return result;
  }
}
