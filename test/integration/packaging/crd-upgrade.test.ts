// The CRDs are chart templates, so they follow the release: `helm upgrade` applies a changed CRD, and an
// uninstall keeps them (crds.keep) or deletes them; install.yaml users upgrade them with a server-side apply. On a private control plane: the shared one's CRDs
// belong to the global setup and every other test file.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROUP, HELIOS_RESOURCES } from "../../../src/api/index.js";
import { removeControlPlaneData, startControlPlane, type ControlPlane } from "../../../hack/control-plane/index.js";
import type { CommandResult } from "../support/cluster.js";
import { eventually } from "../support/poll.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const CHART = join(ROOT, "charts/helios");
const RELEASE = "helios";
const NAMESPACE = "helios-system";
const CRDS = HELIOS_RESOURCES.map((r) => `${r.plural}.${GROUP}`).sort();
/** The printer column the "next version" of the chart adds to the Job CRD. */
const NEW_COLUMN = "UpgradeProbe";

interface Crd {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { versions: { additionalPrinterColumns?: { name: string }[] }[] };
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

let plane: ControlPlane;
let nextChart: string;

function run(bin: string, args: readonly string[], input?: string): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(bin, [...args, "--kubeconfig", plane.kubeconfigPath], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") return reject(new Error(`${bin} failed to run: ${err.message}`, { cause: err }));
      resolvePromise({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}
const helm = (args: readonly string[]) => run(plane.binaries.helm, args);
const kubectl = (args: readonly string[], input?: string) => run(plane.binaries.kubectl, args, input);

async function ok(pending: Promise<CommandResult>, what: string): Promise<string> {
  const res = await pending;
  expect(res.code, `${what}: ${res.stderr}`).toBe(0);
  return res.stdout;
}

/** The CRD as the apiserver holds it, or undefined when it does not exist. */
async function getCrd(name: string): Promise<Crd | undefined> {
  const res = await kubectl(["get", "crd", name, "-o", "json", "--ignore-not-found"]);
  expect(res.code, res.stderr).toBe(0);
  return res.stdout.trim() === "" ? undefined : (JSON.parse(res.stdout) as Crd);
}


/**
 * Waits until every CRD is gone. The apiserver's CRD finalizer deletes the instances first and, after
 * a failed attempt (e.g. while the CRD's storage is being rebuilt after an update), retries with a
 * growing back-off: under load that has taken over a minute.
 */
async function crdsDeleted(): Promise<void> {
  for (const name of CRDS) {
    await eventually(async () => ((await getCrd(name)) === undefined ? true : undefined), `${name} deleted`, DELETION_TIMEOUT_MS).catch(async (err: unknown) => {
      throw new Error(`${String(err)}; its conditions: ${JSON.stringify((await getCrd(name))?.status?.conditions)}`, { cause: err });
    });
  }
}
const DELETION_TIMEOUT_MS = 240_000;

/**
 * Waits until every CRD's instances can be listed: an update (helm upgrade) rebuilds a CRD's storage,
 * and a delete that meets it still rebuilding makes the finalizer back off, for minutes under load.
 */
async function crdStorageServes(): Promise<void> {
  for (const name of CRDS) {
    await eventually(async () => ((await kubectl(["get", name, "--all-namespaces", "-o", "name"])).code === 0 ? true : undefined), `${name} instances listable`, 60_000);
  }
}

const established = (crd: Crd | undefined): boolean => crd?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") === true;
const columns = (crd: Crd | undefined): string[] => crd?.spec.versions.flatMap((v) => (v.additionalPrinterColumns ?? []).map((c) => c.name)) ?? [];

/** A copy of the chart whose Job CRD gains a printer column, as a later chart version's would. */
function chartWithNewColumn(): string {
  const dir = mkdtempSync(join(tmpdir(), "helios-chart-next-"));
  cpSync(CHART, dir, { recursive: true });
  const template = join(dir, "templates/crds/helios.dev_jobs.yaml");
  writeFileSync(template, withNewColumn(readFileSync(template, "utf8")));
  return dir;
}

/** `yaml` with NEW_COLUMN first among the Job CRD's printer columns (the Job CRD's are the first in the text). */
function withNewColumn(yaml: string): string {
  const anchor = "    - additionalPrinterColumns:\n        - description: The handler an agent runs.\n";
  expect(yaml).toContain(anchor);
  const column = `        - description: Added by the next version.\n          jsonPath: .spec.queue\n          name: ${NEW_COLUMN}\n          type: string\n`;
  return yaml.replace(anchor, `    - additionalPrinterColumns:\n${column}        - description: The handler an agent runs.\n`);
}

const JOB = `apiVersion: helios.dev/v1alpha1
kind: Job
metadata:
  name: survivor
  namespace: default
spec:
  type: echo
  payload:
    message: outlives the release
`;

describe("CRDs upgraded with the chart", () => {
  beforeAll(async () => {
    plane = await startControlPlane({ report: () => {} });
    nextChart = chartWithNewColumn();
  }, 300_000);
  afterAll(async () => {
    rmSync(nextChart, { recursive: true, force: true });
    await plane.stop();
    await removeControlPlaneData(plane);
  });

  it("helm install creates the CRDs as the release's, marked to be kept", async () => {
    await ok(helm(["install", RELEASE, CHART, "--namespace", NAMESPACE, "--create-namespace"]), "helm install");
    for (const name of CRDS) {
      const crd = await eventually(async () => {
        const c = await getCrd(name);
        return established(c) ? c : undefined;
      }, `${name} Established`, 60_000);
      expect(crd.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "Helm" });
      expect(crd.metadata.annotations).toMatchObject({ "meta.helm.sh/release-name": RELEASE, "meta.helm.sh/release-namespace": NAMESPACE, "helm.sh/resource-policy": "keep" });
    }
    expect(columns(await getCrd("jobs.helios.dev"))).not.toContain(NEW_COLUMN);
    await ok(kubectl(["apply", "-f", "-"], JOB), "create a Job");
  });

  it("helm upgrade applies a changed CRD, and the users' Jobs stay", async () => {
    await ok(helm(["upgrade", RELEASE, nextChart, "--namespace", NAMESPACE]), "helm upgrade");
    expect(columns(await getCrd("jobs.helios.dev"))).toContain(NEW_COLUMN);
    const table = await ok(kubectl(["get", "hjob", "survivor", "-n", "default"]), "get the Job");
    expect(table.split("\n")[0]).toContain(NEW_COLUMN.toUpperCase());
  });

  it("helm uninstall leaves the CRDs and the Jobs (crds.keep)", async () => {
    const out = await ok(helm(["uninstall", RELEASE, "--namespace", NAMESPACE]), "helm uninstall");
    expect(out).toContain("kept due to the resource policy");
    for (const name of CRDS) expect(established(await getCrd(name)), name).toBe(true);
    await ok(kubectl(["get", "hjob", "survivor", "-n", "default"]), "the Job after uninstall");
  });

  it("a reinstall takes the kept CRDs back; after an upgrade to crds.keep=false an uninstall deletes them", { timeout: DELETION_TIMEOUT_MS + 60_000 }, async () => {
    await ok(helm(["install", RELEASE, CHART, "--namespace", NAMESPACE]), "helm install over kept CRDs");
    // The reinstalled chart's Job CRD is the current one again: the probe column goes.
    expect(columns(await getCrd("jobs.helios.dev"))).not.toContain(NEW_COLUMN);
    // Helm drops an annotation only when its previous release rendered it, so keep=false takes an upgrade.
    await ok(helm(["upgrade", RELEASE, CHART, "--namespace", NAMESPACE, "--set", "crds.keep=false"]), "helm upgrade to crds.keep=false");
    expect((await getCrd("jobs.helios.dev"))?.metadata.annotations).not.toHaveProperty("helm.sh/resource-policy");
    await crdStorageServes();
    await ok(helm(["uninstall", RELEASE, "--namespace", NAMESPACE]), "helm uninstall");
    await crdsDeleted();
  });

  it("CRDs applied from crds/ (or install.yaml) join a release after the README's label and annotations", async () => {
    await ok(kubectl(["apply", "--server-side", "-f", join(ROOT, "crds")]), "kubectl apply --server-side crds/");
    const refused = await helm(["install", RELEASE, CHART, "--namespace", NAMESPACE]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("invalid ownership metadata");
    for (const name of CRDS) {
      await ok(kubectl(["label", "crd", name, "app.kubernetes.io/managed-by=Helm", "--overwrite"]), `label ${name}`);
      await ok(kubectl(["annotate", "crd", name, `meta.helm.sh/release-name=${RELEASE}`, `meta.helm.sh/release-namespace=${NAMESPACE}`, "--overwrite"]), `annotate ${name}`);
    }
    await ok(helm(["install", RELEASE, CHART, "--namespace", NAMESPACE]), "helm install adopting the CRDs");
    expect((await getCrd("jobs.helios.dev"))?.metadata.annotations).toMatchObject({ "helm.sh/resource-policy": "keep" });
  });

  it("install.yaml users upgrade the CRDs with `kubectl apply --server-side` of the new install.yaml (README)", { timeout: DELETION_TIMEOUT_MS + 60_000 }, async () => {
    await ok(helm(["upgrade", RELEASE, CHART, "--namespace", NAMESPACE, "--set", "crds.keep=false"]), "helm upgrade to crds.keep=false");
    await crdStorageServes();
    await ok(helm(["uninstall", RELEASE, "--namespace", NAMESPACE, "--wait"]), "helm uninstall");
    await crdsDeleted();
    const installYaml = readFileSync(join(ROOT, "manifests/install.yaml"), "utf8");
    // As the README installs it, then the next version's install.yaml as it upgrades.
    await ok(kubectl(["apply", "--server-side", "-f", "-"], installYaml), "kubectl apply --server-side -f install.yaml");
    await eventually(async () => (established(await getCrd("jobs.helios.dev")) ? true : undefined), "jobs.helios.dev Established", 60_000);
    await ok(kubectl(["apply", "-f", "-"], JOB), "create a Job");
    await ok(kubectl(["apply", "--server-side", "-f", "-"], withNewColumn(installYaml)), "kubectl apply --server-side -f the next install.yaml");
    expect(columns(await getCrd("jobs.helios.dev"))).toContain(NEW_COLUMN);
    await ok(kubectl(["get", "hjob", "survivor", "-n", "default"]), "the Job after the upgrade");
  });
});
