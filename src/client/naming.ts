// How a submitted Job is named: a deterministic name per idempotency key, else a generated one from its type.
import { createHash } from "node:crypto";

/** Holds the idempotency key a Job was submitted with, so a repeat can tell its own Job from another. */
export const IDEMPOTENCY_KEY_ANNOTATION = "helios.dev/idempotency-key";

const READABLE_PART = 40;

/**
 * The Job name for an idempotency key: the key made a DNS label (lowercase, `-` for anything else,
 * at most 40 characters, `job` when nothing is left) and 16 hex digits of its SHA-256, so that
 * keys that read alike still get different names. Same key, same name; the namespace is the scope.
 */
export function idempotentName(key: string): string {
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 16);
  return `${readable(key)}-${hash}`;
}

/** `metadata.generateName` for a Job of `type`: e.g. `report-generate-` for `report.generate`. */
export function generatedNamePrefix(type: string): string {
  return `${readable(type)}-`;
}

function readable(text: string): string {
  const label = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .slice(0, READABLE_PART)
    .replace(/^-+|-+$/g, "");
  return label === "" ? "job" : label;
}
