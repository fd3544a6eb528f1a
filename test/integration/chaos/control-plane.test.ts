// The control plane itself fails under a running system, on a private control plane: the
// kube-apiserver is SIGKILLed and restarted; etcd is SIGKILLed and restarted after 5 s. Informers reconnect with
// backoff (and relist when their version is gone), writers retry transient failures, and the
// operator's timers recover what was lost in between: every job ends once.
//
// While etcd is down no lease renewal lands, so the operator (on its own clock) declares the agents
// Offline and requeues their running attempts: their late results must be fenced off.
//
// Protection removed (HELIOS_CHAOS_UNPROTECTED=1): for the apiserver, a build whose informers stop
// for good on the first failed list or watch and whose agents do not retry failed writes (after the
// outage nothing moves: NotTerminal); for etcd, whose outage stalls writes rather than failing them,
// an impatient build (2 s request timeout, no retries): writes given up during the stall are lost.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MUTANTS, type Mutant } from "./support/build.js";
import { startPrivatePlane, type PrivatePlane } from "./support/private-plane.js";
import { ChaosRun, chaosSeed, seededRandom, sleep } from "./support/run.js";

const JOBS = 40;
let cp: PrivatePlane | undefined;
const runs: ChaosRun[] = [];

beforeAll(async () => {
  cp = await startPrivatePlane();
}, 120_000);

afterAll(async () => {
  await Promise.all(runs.flatMap((r) => [...r.agents, ...r.operators]).map((p) => p.kill()));
  await cp?.stop();
});

async function outage(scenario: string, mutant: Mutant, fault: (plane: PrivatePlane) => Promise<void>): Promise<void> {
  if (cp === undefined) throw new Error("no control plane");
  const random = seededRandom(chaosSeed(scenario));
  const r = await new ChaosRun({
    scenario,
    kubeconfigPath: cp.kubeconfigPath,
    kubeConfig: cp.kubeConfig,
    removal: { what: mutant.what, mutant },
  }).setup();
  runs.push(r);
  await (await r.startOperator("operator")).ready();
  const agents = ["a", "b"].map((n) => r.startAgent(n, { maxConcurrency: 4 }));
  await Promise.all(agents.map((a) => a.started()));
  await r.createJobs(Array.from({ length: JOBS }, (_, i) => ({ name: `${scenario}-${i}`, spec: { type: "sleep", payload: { duration: `${Math.round(1000 + random() * 2000)}ms` } } })));
  await sleep(2500); // mid-run: some jobs done, many running
  const before = await r.phases();
  await fault(cp);
  await r.waitQuiet(50_000);
  const report = await r.finish();
  r.expectVerdict(report);
  if (!r.unprotected) {
    expect(before["Succeeded"] ?? 0, `the fault hit mid-run: ${JSON.stringify(before)}`).toBeLessThan(JOBS);
    expect(report.stats.phases).toEqual({ Succeeded: JOBS });
  }
}

describe("chaos: control plane outages", () => {
  it("kube-apiserver SIGKILLed and restarted", async () => {
    await outage("apiserver-restart", MUTANTS.noReconnect, async ({ plane }) => {
      await plane.killApiServer("SIGKILL");
      await sleep(2000);
      await plane.startApiServer();
    });
  }, 150_000);

  it("etcd SIGKILLed, down for 5 s, restarted", async () => {
    await outage("etcd-restart", MUTANTS.impatient, async ({ plane }) => {
      await plane.killEtcd("SIGKILL");
      await sleep(5000);
      await plane.startEtcd();
    });
  }, 150_000);
});
