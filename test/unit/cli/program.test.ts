// The helios program in-process: registered subcommands, exit codes, and messages for bad flags.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Command } from "commander";
import { COMMANDS } from "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";

async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe("helios CLI", () => {
  it("lists every registered subcommand, the operator first", async () => {
    const { code, stdout } = await run(["--help"]);
    expect(code).toBe(0);
    const listed = [...stdout.matchAll(/^ {2}(\w+)\b/gm)].map((m) => m[1]).filter((name) => name !== "help");
    expect(listed).toEqual(["operator", "agent", "status", "jobs", "agents", "drain", "uncordon", "pause", "resume", "submit", "wait", "cancel", "flags", "dashboard", "audit"]);
  });

  // Loads every command module (the operator's pulls in the whole runtime): seconds of transform on a loaded machine.
  it("lists each command with the description its module registers (the registry is not stale)", { timeout: 30_000 }, async () => {
    const ctx = { env: {}, stdout: () => undefined, stderr: () => undefined };
    for (const entry of COMMANDS) {
      const program = new Command("helios");
      (await entry.load()).command.register(program, ctx);
      const registered = program.commands.map((c) => ({ name: c.name(), description: c.description() }));
      expect(registered).toEqual([{ name: entry.name, description: entry.description }]);
    }
  });

  it("documents every operator flag with its default and env variable", async () => {
    const { code, stdout } = await run(["operator", "--help"]);
    expect(code).toBe(0);
    for (const flag of ["--kubeconfig", "--context", "--namespace", "--leader-elect", "--agent-stale-timeout", "--audit-dry-run"]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain("(default: 90s)");
    expect(stdout).toContain("HELIOS_JOB_ACK_TIMEOUT");
  });

  it("exits 2 naming the flag and what it accepts for a bad value", async () => {
    const { code, stderr } = await run(["operator", "--job-stuck-threshold", "forever"]);
    expect(code).toBe(2);
    expect(stderr).toContain('invalid value "forever" for --job-stuck-threshold');
    expect(stderr).toContain("expected a Go duration such as 90s");
  });

  it("exits 2 for a bad env fallback and says where the value came from", async () => {
    const { code, stderr } = await run(["operator"], { HELIOS_AUDIT_RETENTION_BATCH: "lots" });
    expect(code).toBe(2);
    expect(stderr).toContain("--audit-retention-batch (from HELIOS_AUDIT_RETENTION_BATCH): expected a positive integer");
  });

  it("exits 2 for unknown options and commands", async () => {
    expect((await run(["operator", "--no-such-flag"])).code).toBe(2);
    const unknown = await run(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
  });

  it("exits 2 when the kubeconfig cannot be loaded", async () => {
    const { code, stderr } = await run(["operator", "--kubeconfig", "/nonexistent/kubeconfig"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--kubeconfig");
  });

  it.each(["operator", "agent --name w"])("%s: exits 2 naming --context when the kubeconfig has no such context", async (command) => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "helios-context-")), "config");
    writeFileSync(
      kubeconfig,
      "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n" +
        "contexts: [{name: here, context: {cluster: c}}]\ncurrent-context: here\n",
    );
    const { code, stderr } = await run([...command.split(" "), "--kubeconfig", kubeconfig, "--context", "elsewhere"]);
    expect(code).toBe(2);
    expect(stderr).toContain(`--context: no context named "elsewhere" in ${kubeconfig}`);
  });

  it("documents `helios flags serve` and refuses bad values naming the flag", async () => {
    const help = await run(["flags", "serve", "--help"]);
    expect(help.code).toBe(0);
    for (const flag of ["--bind-address", "--namespaces", "--tls-cert", "--tls-key", "--tls-self-signed", "--kubeconfig"]) expect(help.stdout).toContain(flag);
    const badNamespace = await run(["flags", "serve", "--namespaces", "shop,Not_A_Namespace"]);
    expect(badNamespace.code).toBe(2);
    expect(badNamespace.stderr).toContain('invalid value "shop,Not_A_Namespace" for --namespaces');
    const lonelyCert = await run(["flags", "serve", "--tls-cert", "/tmp/cert.pem"]);
    expect(lonelyCert.code).toBe(2);
    expect(lonelyCert.stderr).toContain("give --tls-cert and --tls-key together");
    const both = await run(["flags", "serve", "--tls-self-signed", "--tls-cert", "c", "--tls-key", "k"]);
    expect(both.stderr).toContain("choose --tls-self-signed or --tls-cert/--tls-key");
    expect((await run(["flags", "serve", "--bind-address", "0"])).stderr).toContain("--bind-address");
  });
});
