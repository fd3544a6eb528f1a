// The event recorder on the real apiserver: repeats of one (object, reason, note) become one Event
// whose series count grows; beyond `maxSeries` the oldest series is forgotten and starts anew.
import { beforeAll, describe, expect, it } from "vitest";
import { EVENTS, ResourceClient, Transport, type KubeEvent, type KubeObject } from "../../../src/runtime/client/index.js";
import { ApiEventRecorder } from "../../../src/runtime/events/index.js";
import { createNamespace, kubeConfig } from "../support/cluster.js";

describe("ApiEventRecorder", () => {
  const events = new ResourceClient<KubeEvent>(new Transport(kubeConfig()), EVENTS);
  let namespace: string;
  const object = (name: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, uid: `uid-${name}` } });
  const listed = async () => (await events.list({ namespace })).items.map((e) => [e.regarding?.name, e.series?.count ?? 1]).sort();

  beforeAll(async () => {
    namespace = await createNamespace("events");
  });

  it("folds repeats into a series, and forgets the oldest series beyond the cap", async () => {
    const recorder = new ApiEventRecorder(events, { reportingController: "helios.dev/test", reportingInstance: "test", maxSeries: 2 });
    const emit = (name: string) => recorder.event(object(name), "Normal", "Tested", "Test", `note for ${name}`);
    emit("a");
    emit("a");
    emit("b");
    emit("c"); // the cap is 2: "a" is forgotten
    emit("a"); // so this starts a new Event instead of counting a third repeat
    await recorder.flush();
    expect(await listed()).toEqual([
      ["a", 1],
      ["a", 2],
      ["b", 1],
      ["c", 1],
    ]);
  });
});
