// A submission as a Job object (checked, named, as JSON will carry it), and whether an existing Job is the one a key asked for.
import { isDeepStrictEqual } from "node:util";
import { API_VERSION, IDEMPOTENCY_KEY_ANNOTATION, jobSchema, KINDS, type Job, type JobInput } from "../api/index.js";
import { IdempotencyConflictError, InvalidJobSpecError } from "./errors.js";
import { generatedNamePrefix, idempotentName } from "./naming.js";
import { submitOptionsSchema, type SubmitOptionsInput } from "./submit-options.js";

/** A Job's spec as a producer writes it: fields with defaults may be left out. */
export type JobSpecInput = JobInput["spec"];

/**
 * The Job a submission creates: its spec checked and defaulted by the API's schema, named by the
 * idempotency key, the name, or a prefix from its type.
 * @throws InvalidJobSpecError naming each field to fix, under `prefix` (e.g. `requests[3]`).
 */
export function jobOfSubmission(spec: JobSpecInput, naming: SubmitOptionsInput, defaultNamespace: string, prefix = ""): Job {
  const options = submitOptionsSchema.safeParse(naming);
  if (!options.success) throw new InvalidJobSpecError(options.error.issues, prefix);
  const { namespace, name, generateName, idempotencyKey, labels, annotations } = options.data;
  const identity =
    idempotencyKey !== undefined ? { name: idempotentName(idempotencyKey) } : name !== undefined ? { name } : { generateName: generateName ?? generatedNamePrefix(spec.type) };
  const allAnnotations = idempotencyKey === undefined ? annotations : { ...annotations, [IDEMPOTENCY_KEY_ANNOTATION]: idempotencyKey };
  const metadata = {
    namespace: namespace ?? defaultNamespace,
    ...identity,
    ...(labels === undefined ? {} : { labels }),
    ...(allAnnotations === undefined ? {} : { annotations: allAnnotations }),
  };
  const parsed = jobSchema.safeParse({ apiVersion: API_VERSION, kind: KINDS.job, metadata, spec });
  if (!parsed.success) throw new InvalidJobSpecError(parsed.error.issues, prefix);
  return parsed.data;
}

/**
 * The existing Job of an idempotency key, when it is the one the key asked for: created with the key
 * and the same spec as JSON carries it (fields set to undefined are not sent; `cancel` aside: it may
 * have been set since).
 * @throws IdempotencyConflictError when it was created without the key or with another spec.
 */
export function sameSubmission(existing: Job, submitted: Job, idempotencyKey: string): Job {
  const name = existing.metadata.name ?? "";
  if (existing.metadata.annotations?.[IDEMPOTENCY_KEY_ANNOTATION] !== idempotencyKey) {
    throw new IdempotencyConflictError(idempotencyKey, existing, `its name ${name} is taken by a Job not submitted with this key`);
  }
  if (!isDeepStrictEqual(asSent({ ...existing.spec, cancel: false }), asSent({ ...submitted.spec, cancel: false }))) {
    throw new IdempotencyConflictError(idempotencyKey, existing, `Job ${name} was submitted with this key and another spec; use a new key for new work`);
  }
  return existing;
}

/** A value as its JSON encoding carries it. */
function asSent(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
