// The dashboard's JSON reads: views computed from the shared caches (overview, jobs, agents, flags,
// audit), and a job's page, which also reads the job's Events (and, outside the watched scope, the
// job and its audit trail) from the apiserver as the caller.
import { AUDIT_LOG_TYPE, JOB_TYPE, type AuditLog, type Job } from "../api/index.js";
import { queryEntries, readAuditTrail, type AuditQuery } from "../audit/index.js";
import { explainApiError, explained, type ApiTarget } from "../cli/kube/index.js";
import { agentViews, flagsInEffect, jobView, sortAgentViews } from "../cli/output/index.js";
import { EVENTS, isApiError, ResourceClient, type KubeEvent } from "../runtime/client/index.js";
import { jobPage, parseJobQuery } from "./jobs-query.js";
import type { AccessProblem, AgentsPage, AuditPage, FlagsPage, JobDetail, KubeEventView } from "./model.js";
import { overview } from "./overview.js";
import { RecentReads } from "./recent-reads.js";
import type { DashboardWatches } from "./watches.js";

/**
 * What no shared watch covers (a job's Events; a job or audit trail outside the watched scope) is read
 * from the apiserver at most this often per job, however many tabs show it and however often jobs change.
 */
const RECENT_READ_TTL_MS = 3_000;
/** The audit search returns at most this many entries. */
const MAX_AUDIT_ROWS = 1000;

/** A read that cannot be answered: the HTTP status and the reason in the user's terms. */
export class ReadError extends Error {
  readonly code = "Read" as const;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ReadError";
  }
}

/** The read side of the API, over one server's caches and connection. */
export class DashboardReads {
  /** The scope in words: "all namespaces" or "namespace a". */
  readonly scope: string;
  readonly #watches: DashboardWatches;
  readonly #target: ApiTarget;
  readonly #events = new RecentReads<KubeEventView[]>(RECENT_READ_TTL_MS);
  readonly #jobs = new RecentReads<Job>(RECENT_READ_TTL_MS);
  readonly #auditTrails = new RecentReads<JobDetail["audit"]>(RECENT_READ_TTL_MS);

  constructor(watches: DashboardWatches, target: ApiTarget) {
    this.#watches = watches;
    this.#target = target;
    this.scope = watches.scope.namespace === undefined ? "all namespaces" : `namespace ${watches.scope.namespace}`;
  }

  /** Answers one GET of the JSON API. @throws ReadError with the HTTP status for a bad query or a refused read. */
  async read(path: string, params: URLSearchParams, nowMs: number): Promise<unknown> {
    const watches = this.#watches;
    const scope = this.scope;
    switch (path) {
      case "/api/overview":
        return overview({
          scope,
          operatorNamespace: watches.scope.operatorNamespace,
          jobs: watches.jobs(),
          agents: watches.agents(),
          controlFlags: watches.controlFlags(),
          problems: watches.problems(),
          nowMs,
        });
      case "/api/jobs": {
        const query = parseJobQuery(params);
        if ("error" in query) throw new ReadError(400, query.error);
        return { ...jobPage(watches.jobs(), query, nowMs), problems: watches.problems("jobs") };
      }
      case "/api/agents":
        return {
          items: sortAgentViews(agentViews(watches.agents(), watches.jobs(), watches.leases())),
          problems: watches.problems("agents", "leases", "jobs"),
        } satisfies AgentsPage;
      case "/api/flags": {
        const control = this.#controlFlagsInEffect();
        return {
          operatorNamespace: watches.scope.operatorNamespace,
          ...(control === undefined ? {} : { control }),
          featureFlags: [...watches.featureFlags(), ...(watches.covers(watches.scope.operatorNamespace) ? [] : (watches.controlFlags() ?? []))].sort(
            (a, b) => (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""),
          ),
          problems: watches.problems("featureflags"),
        } satisfies FlagsPage;
      }
      case "/api/audit":
        return this.#auditSearch(params);
      default: {
        const match = /^\/api\/jobs\/([^/]+)\/([^/]+)$/.exec(path);
        if (match !== null) return this.#jobDetail(decodedSegment(match[1]), decodedSegment(match[2]), nowMs);
        throw new ReadError(404, `no such API: ${path}`);
      }
    }
  }

  #controlFlagsInEffect(): FlagsPage["control"] {
    const flags = this.#watches.controlFlags();
    return flags === undefined ? undefined : flagsInEffect(flags);
  }

  async #jobDetail(namespace: string, name: string, nowMs: number): Promise<JobDetail> {
    const watches = this.#watches;
    const target = this.#target;
    const problems: AccessProblem[] = [];
    let job: Job | undefined = watches.covers(namespace) ? watches.job(namespace, name) : undefined;
    if (job === undefined) {
      try {
        job = await this.#jobs.get(`${namespace}/${name}`, nowMs, () =>
          explained(target, { verb: "get", resource: "jobs.helios.dev", namespace, name }, () => new ResourceClient<Job>(target.transport, JOB_TYPE).get({ namespace, name })),
        );
      } catch (err) {
        const cause = (err as { cause?: unknown }).cause;
        const status = isApiError(cause, "Forbidden") ? 403 : isApiError(cause, "Unauthorized") ? 401 : 404;
        throw new ReadError(status, err instanceof Error ? err.message : String(err));
      }
    }
    const query: AuditQuery = { job: name };
    let audit: JobDetail["audit"] = [];
    if (watches.covers(namespace) && watches.problems("auditlogs").length === 0) {
      audit = queryEntries(watches.auditLogs().filter((c) => c.metadata.namespace === namespace), query);
    } else {
      try {
        audit = await this.#auditTrails.get(`${namespace}/${name}`, nowMs, () => readAuditTrail(new ResourceClient<AuditLog>(target.transport, AUDIT_LOG_TYPE), { namespace, query, now: nowMs }));
      } catch (err) {
        problems.push({ resource: "auditlogs", namespace, message: explainApiError(err, { verb: "list", resource: "auditlogs.helios.dev", namespace }, target).message });
      }
    }
    let events: KubeEventView[] = [];
    try {
      events = await this.#jobEvents(job, nowMs);
    } catch (err) {
      problems.push({ resource: "events", namespace, message: explainApiError(err, { verb: "list", resource: "events.events.k8s.io", namespace }, target).message });
    }
    return {
      job,
      view: jobView(job, nowMs),
      conditions: job.status?.conditions ?? [],
      attempts: job.status?.attempts ?? [],
      audit,
      events,
      problems,
    };
  }

  /** The Events regarding one Job (this Job: its uid), oldest first; one apiserver read per job per RECENT_READ_TTL_MS. */
  #jobEvents(job: Job, nowMs: number): Promise<KubeEventView[]> {
    const { namespace, name = "", uid } = job.metadata;
    return this.#events.get(`${namespace ?? ""}/${name}`, nowMs, () =>
      new ResourceClient<KubeEvent>(this.#target.transport, EVENTS)
        .list({ namespace, fieldSelector: `regarding.name=${name}`, limit: 200 })
        .then((list) =>
          list.items
            .filter((e) => e.regarding.kind === "Job" && e.regarding.uid === uid)
            .map((e) => ({ time: e.eventTime, type: e.type, reason: e.reason, ...(e.note === undefined ? {} : { note: e.note }), reportingController: e.reportingController }))
            .sort((a, b) => a.time.localeCompare(b.time)),
        ),
    );
  }

  #auditSearch(params: URLSearchParams): AuditPage {
    const get = (key: string): string | undefined => params.get(key)?.trim() || undefined;
    const since = get("since");
    const until = get("until");
    const sinceMs = since === undefined ? undefined : Date.parse(since);
    const untilMs = until === undefined ? undefined : Date.parse(until);
    if (sinceMs !== undefined && Number.isNaN(sinceMs)) throw new ReadError(400, "since: expected an RFC 3339 time");
    if (untilMs !== undefined && Number.isNaN(untilMs)) throw new ReadError(400, "until: expected an RFC 3339 time");
    const action = get("action");
    const query: AuditQuery = { job: get("job"), agent: get("agent"), actions: action === undefined ? undefined : action.split(","), sinceMs };
    const namespace = get("namespace");
    const chunks = this.#watches.auditLogs().filter((c: AuditLog) => namespace === undefined || c.metadata.namespace === namespace);
    const rows = queryEntries(chunks, query).filter((r) => untilMs === undefined || Date.parse(r.time) <= untilMs);
    return { items: rows.reverse().slice(0, MAX_AUDIT_ROWS), problems: this.#watches.problems("auditlogs") };
  }
}

/** A %-encoded path segment, decoded; malformed encoding is the caller's error (400). */
function decodedSegment(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? "");
  } catch {
    throw new ReadError(400, `malformed %-encoding in the path: ${segment ?? ""}`);
  }
}
