// A cross-process lock made of a directory, so two runs never build or start the same thing at once.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { isProcessAlive } from "./processes.js";

/** Runs `fn` holding the lock; a lock left by a dead process is taken over. */
export async function withFileLock<T>(lockDir: string, report: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  let announced = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, "pid"), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(await readFile(join(lockDir, "pid"), "utf8").catch(() => "0"));
      if (owner > 0 && !isProcessAlive(owner)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!announced) report(`waiting for process ${owner || "?"} holding ${lockDir}`);
      announced = true;
      await delay(500); // polling another process's lock: there is no event to wait on
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
