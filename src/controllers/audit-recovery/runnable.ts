// The leader's audit recovery: once per leadership, it writes the entries a dead predecessor (or an
// operator-less gap) lost, from the decisions the Jobs' statuses record.
//
// Flow: the moment it starts to lead (caches synced, nothing decided yet) it takes the decisions of
// the last RECOVERY_WINDOW_MS from the Job cache, before this leader's own TTL deletions can take
// Jobs away. RECOVERY_DELAY_MS later, when whatever a gracefully stopped predecessor still flushed
// has landed, it reads the trail's keys from the apiserver and records the lost decisions through
// the RecoverySink, which skips what this process recorded live. RECOVERY_GRACE_MS later the sink
// stops tracking keys. A failed read is retried with backoff until RECOVERY_GIVE_UP_MS.
//
// Guarantees: the trail holds one entry per decision of the window within RECOVERY_DELAY_MS + the
// read + AUDIT_CHUNK_AGE_MS of a new leader's start. Decisions made by this leader are not in the
// snapshot: it records them live.
// Caveats: a predecessor whose writes were still failing past its close timeout (an apiserver
// refusing them) may have had them land after the read: those are written twice.
import type { Logger } from "pino";
import type { Counter, Registry } from "prom-client";
import { AUDIT_LOG_TYPE, type AuditLog } from "../../api/index.js";
import { AUDIT_CHUNK_AGE_MS, AUDIT_CLOSE_TIMEOUT_MS, auditKey, sinceDaySelector, type RecoverySink } from "../../audit/index.js";
import { exponentialBackoff } from "../../runtime/backoff/index.js";
import { ResourceClient, type Transport } from "../../runtime/client/index.js";
import { sleep, type Clock } from "../../runtime/clock/index.js";
import type { Runnable } from "../../runtime/manager/index.js";
import { heliosCounter } from "../../runtime/metrics/index.js";
import { decisionsSince, lostDecisions } from "./decide.js";
import type { CachedJob } from "../shared/index.js";

export const AUDIT_RECOVERY = "audit-recovery";
/** A predecessor that stopped gracefully released its lease, then flushed for up to its close timeout: wait that out. */
export const RECOVERY_DELAY_MS = AUDIT_CLOSE_TIMEOUT_MS + AUDIT_CHUNK_AGE_MS;
/** How far back recovery looks: decisions older than this are trusted to the leader that made them. */
export const RECOVERY_WINDOW_MS = 3_600_000;
/** How long after recovery the sink keeps skipping live entries that were recovered. */
export const RECOVERY_GRACE_MS = 30_000;
/** A trail that cannot be read this long after the start is given up on (logged as an error). */
export const RECOVERY_GIVE_UP_MS = 600_000;
/** Entries of the trail are read from this much before the window (clocks of agents and operators differ). */
const CLOCK_SKEW_MS = 600_000;
const RETRY_INITIAL_MS = 1_000;
const RETRY_MAX_MS = 30_000;
const retryDelayMs = exponentialBackoff({ baseMs: RETRY_INITIAL_MS, maxMs: RETRY_MAX_MS });

export interface AuditRecoveryDeps {
  readonly transport: Transport;
  /** The operator's Job cache, synced when leader runnables start. */
  readonly jobs: { readonly store: { list(): CachedJob[] } };
  readonly sink: RecoverySink;
  /** The watched namespaces; empty means every namespace. */
  readonly namespaces: readonly string[];
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
}

/** Leader-elected Runnable; resolves when its signal aborts. */
export class AuditRecovery implements Runnable {
  readonly name = AUDIT_RECOVERY;
  readonly needsLeaderElection = true;
  readonly #deps: AuditRecoveryDeps;
  readonly #trail: ResourceClient<AuditLog>;
  readonly #recovered: Counter<never>;

  constructor(deps: AuditRecoveryDeps) {
    this.#deps = deps;
    this.#trail = new ResourceClient<AuditLog>(deps.transport, AUDIT_LOG_TYPE);
    this.#recovered = heliosCounter(deps.registry, {
      name: "helios_audit_entries_recovered_total",
      help: "Audit entries a new leader wrote from Job statuses because the process that made the decision died before writing them.",
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    const { clock, log, sink } = this.#deps;
    const startedAt = clock.now();
    const since = startedAt - RECOVERY_WINDOW_MS;
    const decisions = decisionsSince(this.#deps.jobs.store.list(), since);
    await sleep(clock, RECOVERY_DELAY_MS, signal);
    for (let failures = 0; !signal.aborted; failures++) {
      try {
        const written = await this.#writtenKeys(since - CLOCK_SKEW_MS, signal);
        const recovered = sink.recover(lostDecisions(decisions, written), written);
        this.#recovered.inc(recovered);
        log.info({ decisions: decisions.length, trailKeys: written.size, recovered }, "audit recovery done");
        break;
      } catch (err) {
        if (signal.aborted) break;
        if (clock.now() - startedAt >= RECOVERY_GIVE_UP_MS) {
          log.error({ err, decisions: decisions.length }, "audit recovery gave up: the trail could not be read");
          break;
        }
        const retryInMs = retryDelayMs(failures);
        log.warn({ err, retryInMs }, "audit recovery could not read the trail; retrying");
        await sleep(clock, retryInMs, signal);
      }
    }
    await sleep(clock, RECOVERY_GRACE_MS, signal);
    sink.stopTracking();
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }

  /** Keys of the trail's entries at or after `sinceMs`, page by page (older entries are not kept). */
  async #writtenKeys(sinceMs: number, signal: AbortSignal): Promise<Set<string>> {
    const written = new Set<string>();
    const labelSelector = sinceDaySelector(sinceMs, this.#deps.clock.now());
    const keep = (chunk: AuditLog): AuditLog => {
      for (const entry of chunk.spec?.entries ?? []) {
        const key = Date.parse(entry.time) >= sinceMs ? auditKey(entry) : undefined;
        if (key !== undefined) written.add(key);
      }
      return { ...chunk, spec: { ...chunk.spec, entries: [] } };
    };
    const scopes = this.#deps.namespaces.length === 0 ? [undefined] : this.#deps.namespaces;
    for (const namespace of scopes) await this.#trail.listAll({ namespace, labelSelector, signal }, undefined, keep);
    return written;
  }
}
