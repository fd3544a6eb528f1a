// Spawns an agent-host child process and waits until its agents are ready; kill() is a crash, stop() a drain.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { AgentHostSpec } from "./agent-host.js";

const HOST = fileURLToPath(new URL("./agent-host.js", import.meta.url));

export class AgentFleet {
  readonly names: readonly string[];
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(child: ChildProcess, names: readonly string[]) {
    this.#child = child;
    this.names = names;
    this.#exited = new Promise((resolve) => child.once("exit", () => resolve()));
  }

  /** Starts the host; resolves once every agent registered, holds its Lease and watches its Jobs. */
  static async start(spec: AgentHostSpec, logDir: string, name: string, timeoutMs = 60_000): Promise<AgentFleet> {
    const child = spawn(process.execPath, [HOST, JSON.stringify(spec)], { stdio: ["ignore", "pipe", "pipe"] });
    child.stderr?.pipe(createWriteStream(join(logDir, `agents-${name}.log`), { flags: "a" }));
    const fleet = new AgentFleet(child, spec.agents.map((a) => a.name));
    const ready = new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout ?? process.stdin });
      lines.on("line", (line) => {
        if (line.startsWith('{"ready"')) resolve();
      });
      child.once("exit", (code) => reject(new Error(`agent host ${name} exited with ${code}; see ${logDir}/agents-${name}.log`)));
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`agent host ${name} not ready within ${timeoutMs} ms`)), timeoutMs)));
    try {
      await Promise.race([ready, deadline]);
    } catch (err) {
      child.kill("SIGKILL");
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return fleet;
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  /** SIGKILL: heartbeats and watches stop mid-flight, nothing is handed back. */
  async kill(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGKILL");
    await this.#exited;
  }

  /** SIGTERM: the agents drain with no grace period; SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill("SIGTERM");
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }
}
