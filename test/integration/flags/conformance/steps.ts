// The step library for the flagd-testbed scenarios, over any OpenFeature client: each scenario
// names a flag source ("an evaluator", "a stable flagd provider", a selector option), a typed flag
// with its code default and an evaluation context, evaluates once with details and checks them.
import type { Client, EvaluationContext, EvaluationDetails, FlagValue, JsonValue } from "@openfeature/server-sdk";
import { expect } from "vitest";
import type { ConformanceScenario, ConformanceStep } from "./gherkin.js";

/** Where a scenario's flags come from; the suite maps each to a provider. */
export type SourceRequest = { readonly kind: "default"; readonly suite: "evaluator" | "provider" } | { readonly kind: "selector"; readonly selector: string };

export type ClientFor = (source: SourceRequest) => Client;

const FLAG_TYPES = ["Boolean", "String", "Integer", "Float", "Object"] as const;
type FlagType = (typeof FLAG_TYPES)[number];

function flagType(name: string | undefined): FlagType {
  const type = FLAG_TYPES.find((t) => t === name);
  if (!type) throw new Error(`unknown type "${name}"`);
  return type;
}

interface World {
  source: SourceRequest | undefined;
  selector: string | undefined;
  /** The flag to evaluate, with its code default as the step wrote it. */
  flag: { readonly type: FlagType; readonly key: string; readonly fallback: string } | undefined;
  context: Record<string, JsonValue>;
  details: EvaluationDetails<FlagValue> | undefined;
}

type StepHandler = (world: World, args: readonly string[], step: ConformanceStep, clientFor: ClientFor) => Promise<void> | void;

/** A quoted argument; the last one of a step is greedy (its value may itself hold quotes, e.g. JSON). */
const q = '"(.*?)"';
const last = '"(.*)"';

const STEPS: readonly (readonly [RegExp, StepHandler])[] = [
  [/^an evaluator$/, (w) => void (w.source = { kind: "default", suite: "evaluator" })],
  [
    /^a (?:stable|metadata) flagd provider$/,
    (w) => void (w.source = w.selector === undefined ? { kind: "default", suite: "provider" } : { kind: "selector", selector: w.selector }),
  ],
  [
    new RegExp(`^an option ${q} of type ${q} with value ${last}$`),
    (w, [name, , value]) => {
      // Only the selector picks flags; cache and resolver options concern a flagd daemon's transport.
      if (name === "selector") w.selector = value;
    },
  ],
  [
    new RegExp(`^a (Boolean|String|Integer|Float|Object)-flag with key ${q} and a (?:fallback|default) value ${last}$`),
    (w, [type, key, fallback]) => void (w.flag = { type: flagType(type), key: key ?? "", fallback: fallback ?? "" }),
  ],
  [
    new RegExp(`^a context containing a key ${q}, with type ${q} and with value ${last}$`),
    (w, [key, type, value]) => void (w.context[key ?? ""] = typed(flagType(type), value ?? "")),
  ],
  [new RegExp(`^a context containing a targeting key with value ${last}$`), (w, [value]) => void (w.context["targetingKey"] = value ?? "")],
  [
    new RegExp(`^a context containing a nested property with outer key ${q} and inner key ${q}, with value ${last}$`),
    (w, [outer, inner, value]) => void (w.context[outer ?? ""] = { [inner ?? ""]: value ?? "" }),
  ],
  [/^the flag was evaluated with details$/, async (w, _args, _step, clientFor) => void (w.details = await evaluate(w, clientFor))],
  [
    new RegExp(`^the resolved details value should be ${last}$`),
    (w, [value]) => {
      const flag = required(w.flag, "a flag");
      expect(required(w.details, "an evaluation").value).toEqual(typed(flag.type, value ?? ""));
    },
  ],
  [new RegExp(`^the reason should be ${last}$`), (w, [reason]) => void expect(required(w.details, "an evaluation").reason).toBe(reason)],
  [
    new RegExp(`^the error-code should be ${last}$`),
    (w, [code]) => void expect(required(w.details, "an evaluation").errorCode ?? "").toBe(code),
  ],
  [new RegExp(`^the variant should be ${last}$`), (w, [variant]) => void expect(required(w.details, "an evaluation").variant).toBe(variant)],
  [/^the resolved metadata is empty$/, (w) => void expect(required(w.details, "an evaluation").flagMetadata).toEqual({})],
  [
    /^the resolved metadata should contain$/,
    (w, _args, step) => {
      const rows = (step.table ?? []).slice(1);
      const expected = Object.fromEntries(rows.map(([key, type, value]) => [key ?? "", typed(flagType(type), value ?? "")]));
      expect(required(w.details, "an evaluation").flagMetadata).toMatchObject(expected);
    },
  ],
];

/** Runs `scenario`'s steps in order; throws (an assertion error or "no step matches") on the first failure. */
export async function runScenario(scenario: ConformanceScenario, clientFor: ClientFor): Promise<void> {
  const world: World = { source: undefined, selector: undefined, flag: undefined, context: {}, details: undefined };
  for (const step of scenario.steps) {
    const match = STEPS.map(([pattern, handler]) => [pattern.exec(step.text), handler] as const).find(([m]) => m !== null);
    if (!match?.[0]) throw new Error(`no step matches "${step.text}"`);
    await match[1](world, match[0].slice(1).map(unescape), step, clientFor);
  }
}

async function evaluate(w: World, clientFor: ClientFor): Promise<EvaluationDetails<FlagValue>> {
  const flag = required(w.flag, "a flag");
  const client = clientFor(required(w.source, "a provider"));
  const context: EvaluationContext = w.context;
  const raw = flag.fallback;
  switch (flag.type) {
    case "Boolean":
      return client.getBooleanDetails(flag.key, raw === "true", context);
    case "String":
      return client.getStringDetails(flag.key, raw, context);
    case "Integer":
      return client.getNumberDetails(flag.key, Number.parseInt(raw, 10), context);
    case "Float":
      return client.getNumberDetails(flag.key, Number.parseFloat(raw), context);
    case "Object":
      return client.getObjectDetails(flag.key, parseJson(raw), context);
  }
}

function parseJson(raw: string): JsonValue {
  return JSON.parse(raw) as JsonValue;
}

/** A step's string as the type it names (the testbed's conventions: "true", "10", "0.5", JSON). */
function typed(type: FlagType, raw: string): FlagValue {
  switch (type) {
    case "Boolean":
      return raw === "true";
    case "Integer":
      return Number.parseInt(raw, 10);
    case "Float":
      return Number.parseFloat(raw);
    case "Object":
      return parseJson(raw);
    case "String":
      return raw;
  }
}

function unescape(text: string | undefined): string {
  return (text ?? "").replaceAll('\\"', '"');
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the scenario has no ${what} yet`);
  return value;
}
