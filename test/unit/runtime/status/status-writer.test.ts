// The status writer's decisions: skip equal status, send resourceVersion, every failure as a WriteOutcome.
import { describe, expect, it } from "vitest";
import { ConflictError, ForbiddenError, NetworkError, NotFoundError, TooManyRequestsError, type StatusWriterClient } from "../../../../src/runtime/client/index.js";
import { StatusWriter, withObservedGeneration } from "../../../../src/runtime/status/index.js";

interface Thing {
  metadata: { name: string; namespace: string; resourceVersion: string; generation?: number };
  status?: { phase: string; observedGeneration?: number };
}

/** Records what would be sent and answers with a scripted result. */
class RecordingClient implements StatusWriterClient<Thing> {
  readonly sent: Thing[] = [];
  constructor(
    private readonly answer: (obj: Thing) => Thing,
    private readonly stored: () => Thing = () => thing,
  ) {}
  replaceStatus(obj: Thing): Promise<Thing> {
    this.sent.push(obj);
    // A throw inside then() becomes the rejection, as a failed request would.
    return Promise.resolve().then(() => this.answer(obj));
  }
  get(): Promise<Thing> {
    return Promise.resolve().then(() => this.stored());
  }
}

const thing: Thing = { metadata: { name: "a", namespace: "n", resourceVersion: "7", generation: 3 }, status: { phase: "Pending" } };

const reset = new NetworkError({ message: "read ECONNRESET" });

describe("StatusWriter", () => {
  it("settles a write whose answer was lost: a newer version with exactly our status is ours", async () => {
    const landed: Thing = { ...thing, metadata: { ...thing.metadata, resourceVersion: "8" }, status: { phase: "Running" } };
    const client = new RecordingClient(() => { throw reset; }, () => landed);
    await expect(new StatusWriter(client).updateStatus(thing, { phase: "Running" })).resolves.toEqual({ outcome: "written", object: landed });
  });

  it("answers unknown when the read back does not show the lost write (same version, someone else's status, or the read failed)", async () => {
    const unknown = { outcome: "unknown", error: reset };
    const unchanged = new RecordingClient(() => { throw reset; });
    await expect(new StatusWriter(unchanged).updateStatus(thing, { phase: "Running" })).resolves.toEqual(unknown);
    const other: Thing = { ...thing, metadata: { ...thing.metadata, resourceVersion: "8" }, status: { phase: "Failed" } };
    const overtaken = new RecordingClient(() => { throw reset; }, () => other);
    await expect(new StatusWriter(overtaken).updateStatus(thing, { phase: "Running" })).resolves.toEqual(unknown);
    const unreadable = new RecordingClient(() => { throw reset; }, () => { throw reset; });
    await expect(new StatusWriter(unreadable).updateStatus(thing, { phase: "Running" })).resolves.toEqual(unknown);
  });

  it("answers gone when the read back finds the object deleted", async () => {
    const client = new RecordingClient(() => { throw reset; }, () => { throw new NotFoundError({ message: "not found", status: 404 }); });
    await expect(new StatusWriter(client).updateStatus(thing, { phase: "Running" })).resolves.toEqual({ outcome: "gone" });
  });

  it("never reads back after a 429: it was not applied", async () => {
    let reads = 0;
    const throttled = new TooManyRequestsError({ message: "slow down", status: 429, retryAfterSeconds: 2 });
    const client = new RecordingClient(() => { throw throttled; }, () => { reads++; return thing; });
    await expect(new StatusWriter(client).updateStatus(thing, { phase: "Running" })).resolves.toEqual({ outcome: "throttled", retryAfterMs: 2000, error: throttled });
    expect(reads).toBe(0);
  });

  it("sends nothing when the status is unchanged", async () => {
    const client = new RecordingClient((o) => o);
    const result = await new StatusWriter(client).updateStatus(thing, { phase: "Pending" });
    expect(result).toEqual({ outcome: "unchanged" });
    expect(client.sent).toHaveLength(0);
  });

  it("writes the new status with the resourceVersion it was decided on", async () => {
    const client = new RecordingClient((o) => ({ ...o, metadata: { ...o.metadata, resourceVersion: "8" } }));
    const result = await new StatusWriter(client).updateStatus(thing, { phase: "Running" });
    expect(client.sent).toEqual([{ ...thing, status: { phase: "Running" } }]);
    expect(result.outcome).toBe("written");
    if (result.outcome === "written") expect(result.object.metadata.resourceVersion).toBe("8");
  });

  it("answers conflict, gone and rejected", async () => {
    const conflict = new ConflictError({ message: "the object has been modified", status: 409 });
    await expect(new StatusWriter(new RecordingClient(() => { throw conflict; })).updateStatus(thing, { phase: "Running" })).resolves.toEqual({
      outcome: "conflict",
      error: conflict,
    });
    const gone = new NotFoundError({ message: "not found", status: 404 });
    await expect(new StatusWriter(new RecordingClient(() => { throw gone; })).updateStatus(thing, { phase: "Running" })).resolves.toEqual({
      outcome: "gone",
    });
    const forbidden = new ForbiddenError({ message: "forbidden", status: 403 });
    await expect(new StatusWriter(new RecordingClient(() => { throw forbidden; })).updateStatus(thing, { phase: "Running" })).resolves.toEqual({ outcome: "rejected", error: forbidden });
  });
});

describe("withObservedGeneration", () => {
  it("records the generation the status was computed from", () => {
    expect(withObservedGeneration({ phase: "Running" }, thing)).toEqual({ phase: "Running", observedGeneration: 3 });
    expect(withObservedGeneration({ phase: "Running" }, { metadata: { name: "x" } })).toEqual({ phase: "Running" });
  });
});
