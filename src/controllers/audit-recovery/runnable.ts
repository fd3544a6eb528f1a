// The leader's audit recovery: once per leadership, it writes the entries a dead predecessor (or an
// operator-less gap) lost, from the decisions the Jobs' statuses record.
//
// Flow: on start it waits RECOVERY_DELAY_MS, reads the trail of the last RECOVERY_WINDOW_MS and the
// Jobs from the apiserver (whole: the cache trims settled Jobs' histories), computes the lost
// decisions (`lostDecisions`), and records them through the RecoverySink, which skips what this
// process recorded live.
// RECOVERY_GRACE_MS later the sink stops tracking keys. A failed read is retried with backoff.
//
// Guarantees: with the audit writer's chunk age (5 s), the trail holds one entry per decision of
// the window within about RECOVERY_DELAY_MS + 5 s of a new leader's start (plus the read's time).
// Caveats: a predecessor's entries still unwritten after the delay (its writer had a long retry
// backlog) may be written twice: once late by it, once recovered.
import type { Logger } from "pino";
import type { Counter, Registry } from "prom-client";
import { AUDIT_LOG_TYPE, JOB_TYPE, type AuditLog, type Job } from "../../api/index.js";
import { auditKey, readAuditTrail, type RecoverySink } from "../../audit/index.js";
import { composeTransforms, stripManagedFields, stripSpecFields } from "../../runtime/cache/index.js";
import { ResourceClient, type Transport } from "../../runtime/client/index.js";
import { sleep, type Clock } from "../../runtime/clock/index.js";
import type { Runnable } from "../../runtime/manager/index.js";
import { heliosCounter } from "../../runtime/metrics/index.js";
import { lostDecisions } from "./decide.js";

export const AUDIT_RECOVERY = "audit-recovery";
/** Longer than the audit writer's close timeout (10 s): a predecessor that stopped gracefully released its lease before its last writes. */
export const RECOVERY_DELAY_MS = 15_000;
/** How far back recovery looks: decisions older than this are trusted to the leader that made them. */
export const RECOVERY_WINDOW_MS = 3_600_000;
/** How long after recovery the sink keeps skipping live entries that were recovered. */
export const RECOVERY_GRACE_MS = 30_000;
/** Entries of the trail are read from this much before the window (clocks of agents and operators differ). */
const CLOCK_SKEW_MS = 600_000;
const RETRY_INITIAL_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** Recovery reads statuses only: payloads and field managers are dropped page by page. */
const slimJob = composeTransforms<Job>(stripManagedFields, stripSpecFields<Job>("payload"));

export interface AuditRecoveryDeps {
  readonly transport: Transport;
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
  readonly #jobs: ResourceClient<Job>;
  readonly #recovered: Counter<never>;

  constructor(deps: AuditRecoveryDeps) {
    this.#deps = deps;
    this.#trail = new ResourceClient<AuditLog>(deps.transport, AUDIT_LOG_TYPE);
    this.#jobs = new ResourceClient<Job>(deps.transport, JOB_TYPE);
    this.#recovered = heliosCounter(deps.registry, {
      name: "helios_audit_entries_recovered_total",
      help: "Audit entries a new leader wrote from Job statuses because the process that made the decision died before writing them.",
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    const { clock } = this.#deps;
    const leaderSince = clock.now();
    await sleep(clock, RECOVERY_DELAY_MS, signal);
    for (let failures = 0; !signal.aborted; failures++) {
      try {
        await this.#recover(leaderSince, signal);
        break;
      } catch (err) {
        const retryInMs = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** Math.min(failures, 10));
        this.#deps.log.warn({ err, retryInMs }, "audit recovery could not read the trail; retrying");
        await sleep(clock, retryInMs, signal);
      }
    }
    await sleep(clock, RECOVERY_GRACE_MS, signal);
    this.#deps.sink.stopTracking();
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }

  async #recover(leaderSince: number, signal: AbortSignal): Promise<void> {
    const { clock, namespaces, sink, log } = this.#deps;
    const now = clock.now();
    const since = leaderSince - RECOVERY_WINDOW_MS;
    const query = { sinceMs: since - CLOCK_SKEW_MS };
    const scopes = namespaces.length === 0 ? [undefined] : namespaces;
    const written = new Set<string>();
    const jobs: Job[] = [];
    for (const namespace of scopes) {
      for (const row of await readAuditTrail(this.#trail, { namespace, query, now, signal })) {
        const key = auditKey(row);
        if (key !== undefined) written.add(key);
      }
      jobs.push(...(await this.#jobs.listAll({ namespace, signal }, undefined, slimJob)).items);
    }
    const lost = lostDecisions({ jobs, written, since, leaderSince });
    const recovered = sink.recover(lost, written);
    this.#recovered.inc(recovered);
    log.info({ jobs: jobs.length, trailKeys: written.size, recovered }, "audit recovery done");
  }
}
