// Helios operators and agents as real processes (the compiled CLI), so signals (SIGKILL, SIGSTOP,
// SIGCONT) hit them as they would in production; their JSON logs are kept for evidence.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { AgentExecution } from "../../../../src/invariants/index.js";
import { freePort, freePorts } from "../../../../hack/control-plane/index.js";
export { freePort, freePorts };

/** Where the processes' logs go (git-ignored), one folder per scenario. */
export const CHAOS_LOG_DIR = join(process.cwd(), ".helios", "test-logs", "chaos");

/** One parsed JSON log line. */
export type LogLine = Readonly<Record<string, unknown>>;

export class HeliosProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly #lines: LogLine[] = [];
  readonly #out: WriteStream;
  #partial = "";
  #inspectorUrl: string | undefined;

  constructor(name: string, cli: string, args: readonly string[], logDir: string, env: NodeJS.ProcessEnv = {}) {
    this.name = name;
    mkdirSync(logDir, { recursive: true });
    this.#out = createWriteStream(join(logDir, `${name}.log`), { flags: "a" });
    this.child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    this.child.stdout?.on("data", (d: Buffer) => this.#take(d));
    this.child.stderr?.on("data", (d: Buffer) => this.#take(d));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
    void this.exited.then(() => this.#out.end());
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The V8 inspector's WebSocket URL when the process runs with --inspect (Node prints it on stderr). */
  get inspectorUrl(): string | undefined {
    return this.#inspectorUrl;
  }

  /** Complete JSON lines so far (a line cut by SIGKILL is not one). */
  get lines(): readonly LogLine[] {
    return this.#lines;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<void> {
    this.signal("SIGKILL");
    await this.exited;
  }

  /** SIGTERM (graceful: drain, flush), SIGKILL after `graceMs`; resolves once exited. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.signal("SIGCONT"); // a stopped process cannot handle SIGTERM
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  #take(data: Buffer): void {
    this.#out.write(data);
    const text = this.#partial + data.toString();
    const parts = text.split("\n");
    this.#partial = parts.pop() ?? "";
    for (const part of parts) {
      this.#inspectorUrl ??= /^Debugger listening on (ws:\/\/\S+)/.exec(part)?.[1];
      if (!part.startsWith("{")) continue;
      try {
        this.#lines.push(JSON.parse(part) as LogLine);
      } catch {
        // not a log line
      }
    }
  }
}

export interface AgentProcessOptions {
  readonly name: string;
  readonly namespace: string;
  readonly operatorNamespace: string;
  readonly kubeconfig: string;
  readonly cli: string;
  readonly logDir: string;
  readonly maxConcurrency?: number;
  /** Extra flags, e.g. ["--allow-exec", "sleep"]. */
  readonly args?: readonly string[];
}

/** `helios agent` with a short lease (1 s renewals), so the operator notices a dead one in seconds. */
export class AgentProcess extends HeliosProcess {
  readonly agentName: string;

  constructor(o: AgentProcessOptions, instance: string) {
    super(
      instance,
      o.cli,
      [
        "agent",
        ["--name", o.name],
        ["--namespace", o.namespace],
        ["--kubeconfig", o.kubeconfig],
        ["--operator-namespace", o.operatorNamespace],
        ["--max-concurrency", String(o.maxConcurrency ?? 2)],
        ["--lease-duration", "4s"],
        ["--ack-delay", "300ms"],
        ["--progress-interval", "1s"],
        ["--drain-grace", "2s"],
        ...(o.args ?? []),
      ].flat(),
      o.logDir,
    );
    this.agentName = o.name;
  }

  /** Resolves once the agent logged that it started (registered, leased, watching its jobs). */
  async started(timeoutMs = 20_000): Promise<void> {
    await waitForLine(this, (l) => l["msg"] === "agent started", timeoutMs, "agent started");
  }

  /** The attempts this process finished, from its "attempt finished" log lines. */
  executions(): AgentExecution[] {
    return this.lines
      .filter((l) => l["msg"] === "attempt finished")
      .map((l) => ({
        agent: this.agentName,
        namespace: text(l["namespace"]),
        name: text(l["job"]),
        uid: text(l["jobUid"]),
        attempt: Number(l["attempt"] ?? 0),
        outcome: text(l["outcome"]),
        written: l["written"] === true,
        ...(typeof l["reason"] === "string" ? { reason: l["reason"] } : {}),
      }));
  }
}

export interface OperatorProcessOptions {
  readonly name: string;
  readonly namespaces: readonly string[];
  readonly operatorNamespace: string;
  readonly kubeconfig: string;
  readonly cli: string;
  readonly logDir: string;
  readonly leaderElect?: boolean;
  /** Extra flags (after the defaults, so they win). */
  readonly args?: readonly string[];
}

/** `helios operator` with chaos-friendly timings (stale agents in 5 s: the agents' 4 s lease + one 1 s renewal; short leader lease). */
export class OperatorProcess extends HeliosProcess {
  readonly healthPort: number;

  constructor(o: OperatorProcessOptions, healthPort: number) {
    super(
      o.name,
      o.cli,
      [
        "operator",
        ["--kubeconfig", o.kubeconfig],
        o.namespaces.flatMap((n) => ["--namespace", n]),
        ["--operator-namespace", o.operatorNamespace],
        ["--metrics-bind-address", "0"],
        ["--health-probe-bind-address", `127.0.0.1:${healthPort}`],
        ["--agent-stale-timeout", "5s"],
        ["--job-ack-timeout", "15s"],
        ["--graceful-shutdown-timeout", "5s"],
        o.leaderElect === true
          ? ["--leader-elect", "--leader-elect-lease-duration", "4s", "--leader-elect-renew-deadline", "3s", "--leader-elect-retry-period", "500ms"]
          : [],
        ...(o.args ?? []),
      ].flat(),
      o.logDir,
    );
    this.healthPort = healthPort;
  }

  static async start(o: OperatorProcessOptions): Promise<OperatorProcess> {
    return new OperatorProcess(o, await freePort());
  }

  /** /readyz answers 200 (caches synced). */
  async ready(timeoutMs = 30_000): Promise<void> {
    await waitUntil(`operator ${this.name} ready`, async () => (await fetch(`http://127.0.0.1:${this.healthPort}/readyz`).catch(() => undefined))?.status === 200, timeoutMs);
  }

  /** True once this replica logged that it runs the leader-elected controllers. */
  get leading(): boolean {
    return this.lines.some((l) => l["msg"] === "caches synced, starting leader-elected runnables");
  }

  /** How many entries this replica's audit recovery wrote, once it ran (it leads); undefined before. */
  get auditRecovered(): number | undefined {
    const line = this.lines.find((l) => l["msg"] === AUDIT_RECOVERY_DONE);
    if (line === undefined) return undefined;
    const recovered = line["recovered"];
    return typeof recovered === "number" ? recovered : 0;
  }
}

/** The operator's log line when a leader's audit recovery has run. */
const AUDIT_RECOVERY_DONE = "audit recovery done";

const text = (v: unknown): string => (typeof v === "string" ? v : "");


/** Polls `check` every 100 ms until it holds; throws at the deadline with `what`. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitForLine(p: HeliosProcess, match: (l: LogLine) => boolean, timeoutMs: number, what: string): Promise<void> {
  await waitUntil(`${p.name}: ${what}`, () => {
    if (!p.running) throw new Error(`${p.name} exited before "${what}"; see ${CHAOS_LOG_DIR}`);
    return p.lines.some(match);
  }, timeoutMs);
}
