// The work queue's waiting items: a min-heap by due time (client-go's delaying queue) behind one timer.
//
// Guarantees: an item waits at most once, at its earliest due time (a later `schedule` never
// postpones it); due items come out in due-time order, ties in the order they were scheduled; one
// platform timer is pending at a time however many items wait, so a waiting item costs a map entry
// and a heap slot, not a timer (a controller holds one timer per finished Job for its TTL).
import type { Clock, Timer } from "../clock/index.js";

interface Entry<T> {
  readonly at: number;
  readonly seq: number;
  readonly item: T;
}

/** Holds items until their time, then hands them to `release` (at once if already due). */
export class DelayHeap<T> {
  readonly #clock: Clock;
  readonly #release: (item: T) => void;
  /** The live due time of each waiting item; heap entries that disagree are stale and skipped. */
  readonly #dueAt = new Map<T, number>();
  #heap: Entry<T>[] = [];
  #seq = 0;
  #armed: { readonly at: number; readonly timer: Timer } | undefined;

  constructor(clock: Clock, release: (item: T) => void) {
    this.#clock = clock;
    this.#release = release;
  }

  /** Items waiting. */
  get size(): number {
    return this.#dueAt.size;
  }

  /** Releases `item` at `at` (epoch ms) unless it already waits for an earlier or equal time. */
  schedule(item: T, at: number): void {
    const current = this.#dueAt.get(item);
    if (current !== undefined && current <= at) return;
    this.#dueAt.set(item, at);
    this.#push({ at, seq: this.#seq++, item });
    // Moving items earlier leaves stale entries behind; rebuild when they outnumber the live ones.
    if (this.#heap.length > 2 * this.#dueAt.size + 64) this.#compact();
    this.#arm();
  }

  /** Drops every waiting item and the timer. */
  clear(): void {
    this.#armed?.timer.cancel();
    this.#armed = undefined;
    this.#dueAt.clear();
    this.#heap = [];
  }

  #arm(): void {
    const next = this.#peek();
    if (next === undefined) {
      this.#armed?.timer.cancel();
      this.#armed = undefined;
      return;
    }
    if (this.#armed !== undefined && this.#armed.at <= next.at) return;
    this.#armed?.timer.cancel();
    const timer = this.#clock.setTimer(next.at - this.#clock.now(), () => {
      this.#armed = undefined;
      this.#releaseDue();
    });
    this.#armed = { at: next.at, timer };
  }

  /**
   * Releases every item due by now, then waits for the next. Due times are on the clock's wall time,
   * as the decisions that ask for them are; a timer that fires before its due time on that clock (the
   * wall clock was set back) releases nothing and is armed again.
   */
  #releaseDue(): void {
    const now = this.#clock.now();
    for (;;) {
      const next = this.#peek();
      if (next === undefined || next.at > now) break;
      this.#pop();
      this.#dueAt.delete(next.item);
      this.#release(next.item);
    }
    this.#arm();
  }

  /** The earliest live entry, discarding stale ones on top. */
  #peek(): Entry<T> | undefined {
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined || this.#dueAt.get(top.item) === top.at) return top;
      this.#pop();
    }
  }

  #compact(): void {
    const live = this.#heap.filter((e) => this.#dueAt.get(e.item) === e.at);
    // An item released and scheduled again at the time of one of its stale entries matches both: keep one.
    const seen = new Set<T>();
    this.#heap = [];
    for (const e of live.sort(before)) {
      if (seen.has(e.item)) continue;
      seen.add(e.item);
      this.#heap.push(e); // sorted input is a valid heap
    }
  }

  #push(entry: Entry<T>): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Entry<T>;
      if (before(p, entry) <= 0) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as Entry<T>, heap[left] as Entry<T>) < 0 ? right : left;
      const c = heap[child] as Entry<T>;
      if (before(last, c) <= 0) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): number {
  return a.at - b.at || a.seq - b.seq;
}
