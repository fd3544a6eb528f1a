// CEL transition rules that freeze an object's fields after creation, one rule per field so the message names it,
// and that let a request flag go one way only.
import type { CelRule } from "./k8s-extensions.js";

/**
 * One rule per key, each failing when that field is changed, added or removed on update. A single
 * `self == oldSelf` would say only "spec is immutable"; per-field rules say which field to put back.
 * `has()` on both sides makes an optional field appearing or disappearing count as a change.
 * Rules that mention `oldSelf` run only on update, so creation is unaffected.
 */
export function immutableFieldRules(
  keys: readonly string[],
  options: { readonly path: string; readonly except?: readonly string[]; readonly hint: string },
): CelRule[] {
  const except = new Set(options.except ?? []);
  return keys
    .filter((key) => !except.has(key))
    .map((key) => ({
      rule: `has(self.${key}) ? (has(oldSelf.${key}) && self.${key} == oldSelf.${key}) : !has(oldSelf.${key})`,
      message: `${options.path}.${key} is immutable: ${options.hint}`,
      reason: "FieldValueForbidden" as const,
    }));
}

/**
 * A boolean request that, once true, stays true (false → true only): removing it or setting it back
 * to false on update is refused with a message naming the field. Like the rules above, it runs only
 * on update.
 */
export function oneWayFlagRule(key: string, options: { readonly path: string; readonly hint: string }): CelRule {
  return {
    rule: `!(has(oldSelf.${key}) && oldSelf.${key}) || (has(self.${key}) && self.${key})`,
    message: `${options.path}.${key} cannot be undone once true: ${options.hint}`,
    reason: "FieldValueForbidden",
  };
}
