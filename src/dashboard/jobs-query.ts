// Pure server-side filtering and paging of the jobs table, so a browser never receives thousands of rows.
import { jobPhase, PRIORITY_CLASSES, type Job, type PriorityClass } from "../api/index.js";
import { jobView } from "../cli/output/index.js";
import type { JobFilter, JobPage } from "./model.js";

/** Rows per page when the browser asks for none; at most MAX_PAGE. */
export const DEFAULT_PAGE = 500;
export const MAX_PAGE = 2000;

/**
 * Reads filters and paging from URL query parameters; unknown or empty values are ignored, a bad
 * priority or label selector is an error naming the parameter.
 */
export function parseJobQuery(params: URLSearchParams): { filter: JobFilter; offset: number; limit: number } | { error: string } {
  const get = (name: string): string | undefined => {
    const v = params.get(name)?.trim();
    return v === undefined || v === "" ? undefined : v;
  };
  const priority = get("priority");
  if (priority !== undefined && !(PRIORITY_CLASSES as readonly string[]).includes(priority)) {
    return { error: `priority: expected one of ${PRIORITY_CLASSES.join(", ")}` };
  }
  const label = get("label");
  if (label !== undefined && parseLabelPairs(label) === undefined) return { error: "label: expected key=value[,key=value]" };
  const offset = Number(get("offset") ?? 0);
  const limit = Number(get("limit") ?? DEFAULT_PAGE);
  if (!Number.isInteger(offset) || offset < 0) return { error: "offset: expected a whole number ≥ 0" };
  if (!Number.isInteger(limit) || limit < 1) return { error: "limit: expected a whole number ≥ 1" };
  return {
    filter: {
      namespace: get("namespace"),
      phase: get("phase"),
      type: get("type"),
      priority: priority as PriorityClass | undefined,
      agent: get("agent"),
      label,
    },
    offset,
    limit: Math.min(limit, MAX_PAGE),
  };
}

/** `a=b,c=d` as pairs; undefined when a pair lacks `=` or a key. */
export function parseLabelPairs(selector: string): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  for (const part of selector.split(",")) {
    const at = part.indexOf("=");
    if (at <= 0) return undefined;
    pairs.push([part.slice(0, at).trim(), part.slice(at + 1).trim()]);
  }
  return pairs;
}

/** True if `job` passes every filter given. */
export function matchesJobFilter(job: Job, filter: JobFilter): boolean {
  if (filter.namespace !== undefined && job.metadata.namespace !== filter.namespace) return false;
  if (filter.phase !== undefined && jobPhase(job) !== filter.phase) return false;
  if (filter.type !== undefined && job.spec.type !== filter.type) return false;
  if (filter.priority !== undefined && job.spec.priority !== filter.priority) return false;
  if (filter.agent !== undefined && job.status?.assignedAgent !== filter.agent) return false;
  if (filter.label !== undefined) {
    const labels = job.metadata.labels ?? {};
    if (!(parseLabelPairs(filter.label) ?? []).every(([k, v]) => labels[k] === v)) return false;
  }
  return true;
}

/** The matching jobs, newest first (then by namespace and name), one page of them as table rows. */
export function jobPage(jobs: readonly Job[], query: { filter: JobFilter; offset: number; limit: number }, nowMs: number): Omit<JobPage, "problems"> {
  const created = (job: Job): string => job.metadata.creationTimestamp ?? "";
  const matching = jobs
    .filter((job) => matchesJobFilter(job, query.filter))
    .sort(
      (a, b) =>
        created(b).localeCompare(created(a)) ||
        (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") ||
        (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""),
    );
  return {
    total: matching.length,
    offset: query.offset,
    limit: query.limit,
    items: matching.slice(query.offset, query.offset + query.limit).map((job) => jobView(job, nowMs)),
  };
}
