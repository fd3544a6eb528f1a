// Reads a namespace's (or every namespace's) audit trail from the apiserver and applies a query.
import type { AuditLog } from "../api/index.js";
import type { ResourceReader } from "../runtime/client/index.js";
import { queryEntries, sinceDaySelector, type AuditQuery, type AuditRow } from "./query.js";

export interface ReadAuditOptions {
  /** Omit for every namespace the caller may list. */
  readonly namespace?: string | undefined;
  readonly query: AuditQuery;
  /** Epoch ms; bounds the day-label selector of a `sinceMs` query. */
  readonly now: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Lists the AuditLog chunks that can match (by day label when the query has `sinceMs`) and returns
 * the matching entries oldest first. Throws the client's ApiError (Forbidden, NotFound, Network...).
 */
export async function readAuditTrail(client: Pick<ResourceReader<AuditLog>, "listAll">, options: ReadAuditOptions): Promise<AuditRow[]> {
  const { query } = options;
  const labelSelector = query.sinceMs === undefined ? undefined : sinceDaySelector(query.sinceMs, options.now);
  const list = await client.listAll({ namespace: options.namespace, labelSelector, signal: options.signal });
  // Objects written by other clients may lack a spec; the CRD schema makes that unlikely, not impossible.
  const chunks = list.items.filter((c) => Array.isArray(c.spec?.entries));
  return queryEntries(chunks, query);
}
