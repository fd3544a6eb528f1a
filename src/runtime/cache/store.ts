// The informer's in-memory store: objects by key, by namespace, and by indexes declared up front.
import { keyOf, objectKey, type KubeObject } from "../client/index.js";

/** An index function returns the values an object is filed under (none, one or several). */
export type IndexFunc<T> = (obj: T) => readonly string[];
export type Indexers<T> = Readonly<Record<string, IndexFunc<T>>>;

/**
 * What reconcilers see. Objects are shared with the informer: treat them as immutable and copy
 * (`structuredClone`) before changing anything.
 */
export interface ReadonlyStore<T> {
  /** By `namespace/name` (or `name` for cluster-scoped objects). */
  get(key: string): T | undefined;
  getByName(namespace: string | undefined, name: string): T | undefined;
  list(): T[];
  listByNamespace(namespace: string): T[];
  /** Objects whose index function returned `value`; throws for an index not registered. */
  byIndex(indexName: string, value: string): T[];
  keys(): string[];
  readonly size: number;
}

/** Store writes. One writer (the informer's reflector); many readers through ReadonlyStore. */
export class Store<T extends KubeObject> implements ReadonlyStore<T> {
  readonly #items = new Map<string, T>();
  readonly #indexers: Indexers<T>;
  // index name → index value → keys
  readonly #indices = new Map<string, Map<string, Set<string>>>();
  readonly #byNamespace = new Map<string, Set<string>>();

  constructor(indexers: Indexers<T> = {}) {
    this.#indexers = indexers;
    for (const name of Object.keys(indexers)) this.#indices.set(name, new Map());
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.#items.get(keyOf(namespace, name));
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  listByNamespace(namespace: string): T[] {
    return this.#resolve(this.#byNamespace.get(namespace));
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.#indices.get(indexName);
    if (!index) throw new Error(`no index named "${indexName}" (registered: ${[...this.#indices.keys()].join(", ") || "none"})`);
    return this.#resolve(index.get(value));
  }

  /** Adds or replaces; returns the previous object under the same key, if any. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const previous = this.#items.get(key);
    if (previous) this.#unindex(key, previous);
    this.#items.set(key, obj);
    this.#index(key, obj);
    return previous;
  }

  /** Removes by key; returns what was stored, if anything. */
  delete(key: string): T | undefined {
    const previous = this.#items.get(key);
    if (!previous) return undefined;
    this.#unindex(key, previous);
    this.#items.delete(key);
    return previous;
  }

  /** A snapshot of the current contents, for diffing against a relist. */
  snapshot(): ReadonlyMap<string, T> {
    return new Map(this.#items);
  }

  #resolve(keys: Set<string> | undefined): T[] {
    const out: T[] = [];
    for (const key of keys ?? []) {
      const obj = this.#items.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  #index(key: string, obj: T): void {
    const namespace = obj.metadata?.namespace;
    if (namespace) addTo(this.#byNamespace, namespace, key);
    for (const [name, fn] of Object.entries(this.#indexers)) {
      const index = this.#indices.get(name);
      if (index) for (const value of indexValues(fn, obj)) addTo(index, value, key);
    }
  }

  #unindex(key: string, obj: T): void {
    const namespace = obj.metadata?.namespace;
    if (namespace) removeFrom(this.#byNamespace, namespace, key);
    for (const [name, fn] of Object.entries(this.#indexers)) {
      const index = this.#indices.get(name);
      if (index) for (const value of indexValues(fn, obj)) removeFrom(index, value, key);
    }
  }
}

/**
 * The values `fn` files `obj` under. An index function that throws on a malformed object (one the
 * schema should have refused) files it under none, so one bad object cannot stop the informer.
 */
function indexValues<T>(fn: IndexFunc<T>, obj: T): Set<string> {
  try {
    return new Set(fn(obj));
  } catch {
    return new Set();
  }
}

function addTo(map: Map<string, Set<string>>, value: string, key: string): void {
  let keys = map.get(value);
  if (!keys) map.set(value, (keys = new Set()));
  keys.add(key);
}

function removeFrom(map: Map<string, Set<string>>, value: string, key: string): void {
  const keys = map.get(value);
  if (!keys) return;
  keys.delete(key);
  // Drop empty buckets so a long-running operator does not accumulate dead index values.
  if (keys.size === 0) map.delete(value);
}
