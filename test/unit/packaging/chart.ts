// Renders the chart with the real helm binary (offline: `helm template` needs no cluster) for the packaging tests.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { ensureBinaries } from "../../../hack/control-plane/index.js";
import { CHART_DIR, repoRoot } from "../../../hack/render-manifests.js";

export const ROOT = repoRoot();
export const CHART = join(ROOT, CHART_DIR);

/** A rendered Kubernetes object, loosely typed: tests read the fields they assert on. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

export interface HelmResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The helm binary, built from Go modules on first use (minutes on a cold machine, then cached). */
export async function helmPath(): Promise<string> {
  return (await ensureBinaries()).helm;
}

/** Runs helm; never throws on a non-zero exit. */
export async function helm(args: readonly string[]): Promise<HelmResult> {
  const bin = await helmPath();
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") return reject(new Error(`helm failed to run: ${err.message}`, { cause: err }));
      resolve({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
    });
  });
}

/** `helm template` with `--set` pairs; throws with helm's message when rendering fails. */
export async function render(set: Readonly<Record<string, string>> = {}, extra: readonly string[] = []): Promise<K8sObject[]> {
  const sets = Object.entries(set).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
  const res = await helm(["template", "helios", CHART, "--namespace", "helios-system", ...sets, ...extra]);
  if (res.code !== 0) throw new Error(`helm template failed: ${res.stderr}`);
  return parseObjects(res.stdout);
}

/** Every non-empty YAML document as an object; fails on YAML errors (duplicate keys included). */
export function parseObjects(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text, { uniqueKeys: true })) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value as K8sObject);
  }
  return objects;
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
  return found;
}
