// `helios operator` as a child process, so its memory is its own: readiness, log milestones,
// /metrics scrapes and resident-set samples from /proc.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { REPO_ROOT } from "./cluster.js";
import { parsePrometheus, sampleSum, type PromSample } from "./stats.js";
import type { MemoryResult } from "./report.js";
import { freePorts } from "../hack/control-plane/index.js";

export interface OperatorProcessOptions {
  readonly kubeconfigPath: string;
  readonly namespaces: readonly string[];
  readonly operatorNamespace: string;
  /** Extra operator flags, e.g. ["--agent-stale-timeout", "5s"]. */
  readonly args?: readonly string[];
  readonly logDir: string;
  readonly name: string;
  /** Extra node options for the child, e.g. ["--cpu-prof", "--cpu-prof-dir=..."]. */
  readonly nodeOptions?: readonly string[];
}

/** Epoch ms of the operator's own log lines that mark its start-up. */
export interface OperatorMilestones {
  starting?: number;
  synced?: number;
}

const MB = 1024 * 1024;


/** Resident set now and its high-water mark, in bytes, from /proc (Linux). */
export async function procMemory(pid: number): Promise<{ rss: number; peakRss: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb("VmRSS"), peakRss: kb("VmHWM") };
  } catch {
    return undefined;
  }
}

export class OperatorProcess {
  readonly child: ChildProcess;
  readonly spawnedAt: number;
  readonly milestones: OperatorMilestones = {};
  readonly logPath: string;
  readonly #metricsUrl: string;
  readonly #readyUrl: string;
  readonly #exited: Promise<number | null>;

  private constructor(options: OperatorProcessOptions, metricsPort: number, probePort: number) {
    this.logPath = join(options.logDir, `operator-${options.name}.log`);
    this.#metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    this.#readyUrl = `http://127.0.0.1:${probePort}/readyz`;
    const args = [
      ...(options.nodeOptions ?? []),
      join(REPO_ROOT, "bin", "helios"),
      "operator",
      "--kubeconfig",
      options.kubeconfigPath,
      ...options.namespaces.flatMap((ns) => ["--namespace", ns]),
      "--operator-namespace",
      options.operatorNamespace,
      "--metrics-bind-address",
      `127.0.0.1:${metricsPort}`,
      "--health-probe-bind-address",
      `127.0.0.1:${probePort}`,
      ...(options.args ?? []),
    ];
    this.spawnedAt = Date.now();
    this.child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    const log = createWriteStream(this.logPath, { flags: "a" });
    this.child.stderr?.pipe(log);
    const lines = createInterface({ input: this.child.stdout ?? process.stdin });
    lines.on("line", (line) => {
      log.write(`${line}\n`);
      this.#milestone(line);
    });
    this.#exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** Spawns `helios operator` (from bin/helios: build first) on free loopback ports. */
  static async start(options: OperatorProcessOptions): Promise<OperatorProcess> {
    const [metricsPort = 0, healthPort = 0] = await freePorts(2);
    return new OperatorProcess(options, metricsPort, healthPort);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  #milestone(line: string): void {
    if (!line.startsWith("{")) return;
    try {
      const entry = JSON.parse(line) as { msg?: string; time?: string };
      const at = Date.parse(entry.time ?? "");
      if (entry.msg === "starting operator") this.milestones.starting ??= at;
      if (entry.msg?.startsWith("caches synced") === true) this.milestones.synced ??= at;
    } catch {
      // not a log line of ours
    }
  }

  /** Waits for /readyz 200; returns ms since spawn. */
  async waitReady(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`operator exited with ${this.child.exitCode}; see ${this.logPath}`);
      try {
        const res = await fetch(this.#readyUrl);
        if (res.ok) return Date.now() - this.spawnedAt;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`operator not ready within ${timeoutMs} ms; see ${this.logPath}`);
      await delay(50);
    }
  }

  /** Waits until the operator logged that its caches synced (leader runnables started). */
  async waitSynced(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.milestones.synced === undefined) {
      if (Date.now() > deadline) throw new Error(`operator did not log "caches synced" within ${timeoutMs} ms; see ${this.logPath}`);
      await delay(50);
    }
  }

  async metrics(): Promise<PromSample[]> {
    const res = await fetch(this.#metricsUrl);
    if (!res.ok) throw new Error(`operator /metrics: HTTP ${res.status}`);
    return parsePrometheus(await res.text());
  }

  /**
   * Samples memory until the returned function is called: /proc every 250 ms (VmHWM is the peak
   * anyway) and the V8 heap from /metrics every second (a scrape costs the operator a little CPU).
   */
  sampleMemory(): () => Promise<MemoryResult> {
    let peakHeap = Number.NaN;
    let stopped = false;
    const heapLoop = (async () => {
      while (!stopped) {
        try {
          const heap = sampleSum(await this.metrics(), "nodejs_heap_size_used_bytes");
          if (!(heap <= peakHeap)) peakHeap = heap;
        } catch {
          // a missed sample
        }
        await delay(1_000);
      }
    })();
    return async () => {
      stopped = true;
      await heapLoop;
      const mem = await procMemory(this.pid);
      return { peakRssMb: mem === undefined ? null : mem.peakRss / MB, peakHeapUsedMb: Number.isNaN(peakHeap) ? null : peakHeap / MB, endRssMb: mem === undefined ? null : mem.rss / MB };
    };
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }
}

