// The Dockerfile cannot be built here (no Docker engine), so check what can be: its stages, user and entry point.
import { existsSync, readFileSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./chart.js";

interface Instruction {
  readonly op: string;
  readonly args: string;
  readonly line: number;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = "";
  let start = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) return;
    if (pending === "") start = i + 1;
    if (line.endsWith("\\")) {
      pending += line.slice(0, -1) + " ";
      return;
    }
    const full = pending + line;
    pending = "";
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(full);
    if (m === null) throw new Error(`Dockerfile line ${start}: cannot parse ${JSON.stringify(full)}`);
    out.push({ op: (m[1] ?? "").toUpperCase(), args: (m[2] ?? "").trim(), line: start });
  });
  return out;
}

const KNOWN = new Set(["FROM", "WORKDIR", "ENV", "COPY", "RUN", "USER", "ENTRYPOINT", "CMD", "ARG", "LABEL", "EXPOSE"]);
const dockerfile = parseDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const stages = dockerfile.flatMap((ins, i) => (ins.op === "FROM" ? [i] : []));
const finalStage = dockerfile.slice(stages.at(-1) ?? 0);

describe("Dockerfile", () => {
  it("parses into known instructions", () => {
    expect(dockerfile.length).toBeGreaterThan(5);
    for (const ins of dockerfile) expect(KNOWN.has(ins.op), `line ${ins.line}: unknown instruction ${ins.op}`).toBe(true);
  });

  it("is multi-stage on Node 24 slim images pinned to the major", () => {
    const froms = dockerfile.filter((i) => i.op === "FROM").map((i) => i.args);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^node:24-slim(@sha256:[a-f0-9]{64})?( AS [a-z]+)?$/i);
  });

  it("runs as the non-root user 65532 the chart's securityContext expects", () => {
    const users = finalStage.filter((i) => i.op === "USER").map((i) => i.args);
    expect(users.at(-1)).toBe("65532:65532");
    const values = parse(readFileSync(join(ROOT, "charts/helios/values.yaml"), "utf8")) as Record<string, { runAsUser?: number; runAsGroup?: number }>;
    for (const key of ["podSecurityContext", "securityContext"]) expect(values[key], key).toMatchObject({ runAsUser: 65532, runAsGroup: 65532 });
  });

  it("installs only production dependencies in the final stage", () => {
    const runs = finalStage.filter((i) => i.op === "RUN").map((i) => i.args).join("\n");
    expect(runs).toMatch(/npm ci\b[^\n]*--omit=dev/);
    expect(finalStage.filter((i) => i.op === "COPY" && i.args.includes("--from=")).map((i) => i.args)).toEqual([
      "--from=build /app/dist/src ./dist/src",
      // The dashboard's built browser app (vite), served by `helios dashboard`.
      "--from=build /app/dist/dashboard-web ./dist/dashboard-web",
    ]);
  });

  it("enters at the CLI that `npm run build` produces", () => {
    const entry = finalStage.filter((i) => i.op === "ENTRYPOINT").at(-1);
    expect(entry, "no ENTRYPOINT in the final stage").toBeDefined();
    const argv: unknown = JSON.parse(entry?.args ?? "null");
    expect(argv).toEqual(["node", "/app/dist/src/cli/main.js"]);
    // The image's /app mirrors the repository root, and tsc maps <rootDir>/x.ts to <outDir>/x.js.
    const tsconfig = JSON.parse(readFileSync(join(ROOT, "tsconfig.json"), "utf8")) as { compilerOptions: { outDir: string; rootDir: string } };
    const build = JSON.parse(readFileSync(join(ROOT, "tsconfig.build.json"), "utf8")) as { include: string[] };
    const target = posix.relative("/app", "/app/dist/src/cli/main.js");
    const outDir = posix.normalize(tsconfig.compilerOptions.outDir);
    expect(target.startsWith(`${outDir}/`)).toBe(true);
    const source = join(ROOT, tsconfig.compilerOptions.rootDir, relative(outDir, target).replace(/\.js$/, ".ts"));
    expect(existsSync(source), `${relative(ROOT, source)} (the ENTRYPOINT's source) does not exist`).toBe(true);
    expect(build.include).toContain("src");
  });

  it("copies only paths that exist and that .dockerignore sends to the build", () => {
    const ignore = readFileSync(join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    // The ignore file is an allow-list: exclude everything, then re-include by name.
    expect(ignore[0]).toBe("*");
    const allowed = ignore.filter((l) => l.startsWith("!")).map((l) => l.slice(1).replace(/\/$/, ""));
    const sources = dockerfile
      .filter((i) => i.op === "COPY" && !i.args.includes("--from="))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect(existsSync(join(ROOT, src)), `COPY ${src}: no such path`).toBe(true);
      expect(allowed, `COPY ${src} is excluded by .dockerignore`).toContain(src.replace(/\/$/, ""));
    }
  });
});
