// The dashboard's JSON API shapes, shared by the server and the browser app (type-only in the browser).
import type { AuditEntry, Condition, FeatureFlag, Job, JobAttempt, PriorityClass } from "../api/index.js";
import type { AgentSummary, AgentView, FlagInEffect, JobView, QueueSummary } from "../cli/output/index.js";

export type { AgentSummary, AgentView, FlagInEffect, JobView, QueueSummary };

/** The resources the dashboard watches; a server-sent `change` event names those that changed. */
export const WATCHED_RESOURCES = ["jobs", "agents", "leases", "featureflags", "auditlogs"] as const;
export type WatchedResource = (typeof WATCHED_RESOURCES)[number];

/** Why part of a view is empty: the apiserver refused (RBAC) or failed; said in the user's terms. */
export interface AccessProblem {
  readonly resource: string;
  readonly namespace?: string;
  readonly message: string;
}

/** Jobs that ended in one minute, by outcome. */
export interface ThroughputPoint {
  /** Start of the minute, epoch ms. */
  readonly minute: number;
  readonly Succeeded: number;
  readonly Failed: number;
  readonly Expired: number;
  readonly Cancelled: number;
}

/** created→assigned latency of the jobs first assigned in one minute. */
export interface LatencyPoint {
  readonly minute: number;
  readonly count: number;
  readonly avgMs: number;
  readonly maxMs: number;
}

/** An unfinished job whose Blocked condition is True, and why. */
export interface BlockedJob {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

export interface Overview {
  readonly scope: string;
  readonly operatorNamespace: string;
  readonly queues: readonly QueueSummary[];
  readonly agents: readonly AgentSummary[];
  readonly throughput: readonly ThroughputPoint[];
  readonly latency: readonly LatencyPoint[];
  readonly blocked: readonly BlockedJob[];
  readonly flags?: readonly FlagInEffect[];
  readonly problems: readonly AccessProblem[];
}

/** Server-side filters of the jobs table; every one given must match. */
export interface JobFilter {
  readonly namespace?: string | undefined;
  readonly phase?: string | undefined;
  readonly type?: string | undefined;
  readonly priority?: PriorityClass | undefined;
  readonly agent?: string | undefined;
  /** `key=value[,key=value]`: every pair must be a label of the job. */
  readonly label?: string | undefined;
}

export interface JobPage {
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly items: readonly JobView[];
  readonly problems: readonly AccessProblem[];
}

export interface KubeEventView {
  readonly time?: string;
  readonly type?: string;
  readonly reason?: string;
  readonly note?: string;
  readonly reportingController?: string;
}

export interface JobDetail {
  readonly job: Job;
  readonly view: JobView;
  readonly conditions: readonly Condition[];
  readonly attempts: readonly JobAttempt[];
  readonly audit: readonly AuditEntry[];
  readonly events: readonly KubeEventView[];
  readonly problems: readonly AccessProblem[];
}

export interface AgentsPage {
  readonly items: readonly AgentView[];
  readonly problems: readonly AccessProblem[];
}

export interface FlagsPage {
  readonly operatorNamespace: string;
  readonly control?: readonly FlagInEffect[];
  readonly featureFlags: readonly FeatureFlag[];
  readonly problems: readonly AccessProblem[];
}

export interface AuditPage {
  readonly items: readonly (AuditEntry & { readonly namespace: string })[];
  readonly problems: readonly AccessProblem[];
}

export interface Session {
  /** How the dashboard knows the user: the caller's kubeconfig (local), a signed-in token, or an authenticating proxy. */
  readonly auth: DashboardAuthMode;
  readonly csrfToken: string;
  readonly scope: string;
  readonly context: string;
  readonly user: string;
  readonly operatorNamespace: string;
}

/** The dashboard's modes: `local` (the caller's kubeconfig, loopback only), and in a cluster `token` (sign-in) or `proxy`. */
export const DASHBOARD_AUTH_MODES = ["local", "token", "proxy"] as const;
export type DashboardAuthMode = (typeof DASHBOARD_AUTH_MODES)[number];

/** What an action did, or why it could not: `ok` false carries the apiserver's refusal in plain words. */
export type ActionResult = { readonly ok: true; readonly message: string; readonly name?: string } | { readonly ok: false; readonly message: string };
