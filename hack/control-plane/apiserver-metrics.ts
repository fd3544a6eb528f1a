// Reads the apiserver's own request counters, to count what Helios costs in API writes.
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { parse } from "yaml";

export interface RequestCount {
  readonly verb: string;
  readonly resource: string;
  readonly subresource: string;
  readonly group: string;
  readonly count: number;
}

const WRITE_VERBS = new Set(["POST", "PUT", "PATCH", "DELETE", "APPLY", "CREATE", "UPDATE", "DELETECOLLECTION"]);

/** Parses `apiserver_request_total` lines of the Prometheus text format, summed over codes and scopes. */
export function parseRequestTotals(metricsText: string): RequestCount[] {
  const sums = new Map<string, RequestCount>();
  for (const line of metricsText.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const close = line.lastIndexOf("}");
    const labels = new Map<string, string>();
    for (const m of line.slice(24, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels.set(m[1] ?? "", m[2] ?? "");
    const value = Number(line.slice(close + 1).trim());
    const label = (name: string) => labels.get(name) ?? "";
    const entry = { verb: label("verb"), resource: label("resource"), subresource: label("subresource"), group: label("group") };
    const key = `${entry.group}/${entry.resource}/${entry.subresource}/${entry.verb}`;
    sums.set(key, { ...entry, count: (sums.get(key)?.count ?? 0) + value });
  }
  return [...sums.values()];
}

export function isWrite(c: RequestCount): boolean {
  return WRITE_VERBS.has(c.verb.toUpperCase());
}

/** Counts in `after` minus `before`, dropping zeros: what happened between two scrapes. */
export function diffRequestTotals(before: readonly RequestCount[], after: readonly RequestCount[]): RequestCount[] {
  const key = (c: RequestCount) => `${c.group}/${c.resource}/${c.subresource}/${c.verb}`;
  const old = new Map(before.map((c) => [key(c), c.count]));
  return after.map((c) => ({ ...c, count: c.count - (old.get(key(c)) ?? 0) })).filter((c) => c.count > 0);
}

interface KubeconfigFile {
  clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
  users: { user: { "client-certificate-data": string; "client-key-data": string } }[];
}

/** Scrapes `/metrics` with the admin credentials of a local control plane's kubeconfig. */
export async function scrapeRequestTotals(kubeconfigPath: string): Promise<RequestCount[]> {
  const config = parse(await readFile(kubeconfigPath, "utf8")) as KubeconfigFile;
  const cluster = config.clusters[0]?.cluster;
  const user = config.users[0]?.user;
  if (!cluster || !user) throw new Error(`${kubeconfigPath} has no cluster or user`);
  const b64 = (s: string) => Buffer.from(s, "base64");
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(
      `${cluster.server}/metrics`,
      { ca: b64(cluster["certificate-authority-data"]), cert: b64(user["client-certificate-data"]), key: b64(user["client-key-data"]) },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => (body += d));
        res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`/metrics: HTTP ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end();
  });
  return parseRequestTotals(text);
}
