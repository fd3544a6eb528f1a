// The work queue between informer events and reconcile workers: de-duplicating, dirty-aware,
// delaying and rate-limited (client-go's workqueue), plus the Clock that all runtime timing uses (from ../clock).
export type { Clock, Timer } from "../clock/index.js";
export { FakeClock, MAX_PLATFORM_TIMER_MS, realClock, sleep } from "../clock/index.js";
export type { RateLimiter } from "./rate-limiter.js";
export {
  BucketRateLimiter,
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_DELAY_MS,
  defaultControllerRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
} from "./rate-limiter.js";
export { registerQueueMetrics } from "./metrics.js";
export type { WorkQueueOptions } from "./work-queue.js";
export { WorkQueue } from "./work-queue.js";
