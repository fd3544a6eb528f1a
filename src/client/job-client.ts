// The job client for producers: submit, list, cancel, wait for and watch Jobs, typed from the API's zod schemas.
import type { z } from "zod";
import { dnsLabelSchema, isTerminalJobPhase, JOB_TYPE, jobPhase, type Job, type JobPhase } from "../api/index.js";
import { isApiError, NotFoundError, ResourceClient, type Transport } from "../runtime/client/index.js";
import { InvalidJobSpecError, WaitTimeoutError, type Submitted } from "./errors.js";
import { eventsOf, type JobEvent, type Seen } from "./job-events.js";
import { observeJobs, type Selection } from "./observe.js";
import { endingOf, type JobSucceeded } from "./outcome.js";
import { submitBatch, type BatchOptions } from "./submit-many.js";
import { jobOfSubmission, sameSubmission, type JobSpecInput } from "./submission.js";
import { jobNameSchema, namespaceSchema, selectionSchema, type SubmitOptionsInput } from "./submit-options.js";

export interface Signalled {
  readonly signal?: AbortSignal | undefined;
}

export type SubmitOptions = SubmitOptionsInput & Signalled;

/** One Job of `submitMany`: its spec and how to name it. */
export type SubmitRequest = SubmitOptionsInput & { readonly spec: JobSpecInput };

export interface InNamespace extends Signalled {
  /** Default: the client's namespace. */
  readonly namespace?: string | undefined;
}

export interface ListJobsOptions extends InNamespace {
  /** Every namespace (overrides `namespace`). */
  readonly allNamespaces?: boolean | undefined;
  readonly phase?: JobPhase | readonly JobPhase[] | undefined;
  /** `spec.type`, filtered by the apiserver. */
  readonly type?: string | undefined;
  /** A label selector as kubectl takes it, e.g. `team=shop,tier!=batch`. */
  readonly labelSelector?: string | undefined;
}

export interface WaitOptions extends InNamespace {
  /** Give up after this long with WaitTimeoutError; default: wait as long as it takes. */
  readonly timeoutMs?: number | undefined;
}

export interface WatchJobsOptions extends InNamespace {
  /** With a label selector: every namespace (overrides `namespace`). */
  readonly allNamespaces?: boolean | undefined;
}

/** What `cancel` did: requested it, found it requested before, or found the Job already finished. */
export interface CancelOutcome {
  readonly job: Job;
  readonly result: "requested" | "already" | "finished";
}

/** Talks to one cluster as the kubeconfig's user; acts in `namespace` unless a call names another. */
export class JobClient {
  readonly #jobs: ResourceClient<Job>;
  readonly namespace: string;

  /** @throws InvalidJobSpecError when `namespace` is not a namespace name. */
  constructor(transport: Transport, namespace: string) {
    this.#jobs = new ResourceClient<Job>(transport, JOB_TYPE);
    this.namespace = checked("namespace", dnsLabelSchema, namespace);
  }

  /**
   * Creates a Job. With `idempotencyKey` the name is derived from the key, so a repeat returns the Job
   * the key created (`created: false`) instead of a second one; with `name` a repeat fails with
   * AlreadyExists; otherwise the apiserver generates a name from the type.
   * @throws InvalidJobSpecError before any request, naming each field to fix.
   * @throws IdempotencyConflictError when the key's Job has another spec or was not created with the key.
   */
  async submit(spec: JobSpecInput, options: SubmitOptions = {}): Promise<Submitted> {
    const { signal, ...naming } = options;
    return this.#create(jobOfSubmission(spec, naming, this.namespace), naming.idempotencyKey, signal, true);
  }

  /**
   * Submits many Jobs, `concurrency` at a time (default 8, at most 100), in order. Every request is
   * checked first, so a bad one sends nothing. A 429 holds the whole batch for its Retry-After, then
   * resumes. With idempotency keys a rerun after a failure is safe: it finds what was created.
   * @throws InvalidJobSpecError naming the request (`requests[3].spec.payload: ...`).
   * @throws SubmitManyError at the first request that failed otherwise, with what was submitted.
   */
  async submitMany(requests: readonly SubmitRequest[], options: BatchOptions = {}): Promise<Submitted[]> {
    const jobs = requests.map(({ spec, ...naming }, index) => ({ job: jobOfSubmission(spec, naming, this.namespace, `requests[${index}]`), key: naming.idempotencyKey }));
    return submitBatch(jobs, ({ job, key }, signal) => this.#create(job, key, signal, false), options);
  }

  /** @throws NotFoundError (`code` "NotFound") when there is no such Job. */
  get(name: string, options: InNamespace = {}): Promise<Job> {
    return this.#jobs.get(this.#ref(name, options.namespace), { signal: options.signal });
  }

  /**
   * Jobs by namespace, phase, type and labels; all pages.
   * @throws InvalidJobSpecError for an unknown phase, a malformed type or namespace, before any request.
   */
  async list(options: ListJobsOptions = {}): Promise<Job[]> {
    const { namespace, allNamespaces, phase, type, labelSelector } = checked("list options", selectionSchema, {
      namespace: options.namespace,
      allNamespaces: options.allNamespaces,
      phase: options.phase,
      type: options.type,
      labelSelector: options.labelSelector,
    });
    const phases = phase === undefined ? undefined : new Set(typeof phase === "string" ? [phase] : phase);
    const only = phases?.size === 1 ? [...phases][0] : undefined;
    // status.phase is a selectable field, but a Job not yet written by the operator has none: Pending is filtered here.
    const fields = [type === undefined ? undefined : `spec.type=${type}`, only === undefined || only === "Pending" ? undefined : `status.phase=${only}`];
    const listed = await this.#jobs.listAll({
      namespace: allNamespaces === true ? undefined : (namespace ?? this.namespace),
      labelSelector,
      fieldSelector: fields.filter((f) => f !== undefined).join(",") || undefined,
      signal: options.signal,
    });
    return phases === undefined ? listed.items : listed.items.filter((job) => phases.has(jobPhase(job)));
  }

  /**
   * Requests cancellation (sets `spec.cancel`); the operator cancels the Job and asks a running
   * handler to stop. A finished Job is left as it is.
   * @throws NotFoundError when there is no such Job.
   */
  async cancel(name: string, options: InNamespace = {}): Promise<CancelOutcome> {
    return cancelJob(this.#jobs, this.#ref(name, options.namespace), options.signal);
  }

  /**
   * Waits until the Job ends. Resolves when it Succeeded, with its result. It follows the Job it first
   * sees under `name`: if that one is deleted (a TTL of 0, or by hand) before its ending was seen, and
   * another is created under the name, the wait ends with NotFound.
   * @throws JobFailedError, JobExpiredError or JobCancelledError (each with `lastError` and the Job) for the other endings.
   * @throws WaitTimeoutError after `timeoutMs`; NotFoundError when the Job does not exist or is deleted meanwhile.
   * @throws the signal's reason when `signal` aborts.
   */
  async waitFor(name: string, options: WaitOptions = {}): Promise<JobSucceeded> {
    const ref = this.#ref(name, options.namespace);
    const deadline = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
    const signal = anySignal(options.signal, deadline);
    let last: Job | undefined;
    try {
      for await (const event of this.watch(name, { namespace: ref.namespace, signal })) {
        const uid = event.job.metadata.uid;
        if (last !== undefined && uid !== last.metadata.uid) continue;
        if (event.type === "deleted") throw notFound(ref, "it was deleted while waiting");
        last = event.job;
        const ending = endingOf(event.job);
        if (!ending.ended) continue;
        if ("error" in ending) throw ending.error;
        return ending.succeeded;
      }
      throw notFound(ref, last === undefined ? "it does not exist" : "it was deleted while waiting");
    } catch (err) {
      if (deadline?.aborted === true && options.signal?.aborted !== true) throw new WaitTimeoutError(name, options.timeoutMs ?? 0, last);
      throw err;
    }
  }

  /**
   * Phase changes, progress and deletion of one Job (by name) or of the Jobs a label selector picks,
   * as they happen: the current state first, then each change. Survives lost watches (relists and
   * reports what changed meanwhile). For one name it ends after the Job is deleted, or at once when it
   * does not exist; otherwise it runs until `signal` aborts (the way to stop it while it waits) or the
   * loop breaks. Events queue up while the loop body runs.
   * @throws InvalidJobSpecError for a malformed name, namespace or selector, before any request.
   */
  async *watch(target: string | { readonly labelSelector: string }, options: WatchJobsOptions = {}): AsyncGenerator<JobEvent, void, undefined> {
    let selection: Selection;
    if (typeof target === "string") {
      const ref = this.#ref(target, options.namespace);
      selection = { namespace: ref.namespace, fieldSelector: `metadata.name=${ref.name}` };
    } else {
      const checkedSelection = checked("watch options", selectionSchema, { namespace: options.namespace, labelSelector: target.labelSelector });
      selection = { namespace: options.allNamespaces === true ? undefined : (checkedSelection.namespace ?? this.namespace), labelSelector: checkedSelection.labelSelector };
    }
    let seen: Seen = new Map();
    for await (const observation of observeJobs(this.#jobs, selection, options.signal)) {
      const next = eventsOf(seen, observation);
      seen = next.seen;
      yield* next.events;
      if (typeof target === "string" && seen.size === 0) return;
    }
  }

  #ref(name: string, namespace: string | undefined): { readonly namespace: string; readonly name: string } {
    return { namespace: checked("namespace", namespaceSchema, namespace) ?? this.namespace, name: checked("name", jobNameSchema, name) };
  }

  async #create(job: Job, idempotencyKey: string | undefined, signal: AbortSignal | undefined, retryOn429: boolean): Promise<Submitted> {
    try {
      const created = await this.#jobs.create(job, { signal, retryOn429 });
      return { name: created.metadata.name ?? "", job: created, created: true };
    } catch (err) {
      if (idempotencyKey === undefined || !isApiError(err, "AlreadyExists")) throw err;
    }
    const ref = { namespace: job.metadata.namespace ?? this.namespace, name: job.metadata.name ?? "" };
    const existing = await this.#jobs.get(ref, { signal, retryOn429 });
    return { name: ref.name, job: sameSubmission(existing, job, idempotencyKey), created: false };
  }
}

/** The cancellation rule `helios cancel` and the client share: a finished Job stays as it is, a cancel is asked once. */
export async function cancelJob(jobs: Pick<ResourceClient<Job>, "get" | "mergePatch">, ref: { readonly namespace: string; readonly name: string }, signal?: AbortSignal): Promise<CancelOutcome> {
  const job = await jobs.get(ref, { signal });
  if (isTerminalJobPhase(job.status?.phase)) return { job, result: "finished" };
  if (job.spec.cancel === true) return { job, result: "already" };
  return { job: await jobs.mergePatch(ref, { spec: { cancel: true } }, { signal }), result: "requested" };
}

/** `value` as `schema` reads it. @throws InvalidJobSpecError naming `what`. */
function checked<S extends z.ZodType>(what: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidJobSpecError(result.error.issues, what);
  return result.data;
}

function notFound(ref: { readonly namespace: string; readonly name: string }, why: string): NotFoundError {
  return new NotFoundError({ message: `job ${ref.name} in namespace ${ref.namespace} not found: ${why}`, status: 404, reason: "NotFound" });
}

function anySignal(...signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s) => s !== undefined);
  return present.length === 0 ? undefined : AbortSignal.any(present);
}
