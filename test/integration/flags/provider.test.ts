// The OpenFeature provider through the public OpenFeature server API only: values, details, error
// codes, targeting with the evaluation context, and change events after `kubectl apply`.
import { OpenFeature, ProviderEvents, type EventDetails } from "@openfeature/server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeliosProvider } from "../../../src/flags/index.js";
import { createNamespace, kubeConfig } from "../support/cluster.js";
import { applyFlagOk, booleanSpec, eventually, numberSpec, REFUSED_SPEC } from "./support.js";

/** The changed keys of a configuration-changed event (the SDK types handlers for every event kind). */
function changedKeys(details?: EventDetails): string[] {
  const keys: unknown = details?.flagsChanged;
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : [];
}

describe("HeliosProvider with the standard OpenFeature API", () => {
  let namespace: string;
  let other: string;
  const changes: string[][] = [];

  beforeAll(async () => {
    namespace = await createNamespace("of-app");
    other = await createNamespace("of-other");
    await applyFlagOk(namespace, "new-checkout", booleanSpec(false, { targeting: { if: [{ "==": [{ var: "plan" }, "pro"] }, "on", null] } }));
    await applyFlagOk(namespace, "banner", { state: "ENABLED", variants: { a: "hello", b: "bonjour" }, defaultVariant: "a" });
    await applyFlagOk(namespace, "page-size", numberSpec(20));
    await applyFlagOk(namespace, "theme", { state: "ENABLED", variants: { dark: { bg: "black" }, light: { bg: "white" } }, defaultVariant: "dark" });
    await applyFlagOk(namespace, "retired", booleanSpec(true, { state: "DISABLED" }));
    await applyFlagOk(namespace, "broken", REFUSED_SPEC);
    await applyFlagOk(other, "banner", { state: "ENABLED", variants: { a: "other namespace" }, defaultVariant: "a" });
    await OpenFeature.setProviderAndWait(new HeliosProvider({ namespace, kubeConfig: kubeConfig() }));
    OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, (details) => changes.push(changedKeys(details)));
  });

  afterAll(async () => {
    await OpenFeature.close();
  });

  it("is ready and serves values of every type from the namespace's FeatureFlags", async () => {
    const client = OpenFeature.getClient();
    expect(client.providerStatus).toBe("READY");
    expect(client.metadata.providerMetadata.name).toBe("helios");
    expect(await client.getBooleanValue("new-checkout", true)).toBe(false);
    expect(await client.getStringValue("banner", "x")).toBe("hello");
    expect(await client.getNumberValue("page-size", 0)).toBe(20);
    expect(await client.getObjectValue("theme", {})).toEqual({ bg: "black" });
  });

  it("targets with the evaluation context", async () => {
    const client = OpenFeature.getClient();
    const details = await client.getBooleanDetails("new-checkout", false, { plan: "pro" });
    expect(details).toMatchObject({ value: true, variant: "on", reason: "TARGETING_MATCH" });
    expect(await client.getBooleanDetails("new-checkout", true, { plan: "free" })).toMatchObject({ value: false, variant: "off", reason: "DEFAULT" });
  });

  it("reports reasons and error codes in the evaluation details", async () => {
    const client = OpenFeature.getClient();
    expect(await client.getStringDetails("banner", "x")).toMatchObject({ value: "hello", variant: "a", reason: "STATIC" });
    expect(await client.getBooleanDetails("retired", false)).toMatchObject({ value: false, reason: "DISABLED" });
    expect(await client.getBooleanDetails("nope", true)).toMatchObject({ value: true, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
    expect(await client.getBooleanDetails("page-size", true)).toMatchObject({ value: true, reason: "ERROR", errorCode: "TYPE_MISMATCH" });
    const broken = await client.getBooleanDetails("broken", true);
    expect(broken).toMatchObject({ value: true, reason: "ERROR", errorCode: "PARSE_ERROR" });
    expect(broken.errorMessage).toContain("Invalid targeting configuration for flag 'broken'");
  });

  it("adds the provider's static context under the caller's", async () => {
    await OpenFeature.setProviderAndWait("enriched", new HeliosProvider({ namespace, kubeConfig: kubeConfig(), staticContext: { plan: "pro" } }));
    const client = OpenFeature.getClient("enriched");
    expect(await client.getBooleanDetails("new-checkout", false)).toMatchObject({ value: true, reason: "TARGETING_MATCH" });
    expect(await client.getBooleanDetails("new-checkout", true, { plan: "free" })).toMatchObject({ value: false, reason: "DEFAULT" });
  });

  it("emits configuration-changed events with the changed keys after kubectl apply, and serves the new value", async () => {
    const client = OpenFeature.getClient();
    const before = changes.length;
    await applyFlagOk(namespace, "banner", { state: "ENABLED", variants: { a: "hello", b: "bonjour" }, defaultVariant: "b" });
    const event = await eventually("a change event for banner", () => changes.slice(before).find((keys) => keys.includes("banner")));
    expect(event).toEqual(["banner"]);
    expect(await client.getStringValue("banner", "x")).toBe("bonjour");

    const handled: string[] = [];
    client.addHandler(ProviderEvents.ConfigurationChanged, (details) => handled.push(...changedKeys(details)));
    await applyFlagOk(namespace, "fresh", booleanSpec(true));
    await eventually("a client-level change event for fresh", () => (handled.includes("fresh") ? true : undefined));
    expect(await client.getBooleanValue("fresh", false)).toBe(true);
  });

  it("serves only its own namespace", async () => {
    await applyFlagOk(other, "banner", { state: "ENABLED", variants: { a: "other namespace", b: "still other" }, defaultVariant: "b" });
    expect(await OpenFeature.getClient().getStringValue("banner", "x")).toBe("bonjour");
  });
});
