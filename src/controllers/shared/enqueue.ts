// Feeds a controller's queue from a shared informer through a mapper typed on the cached kind.
//
// Controller.watch wants an EventSource of its ObjectLike, whose optional fields exclude
// `undefined`; zod-inferred API objects include it, so they are subscribed here instead. The
// manager starts controllers only after every shared informer synced, so nothing is lost by the
// controller not tracking these sources itself.
import type { Request } from "../../runtime/reconcile/index.js";
import type { SharedInformer } from "./shared-informer.js";
import type { KubeObject } from "../../runtime/client/index.js";

/** Something requests can be queued on (a Controller). */
export interface Enqueuer {
  enqueue(req: Request): void;
}

/** Enqueues `toRequests(obj)` for every add, update (old and new) and delete of `source`; returns an unsubscribe. */
export function enqueueFrom<T extends KubeObject>(
  source: Pick<SharedInformer<T>, "addEventHandler">,
  controller: Enqueuer,
  toRequests: (obj: T) => readonly Request[],
): () => void {
  const push = (obj: T): void => {
    for (const req of toRequests(obj)) controller.enqueue(req);
  };
  return source.addEventHandler({
    onAdd: push,
    onUpdate: (oldObj, newObj) => {
      push(oldObj);
      push(newObj);
    },
    onDelete: push,
  });
}

/** The object's own key. */
export function ownKey(obj: KubeObject): readonly Request[] {
  const name = obj.metadata?.name;
  if (!name) return [];
  const namespace = obj.metadata?.namespace;
  return [namespace ? { namespace, name } : { name }];
}
