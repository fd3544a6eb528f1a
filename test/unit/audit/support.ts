// Test support for the audit writer: a recording AuditLog client, a log capture, metric reads.
import { Writable } from "node:stream";
import type { Registry } from "prom-client";
import type { AuditEntry, AuditLog } from "../../../src/api/index.js";
import type { AuditLogCreator } from "../../../src/audit/index.js";
import { createLogger } from "../../../src/runtime/log/index.js";
import type { Logger } from "../../../src/runtime/log/index.js";

/** Records creates; `failures` are thrown by the next calls in order, `hold` parks calls until released. */
export class RecordingClient implements AuditLogCreator {
  readonly created: AuditLog[] = [];
  readonly failures: Error[] = [];
  calls = 0;
  failAlways: Error | undefined;

  create(obj: AuditLog): Promise<AuditLog> {
    this.calls += 1;
    const failure = this.failures.shift() ?? this.failAlways;
    if (failure !== undefined) return Promise.reject(failure);
    this.created.push(obj);
    return Promise.resolve(obj);
  }

  entries(namespace?: string): AuditEntry[] {
    return this.created.filter((c) => namespace === undefined || c.metadata.namespace === namespace).flatMap((c) => c.spec.entries);
  }
}

/** A logger whose JSON lines land in `lines`. */
export function captureLog(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ level: "debug", destination }), lines };
}

/** The value of a metric series, 0 when absent. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
  return match?.value ?? 0;
}

/** Polls `condition` on the event loop (no fixed sleeps) until true or the deadline passes. */
export async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met before the deadline");
    await new Promise((resolve) => setImmediate(resolve));
  }
}
