// Time for everything that waits: the real clock (Node timers, safe at any delay) and a manual fake
// for tests. Imports nothing, so agents load it without the queue's metrics.
export type { Clock, Timer } from "./clock.js";
export { FakeClock, MAX_PLATFORM_TIMER_MS, realClock, sleep } from "./clock.js";
