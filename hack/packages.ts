// `make packages`: builds the npm packages of packages/<name> from the compiled dist/src (no source
// moves) and packs them into .helios/packages/.
//
// Each package's checked-in package.json is the source of truth for what it exports: every `exports`
// condition names a file under ./dist/, which maps to the same path under dist/src. From those entries
// the closure of relative imports (static and dynamic, in .js and .d.ts alike) is copied into the
// package's dist/ with its layout kept, and the closure's bare imports must be exactly the package's
// dependencies and peerDependencies, at the root package.json's versions: nothing missing, nothing unused.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, posix, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { z } from "zod";

/** Where the packages' checked-in directories live, relative to the repository root. */
export const PACKAGES_DIR = "packages";
/** The compiled sources the packages are cut from. */
export const COMPILED_SOURCES = join("dist", "src");
/** Where `make packages` writes the tarballs. */
export const TARBALL_DIR = join(".helios", "packages");

const exportTargetSchema = z.union([z.string(), z.record(z.string(), z.string())]);
const dependencyMapSchema = z.record(z.string(), z.string());

export const packageManifestSchema = z.looseObject({
  name: z.string(),
  version: z.string(),
  exports: z.record(z.string(), exportTargetSchema),
  dependencies: dependencyMapSchema.optional(),
  peerDependencies: dependencyMapSchema.optional(),
});
export type PackageManifest = z.infer<typeof packageManifestSchema>;

const rootManifestSchema = z.looseObject({ version: z.string(), dependencies: dependencyMapSchema, devDependencies: dependencyMapSchema.optional() });
export type RootManifest = z.infer<typeof rootManifestSchema>;

/** The repository's package.json: the version and dependency versions the packages must carry. */
export function readRootManifest(root: string): RootManifest {
  return rootManifestSchema.parse(JSON.parse(readFileSync(join(root, "package.json"), "utf8")));
}

/** A module file the package ships, relative to the compiled sources, with its bare imports. */
export interface ModuleFile {
  readonly path: string;
  readonly bareImports: readonly string[];
}

/** The package name a bare specifier loads (`@scope/name/sub` → `@scope/name`); undefined for builtins. */
export function packageOfSpecifier(specifier: string): string | undefined {
  if (specifier.startsWith("node:") || isBuiltin(specifier)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** The import specifiers of one module's text: import/export ... from, import(), and `import("x")` types. */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The file a relative specifier of `from` names: `.js` stays `.js` for JavaScript and becomes `.d.ts` for declarations. */
export function resolveRelative(from: string, specifier: string): string {
  const target = posix.join(posix.dirname(from), specifier);
  return from.endsWith(".d.ts") ? target.replace(/\.js$/, ".d.ts") : target;
}

/** The files under `./dist/` an exports map names (conditions and subpaths alike; `./package.json` is not one). */
export function exportedFiles(manifest: Pick<PackageManifest, "name" | "exports">): string[] {
  const targets = Object.values(manifest.exports).flatMap((t) => (typeof t === "string" ? [t] : Object.values(t)));
  const files = targets.filter((t) => t !== "./package.json");
  for (const file of files) {
    if (!file.startsWith("./dist/")) throw new Error(`${manifest.name}: export target ${file} is not under ./dist/`);
  }
  return files.map((f) => f.slice("./dist/".length));
}

/**
 * The closure of `entries` over relative imports, read through `read` (paths relative to the compiled
 * sources, posix). Throws naming the importer when a relative import leaves the sources or is missing.
 */
export function moduleClosure(entries: readonly string[], read: (path: string) => string | undefined): ModuleFile[] {
  const seen = new Map<string, ModuleFile>();
  const pending: { path: string; importer: string | undefined }[] = entries.map((path) => ({ path, importer: undefined }));
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { path, importer } = next;
    if (seen.has(path)) continue;
    if (path.startsWith("../")) throw new Error(`${importer ?? path} imports ${path}, outside the compiled sources`);
    const text = read(path);
    if (text === undefined) throw new Error(importer === undefined ? `entry ${path} was not compiled (run tsc -p tsconfig.build.json)` : `${importer} imports ${path}, which does not exist`);
    const bare = new Set<string>();
    for (const specifier of importSpecifiers(text)) {
      if (specifier.startsWith(".")) pending.push({ path: resolveRelative(path, specifier), importer: path });
      else {
        const name = packageOfSpecifier(specifier);
        if (name !== undefined) bare.add(name);
      }
    }
    seen.set(path, { path, bareImports: [...bare].sort() });
  }
  return [...seen.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** What is wrong with a package's declared dependencies, given the modules it ships; empty when right. */
export function dependencyProblems(manifest: PackageManifest, modules: readonly ModuleFile[], root: RootManifest): string[] {
  const declared = { ...manifest.dependencies, ...manifest.peerDependencies };
  const rootVersions: Record<string, string> = { ...root.devDependencies, ...root.dependencies };
  const importers = new Map<string, string[]>();
  for (const module of modules) for (const name of module.bareImports) importers.set(name, [...(importers.get(name) ?? []), module.path]);
  const problems: string[] = [];
  if (manifest.version !== root.version) problems.push(`version is ${manifest.version}, the root package.json's is ${root.version}`);
  for (const [name, files] of importers) {
    if (!(name in declared)) problems.push(`${name} is imported (by ${files.slice(0, 3).join(", ")}) but not a dependency or peerDependency`);
  }
  for (const [name, version] of Object.entries(declared)) {
    if (!importers.has(name)) problems.push(`${name} is a dependency but nothing the package ships imports it`);
    else if (rootVersions[name] !== version) problems.push(`${name} is at ${version}, the root package.json has ${rootVersions[name] ?? "no such dependency"}`);
  }
  return problems.map((p) => `${manifest.name}: ${p}`);
}

export interface BuiltPackage {
  readonly name: string;
  readonly dir: string;
  readonly modules: readonly ModuleFile[];
}

/** Copies one package's closure from the compiled sources into `<dir>/dist`, after checking its dependencies. */
export function buildPackage(root: string, dir: string, rootManifest: RootManifest): BuiltPackage {
  const manifest = packageManifestSchema.parse(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")));
  const sources = join(root, COMPILED_SOURCES);
  const read = (path: string): string | undefined => {
    const file = join(sources, path);
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  };
  const modules = moduleClosure(exportedFiles(manifest), read);
  const problems = dependencyProblems(manifest, modules, rootManifest);
  if (problems.length > 0) throw new Error(problems.join("\n"));
  const out = join(dir, "dist");
  rmSync(out, { recursive: true, force: true });
  for (const { path } of modules) {
    const target = join(out, path);
    mkdirSync(dirname(target), { recursive: true });
    if (path.endsWith(".d.ts")) copyFileSync(join(sources, path), target);
    // The source maps point at src/, which the package does not ship.
    else writeFileSync(target, (read(path) ?? "").replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"));
  }
  // npm packs a LICENSE next to package.json whatever `files` says: the repository's.
  copyFileSync(join(root, "LICENSE"), join(dir, "LICENSE"));
  return { name: manifest.name, dir, modules };
}

/** Builds every package under packages/ and packs each into `tarballDir`; returns the tarballs' paths. */
export function buildAndPackAll(root: string, tarballDir = join(root, TARBALL_DIR)): { built: BuiltPackage[]; tarballs: string[] } {
  const rootManifest = readRootManifest(root);
  const dirs = readdirSync(join(root, PACKAGES_DIR), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, PACKAGES_DIR, e.name, "package.json")))
    .map((e) => join(root, PACKAGES_DIR, e.name));
  const built = dirs.map((dir) => buildPackage(root, dir, rootManifest));
  mkdirSync(tarballDir, { recursive: true });
  const tarballs = built.map(({ dir }) => {
    const output = execFileSync("npm", ["pack", "--json", "--pack-destination", tarballDir], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const [packed] = z.array(z.looseObject({ filename: z.string() })).parse(JSON.parse(output));
    if (!packed) throw new Error(`npm pack in ${dir} reported no tarball`);
    return join(tarballDir, packed.filename);
  });
  return { built, tarballs };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    const root = resolve(".");
    const { built, tarballs } = buildAndPackAll(root);
    for (const [i, pkg] of built.entries()) {
      const bare = [...new Set(pkg.modules.flatMap((m) => m.bareImports))].sort();
      process.stdout.write(`${pkg.name}: ${pkg.modules.length} files, imports ${bare.join(", ") || "nothing"} -> ${relative(root, tarballs[i] ?? "")}\n`);
    }
  } catch (err) {
    process.stderr.write(`packages: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
