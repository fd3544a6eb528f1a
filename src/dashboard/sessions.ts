// The signed-in sessions of a dashboard in a cluster: a random id (the cookie's value) to what the
// session holds, each ending after `idleMs` without a request or `maxMs` after sign-in, whichever
// comes first. Pure: time is passed in; ids come from `newId`.
import { randomBytes } from "node:crypto";

export interface SessionLimits {
  /** A session ends this long after its last request. */
  readonly idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  readonly maxMs: number;
}

interface Entry<T> {
  readonly value: T;
  readonly createdAt: number;
  lastUsedAt: number;
}

/** A new session id: 32 random bytes, base64url (not guessable, cookie-safe). */
export function newSessionId(): string {
  return randomBytes(32).toString("base64url");
}

/** Sessions by id with idle and absolute expiry. */
export class SessionTable<T> {
  readonly #limits: SessionLimits;
  readonly #newId: () => string;
  readonly #entries = new Map<string, Entry<T>>();

  constructor(limits: SessionLimits, newId: () => string = newSessionId) {
    this.#limits = limits;
    this.#newId = newId;
  }

  /** Starts a session holding `value`; returns its id. */
  create(value: T, nowMs: number): string {
    const id = this.#newId();
    this.#entries.set(id, { value, createdAt: nowMs, lastUsedAt: nowMs });
    return id;
  }

  /** The live session's value, counting this as a request (idle time starts again); undefined when unknown or expired. */
  use(id: string, nowMs: number): T | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined || this.#expired(entry, nowMs)) return undefined;
    entry.lastUsedAt = nowMs;
    return entry.value;
  }

  /** Ends a session; returns its value when there was one. */
  end(id: string): T | undefined {
    const entry = this.#entries.get(id);
    this.#entries.delete(id);
    return entry?.value;
  }

  /** Removes the sessions expired at `nowMs` and returns them (to release what they hold). */
  sweep(nowMs: number): Array<{ readonly id: string; readonly value: T }> {
    const ended: Array<{ readonly id: string; readonly value: T }> = [];
    for (const [id, entry] of this.#entries) {
      if (!this.#expired(entry, nowMs)) continue;
      this.#entries.delete(id);
      ended.push({ id, value: entry.value });
    }
    return ended;
  }

  /** Ends every session and returns their values. */
  clear(): T[] {
    const all = [...this.#entries.values()].map((e) => e.value);
    this.#entries.clear();
    return all;
  }

  get size(): number {
    return this.#entries.size;
  }

  #expired(entry: Entry<T>, nowMs: number): boolean {
    return nowMs - entry.lastUsedAt >= this.#limits.idleMs || nowMs - entry.createdAt >= this.#limits.maxMs;
  }
}
