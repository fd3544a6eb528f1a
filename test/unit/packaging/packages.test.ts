// hack/packages.ts: what a package ships (the closure of its entries over relative imports, static and
// dynamic, .js and .d.ts) and the check of its declared dependencies against its bare imports.
import { describe, expect, it } from "vitest";
import { dependencyProblems, exportedFiles, importSpecifiers, moduleClosure, packageOfSpecifier, resolveRelative, type PackageManifest } from "../../../hack/packages.js";

const root = { version: "0.1.0", dependencies: { zod: "^4.6.7", pino: "^10.4.0", "@kubernetes/client-node": "^2.0.1" }, devDependencies: { typescript: "~6.0.3" } };

function manifest(extra: Partial<PackageManifest> = {}): PackageManifest {
  return { name: "@helios-dev/x", version: "0.1.0", exports: { ".": { types: "./dist/a/index.d.ts", import: "./dist/a/index.js" }, "./package.json": "./package.json" }, ...extra };
}

describe("import specifiers and their targets", () => {
  it("finds static, re-exported, dynamic and type-position imports", () => {
    const text = [
      'import { a } from "./a.js";',
      'export { b } from "../b/index.js";',
      'export * from "./c.js";',
      'const d = await import("@kubernetes/client-node");',
      'type E = import("./e.js").E;',
      'import "node:fs";',
    ].join("\n");
    expect(importSpecifiers(text).sort()).toEqual(["../b/index.js", "./a.js", "./c.js", "./e.js", "@kubernetes/client-node", "node:fs"].sort());
  });

  it("maps a .d.ts file's .js specifiers to declarations and keeps JavaScript's", () => {
    expect(resolveRelative("agent/index.d.ts", "../api/index.js")).toBe("api/index.d.ts");
    expect(resolveRelative("agent/index.js", "../api/index.js")).toBe("api/index.js");
  });

  it("names the package of a bare specifier and none for builtins", () => {
    expect(packageOfSpecifier("@openfeature/server-sdk")).toBe("@openfeature/server-sdk");
    expect(packageOfSpecifier("zod/v4")).toBe("zod");
    expect(packageOfSpecifier("@scope/pkg/deep/path")).toBe("@scope/pkg");
    expect(packageOfSpecifier("node:https")).toBeUndefined();
    expect(packageOfSpecifier("fs")).toBeUndefined();
  });
});

describe("moduleClosure", () => {
  const files: Record<string, string> = {
    "a/index.js": 'export * from "./x.js"; export const lazy = () => import("../b/lazy.js");',
    "a/index.d.ts": 'export * from "./x.js"; import type { T } from "../types/t.js";',
    "a/x.js": 'import { z } from "zod"; import "node:http";',
    "a/x.d.ts": 'import type { Logger } from "pino";',
    "b/lazy.js": 'export const k = () => import("@kubernetes/client-node");',
    "types/t.d.ts": "export type T = string;",
    "unreached.js": 'import "prom-client";',
  };
  const read = (path: string): string | undefined => files[path];

  it("follows static and dynamic relative imports through .js and .d.ts, and nothing else", () => {
    const closure = moduleClosure(["a/index.js", "a/index.d.ts"], read);
    expect(closure.map((m) => m.path)).toEqual(["a/index.d.ts", "a/index.js", "a/x.d.ts", "a/x.js", "b/lazy.js", "types/t.d.ts"]);
    expect(closure.flatMap((m) => m.bareImports).sort()).toEqual(["@kubernetes/client-node", "pino", "zod"]);
  });

  it("names the importer of a missing file, and a missing entry as not compiled", () => {
    expect(() => moduleClosure(["a/broken.js"], (p) => (p === "a/broken.js" ? 'import "./gone.js";' : undefined))).toThrow("a/broken.js imports a/gone.js, which does not exist");
    expect(() => moduleClosure(["nope/index.js"], read)).toThrow("entry nope/index.js was not compiled");
  });

  it("refuses an import leaving the compiled sources", () => {
    expect(() => moduleClosure(["a.js"], (p) => (p === "a.js" ? 'import "../outside.js";' : undefined))).toThrow("a.js imports ../outside.js, outside the compiled sources");
  });
});

describe("dependencyProblems", () => {
  const modules = [
    { path: "a/index.js", bareImports: ["zod"] },
    { path: "a/x.d.ts", bareImports: ["pino"] },
  ];

  it("accepts dependencies and peers that are exactly the bare imports, at the root's versions", () => {
    expect(dependencyProblems(manifest({ dependencies: { zod: "^4.6.7" }, peerDependencies: { pino: "^10.4.0" } }), modules, root)).toEqual([]);
  });

  it("names a missing dependency with its importer, an unused one, a version off the root's, and the package version", () => {
    const problems = dependencyProblems(manifest({ version: "0.2.0", dependencies: { zod: "^4.0.0", "@kubernetes/client-node": "^2.0.1" } }), modules, root);
    expect(problems).toEqual([
      "@helios-dev/x: version is 0.2.0, the root package.json's is 0.1.0",
      "@helios-dev/x: pino is imported (by a/x.d.ts) but not a dependency or peerDependency",
      "@helios-dev/x: zod is at ^4.0.0, the root package.json has ^4.6.7",
      "@helios-dev/x: @kubernetes/client-node is a dependency but nothing the package ships imports it",
    ]);
  });
});

describe("exportedFiles", () => {
  it("lists every condition's file under dist/ and skips ./package.json", () => {
    expect(exportedFiles(manifest())).toEqual(["a/index.d.ts", "a/index.js"]);
  });

  it("refuses a target outside dist/", () => {
    expect(() => exportedFiles(manifest({ exports: { ".": "./src/index.js" } }))).toThrow("@helios-dev/x: export target ./src/index.js is not under ./dist/");
  });
});
