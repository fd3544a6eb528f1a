// Helpers for the CLI integration tests: run `helios` in-process, seed objects with status, unreachable kubeconfigs.
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { KubeConfig } from "@kubernetes/client-node";
import { AGENT_LABEL, AGENT_TYPE, JOB_TYPE, type Agent, type AgentInput, type Job, type JobInput, type JobStatus } from "../../../src/api/index.js";
import type { WatchContext } from "../../../src/cli/output/index.js";
import { runCli } from "../../../src/cli/program.js";
import { LEASES, microTime, ResourceClient, Transport, type Lease } from "../../../src/runtime/client/index.js";
import { kubeconfigPath, type CommandResult } from "../support/cluster.js";

export interface Run extends CommandResult {
  readonly stdout: string;
}

/** Runs `helios <args>` in this process against the shared cluster (KUBECONFIG) unless env says otherwise. */
export async function helios(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { env: { KUBECONFIG: kubeconfigPath(), ...env }, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** Starts `helios <args>` (e.g. --watch) with a signal that ends it; read its output live. */
export function heliosLive(args: readonly string[]): { readonly output: () => string; readonly stop: () => Promise<number> } {
  let stdout = "";
  const controller = new AbortController();
  const ctx: WatchContext = {
    env: { KUBECONFIG: kubeconfigPath() },
    stdout: (t) => (stdout += t),
    stderr: (t) => (stdout += t),
    signal: controller.signal,
  };
  const done = runCli(args, ctx);
  return {
    output: () => stdout,
    stop: async () => {
      controller.abort();
      return done;
    },
  };
}

/** Typed clients as the cluster admin, to seed what the operator and agents would have written. */
export function clients(kc: KubeConfig) {
  const transport = new Transport(kc);
  return {
    jobs: new ResourceClient<Job>(transport, JOB_TYPE),
    agents: new ResourceClient<Agent>(transport, AGENT_TYPE),
    leases: new ResourceClient<Lease>(transport, LEASES),
  };
}

/** Creates a Job and, when given, writes its status (as the operator or an agent would). */
export async function seedJob(kc: KubeConfig, namespace: string, name: string, spec: Partial<JobInput["spec"]>, status?: JobStatus): Promise<Job> {
  const { jobs } = clients(kc);
  const created = await jobs.create({ metadata: { name, namespace }, spec: { type: "echo", ...spec } } as Job);
  if (status === undefined) return created;
  return jobs.replaceStatus({ ...created, status });
}

/** Creates an Agent, its status, and its heartbeat Lease renewed `renewedAgoMs` ago. */
export async function seedAgent(kc: KubeConfig, namespace: string, name: string, spec: Partial<AgentInput["spec"]>, status?: Agent["status"], renewedAgoMs?: number): Promise<Agent> {
  const { agents, leases } = clients(kc);
  let agent = await agents.create({ metadata: { name, namespace }, spec } as Agent);
  if (status !== undefined) agent = await agents.replaceStatus({ ...agent, status });
  if (renewedAgoMs !== undefined) {
    await leases.create({
      metadata: { name, namespace, labels: { [AGENT_LABEL]: name } },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(new Date(Date.now() - renewedAgoMs)) },
    });
  }
  return agent;
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Writes a kubeconfig whose cluster is `server` (nothing needs to answer there). */
export function writeKubeconfig(path: string, server: string): string {
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: dead, context: { cluster: c, user: u, namespace: team } }]
current-context: dead
`,
  );
  return path;
}
