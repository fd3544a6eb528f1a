// The kind scripts need Docker, which these machines lack: check what can be checked without it,
// that they parse and that a missing tool is named (up.sh also says where to get it) before anything runs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./chart.js";

const SCRIPTS = ["up.sh", "down.sh"].map((name) => join(ROOT, "hack/kind", name));

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A PATH holding only the basic tools the scripts use before their checks (no docker, kind, helm). */
function bareBin(): string {
  const dir = mkdtempSync(join(tmpdir(), "helios-kind-"));
  made.push(dir);
  for (const tool of ["bash", "dirname", "printf", "grep"]) {
    const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    if (found.startsWith("/")) symlinkSync(found, join(dir, tool));
  }
  return dir;
}

describe("hack/kind scripts", () => {
  it.each(SCRIPTS)("%s parses (bash -n)", (script) => {
    const result = spawnSync("bash", ["-n", script], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("up.sh stops at once, naming docker and where to get it, when Docker is missing", () => {
    const result = spawnSync("bash", [SCRIPTS[0] ?? ""], { encoding: "utf8", env: { PATH: bareBin() } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("docker is required: https://docs.docker.com/get-docker/");
  });

  it("down.sh names kind when it is missing", () => {
    const result = spawnSync("bash", [SCRIPTS[1] ?? ""], { encoding: "utf8", env: { PATH: bareBin() } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("kind is required");
  });
});
