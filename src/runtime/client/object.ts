// The shape every Kubernetes object shares, kept loose so zod-inferred and client-node types both fit.

/**
 * The metadata fields the runtime reads. Optional fields admit `undefined` explicitly so that types
 * inferred by zod (which add `| undefined` under exactOptionalPropertyTypes) are assignable.
 */
export interface ObjectMeta {
  name?: string | undefined;
  generateName?: string | undefined;
  namespace?: string | undefined;
  uid?: string | undefined;
  resourceVersion?: string | undefined;
  generation?: number | undefined;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
}

/** Any Kubernetes object: the runtime is generic over this. */
export interface KubeObject {
  apiVersion?: string | undefined;
  kind?: string | undefined;
  metadata?: ObjectMeta | undefined;
}

/** Names one object: `namespace` is ignored for cluster-scoped resources. */
export interface ObjectRef {
  readonly name: string;
  readonly namespace?: string | undefined;
}

/** A list response: items plus the collection's resourceVersion (where a watch resumes). */
export interface ObjectList<T> {
  readonly items: T[];
  readonly metadata: { readonly resourceVersion: string; readonly continue?: string | undefined };
}

/** The key a store files an object under: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new TypeError("object has no metadata.name");
  return keyOf(obj.metadata?.namespace, name);
}

/** Builds a store key from its parts (the inverse of `splitKey`). */
export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Splits a store key into namespace (undefined when cluster-scoped) and name. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf("/");
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
