// ObjectMeta and the small shared field schemas (timestamps, names) every Helios kind uses.
import { z } from "zod";

/**
 * An RFC 3339 timestamp as Kubernetes writes it (`2025-01-02T03:04:05Z`); offsets and fractions are
 * accepted because other clients write them.
 */
export const timestampSchema = z.iso.datetime({ offset: true });
export type Timestamp = z.infer<typeof timestampSchema>;

/** Format a date the way metav1.Time serializes: RFC 3339 in UTC with whole seconds. */
export function formatTime(date: Date): Timestamp {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Epoch ms of an RFC 3339 timestamp; undefined when absent or unparseable. */
export function parseTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** A DNS-1123 label: lowercase alphanumerics and '-', at most 63 characters (queue and agent names). */
export const DNS_LABEL_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
export const dnsLabelSchema = z.string().min(1).max(63).regex(new RegExp(DNS_LABEL_PATTERN));

/** A DNS-1123 subdomain: dot-separated labels, at most 253 characters (names of most objects). */
export const DNS_SUBDOMAIN_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
export const dnsSubdomainSchema = z.string().min(1).max(253).regex(new RegExp(DNS_SUBDOMAIN_PATTERN));

export const ownerReferenceSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});
export type OwnerReference = z.infer<typeof ownerReferenceSchema>;

/**
 * The ObjectMeta fields Helios reads. Unknown keys (managedFields, finalizers, ...) pass through so a
 * parsed object can be written back without losing them. The apiserver owns this schema: it is
 * never emitted into a CRD.
 */
export const objectMetaSchema = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.int().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  creationTimestamp: timestampSchema.optional(),
  deletionTimestamp: timestampSchema.optional(),
  ownerReferences: z.array(ownerReferenceSchema).optional(),
  finalizers: z.array(z.string()).optional(),
});
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

/** A capability an agent offers and a job may require, e.g. `gpu` or `region.eu-west`. */
export const capabilitySchema = z.string().min(1).max(63).regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
