// Label selector matching with Kubernetes semantics, plus a canonical key and a kubectl-style rendering.
import type { LabelSelector, LabelSelectorRequirement } from "./types.js";

type Labels = Readonly<Record<string, string>>;

function hasLabel(labels: Labels, key: string): boolean {
  return Object.hasOwn(labels, key);
}

function requirementHolds(req: LabelSelectorRequirement, labels: Labels): boolean {
  const present = hasLabel(labels, req.key);
  switch (req.operator) {
    case "In":
      return present && (req.values ?? []).includes(labels[req.key] as string);
    case "NotIn":
      // As in Kubernetes: a missing label satisfies NotIn.
      return !present || !(req.values ?? []).includes(labels[req.key] as string);
    case "Exists":
      return present;
    case "DoesNotExist":
      return !present;
    default:
      // An operator we do not know (the API should have rejected it) matches nothing: fail closed.
      return false;
  }
}

/** True when `labels` satisfy every matchLabels pair and every expression; an absent or empty selector matches all. */
export function matchesSelector(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (selector === undefined) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!hasLabel(labels, key) || labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    if (!requirementHolds(req, labels)) return false;
  }
  return true;
}

/** Renders a selector as kubectl prints it, e.g. `gpu=true,zone in (a,b),!spot`; empty renders as `<all>`. */
export function formatSelector(selector: LabelSelector | undefined): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    parts.push(`${key}=${value}`);
  }
  for (const req of selector?.matchExpressions ?? []) {
    const values = [...(req.values ?? [])].sort().join(",");
    switch (req.operator) {
      case "In":
        parts.push(`${req.key} in (${values})`);
        break;
      case "NotIn":
        parts.push(`${req.key} notin (${values})`);
        break;
      case "Exists":
        parts.push(req.key);
        break;
      case "DoesNotExist":
        parts.push(`!${req.key}`);
        break;
    }
  }
  return parts.length === 0 ? "<all>" : parts.join(",");
}

/**
 * A cache key: equal keys mean the selectors select the same labels; "" means select everything.
 * Selectors written differently but equivalent may get different keys, which only costs a cache
 * miss; JSON is used because it is the cheapest faithful rendering.
 */
export function selectorKey(selector: LabelSelector | undefined): string {
  if (selector === undefined) return "";
  const labels = selector.matchLabels;
  const exprs = selector.matchExpressions;
  if ((labels === undefined || Object.keys(labels).length === 0) && (exprs === undefined || exprs.length === 0)) return "";
  return JSON.stringify(selector);
}

