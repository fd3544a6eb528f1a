// Helpers for the dashboard's browser tests: `helios dashboard` as a process logging with the jobs
// tests' logs, and Debian's Chromium driven by playwright-core (both from hack/dashboard, shared with the bench).
import { join } from "node:path";
import { startDashboardProcess as startProcess, type RunningDashboardProcess } from "../../../hack/dashboard/index.js";
import { LOG_DIR } from "../jobs/support.js";

export { ensureDashboardBuilt, launchBrowser, type RunningDashboardProcess } from "../../../hack/dashboard/index.js";
export const SCREENSHOT_DIR = join(process.cwd(), ".helios", "screenshots");

/** Starts `helios dashboard --port 0 ARGS` and resolves with the URL it prints. */
export function startDashboardProcess(args: readonly string[], logName: string, timeoutMs = 60_000): Promise<RunningDashboardProcess> {
  return startProcess(args, LOG_DIR, logName, timeoutMs);
}

/**
 * A ServiceAccount `name` in `ns` whose Role there covers what the dashboard reads and does (and
 * nothing elsewhere): a tenant of one namespace. Apply it with `kubectl apply -f -`.
 */
export function namespaceUserManifest(ns: string, name: string): string {
  return `
apiVersion: v1
kind: ServiceAccount
metadata: { name: ${name}, namespace: ${ns} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: ${name}, namespace: ${ns} }
rules:
  - { apiGroups: ["helios.dev"], resources: ["jobs", "agents", "featureflags"], verbs: ["get", "list", "watch", "create", "patch", "update"] }
  - { apiGroups: ["helios.dev"], resources: ["auditlogs"], verbs: ["get", "list", "watch"] }
  - { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch"] }
  - { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["get", "list", "watch"] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: ${name}, namespace: ${ns} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${name} }
subjects:
  - { kind: ServiceAccount, name: ${name}, namespace: ${ns} }
`;
}
