// Time source for queues, controllers, leader election and agents: the real one, and a manual fake for tests.
//
// Every wait in Helios goes through `Clock.setTimer` (or `sleep` over it), so the rule "a timer never
// fires early, whatever its delay" lives here once: a Node timer takes at most 2^31-1 ms and fires
// after 1 ms beyond that (TimeoutOverflowWarning), so `realClock` chains timers for longer delays.

/** A scheduled callback that can be cancelled. */
export interface Timer {
  cancel(): void;
}

/**
 * Milliseconds since the epoch plus one-shot timers; everything time-based in the runtime takes one.
 * `setTimer` takes any delay: negative or NaN means "as soon as possible", Infinity means never, and
 * a finite delay of any size fires no earlier than asked.
 */
export interface Clock {
  now(): number;
  setTimer(ms: number, fn: () => void): Timer;
}

/** The longest delay one Node timer takes (about 24.8 days); a longer one would fire after 1 ms. */
export const MAX_PLATFORM_TIMER_MS = 2 ** 31 - 1;

/** The delay `setTimer` honours for `ms`: NaN and negative delays mean now. */
function timerDelay(ms: number): number {
  return Number.isNaN(ms) || ms < 0 ? 0 : ms;
}

/**
 * Node's setTimeout for any delay: up to MAX_PLATFORM_TIMER_MS one timer; beyond it a chain of
 * timers, each re-armed for what is left until a deadline on the monotonic clock (wall-clock jumps
 * do not move it). Only one platform timer is pending at a time.
 */
function setSafeTimeout(fn: () => void, ms: number): Timer {
  const delay = timerDelay(ms);
  if (delay === Infinity) return { cancel: () => undefined };
  const deadline = performance.now() + delay;
  let handle: ReturnType<typeof setTimeout>;
  const arm = (left: number): void => {
    handle = setTimeout(() => {
      const rest = deadline - performance.now();
      if (left <= MAX_PLATFORM_TIMER_MS || rest <= 0) fn();
      else arm(rest);
    }, Math.min(left, MAX_PLATFORM_TIMER_MS));
  };
  arm(delay);
  return { cancel: () => clearTimeout(handle) };
}

/** Wall-clock time and Node timers, safe at any delay. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => setSafeTimeout(fn, ms),
};

/** Resolves after `ms` on `clock`, or at once when `signal` aborts (never rejects). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      timer.cancel();
      resolve();
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

interface FakeTimer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A clock that moves only when told to. `advance(ms)` fires due timers in time order, each with
 * `now()` set to its due time, so code under test sees the same sequence a real clock would give.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Set<FakeTimer>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const timer: FakeTimer = { at: this.#now + timerDelay(ms), seq: this.#seq++, fn };
    this.#timers.add(timer);
    return { cancel: () => this.#timers.delete(timer) };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.at > target) break;
      this.#timers.delete(next);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = target;
  }

  /** Number of timers not yet fired or cancelled. */
  pendingTimers(): number {
    return this.#timers.size;
  }

  #earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.#timers) {
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
