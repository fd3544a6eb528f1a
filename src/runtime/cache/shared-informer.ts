// One cache of a resource over a set of namespaces: an Informer per namespace (or one for all) behind one store.
//
// `--namespace` may name several namespaces and RBAC may allow no cluster-wide list, so the
// operator runs one list+watch per namespace; controllers still want a single store and a single
// event source. This class fans the informers in: its store reads across them (a key's namespace
// picks the informer), its handlers receive every informer's events, and it has synced once all have.
import type { KubeObject, ResourceReader } from "../client/index.js";
import { Informer, type EventHandler, type InformerOptions } from "./informer.js";
import type { ReadonlyStore } from "./store.js";

/** What the operator's controllers read and subscribe to; started by the manager on every replica. */
export interface SharedInformerOptions<T> extends Omit<InformerOptions<T>, "namespace" | "name"> {
  /** Namespaces to cache; empty means all namespaces (one cluster-wide watch). */
  readonly namespaces: readonly string[];
}

/** An informer over one or many namespaces with one read-only store. */
export class SharedInformer<T extends KubeObject> {
  readonly name: string;
  readonly needsLeaderElection = false;
  readonly store: ReadonlyStore<T>;
  readonly #informers: ReadonlyMap<string, Informer<T>>;

  constructor(name: string, client: ResourceReader<T> & { readonly type?: { readonly plural: string } }, options: SharedInformerOptions<T>) {
    this.name = name;
    const { namespaces, ...rest } = options;
    const unique = [...new Set(namespaces)];
    const informers = new Map<string, Informer<T>>();
    if (unique.length === 0) informers.set("", new Informer(client, { ...rest, name }));
    for (const ns of unique) informers.set(ns, new Informer(client, { ...rest, namespace: ns, name: `${name}/${ns}` }));
    this.#informers = informers;
    const only = informers.size === 1 ? [...informers.values()][0] : undefined;
    this.store = only !== undefined ? only.store : new MultiNamespaceStore(informers);
  }

  /** The namespaces cached; empty means all. */
  get namespaces(): readonly string[] {
    return [...this.#informers.keys()].filter((ns) => ns !== "");
  }

  hasSynced(): boolean {
    for (const informer of this.#informers.values()) if (!informer.hasSynced()) return false;
    return true;
  }

  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const synced = await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(signal)));
    return synced.every(Boolean);
  }

  /** Registers `handler` on every namespace's informer; returns a function that unregisters it. */
  addEventHandler(handler: EventHandler<T>): () => void {
    const removers = [...this.#informers.values()].map((i) => i.addEventHandler(handler));
    return () => {
      for (const remove of removers) remove();
    };
  }

  /** Runs every informer until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.start(signal)));
  }
}

/** Reads across per-namespace stores; a key's namespace selects the store. */
class MultiNamespaceStore<T> implements ReadonlyStore<T> {
  readonly #byNamespace: ReadonlyMap<string, { readonly store: ReadonlyStore<T> }>;

  constructor(byNamespace: ReadonlyMap<string, { readonly store: ReadonlyStore<T> }>) {
    this.#byNamespace = byNamespace;
  }

  get size(): number {
    let n = 0;
    for (const { store } of this.#byNamespace.values()) n += store.size;
    return n;
  }

  get(key: string): T | undefined {
    const slash = key.indexOf("/");
    return slash < 0 ? undefined : this.#byNamespace.get(key.slice(0, slash))?.store.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return namespace === undefined ? undefined : this.#byNamespace.get(namespace)?.store.getByName(namespace, name);
  }

  list(): T[] {
    return this.#all((s) => s.list());
  }

  listByNamespace(namespace: string): T[] {
    return this.#byNamespace.get(namespace)?.store.listByNamespace(namespace) ?? [];
  }

  byIndex(indexName: string, value: string): T[] {
    return this.#all((s) => s.byIndex(indexName, value));
  }

  keys(): string[] {
    return this.#all((s) => s.keys());
  }

  #all<R>(read: (store: ReadonlyStore<T>) => R[]): R[] {
    const out: R[] = [];
    for (const { store } of this.#byNamespace.values()) out.push(...read(store));
    return out;
  }
}
