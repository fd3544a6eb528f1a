// `make cluster-up` / `make cluster-down`: one detached control plane per checkout, found again via .helios/.
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Reporter } from "./binaries.js";
import { stderrReporter } from "./binaries.js";
import { attachControlPlane, startControlPlane, type ControlPlane, type ControlPlaneState } from "./control-plane.js";
import { withFileLock } from "./file-lock.js";
import { commandLineOf, isProcessAlive, stopProcess } from "./processes.js";

export interface LocalClusterPaths {
  readonly root: string;
  readonly dataDir: string;
  readonly stateFile: string;
  readonly kubeconfig: string;
}

export function localClusterPaths(repoRoot = process.cwd()): LocalClusterPaths {
  const root = resolve(repoRoot, ".helios");
  return { root, dataDir: join(root, "cluster"), stateFile: join(root, "cluster.json"), kubeconfig: join(root, "kubeconfig") };
}

async function readState(paths: LocalClusterPaths): Promise<ControlPlaneState | undefined> {
  if (!existsSync(paths.stateFile)) return undefined;
  try {
    return JSON.parse(await readFile(paths.stateFile, "utf8")) as ControlPlaneState;
  } catch {
    return undefined; // a torn or hand-edited file is as good as none
  }
}

/** Stops recorded processes that are still ours (the pid's command line names our data dir). */
async function stopRecorded(state: ControlPlaneState): Promise<void> {
  for (const pid of [state.controllerManager?.pid ?? 0, state.apiServer.pid, state.etcd.pid]) {
    if (pid > 0 && isProcessAlive(pid) && commandLineOf(pid).includes(state.dir)) await stopProcess(pid);
  }
}

/** Starts the local control plane, or reuses the one already running for this checkout. */
export async function clusterUp(paths = localClusterPaths(), report: Reporter = stderrReporter): Promise<ControlPlane> {
  await mkdir(paths.root, { recursive: true });
  return withFileLock(join(paths.root, "cluster.lock"), report, async () => {
    const previous = await readState(paths);
    if (previous) {
      const running = await attachControlPlane(previous);
      if (running) {
        report(`reusing the running control plane at ${running.apiServerUrl}`);
        await copyFile(running.kubeconfigPath, paths.kubeconfig);
        return running;
      }
      report("previous control plane is gone or unhealthy: starting a new one (data kept)");
      await stopRecorded(previous);
    }
    const plane = await startControlPlane({ dir: paths.dataDir, detached: true, report });
    await writeFile(paths.stateFile, JSON.stringify(plane.state(), null, 2));
    await copyFile(plane.kubeconfigPath, paths.kubeconfig);
    return plane;
  });
}

/** Stops the local control plane; with `purge`, deletes its data too. */
export async function clusterDown(paths = localClusterPaths(), report: Reporter = stderrReporter, purge = false): Promise<void> {
  const state = await readState(paths);
  if (state) {
    await stopRecorded(state);
    report("control plane stopped");
  } else {
    report("no local control plane recorded");
  }
  await rm(paths.stateFile, { force: true });
  await rm(paths.kubeconfig, { force: true });
  if (purge) await rm(paths.dataDir, { recursive: true, force: true });
}
