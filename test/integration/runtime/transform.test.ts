// An informer's transform applies to listed and watched objects alike, against the real apiserver.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Informer, stripManagedFields } from "../../../src/runtime/cache/index.js";
import { ResourceClient, Transport, type KubeObject, type ResourceType } from "../../../src/runtime/client/index.js";
import { createNamespace, kubeConfig } from "../support/cluster.js";

const CONFIG_MAPS: ResourceType = { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true };

interface ConfigMap extends KubeObject {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  data?: Record<string, string>;
}

const managed = (obj: KubeObject | undefined): unknown => (obj?.metadata as Record<string, unknown> | undefined)?.["managedFields"];

describe("informer transform", () => {
  let namespace: string;
  const client = new ResourceClient<ConfigMap>(new Transport(kubeConfig()), CONFIG_MAPS);
  const stopper = new AbortController();

  beforeAll(async () => {
    namespace = await createNamespace("transform");
    await client.create({ metadata: { name: "listed", namespace }, data: { a: "1" } });
  });
  afterAll(() => stopper.abort());

  it("stores and hands out objects without managedFields, from the list and from the watch", async () => {
    // The server does send them: the transform has something to drop.
    expect(managed(await client.get({ name: "listed", namespace }))).toBeDefined();
    const seen: ConfigMap[] = [];
    const informer = new Informer<ConfigMap>(client, { namespace, transform: stripManagedFields });
    informer.addEventHandler({ onAdd: (o) => seen.push(o), onUpdate: (_, o) => seen.push(o) });
    void informer.start(stopper.signal);
    await informer.waitForSync(stopper.signal);
    await client.create({ metadata: { name: "watched", namespace }, data: { b: "2" } });
    const deadline = Date.now() + 10_000;
    while (informer.store.getByName(namespace, "watched") === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const cached = ["listed", "watched"].map((name) => informer.store.getByName(namespace, name));
    expect(cached.map((o) => o?.data)).toEqual([{ a: "1" }, { b: "2" }]);
    expect(cached.map(managed)).toEqual([undefined, undefined]);
    expect(seen.map((o) => o.metadata.name).sort()).toEqual(["listed", "watched"]);
    expect(seen.map(managed)).toEqual([undefined, undefined]);
  });
});
