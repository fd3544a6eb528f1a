// Shared helpers for the audit integration tests: a writer on the real apiserver and `helios audit` in-process.
import type { KubeConfig } from "@kubernetes/client-node";
import type { AuditLog } from "../../../src/api/index.js";
import { AUDIT_LOG_TYPE } from "../../../src/api/index.js";
import { AuditWriter, type AuditRecord, type AuditWriterOptions } from "../../../src/audit/index.js";
import { runCli } from "../../../src/cli/program.js";
import { ResourceClient, Transport } from "../../../src/runtime/client/index.js";
import type { CommandResult } from "../support/cluster.js";

export function auditClient(kc: KubeConfig): ResourceClient<AuditLog> {
  return new ResourceClient<AuditLog>(new Transport(kc), AUDIT_LOG_TYPE);
}

export function auditWriter(kc: KubeConfig, options: Partial<AuditWriterOptions> = {}): AuditWriter {
  return new AuditWriter({ client: auditClient(kc), ...options });
}

/** Runs `helios <args>` in this process and captures its output and exit code. */
export async function helios(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CommandResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** The entries a job's lifecycle produces as the controllers and agents would record them. */
export function lifecycle(namespace: string, job: string, story: "succeeded" | "retried" | "agent-died", t0: number): AuditRecord[] {
  let t = t0;
  const at = (): string => new Date((t += 1_000)).toISOString();
  const base = { namespace, kind: "Job", name: job, uid: `uid-${job}` };
  const assigned = (attempt: number, agent: string): AuditRecord => ({
    ...base, time: at(), action: "assigned", attempt, agent, actor: "queue-priority", reason: "Placed",
  });
  const started = (attempt: number, agent: string): AuditRecord => ({ ...base, time: at(), action: "started", attempt, agent, actor: agent });
  const succeeded = (attempt: number, agent: string): AuditRecord => ({
    ...base, time: at(), action: "succeeded", attempt, agent, actor: agent, reason: "HandlerSucceeded",
  });
  switch (story) {
    case "succeeded":
      return [assigned(1, "agent-a"), started(1, "agent-a"), succeeded(1, "agent-a")];
    case "retried":
      return [
        assigned(1, "agent-a"),
        started(1, "agent-a"),
        { ...base, time: at(), action: "retried", attempt: 1, agent: "agent-a", actor: "job-recovery", reason: "HandlerFailed", message: "boom; retry 1 of 3 in 10s" },
        assigned(2, "agent-b"),
        started(2, "agent-b"),
        succeeded(2, "agent-b"),
      ];
    case "agent-died":
      return [
        assigned(1, "agent-dead"),
        started(1, "agent-dead"),
        { namespace, time: at(), action: "agent-offline", kind: "Agent", name: "agent-dead", actor: "agent-health", reason: "LeaseExpired", message: "lease not renewed for 90s" },
        { ...base, time: at(), action: "requeued", attempt: 1, agent: "agent-dead", actor: "job-recovery", reason: "AgentOffline", message: "agent agent-dead is Offline" },
        assigned(2, "agent-b"),
        succeeded(2, "agent-b"),
      ];
  }
}
