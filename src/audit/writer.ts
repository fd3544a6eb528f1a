// The audit writer: buffers decisions per namespace and writes them as immutable AuditLog chunks.
//
// Flow: `record(entry)` validates the entry, logs it as a pino line (`audit: true`) and appends it
// to its namespace's open buffer. The buffer is sealed into a chunk when it holds
// `maxChunkEntries` or its first entry is `maxChunkAgeMs` old; sealed chunks of one namespace are
// created one at a time, in order.
//
// Guarantees: a failed create is retried with capped exponential backoff (with jitter) until it
// succeeds; a create whose response was lost is retried under the same deterministic name and
// answers AlreadyExists, which counts as written (no duplicates). `flush()` writes everything
// recorded so far; `close()` does so within a deadline. Entries are dropped only (a) past the hard
// bound of `maxPendingEntries` (oldest first), (b) when the apiserver refuses a chunk for good
// (its namespace is gone, or it fails validation), (c) when still unwritten at the close deadline;
// each drop is counted in `helios_audit_entries_dropped_total` and logged at error level.
//
// Caveats: the trail is at-most-once per process lifetime past a crash: what was buffered when the
// process died is only in the pino log. One chunk per namespace is in flight at a time.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { AUDIT_LOG_TYPE, auditEntrySchema, LIMITS, type AuditEntry, type AuditLog } from "../api/index.js";
import { exponentialBackoff } from "../runtime/backoff/index.js";
import { isApiError, ResourceClient, type Transport } from "../runtime/client/index.js";
import { silentLogger } from "../runtime/log/index.js";
import { realClock, type Clock, type Timer } from "../runtime/queue/index.js";
import { buildChunk } from "./chunk.js";
import { auditWriterMetrics, type AuditDropReason, type AuditWriterMetrics } from "./metrics.js";
import type { AuditRecord, AuditSink } from "./sink.js";

/** The one write the writer needs: a ResourceClient<AuditLog> fits. */
export interface AuditLogCreator {
  create(obj: AuditLog, options?: { readonly signal?: AbortSignal }): Promise<AuditLog>;
}

export interface AuditWriterOptions {
  readonly client: AuditLogCreator;
  /** Entries are logged through it as `audit: true` lines; write problems too. */
  readonly log?: Logger;
  readonly registry?: Registry;
  readonly clock?: Clock;
  /** Seal a chunk at this many entries (default and maximum: LIMITS.auditEntries = 500). */
  readonly maxChunkEntries?: number;
  /** Seal a chunk when its first entry is this old (default 5 s). */
  readonly maxChunkAgeMs?: number;
  /** Hard memory bound on entries not yet written (default 100 000). */
  readonly maxPendingEntries?: number;
  /** First retry delay after a failed write (default 500 ms), doubling up to `retryMaxMs` (default 30 s). */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** How long `close()` (and the Runnable's stop) waits for the last writes (default 10 s). */
  readonly closeTimeoutMs?: number;
  /** `actor` of entries that name none, e.g. `helios-operator`. */
  readonly defaultActor?: string;
  /** Jitter source in [0, 1) (tests pin it). */
  readonly random?: () => number;
}

/** What `close()` reports: entries written meanwhile are not counted, only those lost. */
export interface AuditCloseResult {
  /** Entries still unwritten at the deadline (dropped with reason `shutdown`). */
  readonly unwritten: number;
}

interface Pending {
  readonly entry: AuditEntry;
  /** Global recording order, to find the oldest entry across namespaces. */
  readonly seq: number;
}

interface SealedChunk {
  readonly chunk: AuditLog;
  readonly count: number;
  readonly seq: number;
}

/** One namespace's trail: the open buffer, sealed chunks waiting, and the chunk being written. */
interface Trail {
  readonly namespace: string;
  open: Pending[];
  openTimer: Timer | undefined;
  readonly sealed: SealedChunk[];
  inFlight: SealedChunk | undefined;
  retryTimer: Timer | undefined;
  failures: number;
}

const DROP_LOG_INTERVAL_MS = 10_000;
/** How long `close()` waits for the last writes by default. */
export const AUDIT_CLOSE_TIMEOUT_MS = 10_000;
/** How long a chunk stays open by default: the longest an entry waits in memory before its write starts. */
export const AUDIT_CHUNK_AGE_MS = 5_000;

/**
 * The operator's AuditSink. Also a Runnable (`start(signal)`, no leader election): added to the
 * manager it is stopped after the controllers, so their last decisions are flushed by `close()`.
 */
export class AuditWriter implements AuditSink {
  readonly name = "audit-writer";
  readonly needsLeaderElection = false;
  readonly #client: AuditLogCreator;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #metrics: AuditWriterMetrics | undefined;
  readonly #maxChunkEntries: number;
  readonly #maxChunkAgeMs: number;
  readonly #maxPending: number;
  readonly #retryDelayMs: (attempt: number, random: () => number) => number;
  readonly #closeTimeoutMs: number;
  readonly #defaultActor: string | undefined;
  readonly #random: () => number;
  readonly #trails = new Map<string, Trail>();
  readonly #idleWaiters: (() => void)[] = [];
  readonly #abortWrites = new AbortController();
  #seq = 0;
  #pending = 0;
  #closed = false;
  #dropLog = { lastAt: Number.NEGATIVE_INFINITY, unlogged: 0 };

  constructor(options: AuditWriterOptions) {
    this.#client = options.client;
    this.#log = options.log ?? silentLogger();
    this.#clock = options.clock ?? realClock;
    this.#metrics = options.registry === undefined ? undefined : auditWriterMetrics(options.registry);
    this.#maxChunkEntries = clamp(options.maxChunkEntries ?? LIMITS.auditEntries, 1, LIMITS.auditEntries);
    this.#maxChunkAgeMs = Math.max(0, options.maxChunkAgeMs ?? AUDIT_CHUNK_AGE_MS);
    this.#maxPending = Math.max(1, options.maxPendingEntries ?? 100_000);
    const retryInitialMs = Math.max(1, options.retryInitialMs ?? 500);
    // ±20 % jitter so many namespaces do not retry in lockstep.
    this.#retryDelayMs = exponentialBackoff({
      baseMs: retryInitialMs,
      maxMs: Math.max(retryInitialMs, options.retryMaxMs ?? 30_000),
      jitter: { min: 0.8, max: 1.2 },
    });
    this.#closeTimeoutMs = Math.max(0, options.closeTimeoutMs ?? AUDIT_CLOSE_TIMEOUT_MS);
    this.#defaultActor = options.defaultActor;
    this.#random = options.random ?? Math.random;
  }

  /** Entries recorded and not yet written (open buffers, sealed chunks, chunks in flight). */
  get pendingEntries(): number {
    return this.#pending;
  }

  /** Never blocks or throws: validates, logs, buffers. */
  record(record: AuditRecord): void {
    const entry = this.#normalize(record);
    if (entry === undefined) return;
    const { namespace } = record;
    this.#log.info(
      { audit: true, namespace, ...entryLogFields(entry) },
      `audit ${entry.action} ${entry.kind}/${entry.name}`,
    );
    this.#metrics?.entries.inc({ action: entry.action });
    if (this.#closed) {
      this.#drop("shutdown", 1, namespace);
      return;
    }
    const trail = this.#trail(namespace);
    trail.open.push({ entry, seq: this.#seq++ });
    this.#addPending(1);
    if (trail.open.length >= this.#maxChunkEntries) this.#seal(trail);
    else if (trail.openTimer === undefined) trail.openTimer = this.#clock.setTimer(this.#maxChunkAgeMs, () => this.#seal(trail));
    this.#enforceBound();
  }

  /** Seals every open buffer and resolves once everything recorded so far is written (or dropped). */
  flush(): Promise<void> {
    for (const trail of this.#trails.values()) this.#seal(trail);
    return this.#whenIdle();
  }

  /**
   * Stops accepting entries, retries failed writes at once, and waits up to `timeoutMs` (default
   * `closeTimeoutMs`) for the rest; whatever is still unwritten then is dropped and reported.
   */
  async close(timeoutMs = this.#closeTimeoutMs): Promise<AuditCloseResult> {
    this.#closed = true;
    for (const trail of this.#trails.values()) {
      this.#seal(trail);
      // Shutdown is no time for a long backoff: try the next write now.
      if (trail.retryTimer !== undefined) {
        trail.retryTimer.cancel();
        trail.retryTimer = undefined;
        this.#pump(trail);
      }
    }
    let timer: Timer | undefined;
    const deadline = new Promise<false>((resolve) => (timer = this.#clock.setTimer(timeoutMs, () => resolve(false))));
    const idle = await Promise.race([this.#whenIdle().then(() => true), deadline]);
    timer?.cancel();
    if (idle) return { unwritten: 0 };
    const unwritten = this.#pending;
    this.#abortWrites.abort(new Error("audit writer closed"));
    for (const trail of this.#trails.values()) {
      trail.retryTimer?.cancel();
      trail.openTimer?.cancel();
      const count = trail.sealed.reduce((n, c) => n + c.count, 0) + (trail.inFlight?.count ?? 0) + trail.open.length;
      if (count > 0) this.#drop("shutdown", count, trail.namespace);
    }
    this.#trails.clear();
    this.#setPending(0);
    this.#resolveIdle();
    return { unwritten };
  }

  /** Runnable: idles until `signal` aborts, then closes (flushing within the close timeout). */
  async start(signal: AbortSignal): Promise<void> {
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    const { unwritten } = await this.close();
    if (unwritten === 0) this.#log.info("audit trail flushed");
  }

  #normalize(record: AuditRecord): AuditEntry | undefined {
    const { namespace, time, ...rest } = record;
    const candidate = {
      ...definedFields(rest),
      time: time ?? new Date(this.#clock.now()).toISOString(),
      ...(rest.actor === undefined && this.#defaultActor !== undefined ? { actor: this.#defaultActor } : {}),
      ...(rest.message === undefined ? {} : { message: truncate(rest.message, LIMITS.messageLength) }),
      ...(rest.reason === undefined ? {} : { reason: truncate(rest.reason, 128) }),
    };
    const parsed = auditEntrySchema.safeParse(candidate);
    if (parsed.success && typeof namespace === "string" && namespace !== "") return parsed.data;
    this.#log.error(
      { audit: true, namespace, entry: candidate, issues: parsed.success ? "no namespace" : parsed.error.issues },
      "audit entry rejected: it does not fit the AuditLog schema",
    );
    this.#metrics?.dropped.inc({ reason: "invalid" });
    return undefined;
  }

  #trail(namespace: string): Trail {
    let trail = this.#trails.get(namespace);
    if (trail === undefined) {
      trail = { namespace, open: [], openTimer: undefined, sealed: [], inFlight: undefined, retryTimer: undefined, failures: 0 };
      this.#trails.set(namespace, trail);
    }
    return trail;
  }

  #seal(trail: Trail): void {
    trail.openTimer?.cancel();
    trail.openTimer = undefined;
    if (trail.open.length === 0) return;
    const first = trail.open[0];
    const chunk = buildChunk(trail.namespace, trail.open.map((p) => p.entry));
    trail.sealed.push({ chunk, count: trail.open.length, seq: first?.seq ?? 0 });
    trail.open = [];
    this.#pump(trail);
  }

  // Starts the next write of `trail` unless one is in flight or a retry is scheduled.
  #pump(trail: Trail): void {
    if (trail.inFlight !== undefined || trail.retryTimer !== undefined) return;
    const next = trail.sealed.shift();
    if (next === undefined) {
      this.#forgetIfEmpty(trail);
      return;
    }
    trail.inFlight = next;
    void this.#write(trail, next);
  }

  async #write(trail: Trail, item: SealedChunk): Promise<void> {
    const name = item.chunk.metadata.name ?? "";
    try {
      await this.#client.create(item.chunk, { signal: this.#abortWrites.signal });
      // After close() gave up, its accounting is final (the entries were reported as unwritten).
      if (!this.#abortWrites.signal.aborted) this.#written(trail, item);
    } catch (err) {
      if (this.#abortWrites.signal.aborted) return; // close() gave up and accounted for it
      if (isApiError(err, "AlreadyExists")) {
        // Our earlier attempt got through but its answer was lost: the name is the content's hash.
        this.#written(trail, item);
        return;
      }
      const code = isApiError(err) ? err.code : "Unknown";
      this.#metrics?.writeErrors.inc({ code });
      trail.inFlight = undefined;
      if (isPermanent(err)) {
        this.#addPending(-item.count);
        this.#drop("rejected", item.count, trail.namespace, { err, chunk: name });
        this.#pump(trail);
        this.#resolveIdleIfDone();
        return;
      }
      trail.sealed.unshift(item);
      trail.failures += 1;
      const delayMs = this.#backoff(trail.failures);
      this.#log.warn(
        { err, namespace: trail.namespace, chunk: name, entries: item.count, failures: trail.failures, retryInMs: delayMs },
        "audit chunk write failed; retrying",
      );
      trail.retryTimer = this.#clock.setTimer(delayMs, () => {
        trail.retryTimer = undefined;
        this.#pump(trail);
      });
    }
  }

  #written(trail: Trail, item: SealedChunk): void {
    trail.inFlight = undefined;
    trail.failures = 0;
    this.#addPending(-item.count);
    this.#metrics?.chunks.inc();
    this.#log.debug({ namespace: trail.namespace, chunk: item.chunk.metadata.name, entries: item.count }, "audit chunk written");
    this.#pump(trail);
    this.#resolveIdleIfDone();
  }

  #backoff(failures: number): number {
    return this.#retryDelayMs(Math.min(failures - 1, 30), this.#random);
  }

  // Past the hard bound, drop the oldest droppable entries: whole sealed chunks waiting (their
  // names are fixed), or entries at the front of an open buffer. Chunks in flight stay.
  #enforceBound(): void {
    while (this.#pending > this.#maxPending) {
      let oldest: { trail: Trail; sealed: boolean; seq: number } | undefined;
      for (const trail of this.#trails.values()) {
        const sealed = trail.sealed[0];
        if (sealed !== undefined && (oldest === undefined || sealed.seq < oldest.seq)) oldest = { trail, sealed: true, seq: sealed.seq };
        const open = trail.open[0];
        if (open !== undefined && (oldest === undefined || open.seq < oldest.seq)) oldest = { trail, sealed: false, seq: open.seq };
      }
      if (oldest === undefined) return;
      const { trail } = oldest;
      let count: number;
      if (oldest.sealed) {
        count = trail.sealed.shift()?.count ?? 0;
      } else {
        count = Math.min(trail.open.length, this.#pending - this.#maxPending);
        trail.open.splice(0, count);
        if (trail.open.length === 0) {
          trail.openTimer?.cancel();
          trail.openTimer = undefined;
        }
      }
      this.#addPending(-count);
      this.#drop("overflow", count, trail.namespace);
      this.#forgetIfEmpty(trail);
    }
  }

  // Counts every drop; logs at error level, at most once per interval with the count since.
  #drop(reason: AuditDropReason, count: number, namespace: string, extra: Record<string, unknown> = {}): void {
    this.#metrics?.dropped.inc({ reason }, count);
    this.#dropLog.unlogged += count;
    const now = this.#clock.now();
    if (reason === "overflow" && now - this.#dropLog.lastAt < DROP_LOG_INTERVAL_MS) return;
    this.#log.error(
      { audit: true, reason, namespace, dropped: this.#dropLog.unlogged, maxPendingEntries: this.#maxPending, ...extra },
      "audit entries dropped",
    );
    this.#dropLog = { lastAt: now, unlogged: 0 };
  }

  #addPending(delta: number): void {
    this.#setPending(this.#pending + delta);
  }

  #setPending(value: number): void {
    this.#pending = value;
    this.#metrics?.pending.set(value);
  }

  #forgetIfEmpty(trail: Trail): void {
    if (trail.open.length === 0 && trail.sealed.length === 0 && trail.inFlight === undefined && trail.retryTimer === undefined) {
      this.#trails.delete(trail.namespace);
    }
  }

  #whenIdle(): Promise<void> {
    if (this.#pendingWrites() === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  // Entries in sealed or in-flight chunks; open buffers do not hold up a flush that sealed them.
  #pendingWrites(): number {
    let n = 0;
    for (const trail of this.#trails.values()) n += trail.sealed.length + (trail.inFlight === undefined ? 0 : 1);
    return n;
  }

  #resolveIdleIfDone(): void {
    if (this.#pendingWrites() === 0) this.#resolveIdle();
  }

  #resolveIdle(): void {
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

/** The operator's writer: chunks go to auditlogs.helios.dev over `transport`. */
export function createAuditWriter(transport: Transport, options: Omit<AuditWriterOptions, "client">): AuditWriter {
  return new AuditWriter({ ...options, client: new ResourceClient<AuditLog>(transport, AUDIT_LOG_TYPE) });
}

// A refusal no retry can fix. A missing namespace is final; a missing resource type (CRD not yet
// installed) is not, so only a 404 naming the namespace counts. 422 means the chunk itself is bad.
function isPermanent(err: unknown): boolean {
  if (isApiError(err, "Invalid") || isApiError(err, "BadRequest")) return true;
  return isApiError(err, "NotFound") && err.details?.kind === "namespaces";
}

function entryLogFields(entry: AuditEntry): Record<string, unknown> {
  // pino writes its own `time`; the decision's time goes under another key.
  const { time, ...rest } = entry;
  return { auditTime: time, ...rest };
}

function definedFields<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.floor(n)));
}
