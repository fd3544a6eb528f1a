// `helios dashboard` as a child process (its URL from stdout, its RSS from /proc), and the Vite build
// of its browser app when the sources changed since the last one.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { newestMtime } from "../files/index.js";

/** Runs the Vite build of the browser app unless dist/dashboard-web is newer than its sources. */
export function ensureDashboardBuilt(root: string): void {
  const index = join(root, "dist", "dashboard-web", "index.html");
  const sources = join(root, "src", "dashboard", "web");
  if (existsSync(index) && statSync(index).mtimeMs > newestMtime(sources)) return;
  execFileSync(process.execPath, [join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn", "--config", join(sources, "vite.config.ts")], {
    cwd: root,
    stdio: "pipe",
  });
}

export interface RunningDashboardProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Resident set size of the server process, from /proc. */
  rssBytes(): number;
  stop(): Promise<void>;
}

/** Starts `helios dashboard --port 0 ARGS` (its stderr to `logDir/logName.log`) and resolves with the URL it prints. */
export function startDashboardProcess(args: readonly string[], logDir: string, logName: string, timeoutMs = 60_000): Promise<RunningDashboardProcess> {
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(join(logDir, `${logName}.log`), { flags: "a" });
  const child = spawn(process.execPath, ["bin/helios", "dashboard", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  child.stderr.pipe(log);
  return new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`helios dashboard printed no URL within ${timeoutMs} ms: ${buffered.slice(-2000)}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`helios dashboard exited with ${code}: ${buffered.slice(-2000)}`));
    });
    let found = false;
    child.stdout.on("data", (chunk: Buffer) => {
      log.write(chunk);
      // Later output (the server's log lines) must not run this again: it would drop stop()'s exit listener.
      if (found) return;
      buffered += chunk.toString("utf8");
      const url = /Helios dashboard: (http:\/\/\S+)/.exec(buffered)?.[1];
      if (url === undefined) return;
      found = true;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      resolve({
        url,
        child,
        rssBytes: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) * 1024,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}
