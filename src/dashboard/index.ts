// The Helios dashboard: a web server acting with the caller's kubeconfig (like kubectl proxy), or in a
// cluster as each signed-in user with their own token; shared informers feed a JSON API and server-sent events to the React app in ./web.
export { isUnauthorized, parseAction, runAction, actionSchema, killSwitchSpec, numberFlagSpec, retryJobBody, type DashboardAction } from "./actions.js";
export { jobPage, matchesJobFilter, parseJobQuery, parseLabelPairs } from "./jobs-query.js";
export type * from "./model.js";
export { DASHBOARD_AUTH_MODES, WATCHED_RESOURCES } from "./model.js";
export { assignmentLatencyByMinute, blockedJobs, overview, throughputByMinute } from "./overview.js";
export {
  CONTENT_SECURITY_POLICY,
  PUSH_INTERVAL_MS,
  startDashboardServer,
  type ClusterServerOptions,
  type DashboardServerOptions,
  type LocalServerOptions,
  type RunningDashboard,
} from "./server.js";
export { hostAllowed, parseCookies, reachedOverHttps, sameOrigin, SESSION_COOKIE, sessionCookie, type CookieOptions } from "./http-guards.js";
export { newSessionId, SessionTable, type SessionLimits } from "./sessions.js";
export { UserViews, userViewKey, type UserView, type UserViewsOptions } from "./user-views.js";
export { DashboardWatches, type WatchScope } from "./watches.js";
export { dashboardAssetsDir } from "./assets.js";
export { whoAmI } from "./identity.js";
