// The controller's worker loop: each reconcile outcome's effect on the queue, metrics and concurrency.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Registry } from "prom-client";
import { TooManyRequestsError } from "../../../../src/runtime/client/index.js";
import { Controller } from "../../../../src/runtime/controller/index.js";
import type { EventHandler, EventSource, ObjectLike } from "../../../../src/runtime/controller/index.js";
import { FakeClock } from "../../../../src/runtime/queue/index.js";
import { TerminalError, awaitChange, requeueAfter, retryWithBackoff } from "../../../../src/runtime/reconcile/index.js";
import type { ReconcileContext, Reconciler, Request, Result } from "../../../../src/runtime/reconcile/index.js";

interface Obj extends ObjectLike {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly owner?: string };
}

// An in-memory event source standing in for an informer (no Kubernetes involved).
class MemorySource implements EventSource<Obj> {
  synced = true;
  readonly #handlers: EventHandler<Obj>[] = [];
  addEventHandler(handler: EventHandler<Obj>): void {
    this.#handlers.push(handler);
  }
  hasSynced(): boolean {
    return this.synced;
  }
  add(obj: Obj): void {
    for (const h of this.#handlers) h.onAdd?.(obj);
  }
  update(oldObj: Obj, newObj: Obj): void {
    for (const h of this.#handlers) h.onUpdate?.(oldObj, newObj);
  }
  delete(obj: Obj): void {
    for (const h of this.#handlers) h.onDelete?.(obj);
  }
}

type Step = Result | Error | Promise<Result>;

// Records every call and answers from a per-key script (default: success).
class RecordingReconciler implements Reconciler {
  readonly calls: { key: string; reconcileId: string }[] = [];
  readonly running = new Map<string, number>();
  maxParallelPerKey = 0;
  maxParallel = 0;
  readonly #script = new Map<string, Step[]>();

  script(key: string, ...steps: Step[]): void {
    this.#script.set(key, steps);
  }

  callsFor(key: string): number {
    return this.calls.filter((c) => c.key === key).length;
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const key = req.namespace === undefined ? req.name : `${req.namespace}/${req.name}`;
    this.calls.push({ key, reconcileId: ctx.reconcileId });
    const n = (this.running.get(key) ?? 0) + 1;
    this.running.set(key, n);
    this.maxParallelPerKey = Math.max(this.maxParallelPerKey, n);
    this.maxParallel = Math.max(this.maxParallel, [...this.running.values()].reduce((a, b) => a + b, 0));
    try {
      const step = this.#script.get(key)?.shift() ?? awaitChange();
      if (step instanceof Error) throw step;
      return await step;
    } finally {
      this.running.set(key, (this.running.get(key) ?? 1) - 1);
    }
  }
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (m === undefined) throw new Error(`no metric ${name}`);
  const { values } = await m.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want));
  return hit?.value ?? 0;
}

const obj = (name: string, namespace = "ns", owner?: string): Obj => ({
  metadata: { name, namespace, ...(owner === undefined ? {} : { owner }) },
});

const stops: AbortController[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s.abort();
});

function setup(workers = 1) {
  const clock = new FakeClock();
  const registry = new Registry();
  const source = new MemorySource();
  const reconciler = new RecordingReconciler();
  const controller = new Controller({ name: "test", reconciler, clock, registry, maxConcurrentReconciles: workers });
  controller.watch(source);
  const stop = new AbortController();
  stops.push(stop);
  const run = () => controller.start(stop.signal);
  const total = (result: string) => metric(registry, "controller_runtime_reconcile_total", { controller: "test", result });
  return { clock, registry, source, reconciler, controller, stop, run, total };
}

describe("Controller worker loop", () => {
  it("reconciles each event's key, counts success and gives each call its own reconcile id", async () => {
    const { source, reconciler, run, total } = setup();
    source.add(obj("a"));
    void run();
    await vi.waitFor(() => expect(reconciler.calls).toHaveLength(1));
    source.update(obj("a"), obj("a"));
    source.delete(obj("b", ""));
    await vi.waitFor(() => expect(reconciler.calls).toHaveLength(3));
    expect(reconciler.calls.map((c) => c.key)).toEqual(["ns/a", "ns/a", "b"]);
    expect(new Set(reconciler.calls.map((c) => c.reconcileId)).size).toBe(3);
    expect(await total("success")).toBe(3);
    expect(await total("error")).toBe(0);
  });

  it("retries a thrown error with growing backoff, then resets it on success", async () => {
    const { source, reconciler, clock, run, total, registry } = setup();
    reconciler.script("ns/a", new Error("boom"), new Error("boom"), awaitChange(), new Error("again"));
    void run();
    source.add(obj("a"));
    await vi.waitFor(() => expect(reconciler.callsFor("ns/a")).toBe(1));
    clock.advance(4);
    expect(reconciler.callsFor("ns/a")).toBe(1);
    clock.advance(1); // 5 ms
    await vi.waitFor(() => expect(reconciler.callsFor("ns/a")).toBe(2));
    clock.advance(9);
    expect(reconciler.callsFor("ns/a")).toBe(2);
    clock.advance(1); // 10 ms
    await vi.waitFor(() => expect(reconciler.callsFor("ns/a")).toBe(3));
    expect(await total("error")).toBe(2);
    expect(await total("success")).toBe(1);
    source.add(obj("a"));
    await vi.waitFor(() => expect(reconciler.callsFor("ns/a")).toBe(4));
    clock.advance(5); // backoff was forgotten on success: 5 ms again
    await vi.waitFor(() => expect(reconciler.callsFor("ns/a")).toBe(5));
    expect(await metric(registry, "controller_runtime_reconcile_errors_total", { controller: "test" })).toBe(3);
  });

  it("requeues a key whose reconcile was throttled (429) after Retry-After, not after the short backoff", async () => {
    const { source, reconciler, clock, run, total } = setup();
    reconciler.script("ns/a", new TooManyRequestsError({ message: "slow down", status: 429, retryAfterSeconds: 2 }));
    void run();
    source.add(obj("a"));
    await vi.waitFor(() => expect(reconciler.callsFor("ns/a")).toBe(1));
    clock.advance(1_999);
    expect(reconciler.callsFor("ns/a")).toBe(1);
    clock.advance(1);
    await vi.waitFor(() => expect(reconciler.callsFor("ns/a")).toBe(2));
    expect(await total("error")).toBe(1);
  });

  it("never retries a terminal error (also when wrapped as a cause)", async () => {
    const { source, reconciler, clock, run, total, registry } = setup();
    reconciler.script("ns/a", new TerminalError("bad spec"));
    reconciler.script("ns/b", new Error("wrapped", { cause: new TerminalError("bad ref") }));
    void run();
    source.add(obj("a"));
    source.add(obj("b"));
    await vi.waitFor(() => expect(reconciler.calls).toHaveLength(2));
    clock.advance(3_600_000);
    await new Promise((r) => setImmediate(r));
    expect(reconciler.calls).toHaveLength(2);
    expect(await total("error")).toBe(2);
    expect(await metric(registry, "controller_runtime_terminal_reconcile_errors_total", { controller: "test" })).toBe(2);
    expect(await metric(registry, "controller_runtime_reconcile_errors_total", { controller: "test" })).toBe(2);
  });

  it("catches and counts panics (TypeError, non-Error throws) and retries them", async () => {
    const { source, reconciler, clock, run, registry } = setup();
    reconciler.script("ns/a", new TypeError("cannot read properties of undefined"));
    void run();
    source.add(obj("a"));
    await vi.waitFor(() => expect(reconciler.callsFor("ns/a")).toBe(1));
    clock.advance(5);
    await vi.waitFor(() => expect(reconciler.callsFor("ns/a")).toBe(2));
    expect(await metric(registry, "controller_runtime_reconcile_panics_total", { controller: "test" })).toBe(1);
  });

  it("requeues after requeueAfter exactly, and with backoff on retryWithBackoff", async () => {
    const { source, reconciler, clock, run, total } = setup();
    reconciler.script("ns/a", requeueAfter(30_000));
    reconciler.script("ns/b", retryWithBackoff());
    void run();
    source.add(obj("a"));
    source.add(obj("b"));
    await vi.waitFor(() => expect(reconciler.calls).toHaveLength(2));
    clock.advance(5);
    await vi.waitFor(() => expect(reconciler.callsFor("ns/b")).toBe(2));
    clock.advance(29_994);
    expect(reconciler.callsFor("ns/a")).toBe(1);
    clock.advance(1);
    await vi.waitFor(() => expect(reconciler.callsFor("ns/a")).toBe(2));
    expect(await total("requeue_after")).toBe(1);
    expect(await total("requeue")).toBe(1);
    expect(await total("success")).toBe(2);
  });

  it("runs different keys in parallel but one key at a time, re-running a key changed meanwhile", async () => {
    const { source, reconciler, run, registry } = setup(4);
    const gateA = deferred<Result>();
    const gateB = deferred<Result>();
    reconciler.script("ns/a", gateA.promise);
    reconciler.script("ns/b", gateB.promise);
    void run();
    source.add(obj("a"));
    source.add(obj("b"));
    await vi.waitFor(() => expect(reconciler.calls).toHaveLength(2));
    expect(await metric(registry, "controller_runtime_active_workers", { controller: "test" })).toBe(2);
    expect(await metric(registry, "controller_runtime_max_concurrent_reconciles", { controller: "test" })).toBe(4);
    source.add(obj("a"));
    source.add(obj("a"));
    await new Promise((r) => setImmediate(r));
    expect(reconciler.callsFor("ns/a")).toBe(1); // dirty, waiting for the first run to finish
    gateA.resolve(awaitChange());
    await vi.waitFor(() => expect(reconciler.callsFor("ns/a")).toBe(2));
    gateB.resolve(awaitChange());
    await vi.waitFor(() => expect(reconciler.running.get("ns/b")).toBe(0));
    expect(reconciler.maxParallelPerKey).toBe(1);
    expect(reconciler.maxParallel).toBe(2);
  });

  it("maps events to other keys with a mapper (e.g. an owner)", async () => {
    const { reconciler, controller, run } = setup();
    const leases = new MemorySource();
    controller.watch(leases, (o) => (o.metadata.owner === undefined ? [] : [{ namespace: "ns", name: o.metadata.owner }]));
    void run();
    leases.add(obj("lease-1", "ns", "agent-x"));
    leases.add(obj("orphan"));
    await vi.waitFor(() => expect(reconciler.calls.map((c) => c.key)).toEqual(["ns/agent-x"]));
  });

  it("waits for every source to sync before reconciling", async () => {
    const { source, reconciler, clock, run } = setup();
    source.synced = false;
    source.add(obj("a"));
    void run();
    clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    expect(reconciler.calls).toHaveLength(0);
    source.synced = true;
    clock.advance(100);
    await vi.waitFor(() => expect(reconciler.calls).toHaveLength(1));
  });

  it("on stop lets the in-flight reconcile finish, abandons the rest, and then returns", async () => {
    const { source, reconciler, run, stop } = setup();
    const gate = deferred<Result>();
    reconciler.script("ns/a", gate.promise);
    source.add(obj("a"));
    source.add(obj("b"));
    let returned = false;
    const running = run().then(() => (returned = true));
    await vi.waitFor(() => expect(reconciler.calls).toHaveLength(1));
    stop.abort();
    await new Promise((r) => setImmediate(r));
    expect(returned).toBe(false);
    gate.resolve(awaitChange());
    await running;
    expect(reconciler.calls.map((c) => c.key)).toEqual(["ns/a"]);
  });
});
