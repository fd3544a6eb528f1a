// Renders manifests/install.yaml from the chart with the real helm (the chart's CRD templates included).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureBinaries } from "./control-plane/index.js";

/** The release name and namespace install.yaml is rendered for (what `helm install helios -n helios-system` makes). */
export const INSTALL_RELEASE = "helios";
export const INSTALL_NAMESPACE = "helios-system";

/** Paths inside the repository, relative to its root. */
export const CHART_DIR = join("charts", "helios");
export const INSTALL_YAML = join("manifests", "install.yaml");

const HEADER = `# Helios: everything \`helm install ${INSTALL_RELEASE} charts/helios -n ${INSTALL_NAMESPACE}\` creates (default values),
# plus its Namespace, for \`kubectl apply -f manifests/install.yaml\`. Generated from the chart by
# hack/render-manifests.ts (\`node dist/hack/render-manifests.js\`); do not edit: a test fails when it is stale.
`;

// The Pod Security Standard the chart's pods meet; enforcing it keeps later edits honest.
const NAMESPACE_DOC = `apiVersion: v1
kind: Namespace
metadata:
  name: ${INSTALL_NAMESPACE}
  labels:
    app.kubernetes.io/part-of: helios
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
`;

/** The repository root: the nearest folder above this file holding the chart (works from hack/ and dist/hack/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, CHART_DIR, "Chart.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${CHART_DIR} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** Runs helm and returns its stdout; rejects with helm's stderr on a non-zero exit. */
export function runHelm(helm: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(helm, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`helm ${args.join(" ")} failed: ${stderr.trim() || err.message}`, { cause: err }));
      else resolvePromise(stdout);
    });
  });
}

/** install.yaml's content: the header, the Namespace, then `helm template` with default values (no `helm test` Pod). */
export async function renderInstallYaml(helm: string, root: string): Promise<string> {
  const rendered = await runHelm(
    helm,
    ["template", INSTALL_RELEASE, CHART_DIR, "--namespace", INSTALL_NAMESPACE, "--skip-tests"],
    root,
  );
  return `${HEADER}---\n${NAMESPACE_DOC}${rendered.startsWith("---") ? "" : "---\n"}${rendered}`;
}

/** Writes install.yaml; returns the paths written. */
export async function renderManifests(helm: string, root: string): Promise<string[]> {
  const out = join(root, INSTALL_YAML);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, await renderInstallYaml(helm, root));
  return [out];
}

// `node dist/hack/render-manifests.js` (builds helm from Go modules first if the cache lacks it).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  ensureBinaries()
    .then(async (bins) => renderManifests(bins.helm, repoRoot()))
    .then(
      (paths) => process.stdout.write(paths.map((p) => `wrote ${p}\n`).join("")),
      (err: unknown) => {
        process.stderr.write(`render-manifests: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      },
    );
}
