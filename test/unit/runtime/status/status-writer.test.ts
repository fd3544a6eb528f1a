// The status writer's decisions: skip equal status, send resourceVersion, conflicts as outcomes.
import { describe, expect, it } from "vitest";
import { ConflictError, ForbiddenError, NetworkError, NotFoundError, type StatusWriterClient } from "../../../../src/runtime/client/index.js";
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
    await expect(new StatusWriter(client).updateStatus(thing, { phase: "Running" })).resolves.toEqual({ outcome: "updated", object: landed });
  });

  it("keeps the error when the lost write did not land (same version, or someone else's status)", async () => {
    const unchanged = new RecordingClient(() => { throw reset; });
    await expect(new StatusWriter(unchanged).updateStatus(thing, { phase: "Running" })).rejects.toBe(reset);
    const other: Thing = { ...thing, metadata: { ...thing.metadata, resourceVersion: "8" }, status: { phase: "Failed" } };
    const overtaken = new RecordingClient(() => { throw reset; }, () => other);
    await expect(new StatusWriter(overtaken).updateStatus(thing, { phase: "Running" })).rejects.toBe(reset);
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
    expect(result.outcome).toBe("updated");
    if (result.outcome === "updated") expect(result.object.metadata.resourceVersion).toBe("8");
  });

  it("returns conflict and notFound as outcomes, and throws anything else", async () => {
    const conflict = new ConflictError({ message: "the object has been modified", status: 409 });
    await expect(new StatusWriter(new RecordingClient(() => { throw conflict; })).updateStatus(thing, { phase: "Running" })).resolves.toEqual({
      outcome: "conflict",
      error: conflict,
    });
    const gone = new NotFoundError({ message: "not found", status: 404 });
    await expect(new StatusWriter(new RecordingClient(() => { throw gone; })).updateStatus(thing, { phase: "Running" })).resolves.toEqual({
      outcome: "notFound",
    });
    const forbidden = new ForbiddenError({ message: "forbidden", status: 403 });
    await expect(new StatusWriter(new RecordingClient(() => { throw forbidden; })).updateStatus(thing, { phase: "Running" })).rejects.toBe(forbidden);
  });
});

describe("withObservedGeneration", () => {
  it("records the generation the status was computed from", () => {
    expect(withObservedGeneration({ phase: "Running" }, thing)).toEqual({ phase: "Running", observedGeneration: 3 });
    expect(withObservedGeneration({ phase: "Running" }, { metadata: { name: "x" } })).toEqual({ phase: "Running" });
  });
});
