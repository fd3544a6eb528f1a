// How fresh a tree of sources is: the build helpers rebuild what is older than its newest file.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The newest modification time (epoch ms) of any file under `dir`, recursively; 0 for an empty tree. */
export function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
