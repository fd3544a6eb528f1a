// Child processes of the control plane: start, wait for readiness, stop, and free loopback ports.
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readFileSync, closeSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

export function isProcessAlive(pid: number): boolean {
  if (pid <= 0) return false; // 0 and negatives address process groups, ours included
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The command line of a live process, to tell our own leftovers from a reused pid. */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** A port the kernel just handed out on 127.0.0.1 (released at once, so the caller binds it next). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port ?? 0;
}

/**
 * `count` distinct ports: all are held until the last is chosen, so none is handed out twice.
 * Another socket may still take one before the caller binds it; starters retry on EADDRINUSE.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, listenOnAnyPort));
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === "object" && address ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function listenOnAnyPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/** The end of a log file from byte `from` on: why a process died, for the error that reports it. */
export function logTail(file: string, from = 0, maxBytes = 2000): string {
  try {
    const text = readFileSync(file).subarray(from).toString("utf8");
    return text.length > maxBytes ? "…" + text.slice(-maxBytes) : text;
  } catch {
    return "";
  }
}

export interface StartOptions {
  readonly logFile: string;
  /** Detached processes outlive this one (`make cluster-up`); attached ones die with their parent's cleanup. */
  readonly detached: boolean;
}

export function startProcess(binary: string, args: readonly string[], options: StartOptions): ChildProcess {
  const log = openSync(options.logFile, "a");
  try {
    const child = spawn(binary, args, { stdio: ["ignore", log, log], detached: options.detached });
    if (options.detached) child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

/** Polls `check` until it is true or the deadline passes; `describe` names what was awaited in the error. */
export async function waitFor(describe: string, check: () => Promise<boolean>, timeoutMs: number, isDead?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const died = isDead?.();
    if (died) throw new Error(`${describe}: ${died}`);
    if (await check().catch(() => false)) return;
    await delay(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<void> {
  if (!isProcessAlive(pid)) return;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isProcessAlive(pid) && Date.now() < deadline) await delay(50);
  if (isProcessAlive(pid)) process.kill(pid, "SIGKILL");
  while (isProcessAlive(pid)) await delay(20);
}
