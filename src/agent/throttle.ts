// Latest-wins write throttle: at most one write per interval, the newest value wins, nothing when quiet.
import type { Clock, Timer } from "../runtime/queue/index.js";

/**
 * Coalesces a stream of values into writes spaced at least `intervalMs` apart. A value pushed while a
 * write is in flight or too soon after the last one waits; a newer value replaces it. Writes never
 * overlap. Errors of `write` are the writer's business (it logs them); the throttle carries on.
 */
export class LatestWinsThrottle<T> {
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #write: (value: T) => Promise<void>;
  #latest: T | undefined;
  #pending = false;
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #timer: Timer | undefined;
  #inFlight: Promise<void> | undefined;
  #closed = false;

  constructor(intervalMs: number, clock: Clock, write: (value: T) => Promise<void>) {
    this.#intervalMs = intervalMs;
    this.#clock = clock;
    this.#write = write;
  }

  /** The newest value pushed, written or not. */
  get latest(): T | undefined {
    return this.#latest;
  }

  push(value: T): void {
    if (this.#closed) return;
    this.#latest = value;
    this.#pending = true;
    this.#schedule();
  }

  /** Stops writing; resolves when a write in flight has finished. Unwritten values are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    await this.#inFlight;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#inFlight !== undefined || this.#closed) return;
    const wait = this.#lastWriteAt + this.#intervalMs - this.#clock.now();
    if (wait <= 0) {
      this.#flush();
      return;
    }
    this.#timer = this.#clock.setTimer(wait, () => {
      this.#timer = undefined;
      this.#flush();
    });
  }

  #flush(): void {
    if (!this.#pending || this.#closed || this.#latest === undefined) return;
    this.#pending = false;
    this.#lastWriteAt = this.#clock.now();
    const value = this.#latest;
    this.#inFlight = this.#write(value)
      .catch(() => undefined)
      .finally(() => {
        this.#inFlight = undefined;
        if (this.#pending) this.#schedule();
      });
  }
}
