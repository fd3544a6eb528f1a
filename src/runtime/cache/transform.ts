// Cache transforms: what an informer may drop from objects before storing them.
import type { KubeObject, ObjectMeta } from "../client/index.js";

/**
 * Drops `metadata.managedFields` (controller-runtime's TransformStripManagedFields). No reader of
 * the cache needs them, and they are about half of a small object's JSON (a Helios Job after
 * create, assign and finish: 1 096 of 2 236 bytes). Writing a cached object back is still safe:
 * an update without managedFields keeps the server's, by design of server-side field management.
 */
export function stripManagedFields<T extends KubeObject>(obj: T): T {
  const metadata = obj.metadata as (ObjectMeta & { managedFields?: unknown }) | undefined;
  if (metadata?.managedFields === undefined) return obj;
  const rest: ObjectMeta & { managedFields?: unknown } = { ...metadata };
  delete rest.managedFields;
  return { ...obj, metadata: rest };
}
