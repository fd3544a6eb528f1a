// Provider events like flagd's, by cutting the apiserver under a running HeliosProvider (a private
// control plane: the shared one must stay up): STALE when the watch is lost, with evaluations still
// serving the last value marked STALE; ERROR past `staleErrorAfterMs`; READY again once the apiserver
// is back, serving a flag changed around the restart and announcing it with ConfigurationChanged.
import { OpenFeature, ProviderEvents, type EventDetails } from "@openfeature/server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeliosProvider } from "../../../src/flags/index.js";
import { startPrivatePlane, type PrivatePlane } from "../chaos/support/private-plane.js";
import { booleanSpec, eventually, flagManifest } from "./support.js";

const NAMESPACE = "events-app";
/** Small, so the test sees ERROR quickly; the watcher's backoff after a long outage bounds recovery. */
const STALE_ERROR_AFTER_MS = 2_000;
const RECOVERY_TIMEOUT_MS = 90_000;

/** The changed keys of a configuration-changed event (the SDK types handlers for every event kind). */
function changedKeys(details?: EventDetails): string[] {
  const keys: unknown = details?.flagsChanged;
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : [];
}

interface Seen {
  readonly event: ProviderEvents;
  readonly details: EventDetails | undefined;
}

describe("HeliosProvider events when the apiserver goes away and comes back", () => {
  let cp: PrivatePlane;
  const seen: Seen[] = [];
  const after = (index: number, event: ProviderEvents): Seen | undefined => seen.slice(index).find((s) => s.event === event);

  async function apply(name: string, on: boolean): Promise<void> {
    const out = await cp.kubectl(["apply", "-f", "-"], flagManifest(NAMESPACE, name, booleanSpec(on)));
    expect(out.code, out.stderr).toBe(0);
  }

  beforeAll(async () => {
    cp = await startPrivatePlane();
    const ns = await cp.kubectl(["create", "namespace", NAMESPACE]);
    expect(ns.code, ns.stderr).toBe(0);
    await apply("checkout", true);
    await OpenFeature.setProviderAndWait(new HeliosProvider({ namespace: NAMESPACE, kubeConfig: cp.kubeConfig, staleErrorAfterMs: STALE_ERROR_AFTER_MS }));
    for (const event of [ProviderEvents.Ready, ProviderEvents.Stale, ProviderEvents.Error, ProviderEvents.ConfigurationChanged]) {
      OpenFeature.addHandler(event, (details) => seen.push({ event, details }));
    }
  });

  afterAll(async () => {
    await OpenFeature.close();
    await cp.stop();
  });

  it("is READY and serves the flag with its own reason while connected", async () => {
    const client = OpenFeature.getClient();
    expect(client.providerStatus).toBe("READY");
    expect(await client.getBooleanDetails("checkout", false)).toMatchObject({ value: true, reason: "STATIC" });
  });

  it("goes STALE when the apiserver dies, serving the last value with reason STALE, then ERROR past the bound", async () => {
    const client = OpenFeature.getClient();
    const start = seen.length;
    await cp.plane.killApiServer();
    const stale = await eventually("a STALE event", () => after(start, ProviderEvents.Stale), 30_000);
    expect(stale.details?.message).toContain("lost the watch");
    expect(await client.getBooleanDetails("checkout", false)).toMatchObject({ value: true, reason: "STALE" });
    expect(await client.getBooleanDetails("missing", true)).toMatchObject({ value: true, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });

    const error = await eventually("an ERROR event", () => after(start, ProviderEvents.Error), 30_000);
    expect(error.details?.message).toContain(`${STALE_ERROR_AFTER_MS} ms`);
    expect(client.providerStatus).toBe("ERROR");
    expect(await client.getBooleanDetails("checkout", false)).toMatchObject({ value: true, reason: "STALE" });
    expect(after(start, ProviderEvents.Ready)).toBeUndefined();
  });

  it("is READY again once the apiserver is back, serving the flag changed around the restart", async () => {
    const client = OpenFeature.getClient();
    const start = seen.length;
    await cp.plane.startApiServer();
    // Changed before the provider notices the apiserver is back (its backoff is seconds long) or just after: served either way.
    await apply("checkout", false);
    await eventually("a READY event", () => after(start, ProviderEvents.Ready), RECOVERY_TIMEOUT_MS);
    const changed = await eventually("a ConfigurationChanged event for checkout", () =>
      seen.slice(start).find((s) => s.event === ProviderEvents.ConfigurationChanged && changedKeys(s.details).includes("checkout")),
    );
    expect(changedKeys(changed.details)).toEqual(["checkout"]);
    expect(client.providerStatus).toBe("READY");
    expect(await client.getBooleanDetails("checkout", true)).toMatchObject({ value: false, reason: "STATIC" });
  }, RECOVERY_TIMEOUT_MS + 30_000);
});
