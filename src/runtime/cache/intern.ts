// String interning for cached objects: one copy of each repeated string value.
//
// JSON.parse gives every string value of every object its own copy, so 40 000 cached Jobs hold 40 000
// copies of "default", of their namespace, of an agent's name and of each second's timestamp. A cache
// transform that passes the values it keeps through an Interner shares one copy of each.

/** Shares equal strings. Bounded: past `capacity` distinct values it starts afresh (strings already shared stay shared). */
export class Interner {
  readonly #capacity: number;
  #values = new Map<string, string>();

  constructor(capacity = 16_384) {
    this.#capacity = capacity;
  }

  /** The shared copy of `value` (the value itself the first time it is seen). */
  intern<S extends string | undefined>(value: S): S {
    if (value === undefined) return value;
    const known = this.#values.get(value);
    // An equal string, so of the same (literal) type as `value`.
    if (known !== undefined) return known as S;
    if (this.#values.size >= this.#capacity) this.#values = new Map();
    this.#values.set(value, value);
    return value;
  }

  get size(): number {
    return this.#values.size;
  }
}
