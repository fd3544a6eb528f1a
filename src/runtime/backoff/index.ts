// Retry timing: the capped exponential backoff every retry delay uses (watch reconnects, the work
// queue's rate limiter, audit writes, lease renewals, the agent's status writes). Pure; imports nothing.
export { exponentialBackoff, type ExponentialBackoff } from "./backoff.js";
