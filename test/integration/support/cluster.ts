// Helpers for integration tests on the shared real control plane started by the global setup.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { Writable } from "node:stream";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { inject } from "vitest";
import { parse, stringify } from "yaml";
import type { BinaryPaths } from "../../../hack/control-plane/index.js";
import type { Logger } from "../../../src/runtime/log/index.js";

export function kubeconfigPath(): string {
  return inject("kubeconfig");
}

export function binaries(): BinaryPaths {
  return inject("binaries");
}

export function kubeConfig(path = kubeconfigPath()): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** The shared cluster's admin credentials acting as `user` (Impersonate-User on every request, Transport and client-node alike). */
export function impersonating(user: string): KubeConfig {
  const admin = kubeConfig();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: admin.clusters,
    users: admin.users.map((u) => ({ ...u, impersonateUser: user })),
    contexts: admin.contexts,
    currentContext: admin.currentContext,
  });
  return kc;
}

/**
 * Writes to `target` a copy of the kubeconfig at `source` whose users act as `user` (kubeconfig `as:`,
 * what kubectl --as sends), for processes that take a --kubeconfig; returns `target`.
 */
export function writeKubeconfigActingAs(user: string, target: string, source = kubeconfigPath()): string {
  const config = parse(readFileSync(source, "utf8")) as { users: { user: Record<string, unknown> }[] };
  for (const u of config.users) u.user = { ...u.user, as: user };
  writeFileSync(target, stringify(config), { mode: 0o600 });
  return target;
}

/** A logger keeping its warn and error JSON lines in `lines` (client-node calls, e.g. leader election, report 403s only there). */
export function warningLogger(lines: string[]): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = chunk.toString("utf8");
      if ((JSON.parse(line) as { level: number }).level >= 40) lines.push(line);
      done();
    },
  });
  return pino({ level: "info" }, sink);
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real kubectl (built with the control plane) against the test cluster; never throws on exit codes. */
export function kubectl(args: readonly string[], opts: { input?: string; kubeconfig?: string } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      binaries().kubectl,
      ["--kubeconfig", opts.kubeconfig ?? kubeconfigPath(), ...args],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") return reject(new Error(`kubectl failed to run: ${err.message}`, { cause: err }));
        resolve({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Creates a namespace with a unique name, so test files never see each other's objects. */
export async function createNamespace(prefix: string, kc = kubeConfig()): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`.toLowerCase();
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}
