// A real kube-apiserver and etcd on loopback (the project's envtest), started, restarted and stopped,
// with kube-controller-manager running the controllers a control plane without nodes needs.
import type { ChildProcess } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ensureBinaries, stderrReporter, type Reporter } from "./binaries.js";
import { ensurePki, type PkiFiles } from "./pki.js";
import { freePorts, isProcessAlive, logTail, startProcess, stopProcess, waitFor } from "./processes.js";
import type { BinaryPaths } from "./versions.js";

export interface ControlPlaneOptions {
  /** Data directory (etcd data, certificates, logs, kubeconfig); a fresh temp dir when omitted. */
  readonly dir?: string;
  /** Processes outlive this one, for `make cluster-up`. */
  readonly detached?: boolean;
  /** Extra kube-apiserver flags, e.g. tiny --max-requests-inflight for throttling tests. */
  readonly apiServerArgs?: readonly string[];
  readonly report?: Reporter;
}

/** What a detached control plane leaves behind so a later process can find, reuse or stop it. */
export interface ControlPlaneState {
  readonly dir: string;
  readonly etcd: { pid: number; clientPort: number; peerPort: number };
  readonly apiServer: { pid: number; port: number };
  /** Absent in a state saved before the control plane ran kube-controller-manager. */
  readonly controllerManager?: { pid: number; port: number };
}

export interface ControlPlane {
  readonly dir: string;
  readonly kubeconfigPath: string;
  readonly apiServerUrl: string;
  readonly etcdUrl: string;
  readonly binaries: BinaryPaths;
  state(): ControlPlaneState;
  stop(): Promise<void>;
  killApiServer(signal?: NodeJS.Signals): Promise<void>;
  startApiServer(): Promise<void>;
  restartApiServer(): Promise<void>;
  killEtcd(signal?: NodeJS.Signals): Promise<void>;
  startEtcd(): Promise<void>;
  restartEtcd(): Promise<void>;
  /** Compacts etcd to its current revision, so watches from older resourceVersions get 410 Gone. */
  compactEtcd(): Promise<number>;
}

const READY_TIMEOUT_MS = 60_000;
/**
 * What follows owner references (an agent's Agent and Lease go with its Pod), empties a deleted
 * namespace so `kubectl delete namespace` finishes, and fills aggregated ClusterRoles (the chart's
 * tenant roles join admin, edit and view). The rest need nodes, or are not ours to test.
 */
const CONTROLLERS = ["garbagecollector", "namespace", "clusterrole-aggregation"];
/** A port handed out by freePorts can be taken by another socket before etcd or the apiserver binds it. */
const START_ATTEMPTS = 3;

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const report = options.report ?? stderrReporter;
  const binaries = await ensureBinaries(report);
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "helios-cp-")));
  await mkdir(join(dir, "logs"), { recursive: true });
  const pki = await ensurePki(join(dir, "pki"));
  for (let attempt = 1; ; attempt++) {
    const [etcdClient = 0, etcdPeer = 0, apiServer = 0, controllerManager = 0] = await freePorts(4);
    const plane = new LocalControlPlane(dir, binaries, pki, { etcdClient, etcdPeer, apiServer, controllerManager }, options);
    try {
      await plane.startEtcd();
      await plane.startApiServer();
      await plane.writeKubeconfig();
      await plane.startControllerManager();
    } catch (err) {
      await plane.stop();
      if (attempt >= START_ATTEMPTS || !isPortTaken(err)) throw err;
      report(`a port was taken before the control plane bound it (attempt ${attempt}): starting again on new ports`);
      continue;
    }
    report(`control plane ready: ${plane.apiServerUrl} (kubeconfig ${plane.kubeconfigPath})`);
    return plane;
  }
}

function isPortTaken(err: unknown): boolean {
  return err instanceof Error && /address already in use/i.test(err.message);
}

/** Reattaches to a detached control plane whose state was saved; undefined if it is not healthy. */
export async function attachControlPlane(state: ControlPlaneState): Promise<ControlPlane | undefined> {
  const { controllerManager } = state;
  if (controllerManager === undefined) return undefined;
  if (![state.etcd.pid, state.apiServer.pid, controllerManager.pid].every(isProcessAlive)) return undefined;
  const { binaryPaths } = await import("./versions.js");
  const pki = await ensurePki(join(state.dir, "pki"));
  const ports = {
    etcdClient: state.etcd.clientPort,
    etcdPeer: state.etcd.peerPort,
    apiServer: state.apiServer.port,
    controllerManager: controllerManager.port,
  };
  const plane = new LocalControlPlane(state.dir, binaryPaths(), pki, ports, { detached: true }, state);
  return (await plane.isApiServerReady()) ? plane : undefined;
}

interface Ports {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiServer: number;
  readonly controllerManager: number;
}

class LocalControlPlane implements ControlPlane {
  readonly kubeconfigPath: string;
  readonly apiServerUrl: string;
  readonly etcdUrl: string;
  private etcdPid = 0;
  private apiServerPid = 0;
  private controllerManagerPid = 0;
  private readonly children = new Map<number, ChildProcess>();
  /** Where each process's log stood when it was last spawned: its own lines start there. */
  private readonly logStart = new Map<string, number>();

  constructor(
    readonly dir: string,
    readonly binaries: BinaryPaths,
    private readonly pki: PkiFiles,
    private readonly ports: Ports,
    private readonly options: ControlPlaneOptions,
    attached?: ControlPlaneState,
  ) {
    this.kubeconfigPath = join(dir, "kubeconfig");
    this.apiServerUrl = `https://127.0.0.1:${ports.apiServer}`;
    this.etcdUrl = `http://127.0.0.1:${ports.etcdClient}`;
    if (attached) {
      this.etcdPid = attached.etcd.pid;
      this.apiServerPid = attached.apiServer.pid;
      this.controllerManagerPid = attached.controllerManager?.pid ?? 0;
    }
  }

  state(): ControlPlaneState {
    return {
      dir: this.dir,
      etcd: { pid: this.etcdPid, clientPort: this.ports.etcdClient, peerPort: this.ports.etcdPeer },
      apiServer: { pid: this.apiServerPid, port: this.ports.apiServer },
      controllerManager: { pid: this.controllerManagerPid, port: this.ports.controllerManager },
    };
  }

  async startEtcd(): Promise<void> {
    const peer = `http://127.0.0.1:${this.ports.etcdPeer}`;
    const child = this.spawn(this.binaries.etcd, "etcd", [
      "--name=helios",
      `--data-dir=${join(this.dir, "etcd")}`,
      `--listen-client-urls=${this.etcdUrl}`,
      `--advertise-client-urls=${this.etcdUrl}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=helios=${peer}`,
      "--unsafe-no-fsync=true", // test data: durability across power loss is not needed, speed is
      "--quota-backend-bytes=8589934592",
      "--log-level=warn",
    ]);
    this.etcdPid = child.pid ?? 0;
    await waitFor("etcd /health", async () => {
      const res = await fetch(`${this.etcdUrl}/health`);
      return res.ok && ((await res.json()) as { health?: string }).health === "true";
    }, READY_TIMEOUT_MS, () => this.deathNote(this.etcdPid, "etcd"));
  }

  async startApiServer(): Promise<void> {
    const child = this.spawn(this.binaries.kubeApiserver, "kube-apiserver", [
      `--etcd-servers=${this.etcdUrl}`,
      `--cert-dir=${join(this.dir, "pki")}`,
      `--tls-cert-file=${this.pki.servingCert}`,
      `--tls-private-key-file=${this.pki.servingKey}`,
      `--client-ca-file=${this.pki.caCert}`,
      `--secure-port=${this.ports.apiServer}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1", // fails without it on hosts with no default route
      "--service-cluster-ip-range=10.0.0.0/24",
      "--allow-privileged=true",
      "--authorization-mode=RBAC",
      "--disable-admission-plugins=ServiceAccount", // no controller-manager creates default ServiceAccounts
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${this.pki.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${this.pki.serviceAccountPrivateKey}`,
      "--endpoint-reconciler-type=none",
      ...(this.options.apiServerArgs ?? []),
    ]);
    this.apiServerPid = child.pid ?? 0;
    await waitFor("kube-apiserver /readyz", () => this.isApiServerReady(), READY_TIMEOUT_MS * 2, () =>
      this.deathNote(this.apiServerPid, "kube-apiserver"),
    );
  }

  /** Runs as the admin of the kubeconfig, so it may delete whatever a namespace or an owner leaves behind. */
  async startControllerManager(): Promise<void> {
    const child = this.spawn(this.binaries.kubeControllerManager, "kube-controller-manager", [
      `--kubeconfig=${this.kubeconfigPath}`,
      `--controllers=${CONTROLLERS.join(",")}`,
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      `--secure-port=${this.ports.controllerManager}`,
      `--cert-dir=${join(this.dir, "pki", "controller-manager")}`,
    ]);
    this.controllerManagerPid = child.pid ?? 0;
    await waitFor("kube-controller-manager /healthz", () => this.isControllerManagerHealthy(), READY_TIMEOUT_MS, () =>
      this.deathNote(this.controllerManagerPid, "kube-controller-manager"),
    );
  }

  async killApiServer(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    await this.kill(this.apiServerPid, signal);
  }

  async killEtcd(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    await this.kill(this.etcdPid, signal);
  }

  async restartApiServer(): Promise<void> {
    await this.killApiServer("SIGTERM");
    await this.startApiServer();
  }

  async restartEtcd(): Promise<void> {
    await this.killEtcd("SIGTERM");
    await this.startEtcd();
  }

  async compactEtcd(): Promise<number> {
    const range = await this.etcdPost("/v3/kv/range", { key: Buffer.from("/").toString("base64") });
    const revision = Number((range as { header?: { revision?: string } }).header?.revision ?? 0);
    await this.etcdPost("/v3/kv/compaction", { revision, physical: true });
    return revision;
  }

  async stop(): Promise<void> {
    await stopProcess(this.controllerManagerPid);
    await stopProcess(this.apiServerPid);
    await stopProcess(this.etcdPid);
  }

  async writeKubeconfig(): Promise<void> {
    const b64 = async (file: string) => Buffer.from(await readFile(file)).toString("base64");
    const config = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "helios-local", cluster: { server: this.apiServerUrl, "certificate-authority-data": await b64(this.pki.caCert) } }],
      users: [{ name: "helios-admin", user: { "client-certificate-data": await b64(this.pki.adminCert), "client-key-data": await b64(this.pki.adminKey) } }],
      contexts: [{ name: "helios-local", context: { cluster: "helios-local", user: "helios-admin", namespace: "default" } }],
      "current-context": "helios-local",
    };
    await writeFile(this.kubeconfigPath, stringify(config), { mode: 0o600 });
  }

  async isApiServerReady(): Promise<boolean> {
    const [ca, cert, key] = await Promise.all([readFile(this.pki.caCert), readFile(this.pki.adminCert), readFile(this.pki.adminKey)]);
    return new Promise((resolve) => {
      const req = request(`${this.apiServerUrl}/readyz`, { ca, cert, key, timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
      req.end();
    });
  }

  /** Its serving certificate is self-signed in its cert dir; /healthz is open to anyone. */
  private isControllerManagerHealthy(): Promise<boolean> {
    return new Promise((resolve) => {
      const url = `https://127.0.0.1:${this.ports.controllerManager}/healthz`;
      const req = request(url, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
      req.end();
    });
  }

  private spawn(binary: string, name: string, args: string[]): ChildProcess {
    const logFile = this.logFileOf(name);
    this.logStart.set(name, existsSync(logFile) ? statSync(logFile).size : 0);
    const child = startProcess(binary, args, { logFile, detached: this.options.detached ?? false });
    if (child.pid) {
      this.children.set(child.pid, child);
      child.on("exit", () => child.pid && this.children.delete(child.pid));
    }
    return child;
  }

  private logFileOf(name: string): string {
    return join(this.dir, "logs", `${name}.log`);
  }

  /** Why a process that should be starting is gone, with the end of what it logged since it was spawned. */
  private deathNote(pid: number, name: string): string | undefined {
    const child = this.children.get(pid);
    const exited = child ? child.exitCode !== null : !isProcessAlive(pid);
    if (!exited) return undefined;
    const file = this.logFileOf(name);
    return `${name} exited early (log ${file}):\n${logTail(file, this.logStart.get(name))}`;
  }

  private async kill(pid: number, signal: NodeJS.Signals): Promise<void> {
    if (signal === "SIGTERM") return stopProcess(pid);
    if (isProcessAlive(pid)) process.kill(pid, signal);
    await waitFor(`process ${pid} to exit`, () => Promise.resolve(!isProcessAlive(pid) || this.children.get(pid)?.exitCode != null), 10_000);
  }

  private async etcdPost(path: string, body: unknown): Promise<unknown> {
    const res = await fetch(`${this.etcdUrl}${path}`, { method: "POST", body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  }
}

/** Removes a temp control plane's data directory after it was stopped. */
export async function removeControlPlaneData(plane: ControlPlane): Promise<void> {
  await rm(plane.dir, { recursive: true, force: true });
}
