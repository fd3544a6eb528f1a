// Presentation for the operator-facing commands: kubectl-style tables, -o formats, durations, the
// --watch re-render loop, and the pure views (jobs, agents, status) that turn objects into rows.
// (`helios audit` formats its rows in ./audit.ts; all share the kubectl table style.)
export { formatAuditTable, type AuditTableOptions } from "./audit.js";
export { formatColumns, formatTable, oneLine, type Column } from "./table.js";
export { ageOf, durationCell, humanDuration } from "./durations.js";
export { formatDocument, isDocumentFormat, OUTPUT_FORMATS, parseOutputFormat, type OutputFormat } from "./format.js";
export { printView, type ViewSpec } from "./view-runner.js";
export { createWatchLoop, isInteractive, watchSignal, type WatchContext, type WatchLoopOptions } from "./watch.js";
export {
  formatJobTable,
  jobReason,
  jobRunMs,
  jobView,
  jobWaitMs,
  queuedAtMs,
  sortJobViews,
  type JobView,
} from "./job-view.js";
export {
  agentViews,
  formatAgentTable,
  inflightByAgent,
  leasesByAgent,
  quarantineCell,
  sortAgentViews,
  type AgentView,
} from "./agent-view.js";
export {
  flagsInEffect,
  formatStatus,
  statusSummary,
  summarizeAgents,
  summarizeQueues,
  type AgentSummary,
  type FlagInEffect,
  type FlagSource,
  type QueueSummary,
  type StatusSummary,
} from "./status-view.js";
export { describeCancel, describeDispatchState, describeDrain, describeUncordon } from "./steering.js";
export { formatJobDetail } from "./job-detail.js";
export {
  describeEnding,
  describeSubmitted,
  describeSucceeded,
  jobReference,
  SUBMIT_OUTPUT_FORMATS,
  WAIT_EXIT_CODES,
  type SubmitOutputFormat,
} from "./job-outcome.js";
