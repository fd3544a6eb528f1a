// Builds the image daemonless (hack/image/build-scratch.sh: buildah, chroot isolation, FROM scratch) and
// checks it is the Dockerfile's runtime image: `helios --help` runs from its filesystem as 65532, with
// the Dockerfile's user, entry point, working directory and environment. Needs root and buildah.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ROOT } from "../unit/packaging/chart.js";

const IMAGE = `localhost/helios-test:${randomBytes(4).toString("hex")}`;
const BUILDAH = ["--storage-driver", "vfs"];

const ImageConfig = z.object({
  OCIv1: z.object({
    config: z.object({
      User: z.string(),
      Entrypoint: z.array(z.string()),
      WorkingDir: z.string(),
      Env: z.array(z.string()),
    }),
  }),
});

type Result = ReturnType<typeof buildah>;

function buildah(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync("buildah", [...BUILDAH, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

afterAll(() => {
  buildah("rmi", "--force", IMAGE);
});

describe("daemonless image build (buildah, FROM scratch)", () => {
  let build: Result = { status: null, stdout: "", stderr: "not built" };
  beforeAll(() => {
    build = spawnSync(join(ROOT, "hack/image/build-scratch.sh"), [IMAGE], { encoding: "utf8", cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  }, 15 * 60_000);

  it("builds and runs `helios --help` from the image's filesystem", () => {
    expect(build.status, build.stderr).toBe(0);
    const help = build.stdout.slice(build.stdout.indexOf("Usage: helios"));
    expect(help).toMatch(/^Usage: helios \[options\] \[command\]/);
    for (const command of ["operator", "agent", "status", "audit"]) expect(help).toMatch(new RegExp(`^\\s+${command}\\s`, "m"));
  });

  it("carries the Dockerfile's runtime configuration", () => {
    expect(build.status, build.stderr).toBe(0);
    const inspect = buildah("inspect", "--type", "image", IMAGE);
    expect(inspect.status, inspect.stderr).toBe(0);
    const config = ImageConfig.parse(JSON.parse(inspect.stdout)).OCIv1.config;
    expect(config.User).toBe("65532:65532");
    expect(config.Entrypoint).toEqual(["/usr/local/bin/node", "/app/dist/src/cli/main.js"]);
    expect(config.WorkingDir).toBe("/app");
    expect(config.Env).toEqual(expect.arrayContaining(["PATH=/usr/local/bin:/usr/bin:/bin", "NODE_ENV=production", "NODE_OPTIONS=--max-semi-space-size=8"]));
  });

  it("runs the operator's entry point as the non-root user, with only production packages", () => {
    expect(build.status, build.stderr).toBe(0);
    const container = buildah("from", IMAGE);
    expect(container.status, container.stderr).toBe(0);
    const name = container.stdout.trim();
    try {
      const run = (...argv: string[]) => buildah("run", "--isolation", "chroot", "--user", "65532:65532", name, "--", ...argv);
      const operator = run("/usr/local/bin/node", "/app/dist/src/cli/main.js", "operator", "--help");
      expect(operator.status, operator.stderr).toBe(0);
      expect(operator.stdout).toContain("Usage: helios operator");
      const probe = run("/usr/local/bin/node", "-e", "console.log(process.getuid(), require('node:fs').existsSync('/app/node_modules/vitest'), require('node:fs').existsSync('/app/node_modules/zod'))");
      expect(probe.status, probe.stderr).toBe(0);
      expect(probe.stdout.trim()).toBe("65532 false true");
    } finally {
      buildah("rm", name);
    }
  });
});
