// Reliability invariants, checked after a run (chaos tests, soak, bench): every Job ended exactly
// once, no attempt ran on two agents, and the Job's history, the audit trail and the agents' own
// execution records agree. Pure: the caller gathers the evidence.
export { checkInvariants, formatViolations, type InvariantReport, type InvariantStats } from "./check.js";
export {
  VIOLATION_CODES,
  type AgentExecution,
  type AuditTrailEntry,
  type ExpectedJob,
  type InvariantInput,
  type Violation,
  type ViolationCode,
} from "./types.js";
