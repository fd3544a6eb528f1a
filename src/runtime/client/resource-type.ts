// Describes one API resource (group/version/plural, scope) and builds its REST paths.

/** What the runtime needs to know to address a resource over REST. */
export interface ResourceType {
  /** API group; "" for the core group (ConfigMaps, Events v1, ...). */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural used in paths, e.g. `jobs`. */
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export interface PathParts {
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
  readonly subresource?: string | undefined;
}

/** `group/version`, or `version` for the core group: the value of `apiVersion`. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === "" ? type.version : `${type.group}/${type.version}`;
}

/**
 * Builds the REST path of a collection (no name) or of one object. A namespaced resource
 * without a namespace addresses all namespaces (lists and watches only).
 */
export function resourcePath(type: ResourceType, parts: PathParts = {}): string {
  const segments = [type.group === "" ? "/api" : `/apis/${encodeURIComponent(type.group)}`, encodeURIComponent(type.version)];
  if (type.namespaced && parts.namespace) segments.push("namespaces", encodeURIComponent(parts.namespace));
  segments.push(encodeURIComponent(type.plural));
  if (parts.name !== undefined) {
    if (parts.name === "") throw new TypeError(`empty name for ${type.plural}`);
    if (type.namespaced && !parts.namespace) throw new TypeError(`${type.plural} is namespaced: a namespace is required`);
    segments.push(encodeURIComponent(parts.name));
    if (parts.subresource) segments.push(encodeURIComponent(parts.subresource));
  }
  return segments.join("/");
}
