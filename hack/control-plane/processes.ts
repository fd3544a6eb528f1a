// Child processes of the control plane: start, wait for readiness, stop, and free loopback ports.
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readFileSync, closeSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

export function isProcessAlive(pid: number): boolean {
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
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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
