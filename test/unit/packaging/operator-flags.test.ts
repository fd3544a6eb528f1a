// The flags the chart passes to `helios operator` are flags the operator knows, with values its config accepts.
import { describe, expect, it } from "vitest";
import { OPERATOR_FLAGS, flagAttribute, resolveOperatorConfig, type RawFlags } from "../../../src/runtime/config/index.js";
import { findObject, render } from "./chart.js";

/** Parses `--name=value` / `--name` the way commander would hand them to the config. */
function toRawFlags(args: readonly string[]): RawFlags {
  const flags: Record<string, string | boolean | string[]> = {};
  for (const arg of args) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (m === null) throw new Error(`not a flag: ${arg}`);
    const name = m[1] ?? "";
    const spec = OPERATOR_FLAGS.find((f) => f.flag === name);
    if (spec === undefined) throw new Error(`the operator has no flag --${name}`);
    const attr = flagAttribute(name);
    if (spec.kind === "bool") flags[attr] = m[2] ?? true;
    else if (spec.kind === "strings") flags[attr] = [...((flags[attr] as string[] | undefined) ?? []), m[2] ?? ""];
    else flags[attr] = m[2] ?? "";
  }
  return flags;
}

async function operatorArgs(set: Record<string, string>): Promise<string[]> {
  const d = findObject(await render(set), "Deployment", "helios-operator");
  const args = (d["spec"] as { template: { spec: { containers: { args: string[] }[] } } }).template.spec.containers[0]?.args ?? [];
  expect(args[0]).toBe("operator");
  return args.slice(1);
}

describe("chart → operator flags", () => {
  it("defaults resolve to the operator's own defaults", async () => {
    const config = resolveOperatorConfig(toRawFlags(await operatorArgs({})), {});
    expect(config).toMatchObject({
      operatorNamespace: "helios-system",
      leaderElect: true,
      leaderElectionId: "helios-operator-leader",
      namespaces: [],
      logLevel: "info",
      metricsBindAddress: ":8080",
      metricsSecure: false,
      healthProbeBindAddress: ":8081",
      agentStaleTimeoutMs: 90_000,
      jobAckTimeoutMs: 120_000,
      jobStuckThresholdMs: 30 * 60_000,
      maxQueueTimeMs: 3_600_000,
      finishedJobTtlMs: 168 * 3_600_000,
      agentGcAfterMs: 86_400_000,
      auditRetentionMs: 8760 * 3_600_000,
      auditRetentionIntervalMs: 24 * 3_600_000,
      auditRetentionBatch: 1000,
      auditDryRun: false,
    });
  });

  it("carries every value through", async () => {
    const args = await operatorArgs({
      "leaderElection.enabled": "false",
      replicaCount: "1",
      watchNamespaces: "{team-a,team-b}",
      logLevel: "warn",
      "ports.metrics": "9090",
      "metrics.secure": "true",
      "timing.maxQueueTime": "2h",
      "jobs.finishedTtl": "0",
      "timing.agentGcAfter": "30m",
      "audit.dryRun": "true",
      "audit.retentionBatch": "50",
      extraArgs: "{--graceful-shutdown-timeout=45s}",
    });
    const config = resolveOperatorConfig(toRawFlags(args), {});
    expect(config).toMatchObject({
      leaderElect: false,
      namespaces: ["team-a", "team-b"],
      logLevel: "warn",
      metricsBindAddress: ":9090",
      metricsSecure: true,
      maxQueueTimeMs: 7_200_000,
      finishedJobTtlMs: 0,
      agentGcAfterMs: 1_800_000,
      auditDryRun: true,
      auditRetentionBatch: 50,
      gracefulShutdownTimeoutMs: 45_000,
    });
  });
});
