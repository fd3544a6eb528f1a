// Sharing repeated values between cached objects: one copy of each.
//
// JSON.parse gives every string value of every object its own copy, so 40 000 cached Jobs hold 40 000
// copies of "default", of their namespace, of an agent's name and of each second's timestamp. A cache
// transform that passes the values it keeps through an Interner shares one copy of each; equal
// immutable sub-objects can be shared the same way by key (`SharedValues`).

/** Values by key, made once. Bounded: past `capacity` keys it starts afresh (values already handed out stay shared). */
export class SharedValues<V> {
  readonly #capacity: number;
  #values = new Map<string, V>();

  constructor(capacity = 16_384) {
    this.#capacity = capacity;
  }

  /** The value kept under `key`, made by `make` the first time. Callers treat it as immutable. */
  get(key: string, make: () => V): V {
    const known = this.#values.get(key);
    if (known !== undefined) return known;
    if (this.#values.size >= this.#capacity) this.#values = new Map();
    const value = make();
    this.#values.set(key, value);
    return value;
  }

  get size(): number {
    return this.#values.size;
  }
}

/** Shares equal strings (a SharedValues of strings keyed by themselves). */
export class Interner {
  readonly #strings: SharedValues<string>;

  constructor(capacity = 16_384) {
    this.#strings = new SharedValues(capacity);
  }

  /** The shared copy of `value` (the value itself the first time it is seen). */
  intern<S extends string | undefined>(value: S): S {
    if (value === undefined) return value;
    // An equal string, so of the same (literal) type as `value`.
    return this.#strings.get(value, () => value) as S;
  }

  get size(): number {
    return this.#strings.size;
  }
}
