// The Helios dashboard: a local web server acting with the caller's kubeconfig (like kubectl proxy),
// whose shared informers feed a JSON API and server-sent events to the React app in ./web.
export { parseAction, runAction, actionSchema, killSwitchSpec, numberFlagSpec, retryJobBody, type DashboardAction } from "./actions.js";
export { jobPage, matchesJobFilter, parseJobQuery, parseLabelPairs } from "./jobs-query.js";
export type * from "./model.js";
export { WATCHED_RESOURCES } from "./model.js";
export { assignmentLatencyByMinute, blockedJobs, overview, throughputByMinute } from "./overview.js";
export { CONTENT_SECURITY_POLICY, PUSH_INTERVAL_MS, startDashboardServer, type DashboardServerOptions, type RunningDashboard } from "./server.js";
export { DashboardWatches, type WatchScope } from "./watches.js";
export { dashboardAssetsDir } from "./assets.js";
export { whoAmI } from "./identity.js";
