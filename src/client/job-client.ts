// The job client for producers: submit, list, cancel, wait for and watch Jobs, typed from the API's zod schemas.
import { isDeepStrictEqual } from "node:util";
import {
  API_VERSION,
  isTerminalJobPhase,
  JOB_TYPE,
  jobPhase,
  jobSchema,
  KINDS,
  type Job,
  type JobInput,
  type JobPhase,
  type JobSpec,
} from "../api/index.js";
import { NotFoundError, ResourceClient, type Transport } from "../runtime/client/index.js";
import { IdempotencyConflictError, InvalidJobSpecError, WaitTimeoutError, type Submitted } from "./errors.js";
import { eventsOf, type JobEvent, type Seen } from "./job-events.js";
import { generatedNamePrefix, IDEMPOTENCY_KEY_ANNOTATION, idempotentName } from "./naming.js";
import { observeJobs, type Selection } from "./observe.js";
import { settlementOf, type JobSucceeded } from "./outcome.js";
import { submitBatch, type BatchOptions } from "./submit-many.js";
import { submitOptionsSchema, type SubmitOptionsInput } from "./submit-options.js";

/** A Job's spec as a producer writes it: fields with defaults may be left out. */
export type JobSpecInput = JobInput["spec"];

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

  constructor(
    transport: Transport,
    readonly namespace: string,
  ) {
    this.#jobs = new ResourceClient<Job>(transport, JOB_TYPE);
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
    const job = this.#validate(spec, naming);
    return this.#create(job, naming.idempotencyKey, signal, true);
  }

  /**
   * Submits many Jobs, `concurrency` at a time (default 8), in order. Every request is checked first,
   * so a bad one sends nothing. A 429 holds the whole batch for its Retry-After, then resumes.
   * @throws InvalidJobSpecError naming the request (`requests[3].spec.payload: ...`).
   * @throws SubmitManyError at the first request that failed otherwise, with what was submitted.
   */
  async submitMany(requests: readonly SubmitRequest[], options: BatchOptions = {}): Promise<Submitted[]> {
    const jobs = requests.map(({ spec, ...naming }, index) => ({ job: this.#validate(spec, naming, `requests[${index}]`), key: naming.idempotencyKey }));
    return submitBatch(jobs, ({ job, key }, signal) => this.#create(job, key, signal, false), options);
  }

  /** @throws NotFoundError (`code` "NotFound") when there is no such Job. */
  get(name: string, options: InNamespace = {}): Promise<Job> {
    return this.#jobs.get({ namespace: options.namespace ?? this.namespace, name }, { signal: options.signal });
  }

  /** Jobs by namespace, phase, type and labels; all pages. */
  async list(options: ListJobsOptions = {}): Promise<Job[]> {
    const phases = options.phase === undefined ? undefined : new Set(typeof options.phase === "string" ? [options.phase] : options.phase);
    const only = phases?.size === 1 ? [...phases][0] : undefined;
    // status.phase is a selectable field, but a Job not yet written by the operator has none: Pending is filtered here.
    const fields = [options.type === undefined ? undefined : `spec.type=${options.type}`, only === undefined || only === "Pending" ? undefined : `status.phase=${only}`];
    const fieldSelector = fields.filter((f) => f !== undefined).join(",") || undefined;
    const listed = await this.#jobs.listAll({
      namespace: options.allNamespaces === true ? undefined : (options.namespace ?? this.namespace),
      labelSelector: options.labelSelector,
      fieldSelector,
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
    return cancelJob(this.#jobs, { namespace: options.namespace ?? this.namespace, name }, options.signal);
  }

  /**
   * Waits until the Job ends. Resolves when it Succeeded, with its result.
   * @throws JobFailedError, JobExpiredError or JobCancelledError (each with `lastError` and the Job) for the other endings.
   * @throws WaitTimeoutError after `timeoutMs`; NotFoundError when the Job does not exist or is deleted meanwhile.
   * @throws the signal's reason when `signal` aborts.
   */
  async waitFor(name: string, options: WaitOptions = {}): Promise<JobSucceeded> {
    const namespace = options.namespace ?? this.namespace;
    const deadline = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
    const signal = anySignal(options.signal, deadline);
    let last: Job | undefined;
    try {
      for await (const event of this.watch(name, { namespace, signal })) {
        if (event.type === "deleted") throw notFound(namespace, name, "it was deleted while waiting");
        last = event.job;
        const settlement = settlementOf(event.job);
        if (!settlement.settled) continue;
        if ("error" in settlement) throw settlement.error;
        return settlement.succeeded;
      }
      throw notFound(namespace, name, "it does not exist");
    } catch (err) {
      if (deadline?.aborted === true && options.signal?.aborted !== true) throw new WaitTimeoutError(name, options.timeoutMs ?? 0, last);
      throw err;
    }
  }

  /**
   * Phase changes, progress and deletion of one Job (by name) or of the Jobs a label selector picks,
   * as they happen: the current state first, then each change. Survives lost watches (relists and
   * reports what changed meanwhile). For one name it ends after the Job is deleted, or at once when it
   * does not exist; otherwise it runs until `signal` aborts or the loop breaks.
   */
  async *watch(target: string | { readonly labelSelector: string }, options: WatchJobsOptions = {}): AsyncGenerator<JobEvent, void, undefined> {
    const namespace = options.namespace ?? this.namespace;
    const selection: Selection =
      typeof target === "string"
        ? { namespace, fieldSelector: `metadata.name=${target}` }
        : { namespace: options.allNamespaces === true ? undefined : namespace, labelSelector: target.labelSelector };
    let seen: Seen = new Map();
    for await (const observation of observeJobs(this.#jobs, selection, options.signal)) {
      const next = eventsOf(seen, observation);
      seen = next.seen;
      yield* next.events;
      if (typeof target === "string" && seen.size === 0) return;
    }
  }

  #validate(spec: JobSpecInput, naming: SubmitOptionsInput, prefix = ""): Job {
    const options = submitOptionsSchema.safeParse(naming);
    if (!options.success) throw new InvalidJobSpecError(options.error.issues, prefix);
    const { namespace, name, generateName, idempotencyKey, labels, annotations } = options.data;
    const metadata = {
      namespace: namespace ?? this.namespace,
      ...(idempotencyKey !== undefined
        ? { name: idempotentName(idempotencyKey) }
        : name !== undefined
          ? { name }
          : { generateName: generateName ?? generatedNamePrefix(spec.type) }),
      ...(labels === undefined ? {} : { labels }),
      ...(idempotencyKey === undefined && annotations === undefined
        ? {}
        : { annotations: { ...annotations, ...(idempotencyKey === undefined ? {} : { [IDEMPOTENCY_KEY_ANNOTATION]: idempotencyKey }) } }),
    };
    const parsed = jobSchema.safeParse({ apiVersion: API_VERSION, kind: KINDS.job, metadata, spec });
    if (!parsed.success) throw new InvalidJobSpecError(parsed.error.issues, prefix);
    return parsed.data;
  }

  async #create(job: Job, idempotencyKey: string | undefined, signal: AbortSignal | undefined, retryOn429: boolean): Promise<Submitted> {
    try {
      const created = await this.#jobs.create(job, { signal, retryOn429 });
      return { name: created.metadata.name ?? "", job: created, created: true };
    } catch (err) {
      if (idempotencyKey === undefined || !(err instanceof Error && "code" in err && err.code === "AlreadyExists")) throw err;
    }
    const ref = { namespace: job.metadata.namespace ?? this.namespace, name: job.metadata.name ?? "" };
    const existing = await this.#jobs.get(ref, { signal, retryOn429 });
    return { name: ref.name, job: sameSubmission(existing, job, idempotencyKey), created: false };
  }
}

/**
 * The existing Job of an idempotency key, when it is the one the key asked for.
 * @throws IdempotencyConflictError when it was created without the key or with another spec.
 */
export function sameSubmission(existing: Job, submitted: Job, idempotencyKey: string): Job {
  const name = existing.metadata.name ?? "";
  if (existing.metadata.annotations?.[IDEMPOTENCY_KEY_ANNOTATION] !== idempotencyKey) {
    throw new IdempotencyConflictError(idempotencyKey, existing, `its name ${name} is taken by a Job not submitted with this key`);
  }
  if (!isDeepStrictEqual(withoutCancel(existing.spec), withoutCancel(submitted.spec))) {
    throw new IdempotencyConflictError(idempotencyKey, existing, `Job ${name} was submitted with this key and another spec; use a new key for new work`);
  }
  return existing;
}

/** The cancellation rule `helios cancel` and the client share: a finished Job stays as it is, a cancel is asked once. */
export async function cancelJob(jobs: Pick<ResourceClient<Job>, "get" | "mergePatch">, ref: { readonly namespace: string; readonly name: string }, signal?: AbortSignal): Promise<CancelOutcome> {
  const job = await jobs.get(ref, { signal });
  if (isTerminalJobPhase(job.status?.phase)) return { job, result: "finished" };
  if (job.spec.cancel === true) return { job, result: "already" };
  return { job: await jobs.mergePatch(ref, { spec: { cancel: true } }, { signal }), result: "requested" };
}

/** A spec as submitted: `cancel` may have been set since. */
function withoutCancel(spec: JobSpec): Omit<JobSpec, "cancel"> {
  return Object.fromEntries(Object.entries(spec).filter(([field]) => field !== "cancel")) as Omit<JobSpec, "cancel">;
}

function notFound(namespace: string, name: string, why: string): NotFoundError {
  return new NotFoundError({ message: `job ${name} in namespace ${namespace} not found: ${why}`, status: 404, reason: "NotFound" });
}

function anySignal(...signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s) => s !== undefined);
  return present.length === 0 ? undefined : AbortSignal.any(present);
}
