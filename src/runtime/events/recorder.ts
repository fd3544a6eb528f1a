// Kubernetes Events (events.k8s.io/v1) for transitions users should see in `kubectl describe`.
//
// Flow: `event(obj, ...)` returns at once; the Event is created in the background. The same
// (object, reason, note) within the series window becomes one Event whose `series.count` grows,
// as client-go's event broadcaster does, so a flapping agent cannot flood the apiserver.
// Guarantees: best effort, like every Kubernetes event recorder; failures are logged at debug.
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { EVENTS, microTime, type KubeEvent, type KubeObject, type ResourceClient } from "../client/index.js";

export type EventType = "Normal" | "Warning";

export interface EventRecorder {
  /** `reason` is CamelCase (e.g. AgentOffline); `action` what was done (e.g. Requeue); `note` for humans. */
  event(regarding: KubeObject, type: EventType, reason: string, action: string, note: string): void;
}

export interface EventRecorderOptions {
  /** e.g. `helios.dev/operator`. */
  readonly reportingController: string;
  /** This process, e.g. the pod or host name. */
  readonly reportingInstance: string;
  readonly log?: Pick<Logger, "debug">;
  readonly now?: () => Date;
  /** Identical events within this window update one series. Default 10 min. */
  readonly seriesWindowMs?: number;
  /**
   * Series remembered at most (client-go's event correlator keeps an LRU of 4096): memory stays
   * flat however many objects get events; a forgotten series just starts a new Event. Default 4096.
   */
  readonly maxSeries?: number;
}

interface Series {
  readonly name: string;
  readonly namespace: string;
  count: number;
  firstSeen: number;
  inFlight: Promise<unknown>;
}

/** Records Events through `client` (a ResourceClient for EVENTS). */
export class ApiEventRecorder implements EventRecorder {
  readonly #client: ResourceClient<KubeEvent>;
  readonly #options: EventRecorderOptions;
  readonly #series = new Map<string, Series>();
  /** Writes not yet settled, including those of series already forgotten, for `flush`. */
  readonly #unsettled = new Set<Promise<unknown>>();

  constructor(client: ResourceClient<KubeEvent>, options: EventRecorderOptions) {
    if (client.type !== EVENTS && client.type.plural !== EVENTS.plural) throw new TypeError("ApiEventRecorder needs an events.k8s.io client");
    this.#client = client;
    this.#options = options;
  }

  event(regarding: KubeObject, type: EventType, reason: string, action: string, note: string): void {
    const namespace = regarding.metadata?.namespace ?? "default";
    const now = (this.#options.now ?? (() => new Date()))();
    const key = `${regarding.metadata?.uid ?? regarding.metadata?.name}/${reason}/${note}`;
    const windowMs = this.#options.seriesWindowMs ?? 10 * 60_000;
    const series = this.#series.get(key);
    if (series && now.getTime() - series.firstSeen < windowMs) {
      series.count += 1;
      const count = series.count;
      series.inFlight = this.#track(
        series.inFlight
          .then(() =>
            this.#client.mergePatch(
              { namespace: series.namespace, name: series.name },
              { series: { count, lastObservedTime: microTime(now) } },
            ),
          )
          .catch((err: unknown) => this.#options.log?.debug({ err, reason }, "event series update failed")),
      );
      return;
    }
    this.#prune(now.getTime(), windowMs);
    const name = `${regarding.metadata?.name ?? "object"}.${randomBytes(6).toString("hex")}`;
    const body: KubeEvent = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name, namespace },
      eventTime: microTime(now),
      reportingController: this.#options.reportingController,
      reportingInstance: this.#options.reportingInstance,
      action,
      reason,
      type,
      note: note.slice(0, 1024),
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name: regarding.metadata?.name,
        namespace: regarding.metadata?.namespace,
        uid: regarding.metadata?.uid,
      },
    };
    const inFlight = this.#track(this.#client.create(body).catch((err: unknown) => this.#options.log?.debug({ err, reason }, "event create failed")));
    this.#series.set(key, { name, namespace, count: 1, firstSeen: now.getTime(), inFlight });
    // Insertion order is age order (a series is never re-inserted): drop the oldest beyond the cap.
    const max = this.#options.maxSeries ?? 4096;
    for (const key of this.#series.keys()) {
      if (this.#series.size <= max) break;
      this.#series.delete(key);
    }
  }

  /** Waits for Events still being written (tests, graceful shutdown). */
  async flush(): Promise<void> {
    await Promise.all(this.#unsettled);
  }

  #track(write: Promise<unknown>): Promise<unknown> {
    this.#unsettled.add(write);
    void write.finally(() => this.#unsettled.delete(write));
    return write;
  }

  #prune(nowMs: number, windowMs: number): void {
    for (const [key, s] of this.#series) if (nowMs - s.firstSeen >= windowMs) this.#series.delete(key);
  }
}
