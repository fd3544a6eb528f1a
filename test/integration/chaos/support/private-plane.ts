// A private control plane for scenarios that kill, restart, compact or throttle it (the shared one
// must stay healthy for every other test file), with the CRDs installed and ready.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import net from "node:net";
import { join, resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { parse, stringify } from "yaml";
import { readdirSync, readFileSync } from "node:fs";
import { removeControlPlaneData, startControlPlane, type ControlPlane } from "../../../../hack/control-plane/index.js";
import type { CommandResult } from "../../support/cluster.js";

const CRDS = resolve(import.meta.dirname, "../../../../crds");

export interface PrivatePlane {
  readonly plane: ControlPlane;
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  kubectl(args: readonly string[], input?: string): Promise<CommandResult>;
  /** Writes a kubeconfig for the same cluster with `server` and/or a bearer token replaced. */
  kubeconfigWith(name: string, o: { server?: string; token?: string }): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The CRDs with their validation taken away (a schema that keeps anything), for showing what the
 * schemas protect the operator from. Selectable fields keep their one typed property each.
 */
function permissive(crdYaml: string): string {
  const crd = parse(crdYaml) as { spec: { versions: { schema: unknown; selectableFields?: { jsonPath: string }[] }[] } };
  for (const version of crd.spec.versions) {
    const schema: Record<string, unknown> = { type: "object", "x-kubernetes-preserve-unknown-fields": true };
    for (const { jsonPath } of version.selectableFields ?? []) {
      let node = schema;
      for (const part of jsonPath.split(".").filter((p) => p !== "")) {
        const props = (node["properties"] ??= {}) as Record<string, Record<string, unknown>>;
        node = props[part] ??= { type: "object", "x-kubernetes-preserve-unknown-fields": true };
      }
      delete node["x-kubernetes-preserve-unknown-fields"];
      node["type"] = "string";
    }
    version.schema = { openAPIV3Schema: schema };
  }
  return stringify(crd);
}

export async function startPrivatePlane(apiServerArgs: readonly string[] = [], o: { permissiveCrds?: boolean } = {}): Promise<PrivatePlane> {
  const plane = await startControlPlane({ apiServerArgs, report: () => {} });
  const kubectl = (args: readonly string[], input?: string): Promise<CommandResult> =>
    new Promise((res, rej) => {
      const child = execFile(plane.binaries.kubectl, ["--kubeconfig", plane.kubeconfigPath, ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") return rej(new Error(`kubectl failed to run: ${err.message}`, { cause: err }));
        res({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  const crds = o.permissiveCrds === true ? readdirSync(CRDS).filter((f) => f.endsWith(".yaml")).map((f) => permissive(readFileSync(join(CRDS, f), "utf8"))).join("\n---\n") : undefined;
  for (const args of [
    ["apply", "--server-side", "-f", crds === undefined ? CRDS : "-"],
    ["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"],
  ]) {
    const out = await kubectl(args, args[0] === "apply" ? crds : undefined);
    if (out.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${out.stderr}`);
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(plane.kubeconfigPath);
  return {
    plane,
    kubeconfigPath: plane.kubeconfigPath,
    kubeConfig,
    kubectl,
    async kubeconfigWith(name, o) {
      const config = parse(readFileSync(plane.kubeconfigPath, "utf8")) as {
        clusters: { cluster: Record<string, string> }[];
        users: { name: string; user: Record<string, string> }[];
      };
      for (const c of config.clusters) if (o.server !== undefined) c.cluster["server"] = o.server;
      if (o.token !== undefined) for (const u of config.users) u.user = { token: o.token };
      const path = join(plane.kubeconfigPath, "..", `kubeconfig-${name}`);
      await writeFile(path, stringify(config), { mode: 0o600 });
      return path;
    },
    async stop() {
      await plane.stop();
      await removeControlPlaneData(plane);
    },
  };
}

/** A loopback TCP proxy in front of the apiserver whose connections a test can cut (watches then reconnect). */
export class TcpProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();

  constructor(targetPort: number) {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(targetPort, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on("error", () => undefined);
        s.on("close", () => {
          this.#sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  listen(): Promise<number> {
    return new Promise((res) => this.#server.listen(0, "127.0.0.1", () => res((this.#server.address() as net.AddressInfo).port)));
  }

  /** Resets every open connection (clients see ECONNRESET mid-watch and reconnect). */
  dropAll(): void {
    for (const s of this.#sockets) s.resetAndDestroy();
    this.#sockets.clear();
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((res) => this.#server.close(() => res()));
  }
}
