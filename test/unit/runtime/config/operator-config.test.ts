// Operator configuration: defaults, env fallbacks, flag precedence and errors that name the flag.
import { describe, expect, it } from "vitest";
import { ConfigError, resolveOperatorConfig } from "../../../../src/runtime/config/index.js";

function issuesOf(fn: () => unknown): ConfigError["issues"] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("resolveOperatorConfig", () => {
  it("fills DESIGN.md's defaults", () => {
    const c = resolveOperatorConfig({}, {});
    expect(c).toMatchObject({
      namespaces: [],
      operatorNamespace: "helios-system",
      leaderElect: false,
      leaderElectionId: "helios-operator-leader",
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      metricsBindAddress: ":8080",
      healthProbeBindAddress: ":8081",
      logLevel: "info",
      agentStaleTimeoutMs: 90_000,
      agentFailureThreshold: 5,
      agentQuarantineMs: 60_000,
      agentMaxQuarantineMs: 3_600_000,
      agentOffenceWindowMs: 3_600_000,
      agentGcAfterMs: 86_400_000,
      jobAckTimeoutMs: 120_000,
      jobStuckThresholdMs: 1_800_000,
      maxQueueTimeMs: 3_600_000,
      finishedJobTtlMs: 7 * 24 * 3_600_000,
      auditRetentionMs: 8760 * 3_600_000,
      auditRetentionIntervalMs: 86_400_000,
      auditRetentionBatch: 1000,
      auditDryRun: false,
    });
    expect(c.kubeconfig).toBeUndefined();
  });

  it("takes HELIOS_* env values when a flag is absent, and flags over env", () => {
    const env = {
      HELIOS_AGENT_STALE_TIMEOUT: "2m",
      HELIOS_NAMESPACE: "team-a, team-b",
      HELIOS_LEADER_ELECT: "true",
      HELIOS_LOG_LEVEL: "debug",
      HELIOS_KUBECONFIG: "/tmp/kc",
    };
    const c = resolveOperatorConfig({ logLevel: "warn", namespace: ["team-c"], auditDryRun: true }, env);
    expect(c.agentStaleTimeoutMs).toBe(120_000);
    expect(c.leaderElect).toBe(true);
    expect(c.logLevel).toBe("warn");
    expect(c.namespaces).toEqual(["team-c"]);
    expect(c.kubeconfig).toBe("/tmp/kc");
    expect(c.auditDryRun).toBe(true);
    expect(resolveOperatorConfig({}, env).namespaces).toEqual(["team-a", "team-b"]);
    expect(resolveOperatorConfig({ namespace: ["a,b", "c"] }, {}).namespaces).toEqual(["a", "b", "c"]);
  });

  it("names each bad flag, where its value came from and what it accepts", () => {
    const issues = issuesOf(() =>
      resolveOperatorConfig(
        { jobAckTimeout: "soon", metricsBindAddress: "8080", auditRetentionBatch: "-5" },
        { HELIOS_LOG_LEVEL: "loud" },
      ),
    );
    expect(issues.map((i) => i.flag).sort()).toEqual([
      "--audit-retention-batch",
      "--job-ack-timeout",
      "--log-level",
      "--metrics-bind-address",
    ]);
    const byFlag = new Map(issues.map((i) => [i.flag, i]));
    expect(byFlag.get("--job-ack-timeout")?.message).toMatch(/Go duration such as 90s/);
    expect(byFlag.get("--log-level")?.source).toBe(" (from HELIOS_LOG_LEVEL)");
    expect(byFlag.get("--log-level")?.message).toMatch(/trace, debug, info/);
    expect(byFlag.get("--metrics-bind-address")?.message).toMatch(/host:port/);
  });

  it("rejects zero and negative durations, bad namespaces and bad booleans", () => {
    const issues = issuesOf(() =>
      resolveOperatorConfig({ maxQueueTime: "0s", agentStaleTimeout: "-1m", namespace: ["Team_A"], leaderElect: "maybe" }, {}),
    );
    expect(issues.map((i) => i.flag).sort()).toEqual([
      "--agent-stale-timeout",
      "--leader-elect",
      "--max-queue-time",
      "--namespace",
    ]);
  });

  it("takes --finished-job-ttl as a Go duration where 0 keeps finished jobs forever", () => {
    expect(resolveOperatorConfig({ finishedJobTtl: "3s" }, {}).finishedJobTtlMs).toBe(3000);
    expect(resolveOperatorConfig({}, { HELIOS_FINISHED_JOB_TTL: "0" }).finishedJobTtlMs).toBe(0);
    expect(resolveOperatorConfig({ finishedJobTtl: "0s" }, {}).finishedJobTtlMs).toBe(0);
    const issues = issuesOf(() => resolveOperatorConfig({ finishedJobTtl: "-1h" }, { HELIOS_MAX_QUEUE_TIME: "0" }));
    expect(issues.map((i) => [i.flag, i.message])).toEqual([
      ["--max-queue-time", "expected a positive duration"],
      ["--finished-job-ttl", "expected 0 or a positive duration"],
    ]);
    expect(issuesOf(() => resolveOperatorConfig({ finishedJobTtl: "7d" }, {}))[0]?.message).toMatch(/Go duration/);
  });

  it("enforces lease duration > renew deadline > 1.2 x retry period", () => {
    const issues = issuesOf(() => resolveOperatorConfig({ leaderElectRenewDeadline: "20s" }, {}));
    expect(issues.map((i) => i.flag)).toEqual(["--leader-elect-renew-deadline"]);
    const retry = issuesOf(() => resolveOperatorConfig({ leaderElectRetryPeriod: "9s" }, {}));
    expect(retry.map((i) => i.flag)).toEqual(["--leader-elect-retry-period"]);
  });

  it("sets the circuit breaker, and refuses a quarantine bound below the first cool-down", () => {
    const c = resolveOperatorConfig({ agentFailureThreshold: "3", agentQuarantine: "30s", agentMaxQuarantine: "10m", agentOffenceWindow: "2h" }, {});
    expect(c).toMatchObject({ agentFailureThreshold: 3, agentQuarantineMs: 30_000, agentMaxQuarantineMs: 600_000, agentOffenceWindowMs: 7_200_000 });
    const issues = issuesOf(() => resolveOperatorConfig({ agentQuarantine: "2h", agentFailureThreshold: "0" }, {}));
    const byFlag = new Map(issues.map((i) => [i.flag, i]));
    expect([...byFlag.keys()].sort()).toEqual(["--agent-failure-threshold", "--agent-max-quarantine"]);
    expect(byFlag.get("--agent-max-quarantine")?.message).toBe("must not be shorter than --agent-quarantine (2h)");
  });

  it("refuses a probe address that listens where the metrics address does", () => {
    const clash = issuesOf(() => resolveOperatorConfig({ metricsBindAddress: ":9000" }, { HELIOS_HEALTH_PROBE_BIND_ADDRESS: "127.0.0.1:9000" }));
    expect(clash).toEqual([
      { flag: "--health-probe-bind-address", source: " (from HELIOS_HEALTH_PROBE_BIND_ADDRESS)", value: "127.0.0.1:9000", message: "must not listen where --metrics-bind-address (:9000) does" },
    ]);
    expect(resolveOperatorConfig({ metricsBindAddress: "127.0.0.1:9000", healthProbeBindAddress: "127.0.0.2:9000" }, {}).healthProbeBindAddress).toBe("127.0.0.2:9000");
    expect(resolveOperatorConfig({ metricsBindAddress: "0", healthProbeBindAddress: "0" }, {}).metricsBindAddress).toBe("0");
    expect(resolveOperatorConfig({ metricsBindAddress: ":0", healthProbeBindAddress: ":0" }, {}).metricsBindAddress).toBe(":0");
  });

  it("takes --agent-gc-after as a duration where 0 means never, from the flag or HELIOS_AGENT_GC_AFTER", () => {
    expect(resolveOperatorConfig({ agentGcAfter: "0" }, {}).agentGcAfterMs).toBe(0);
    expect(resolveOperatorConfig({ agentGcAfter: "0s" }, {}).agentGcAfterMs).toBe(0);
    expect(resolveOperatorConfig({}, { HELIOS_AGENT_GC_AFTER: "3s" }).agentGcAfterMs).toBe(3_000);
    expect(resolveOperatorConfig({ agentGcAfter: "720h" }, { HELIOS_AGENT_GC_AFTER: "3s" }).agentGcAfterMs).toBe(720 * 3_600_000);
    const issues = issuesOf(() => resolveOperatorConfig({ agentGcAfter: "-1h" }, {}));
    expect(issues).toEqual([{ flag: "--agent-gc-after", source: "", value: "-1h", message: "expected 0 or a positive duration" }]);
    expect(issuesOf(() => resolveOperatorConfig({}, { HELIOS_AGENT_GC_AFTER: "1 day" }))[0]).toMatchObject({ flag: "--agent-gc-after", source: " (from HELIOS_AGENT_GC_AFTER)" });
  });

  it("accepts the bind address forms controller-runtime does", () => {
    for (const addr of ["0", ":8080", "127.0.0.1:0", "localhost:9090", "[::1]:8443"]) {
      expect(resolveOperatorConfig({ metricsBindAddress: addr }, {}).metricsBindAddress).toBe(addr);
    }
  });
});
