// `helios submit`, `helios wait` and `helios jobs NAME` against the real apiserver with an operator and an agent:
// results printed, exit codes by outcome, idempotency keys, bad input refused with the field's path.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeliosAgent } from "../../../src/agent/index.js";
import { WAIT_EXIT_CODES } from "../../../src/cli/output/index.js";
import { clients, startAgent, startOperator, waitReady, type RunningOperator } from "../jobs/support.js";
import { createNamespace, kubeConfig } from "../support/cluster.js";
import { eventually } from "../support/poll.js";
import { helios } from "./support.js";

const kc = kubeConfig();
let ns: string;
let operator: RunningOperator | undefined;
let agent: HeliosAgent | undefined;

beforeAll(async () => {
  const [tenant, system] = await Promise.all([createNamespace("submit"), createNamespace("submit-system")]);
  ns = tenant;
  operator = await startOperator([ns], system, {}, "submit-operator");
  agent = await startAgent(kc, { name: "worker", namespace: ns, maxConcurrency: 4 });
  await waitReady(clients(kc), ns, ["worker"]);
}, 120_000);

afterAll(async () => {
  await agent?.drain(0);
  await operator?.stop();
});

describe("helios submit --wait", () => {
  it("prints the result and exits 0 when the job succeeds", async () => {
    const out = await helios(["submit", "echo", "--payload", '{"message":"hi"}', "--wait", "-n", ns]);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ message: "hi" });
    expect(out.stderr).toMatch(/^job\.helios\.dev\/echo-[a-z0-9]{5} created\n$/);
  });

  it("exits with the failed code and prints the last error when the job fails", async () => {
    const out = await helios(["submit", "fail", "--payload", '{"times":-1}', "--max-retries", "0", "--wait", "-n", ns]);
    expect(out.code).toBe(WAIT_EXIT_CODES.Failed);
    expect(out.stderr).toMatch(/job\.helios\.dev\/fail-[a-z0-9]{5} failed: RetriesExhausted: attempt 1 on agent worker failed: failing on purpose/);
    expect(out.stdout).toBe("");
  });

  it("exits 6 when the wait times out, and the job goes on", async () => {
    const out = await helios(["submit", "echo", "--queue", "nobody-serves", "--wait", "--timeout", "1s", "-n", ns]);
    expect(out.code).toBe(WAIT_EXIT_CODES.WaitTimeout);
    expect(out.stderr).toMatch(/did not finish within 1000 ms \(phase Pending\); it goes on: wait again with "helios wait echo-/);
  });

  it("-o json prints the finished Job", async () => {
    const out = await helios(["submit", "sleep", "--payload", '{"duration":"200ms"}', "--wait", "-o", "json", "-n", ns]);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ kind: "Job", status: { phase: "Succeeded", result: { sleptMs: 200 } } });
  });
});

describe("helios submit", () => {
  it("with an idempotency key creates once, then says unchanged", async () => {
    const args = ["submit", "echo", "--payload", '{"message":"once"}', "--idempotency-key", "cli-order-7", "-n", ns];
    const first = await helios(args);
    const again = await helios(args);
    expect(first.stdout).toMatch(/^job\.helios\.dev\/cli-order-7-[0-9a-f]{16} created\n$/);
    expect(again.stdout).toMatch(/^job\.helios\.dev\/cli-order-7-[0-9a-f]{16} unchanged \(submitted before with this idempotency key\)\n$/);
    const name = first.stdout.split(" ")[0]?.split("/")[1] ?? "";
    const waited = await helios(["wait", name, "-n", ns, "--timeout", "30s"]);
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout)).toEqual({ message: "once" });
  });

  it.each([
    { args: ["--priority", "urgent"], message: /option '--priority <class>' argument 'urgent' is invalid/ },
    { args: ["--payload", '{"blob":"' + "x".repeat(70_000) + '"}'], message: /spec\.payload: payload must serialize to at most 65536 bytes/ },
    { args: ["--payload", "[1,2]"], message: /--payload must be a JSON object/ },
    { args: ["--queue", "Not A Queue"], message: /spec\.queue/ },
    { args: ["--name", "x", "--idempotency-key", "k"], message: /give at most one of name, generateName and idempotencyKey/ },
  ])("refuses $args.0 with exit 2 and what to fix", async ({ args, message }) => {
    const out = await helios(["submit", "echo", ...args, "-n", ns]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
  });
});

describe("helios jobs NAME", () => {
  it("shows the job's attempts, conditions and audit trail", async () => {
    const submitted = await helios(["submit", "echo", "--payload", '{"message":"look"}', "--wait", "-o", "name", "-n", ns]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const name = submitted.stdout.trim().split("/")[1] ?? "";
    const page = await eventually(
      async () => {
        const out = await helios(["jobs", name, "-n", ns]);
        return /Audit trail:\n\s+TIME\s+ACTION[\s\S]*\bassigned\b[\s\S]*\bsucceeded\b/.test(out.stdout) ? out.stdout : undefined;
      },
      "the job's audit trail lists assigned and succeeded",
      60_000,
      1_000,
    );
    expect(page).toMatch(new RegExp(`^Name:\\s+${name}\\n`));
    expect(page).toMatch(/\nPhase:\s+Succeeded\n/);
    expect(page).toMatch(/\nResult:\n\s+message: look\n/);
    expect(page).toMatch(/\nAttempts:\n\s+ATTEMPT\s+AGENT\s+OUTCOME[^\n]*\n\s+1\s+worker\s+Succeeded/);
    expect(page).toMatch(/\nConditions:\n\s+TYPE\s+STATUS/);
  });

  it("says which job is missing", async () => {
    const out = await helios(["jobs", "no-such-job", "-n", ns]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/job\.helios\.dev "no-such-job" not found in namespace/);
  });
});
