// The admission rule that bounds a Job's free-form JSON (spec.payload on create, status.result on every
// status write) in nesting depth and serialized size, as CEL for a ValidatingAdmissionPolicy. A CRD
// rule cannot: the apiserver types a preserve-unknown-fields object by its (empty) schema, so CRD CEL
// sees none of its content. The chart embeds the generated spec (charts/helios/files), so LIMITS stay
// the one source of the bounds.
import { GROUP, LIMITS, PLURALS, VERSION } from "./constants.js";

/** Where each bounded field lives, its limits and the sentence its refusal ends with. */
const FIELDS = {
  payload: { path: "spec.payload", maxBytes: LIMITS.payloadBytes },
  result: { path: "status.result", maxBytes: LIMITS.resultBytes },
} as const;
const ADVICE = "pass large data by reference";
/** The request is a write of the status subresource (subResource is absent from a request of the object). */
const STATUS_WRITE = "request.?subResource.orValue('') == 'status'";

export interface CelVariable {
  readonly name: string;
  readonly expression: string;
}
export interface CelValidation {
  readonly expression: string;
  readonly messageExpression: string;
  readonly reason: "Invalid" | "RequestEntityTooLarge";
}
/** The parts of the policy's spec the chart's template does not write itself. */
export interface JsonBoundsPolicySpec {
  readonly matchConstraints: { readonly resourceRules: readonly Record<string, readonly string[]>[] };
  readonly matchConditions: readonly CelVariable[];
  readonly variables: readonly CelVariable[];
  readonly validations: readonly CelValidation[];
}

const level = (n: number): string => `level${n}`;
const seen = (n: number): string => `valuesToLevel${n}`;
const isContainer = (v: string): string => `(type(${v}) == map || type(${v}) == list)`;

/**
 * The values at each nesting level, breadth first: level 1 is the bounded object itself, level n+1 the
 * members of level n's objects and arrays. One variable per level keeps every expression flat (CEL's
 * parser refuses deeply nested expressions) and its cost linear in the size of the JSON. Each level is
 * counted before it is built: once there are more values than `maxValues`, the JSON is too large
 * whatever they hold, so the deeper levels are left empty and the cost stays within the apiserver's
 * budget however large the request.
 */
function levelVariables(): CelVariable[] {
  const levels: CelVariable[] = [
    { name: seen(1), expression: "1" },
    { name: level(1), expression: "[variables.subject]" },
  ];
  for (let n = 2; n <= LIMITS.jsonDepth + 1; n++) {
    const previous = `variables.${level(n - 1)}`;
    levels.push(
      { name: seen(n), expression: `variables.${seen(n - 1)} + ${previous}.map(v, ${isContainer("v")} ? size(v) : 0).sum()` },
      {
        name: level(n),
        expression: `variables.${seen(n)} > variables.maxValues ? [] : ${previous}.map(v, type(v) == map ? v.map(k, v[k]) : type(v) == list ? v : []).flatten()`,
      },
    );
  }
  return levels;
}

/**
 * A lower bound of the bytes a value adds to its JSON text, not counting its members: strings and keys
 * count one byte per character plus quotes (and colon, comma), integers their digits, other numbers
 * their shortest form less one (Go writes `1.5e-07` where JSON may write `1.5e-7`), an array or object
 * its brackets and commas. The sum over every value is therefore at most the size of the JSON itself.
 */
const OWN_BYTES =
  "type(v) == string ? size(v) + 2 : type(v) == int ? size(string(v)) : type(v) == double ? size(string(v)) - 1 : " +
  "type(v) == bool ? (v ? 4 : 5) : (type(v) == map || type(v) == list) && size(v) == 0 ? 2 : " +
  "type(v) == map ? 1 + v.map(k, size(k) + 4).sum() : type(v) == list ? 1 + size(v) : 4";

export function jsonBoundsPolicySpec(): JsonBoundsPolicySpec {
  const jobs = { apiGroups: [GROUP], apiVersions: [VERSION] };
  const deepest = `variables.${level(LIMITS.jsonDepth + 1)}`;
  const levels = levelVariables();
  const levelNames = Array.from({ length: LIMITS.jsonDepth + 1 }, (_, i) => level(i + 1));
  return {
    matchConstraints: {
      resourceRules: [
        { ...jobs, operations: ["CREATE"], resources: [PLURALS.job] },
        { ...jobs, operations: ["UPDATE"], resources: [`${PLURALS.job}/status`] },
      ],
    },
    matchConditions: [
      {
        // A status write that leaves the result as it was passes (it was judged when written).
        name: "bounded-field-written",
        expression:
          `!(${STATUS_WRITE}) || (` +
          "has(object.status) && has(object.status.result) && " +
          "!(has(oldObject.status) && has(oldObject.status.result) && oldObject.status.result == object.status.result))",
      },
    ],
    variables: [
      { name: "field", expression: `${STATUS_WRITE} ? '${FIELDS.result.path}' : '${FIELDS.payload.path}'` },
      { name: "maxBytes", expression: `${STATUS_WRITE} ? ${FIELDS.result.maxBytes} : ${FIELDS.payload.maxBytes}` },
      { name: "subject", expression: `${STATUS_WRITE} ? object.status.result : object.spec.?payload.orValue({})` },
      // Each value adds at least two bytes to the JSON (itself and the bracket, comma or colon before it).
      { name: "maxValues", expression: "(variables.maxBytes + 1) / 2" },
      ...levels,
      {
        name: "bytes",
        expression:
          `variables.${seen(LIMITS.jsonDepth + 1)} > variables.maxValues ? 2 * variables.${seen(LIMITS.jsonDepth + 1)} - 1 : ` +
          `[${levelNames.map((l) => `variables.${l}`).join(", ")}].flatten().map(v, ${OWN_BYTES}).sum()`,
      },
    ],
    validations: [
      {
        expression: `${deepest}.all(v, !${isContainer("v")})`,
        messageExpression: `variables.field + ' is nested deeper than ${LIMITS.jsonDepth} levels: ${ADVICE}'`,
        reason: "Invalid",
      },
      {
        // Past the depth bound the measure stops; the depth refusal above names the problem.
        expression: `${deepest}.exists(v, ${isContainer("v")}) || variables.bytes <= variables.maxBytes`,
        messageExpression:
          `variables.field + ' is larger than ' + string(variables.maxBytes / 1024) + ' KiB of JSON (at least ' + ` +
          `string(variables.bytes) + ' bytes): ${ADVICE}'`,
        reason: "RequestEntityTooLarge",
      },
    ],
  };
}
