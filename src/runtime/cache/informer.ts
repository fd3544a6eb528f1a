// The informer: a watcher feeding a reflector that writes the store and tells handlers what changed.
//
// Flow: Watcher (list+watch, never gives up) → apply(event) writes the Store → handlers get
// onAdd/onUpdate/onDelete in store order. A relist is diffed against the store, so objects that
// changed or vanished while the watch was down still reach handlers (no final state is missed).
// A periodic resync re-delivers every cached object as onUpdate(obj, obj) so level-triggered
// controllers revisit everything even if an event was mishandled.
//
// Caveats: handlers run synchronously on the informer's event path; keep them cheap (enqueue a
// key) and do not throw (a throw is logged and swallowed). Objects are shared: do not mutate them.
import { pino, type Logger } from "pino";
import { objectKey, type KubeObject, type ResourceReader } from "../client/index.js";
import { Watcher, type WatcherEvent, type WatcherNotice, type WatcherOptions } from "../watch/index.js";
import { diffRelist } from "./relist-diff.js";
import { Store, type Indexers, type ReadonlyStore } from "./store.js";

/** Callbacks for changes; every one is optional. */
export interface EventHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export type InformerLogger = Pick<Logger, "debug" | "info" | "warn" | "error">;

export interface InformerOptions<T> extends WatcherOptions<T> {
  /** Names the informer in logs and as a Runnable. Default: the client's resource plural. */
  readonly name?: string;
  /** Re-deliver everything as updates this often; 0 turns it off. Default 10 h (controller-runtime's SyncPeriod). */
  readonly resyncPeriodMs?: number;
  /** Indexes for `store.byIndex`, declared up front. */
  readonly indexers?: Indexers<T>;
  readonly log?: InformerLogger;
  /** Watch lifecycle notices, for metrics. */
  readonly onNotice?: (notice: WatcherNotice) => void;
  /**
   * Called when the connection to the apiserver is lost (a list or watch failed) and when it is back
   * (a list, event or bookmark arrived after a failure); once per change. The informer starts healthy.
   */
  readonly onHealthChange?: (healthy: boolean) => void;
}

/** A cached, watched view of one resource. A Runnable: `{ name, needsLeaderElection: false, start }`. */
export class Informer<T extends KubeObject> {
  readonly name: string;
  readonly needsLeaderElection = false;
  readonly #store: Store<T>;
  readonly #watcher: Watcher<T>;
  readonly #options: InformerOptions<T>;
  readonly #log: InformerLogger;
  readonly #handlers = new Set<EventHandler<T>>();
  readonly #stopper = new AbortController();
  readonly #synced: PromiseWithResolvers<boolean> = Promise.withResolvers<boolean>();
  #hasSynced = false;
  #started = false;
  #lastSyncResourceVersion = "";
  #healthy = true;

  constructor(client: ResourceReader<T> & { readonly type?: { readonly plural: string } }, options: InformerOptions<T> = {}) {
    this.name = options.name ?? `informer/${client.type?.plural ?? "unknown"}`;
    this.#options = options;
    this.#store = new Store(options.indexers);
    this.#watcher = new Watcher(client, options);
    this.#log = options.log ?? pino({ level: "silent" });
  }

  /** Read-only view for reconcilers. */
  get store(): ReadonlyStore<T> {
    return this.#store;
  }

  /** True once the first list has been applied. */
  hasSynced(): boolean {
    return this.#hasSynced;
  }

  /** The resourceVersion of the last list, event or bookmark applied. */
  get lastSyncResourceVersion(): string {
    return this.#lastSyncResourceVersion;
  }

  /** Resolves true once synced; false if `signal` aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#hasSynced) return Promise.resolve(true);
    if (!signal) return this.#synced.promise;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(false);
      signal.addEventListener("abort", onAbort, { once: true });
      void this.#synced.promise.then((synced) => {
        signal.removeEventListener("abort", onAbort);
        resolve(synced);
      });
    });
  }

  /**
   * Registers handlers; returns a function that unregisters them. Added after sync, the handler
   * first receives onAdd for every cached object, so late subscribers see the same world.
   */
  addEventHandler(handler: EventHandler<T>): () => void {
    this.#handlers.add(handler);
    if (this.#hasSynced && handler.onAdd) {
      for (const obj of this.#store.list()) this.#call("onAdd", () => handler.onAdd?.(obj));
    }
    return () => this.#handlers.delete(handler);
  }

  /** Runs until `signal` aborts or `stop()` is called; resolves then. Start once. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new Error(`${this.name} already started`);
    this.#started = true;
    const runSignal = AbortSignal.any([signal, this.#stopper.signal]);
    const resyncPeriodMs = this.#options.resyncPeriodMs ?? 10 * 60 * 60 * 1000;
    const resyncTimer = resyncPeriodMs > 0 ? setInterval(() => this.#resync(), resyncPeriodMs) : undefined;
    resyncTimer?.unref();
    try {
      await this.#watcher.run(
        runSignal,
        (event) => this.#apply(event),
        (notice) => this.#notice(notice),
      );
    } finally {
      clearInterval(resyncTimer);
      this.#synced.resolve(this.#hasSynced);
    }
  }

  /** Stops the informer; `start` resolves soon after. */
  stop(): void {
    this.#stopper.abort();
  }

  #apply(event: WatcherEvent<T>): void {
    // Before handlers run: whatever they report after an outage then comes after "recovered".
    this.#setHealthy(true);
    switch (event.type) {
      case "Listed": {
        const diff = diffRelist(this.#store.snapshot(), event.objects);
        for (const obj of diff.deleted) this.#store.delete(objectKey(obj));
        for (const obj of diff.added) this.#store.upsert(obj);
        for (const { current } of diff.updated) this.#store.upsert(current);
        this.#lastSyncResourceVersion = event.resourceVersion;
        for (const obj of diff.deleted) this.#deliver("onDelete", (h) => h.onDelete?.(obj));
        for (const obj of diff.added) this.#deliver("onAdd", (h) => h.onAdd?.(obj));
        for (const { old, current } of diff.updated) this.#deliver("onUpdate", (h) => h.onUpdate?.(old, current));
        this.#log.debug(
          { informer: this.name, resourceVersion: event.resourceVersion, added: diff.added.length, updated: diff.updated.length, deleted: diff.deleted.length },
          "listed",
        );
        if (!this.#hasSynced) {
          this.#hasSynced = true;
          this.#synced.resolve(true);
        }
        return;
      }
      case "Added":
      case "Modified": {
        const old = this.#store.upsert(event.object);
        this.#advance(event.object);
        if (old) this.#deliver("onUpdate", (h) => h.onUpdate?.(old, event.object));
        else this.#deliver("onAdd", (h) => h.onAdd?.(event.object));
        return;
      }
      case "Deleted": {
        this.#store.delete(objectKey(event.object));
        this.#advance(event.object);
        this.#deliver("onDelete", (h) => h.onDelete?.(event.object));
        return;
      }
      case "Bookmark":
        this.#lastSyncResourceVersion = event.resourceVersion;
        return;
    }
  }

  #advance(obj: T): void {
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.#lastSyncResourceVersion = rv;
  }

  #resync(): void {
    if (!this.#hasSynced) return;
    for (const obj of this.#store.list()) this.#deliver("onUpdate", (h) => h.onUpdate?.(obj, obj));
  }

  #deliver(what: keyof EventHandler<T>, call: (handler: EventHandler<T>) => void): void {
    for (const handler of this.#handlers) this.#call(what, () => call(handler));
  }

  #call(what: keyof EventHandler<T>, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.#log.error({ informer: this.name, handler: what, err }, "event handler threw");
    }
  }

  #setHealthy(healthy: boolean): void {
    if (this.#healthy === healthy) return;
    this.#healthy = healthy;
    try {
      this.#options.onHealthChange?.(healthy);
    } catch (err) {
      this.#log.error({ informer: this.name, err }, "health listener threw");
    }
  }

  #notice(notice: WatcherNotice): void {
    this.#options.onNotice?.(notice);
    switch (notice.type) {
      case "Failed":
        this.#setHealthy(false);
        this.#log.warn({ informer: this.name, during: notice.during, err: notice.error, retryInMs: notice.retryInMs }, "watch failed; retrying");
        return;
      case "WatchExpired":
        this.#log.info({ informer: this.name }, "watch expired (410); relisting");
        return;
      case "ListStarted":
        if (notice.reason === "recover") this.#log.info({ informer: this.name }, "watch refused or not progressing; relisting");
        else this.#log.debug({ informer: this.name, ...notice }, "watch");
        return;
      default:
        this.#log.debug({ informer: this.name, ...notice }, "watch");
    }
  }
}
