// Unit tests of `helios agent` flag validation: good values parsed, bad ones exit 2 naming the flag.
import { describe, expect, it } from "vitest";
import { parseAgentFlags, podFromEnv } from "../../../src/cli/commands/agent.js";
import { UsageError } from "../../../src/cli/command.js";
import { runCli } from "../../../src/cli/program.js";

async function run(argv: string[], env: Record<string, string> = {}) {
  let stderr = "";
  const code = await runCli(argv, { env, stdout: () => undefined, stderr: (t) => (stderr += t) });
  return { code, stderr };
}

describe("helios agent flags", () => {
  it("parses lists, labels, durations and defaults", () => {
    const config = parseAgentFlags({
      name: "worker-1",
      capabilities: "gpu, region.eu",
      queues: "q1,q2",
      maxConcurrency: "4",
      labels: "pool=blue,example.com/tier=gold",
      allowExec: "echo,date",
      leaseDuration: "10s",
      ackDelay: "250ms",
    });
    expect(config).toMatchObject({
      name: "worker-1",
      namespace: "default",
      capabilities: ["gpu", "region.eu"],
      queues: ["q1", "q2"],
      maxConcurrency: 4,
      labels: { pool: "blue", "example.com/tier": "gold" },
      allowExec: ["echo", "date"],
      leaseDurationSeconds: 10,
      ackDelayMs: 250,
      progressIntervalMs: 2000,
      drainGraceMs: 30_000,
      logLevel: "info",
      metricsBindAddress: undefined,
    });
    expect(parseAgentFlags({ name: "w" }).queues).toEqual(["default"]);
    expect(parseAgentFlags({ name: "w", metricsBindAddress: ":9090" }).metricsBindAddress).toEqual({ port: 9090 });
    expect(parseAgentFlags({ name: "w", metricsBindAddress: "127.0.0.1:0" }).metricsBindAddress).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseAgentFlags({ name: "w" }, {}).healthProbeBindAddress).toBeUndefined();
    expect(parseAgentFlags({ name: "w", healthProbeBindAddress: ":8081" }, {}).healthProbeBindAddress).toEqual({ port: 8081 });
  });

  it("falls back to HELIOS_LOG_LEVEL and HELIOS_OPERATOR_NAMESPACE as the operator does; the flag wins", () => {
    const env = { HELIOS_LOG_LEVEL: "debug", HELIOS_OPERATOR_NAMESPACE: "ops" };
    expect(parseAgentFlags({ name: "w" }, env)).toMatchObject({ logLevel: "debug", operatorNamespace: "ops" });
    expect(parseAgentFlags({ name: "w", logLevel: "error" }, env).logLevel).toBe("error");
    expect(parseAgentFlags({ name: "w" }, { HELIOS_LOG_LEVEL: "" }).logLevel).toBe("info");
    expect(() => parseAgentFlags({ name: "w" }, { HELIOS_LOG_LEVEL: "loud" })).toThrow('invalid value "loud" for --log-level');
  });

  it.each([
    [{}, "--name is required"],
    [{ name: "Bad_Name" }, 'invalid value "Bad_Name" for --name'],
    [{ name: "w", maxConcurrency: "0" }, 'invalid value "0" for --max-concurrency'],
    [{ name: "w", maxConcurrency: "1001" }, "for --max-concurrency: expected at most 1000"],
    [{ name: "w", maxConcurrency: "two" }, 'invalid value "two" for --max-concurrency'],
    [{ name: "w", queues: "Q!" }, 'invalid value "Q!" for --queues'],
    [{ name: "w", labels: "novalue" }, 'invalid value "novalue" for --labels'],
    [{ name: "w", leaseDuration: "forever" }, 'invalid value "forever" for --lease-duration'],
    [{ name: "w", leaseDuration: "10ms" }, "for --lease-duration: expected at least 1000 ms"],
    [{ name: "w", drainGrace: "soon" }, 'invalid value "soon" for --drain-grace'],
    [{ name: "w", logLevel: "loud" }, 'invalid value "loud" for --log-level'],
    [{ name: "w", metricsBindAddress: "9090" }, 'invalid value "9090" for --metrics-bind-address: expected host:port'],
    [{ name: "w", healthProbeBindAddress: "x" }, 'invalid value "x" for --health-probe-bind-address: expected host:port'],
  ])("rejects %j naming the flag", (raw, message) => {
    expect(() => parseAgentFlags(raw)).toThrow(UsageError);
    expect(() => parseAgentFlags(raw)).toThrow(message);
  });

  it("exits 2 from the program for a bad flag", async () => {
    const { code, stderr } = await run(["agent", "--name", "w", "--max-concurrency", "-3"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--max-concurrency");
  });
});

describe("helios agent in a pod (POD_NAME, POD_UID from the downward API)", () => {
  it("takes both, or neither", () => {
    expect(podFromEnv({ POD_NAME: "pool-7f9c-x2", POD_UID: "0b6c-11ee" }, "team-a")).toEqual({ name: "pool-7f9c-x2", uid: "0b6c-11ee" });
    expect(podFromEnv({ POD_NAME: "pool-7f9c-x2", POD_UID: "0b6c-11ee", POD_NAMESPACE: "team-a" }, "team-a")).toEqual({ name: "pool-7f9c-x2", uid: "0b6c-11ee" });
    expect(podFromEnv({}, "team-a")).toBeUndefined();
    expect(podFromEnv({ POD_NAME: "", POD_UID: "" }, "team-a")).toBeUndefined();
  });

  it.each([
    [{ POD_NAME: "pool-7f9c-x2" }, "POD_NAME is set but POD_UID is not: set both from the downward API"],
    [{ POD_UID: "0b6c-11ee" }, "POD_UID is set but POD_NAME is not: set both from the downward API"],
    [{ POD_NAME: "Pool_1", POD_UID: "0b6c-11ee" }, 'invalid value "Pool_1" for POD_NAME'],
    [{ POD_NAME: "p", POD_UID: "u", POD_NAMESPACE: "team-b" }, "the pod is in namespace team-b (POD_NAMESPACE) but the agent serves --namespace team-a: a Pod can own only an Agent of its own namespace"],
  ])("refuses %j with a clear error", (env, message) => {
    expect(() => podFromEnv(env, "team-a")).toThrow(UsageError);
    expect(() => podFromEnv(env, "team-a")).toThrow(message);
  });

  it("exits 2 from the program when only one of the two is set, before touching the cluster", async () => {
    const { code, stderr } = await run(["agent", "--name", "w", "--kubeconfig", "/nonexistent"], { POD_NAME: "w" });
    expect(code).toBe(2);
    expect(stderr).toContain("POD_NAME is set but POD_UID is not");
  });
});
