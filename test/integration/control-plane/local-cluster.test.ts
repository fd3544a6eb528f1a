// `make cluster-up` semantics: a second up reuses the running plane; a stale record does not wedge it.
// Each test brings the plane up itself, so one failure shows its own cause instead of failing the rest.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clusterDown, clusterUp, type ControlPlaneState } from "../../../hack/control-plane/index.js";
import { isProcessAlive } from "../../../hack/control-plane/processes.js";

const quiet = (): void => undefined;

// Starting a plane may take several attempts (a port taken before it was bound), hence the longer timeout.
describe("local cluster (cluster-up / cluster-down)", { timeout: 400_000 }, async () => {
  const repo = await mkdtemp(join(tmpdir(), "helios-repo-"));
  const paths = {
    root: join(repo, ".helios"),
    dataDir: join(repo, ".helios", "cluster"),
    stateFile: join(repo, ".helios", "cluster.json"),
    kubeconfig: join(repo, ".helios", "kubeconfig"),
  };
  const readState = async () => JSON.parse(await readFile(paths.stateFile, "utf8")) as ControlPlaneState;

  afterAll(async () => {
    await clusterDown(paths, quiet, true);
    await rm(repo, { recursive: true, force: true });
  });

  it("starts once and reuses the running control plane on a second up", async () => {
    const first = await clusterUp(paths, quiet);
    const state = await readState();
    const second = await clusterUp(paths, quiet);
    expect(second.apiServerUrl).toBe(first.apiServerUrl);
    expect((await readState()).apiServer.pid).toBe(state.apiServer.pid);
    const version = execFileSync(first.binaries.kubectl, ["--kubeconfig", paths.kubeconfig, "version", "-o", "json"]).toString();
    expect((JSON.parse(version) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion).toMatch(/^v1\.3[4-9]\./);
  });

  it("replaces a control plane whose processes died, keeping its data", async () => {
    const plane = await clusterUp(paths, quiet);
    const before = await readState();
    execFileSync(plane.binaries.kubectl, ["--kubeconfig", paths.kubeconfig, "create", "namespace", "survives-restart"]);
    await plane.killApiServer();
    await plane.killEtcd();
    const after = await clusterUp(paths, quiet);
    expect((await readState()).apiServer.pid).not.toBe(before.apiServer.pid);
    const ns = execFileSync(after.binaries.kubectl, ["--kubeconfig", paths.kubeconfig, "get", "namespace", "survives-restart", "-o", "name"]).toString();
    expect(ns.trim()).toBe("namespace/survives-restart");
  });

  it("ignores a record naming pids that are not ours, and cluster-down leaves no process behind", async () => {
    await clusterUp(paths, quiet);
    const state = await readState();
    await clusterDown(paths, quiet);
    expect(isProcessAlive(state.apiServer.pid)).toBe(false);
    expect(isProcessAlive(state.etcd.pid)).toBe(false);
    expect(state.controllerManager?.pid).toBeGreaterThan(0);
    expect(isProcessAlive(state.controllerManager?.pid ?? 0)).toBe(false);
    // A stale record pointing at an unrelated live process (this test runner) must be neither killed nor trusted.
    await writeFile(paths.stateFile, JSON.stringify({ ...state, apiServer: { ...state.apiServer, pid: process.pid } }));
    const fresh = await clusterUp(paths, quiet);
    expect(isProcessAlive(process.pid)).toBe(true);
    expect((await readState()).apiServer.pid).not.toBe(process.pid);
    await clusterDown(paths, quiet);
    expect(isProcessAlive(fresh.state().apiServer.pid)).toBe(false);
    expect(isProcessAlive(fresh.state().controllerManager?.pid ?? 0)).toBe(false);
  });
});
