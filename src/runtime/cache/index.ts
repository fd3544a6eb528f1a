// Informers: a watched, indexed, in-memory copy of one resource, with change handlers and
// periodic resync; SharedInformer fans one informer per namespace into one store. Reconcilers read
// it through ReadonlyStore; only the informer writes it.
export { Informer, type EventHandler, type InformerLogger, type InformerOptions } from "./informer.js";
export { Interner, SharedValues } from "./intern.js";
export { diffRelist, type RelistDiff } from "./relist-diff.js";
export { SharedInformer, type SharedInformerOptions } from "./shared-informer.js";
export { Store, type IndexFunc, type Indexers, type ReadonlyStore } from "./store.js";
export {
  composeTransforms,
  LAST_APPLIED_ANNOTATION,
  stripLastApplied,
  stripManagedFields,
  stripSpecFields,
  type Transform,
  withoutKeys,
} from "./transform.js";
