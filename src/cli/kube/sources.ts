// Where commands read objects from: one consistent list per query, or informers kept live for --watch.
import { Informer } from "../../runtime/cache/index.js";
import type { KubeObject, ResourceClient } from "../../runtime/client/index.js";
import { explainApiError, type RequestTarget } from "./errors.js";

/** One list a command needs: a resource, a namespace (undefined: all) and optional field and label selectors. */
export interface Query<T extends KubeObject> {
  readonly client: ResourceClient<T>;
  readonly namespace?: string | undefined;
  readonly fieldSelector?: string | undefined;
  readonly labelSelector?: string | undefined;
}

/**
 * Reads the objects of a query. Commands render from a source, so the same code prints once
 * (ListSource) and re-renders from caches under --watch (InformerSource).
 */
export interface ObjectSource {
  list<T extends KubeObject>(query: Query<T>): Promise<readonly T[]>;
}

function resourceOf(client: ResourceClient<KubeObject>): string {
  const { plural, group } = client.type;
  return group === "" ? plural : `${plural}.${group}`;
}

/** Lists each query from the apiserver (every page, one snapshot); failures are explained for the user. */
export class ListSource implements ObjectSource {
  readonly #target: RequestTarget;

  constructor(target: RequestTarget) {
    this.#target = target;
  }

  async list<T extends KubeObject>(query: Query<T>): Promise<readonly T[]> {
    try {
      const list = await query.client.listAll({ namespace: query.namespace, fieldSelector: query.fieldSelector, labelSelector: query.labelSelector });
      return list.items;
    } catch (err) {
      throw explainApiError(err, { verb: "list", resource: resourceOf(query.client), namespace: query.namespace }, this.#target);
    }
  }
}

/**
 * One informer per distinct query, started on first use and kept until `signal` aborts; every
 * add, update or delete calls `onChange`. Lists return the informer's cache once it has synced.
 * Informers retry failures forever, so list once with a ListSource first to surface errors.
 */
export class InformerSource implements ObjectSource {
  readonly #signal: AbortSignal;
  readonly #onChange: () => void;
  // Keyed by resource, namespace and selectors, so each entry lists objects of one type.
  readonly #informers = new Map<string, { readonly synced: Promise<boolean>; readonly list: () => readonly KubeObject[] }>();

  constructor(signal: AbortSignal, onChange: () => void) {
    this.#signal = signal;
    this.#onChange = onChange;
  }

  async list<T extends KubeObject>(query: Query<T>): Promise<readonly T[]> {
    const key = `${resourceOf(query.client)}|${query.namespace ?? ""}|${query.fieldSelector ?? ""}|${query.labelSelector ?? ""}`;
    let entry = this.#informers.get(key);
    if (entry === undefined) {
      const informer = new Informer<T>(query.client, {
        namespace: query.namespace,
        fieldSelector: query.fieldSelector,
        labelSelector: query.labelSelector,
        resyncPeriodMs: 0,
      });
      const changed = (): void => this.#onChange();
      informer.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
      void informer.start(this.#signal);
      entry = { synced: informer.waitForSync(this.#signal), list: () => informer.store.list() };
      this.#informers.set(key, entry);
    }
    await entry.synced;
    // The key includes the resource, so this entry's objects are the query's T.
    return entry.list() as T[];
  }
}
