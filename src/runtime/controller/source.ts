// What a controller watches: anything that emits object events and knows when its first list is in.

/**
 * The object shape a controller needs from events: enough to build a key. Optional fields admit an
 * explicit `undefined`, as zod-inferred kinds have them under exactOptionalPropertyTypes.
 */
export interface ObjectLike {
  readonly metadata?: { readonly name?: string | undefined; readonly namespace?: string | undefined } | undefined;
}

/** Callbacks an event source invokes; an informer calls them after its store is updated. */
export interface EventHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

/** The slice of an informer a controller uses (the informer itself is started by the manager). */
export interface EventSource<T extends ObjectLike = ObjectLike> {
  addEventHandler(handler: EventHandler<T>): void;
  hasSynced(): boolean;
}
