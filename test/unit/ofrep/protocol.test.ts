// OFREP's pure rules: request bodies, untyped resolution, the response shapes, ETag matching, routes
// and which namespace a request reads. Evaluations come from a real FlagSet (flagd-core).
import { ErrorCode } from "@openfeature/core";
import { describe, expect, it } from "vitest";
import { FlagSet } from "../../../src/flags/index.js";
import {
  bulkResponse,
  etagMatches,
  namespaceOf,
  parseEvaluationRequest,
  resolveUntyped,
  routeOf,
  singleResponse,
  toEvaluation,
} from "../../../src/ofrep/index.js";
import { flagObject } from "../flags/support.js";

const flag = (name: string, spec: Record<string, unknown>) => flagObject(name, spec, { namespace: "shop" });

const set = new FlagSet();
set.apply(flag("dark-mode", { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "off", targeting: { if: [{ "==": [{ var: "plan" }, "pro"] }, "on", null] } }));
set.apply(flag("banner", { state: "ENABLED", variants: { a: "hello" }, defaultVariant: "a" }));
set.apply(flag("size", { state: "ENABLED", variants: { s: 20 }, defaultVariant: "s" }));
set.apply(flag("theme", { state: "ENABLED", variants: { dark: { bg: "black" } }, defaultVariant: "dark" }));
set.apply(flag("retired", { state: "DISABLED", variants: { on: true }, defaultVariant: "on" }));
// flagd refuses a default variant that is not a variant: never valid, so PARSE_ERROR.
set.apply(flag("broken", { state: "ENABLED", variants: { on: true }, defaultVariant: "missing" }));

/** The error of a parse or namespace result ("" when there is none). */
const errorOf = (result: object): string => ("error" in result && typeof result.error === "string" ? result.error : "");

const evaluate = (key: string, context = {}) => toEvaluation(key, resolveUntyped((type, fallback) => set.resolve(type, key, fallback, context)));

describe("untyped evaluation", () => {
  it("resolves every value type without being told the type", () => {
    expect(evaluate("dark-mode")).toEqual({ key: "dark-mode", value: false, reason: "DEFAULT", variant: "off", metadata: {} });
    expect(evaluate("dark-mode", { plan: "pro" })).toMatchObject({ value: true, reason: "TARGETING_MATCH", variant: "on" });
    expect(evaluate("banner")).toMatchObject({ value: "hello", reason: "STATIC" });
    expect(evaluate("size")).toMatchObject({ value: 20 });
    expect(evaluate("theme")).toMatchObject({ value: { bg: "black" } });
  });

  it("gives the same answer whichever type is tried first", () => {
    for (const hint of ["boolean", "string", "number", "object"] as const) {
      expect(toEvaluation("size", resolveUntyped((type, fallback) => set.resolve(type, "size", fallback, {}), hint))).toMatchObject({ value: 20, reason: "STATIC" });
    }
  });

  it("answers a disabled flag with no value (the caller's code default)", () => {
    expect(evaluate("retired")).toEqual({ key: "retired", reason: "DISABLED", metadata: {} });
    expect(singleResponse(evaluate("retired")).status).toBe(200);
  });

  it("maps FLAG_NOT_FOUND to 404 and other errors to 400 with the protocol's codes", () => {
    const missing = singleResponse(evaluate("nope"));
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ key: "nope", errorCode: "FLAG_NOT_FOUND" });
    const broken = singleResponse(evaluate("broken"));
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ key: "broken", errorCode: "PARSE_ERROR" });
    const general = toEvaluation("x", { value: false, reason: "ERROR", errorCode: ErrorCode.PROVIDER_NOT_READY, errorMessage: "boom", flagMetadata: {} });
    expect(general).toMatchObject({ errorCode: "GENERAL", errorDetails: "boom" });
  });
});

describe("bulk evaluation and ETags", () => {
  const all = ["theme", "banner", "size"].map((k) => evaluate(k));

  it("lists flags by key with an ETag; 304 when If-None-Match names it", () => {
    const first = bulkResponse(all, undefined);
    expect(first.status).toBe(200);
    expect((first.body as { flags: { key: string }[] }).flags.map((f) => f.key)).toEqual(["banner", "size", "theme"]);
    const etag = first.headers?.["etag"] ?? "";
    expect(bulkResponse([...all].reverse(), etag)).toEqual({ status: 304, headers: { etag } });
    expect(bulkResponse([...all, evaluate("dark-mode")], etag).status).toBe(200);
  });

  it("matches If-None-Match lists, weak tags and *", () => {
    expect(etagMatches('"a", W/"b"', '"b"')).toBe(true);
    expect(etagMatches("*", '"x"')).toBe(true);
    expect(etagMatches('"a"', '"b"')).toBe(false);
  });
});

describe("request bodies", () => {
  it("takes the context; an empty body is an empty context", () => {
    expect(parseEvaluationRequest('{"context":{"targetingKey":"u","plan":"pro","n":[1]}}')).toEqual({ context: { targetingKey: "u", plan: "pro", n: [1] } });
    expect(parseEvaluationRequest("")).toEqual({ context: {} });
    expect(parseEvaluationRequest("{}")).toEqual({ context: {} });
  });

  it("refuses what is not an evaluation request, saying why", () => {
    expect(errorOf(parseEvaluationRequest("{nope"))).toContain("not JSON");
    expect(errorOf(parseEvaluationRequest('{"context":[]}'))).toContain("context");
    expect(errorOf(parseEvaluationRequest('{"context":{"targetingKey":1}}'))).toContain("targetingKey must be a string");
  });
});

describe("routes and namespaces", () => {
  it("routes single and bulk evaluations, with or without a namespace prefix", () => {
    expect(routeOf("/namespaces/shop/ofrep/v1/evaluate/flags/new-checkout")).toEqual({ kind: "single", key: "new-checkout", namespace: "shop" });
    expect(routeOf("/namespaces/shop/ofrep/v1/evaluate/flags")).toEqual({ kind: "bulk", namespace: "shop" });
    expect(routeOf("/ofrep/v1/evaluate/flags/")).toEqual({ kind: "bulk" });
    expect(routeOf("/ofrep/v1/evaluate/flags/a%20b")).toEqual({ kind: "single", key: "a b" });
    expect(routeOf("/namespaces/Not_A_Name/ofrep/v1/evaluate/flags")).toBeUndefined();
    expect(routeOf("/ofrep/v2/evaluate/flags")).toBeUndefined();
  });

  it("reads the namespace from the path, then the header, then the only one served", () => {
    expect(namespaceOf({ kind: "bulk", namespace: "shop" }, "other", "all")).toEqual({ namespace: "shop" });
    expect(namespaceOf({ kind: "bulk" }, "other", "all")).toEqual({ namespace: "other" });
    expect(namespaceOf({ kind: "bulk" }, undefined, ["only"])).toEqual({ namespace: "only" });
    expect(errorOf(namespaceOf({ kind: "bulk" }, undefined, ["a", "b"]))).toContain("/namespaces/<namespace>");
    expect(errorOf(namespaceOf({ kind: "bulk" }, "Bad Name", "all"))).toContain("invalid namespace");
  });
});
