// hack/image/build-scratch.sh runs only under `make test-image` (buildah, a minute): here, that it parses
// and names a missing buildah and how to get it before doing anything.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./chart.js";

const SCRIPT = join(ROOT, "hack/image/build-scratch.sh");
const bin = mkdtempSync(join(tmpdir(), "helios-image-script-"));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

describe("hack/image/build-scratch.sh", () => {
  it("parses (bash -n)", () => {
    const result = spawnSync("bash", ["-n", SCRIPT], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("stops at once, naming buildah and how to install it, when buildah is missing", () => {
    for (const tool of ["bash", "dirname", "uname", "sed", "printf"]) {
      const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      if (found.startsWith("/")) symlinkSync(found, join(bin, tool));
    }
    const result = spawnSync("bash", [SCRIPT], { encoding: "utf8", env: { PATH: bin, HOME: bin } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("buildah is required (Debian/Ubuntu: apt-get install -y buildah; or make image-local)");
  });
});
