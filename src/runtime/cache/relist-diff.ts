// What a relist changed relative to the store: the adds, updates and deletes to deliver.
import { objectKey, type KubeObject } from "../client/index.js";

export interface RelistDiff<T> {
  readonly added: T[];
  readonly updated: { readonly old: T; readonly current: T }[];
  /** Last known state of objects that disappeared while we were not watching. */
  readonly deleted: T[];
}

/**
 * Compares the store's contents with a fresh list. An object counts as updated when its
 * resourceVersion differs (every write bumps it); objects identical in both are left out, since
 * periodic resync, not the relist, is what re-delivers unchanged objects. A name whose uid changed
 * was deleted and re-created: it yields a delete of the old object and an add of the new one.
 */
export function diffRelist<T extends KubeObject>(previous: ReadonlyMap<string, T>, listed: readonly T[]): RelistDiff<T> {
  const added: T[] = [];
  const deleted: T[] = [];
  const updated: { old: T; current: T }[] = [];
  const seen = new Set<string>();
  for (const current of listed) {
    const key = objectKey(current);
    seen.add(key);
    const old = previous.get(key);
    if (old === undefined) added.push(current);
    else if (old.metadata?.uid !== undefined && current.metadata?.uid !== undefined && old.metadata.uid !== current.metadata.uid) {
      // Deleted and re-created under the same name while we were away: two events, not one.
      deleted.push(old);
      added.push(current);
    } else if (old.metadata?.resourceVersion !== current.metadata?.resourceVersion || old.metadata?.resourceVersion === undefined) {
      updated.push({ old, current });
    }
  }
  for (const [key, old] of previous) if (!seen.has(key)) deleted.push(old);
  return { added, updated, deleted };
}
