// Bounds how many writes are in flight at once, across dispatch cycles; urgent writes are sent first.

export type WritePriority = "urgent" | "routine";

/** One submitted write: `started` resolves when it got a slot and began, `done` with its result. */
export interface Submitted<R> {
  readonly started: Promise<void>;
  readonly done: Promise<R>;
}

/**
 * A semaphore with two FIFO queues. A cycle submits its writes and waits only until they have
 * started (backpressure), so the next cycle can plan while they are in flight; `urgent` writes
 * (assignments) overtake queued `routine` ones (Pending conditions).
 */
export class WriteSlots {
  readonly #limit: number;
  #busy = 0;
  readonly #queued: Record<WritePriority, (() => void)[]> = { urgent: [], routine: [] };
  readonly #unfinished = new Set<Promise<unknown>>();

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /** Writes started and not finished, plus those waiting for a slot. */
  get pending(): number {
    return this.#unfinished.size;
  }

  /** Runs `write` once a slot is free. `write` should not throw; if it does, `done` rejects. */
  submit<R>(priority: WritePriority, write: () => Promise<R>): Submitted<R> {
    const started = new Promise<void>((begin) => {
      if (this.#busy < this.#limit) {
        this.#busy++;
        begin();
      } else {
        this.#queued[priority].push(begin);
      }
    });
    const done = started.then(async () => {
      try {
        return await write();
      } finally {
        this.#release();
      }
    });
    const tracked = done.then(
      () => undefined,
      () => undefined,
    );
    this.#unfinished.add(tracked);
    void tracked.then(() => this.#unfinished.delete(tracked));
    return { started, done };
  }

  /** Resolves once every write submitted so far (and any submitted meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.#unfinished.size > 0) await Promise.all(this.#unfinished);
  }

  #release(): void {
    // The slot passes straight to the next waiter, so #busy only drops when no one waits.
    const next = this.#queued.urgent.shift() ?? this.#queued.routine.shift();
    if (next === undefined) this.#busy--;
    else next();
  }
}
