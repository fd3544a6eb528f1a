// Built-in resources the runtime and agents use, with their wire shapes (timestamps stay strings).
import type { KubeObject, ObjectMeta } from "./object.js";
import type { ResourceType } from "./resource-type.js";

/** coordination.k8s.io/v1 Lease: agent heartbeats and leader election. */
export const LEASES: ResourceType = { group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true };
/** events.k8s.io/v1 Event: what `kubectl events` shows. */
export const EVENTS: ResourceType = { group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true };
/** Core v1 ConfigMap. */
export const CONFIG_MAPS: ResourceType = { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true };
/** Core v1 Namespace. */
export const NAMESPACES: ResourceType = { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false };

/** A Lease as JSON: times are RFC 3339 strings with microseconds (MicroTime). */
export interface Lease extends KubeObject {
  metadata: ObjectMeta & { ownerReferences?: OwnerReference[] | undefined };
  spec?: {
    holderIdentity?: string | undefined;
    leaseDurationSeconds?: number | undefined;
    acquireTime?: string | undefined;
    renewTime?: string | undefined;
    leaseTransitions?: number | undefined;
  };
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean | undefined;
  blockOwnerDeletion?: boolean | undefined;
}

export interface ObjectReference {
  apiVersion?: string | undefined;
  kind?: string | undefined;
  name?: string | undefined;
  namespace?: string | undefined;
  uid?: string | undefined;
  resourceVersion?: string | undefined;
}

/** An events.k8s.io/v1 Event as JSON. `eventTime` is required (MicroTime string). */
export interface KubeEvent extends KubeObject {
  metadata: ObjectMeta;
  eventTime: string;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  type: "Normal" | "Warning";
  regarding: ObjectReference;
  related?: ObjectReference | undefined;
  note?: string | undefined;
  series?: { count: number; lastObservedTime: string } | undefined;
}

/** Core v1 ConfigMap as JSON. */
export interface ConfigMap extends KubeObject {
  metadata: ObjectMeta;
  data?: Record<string, string> | undefined;
}

/** Formats a Date as a Kubernetes MicroTime (RFC 3339 with exactly six fractional digits). */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
