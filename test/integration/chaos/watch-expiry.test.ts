// Forced watch expiry: on a private control plane whose watches are served straight from etcd
// (--watch-cache=false), etcd is compacted to its current revision and every client connection is
// cut, three times during a run. Every reconnecting watch finds its resourceVersion compacted away
// (410 Gone) and must relist; the informers converge and every job ends once.
//
// Protection removed (HELIOS_CHAOS_UNPROTECTED=1): a build whose informers stop for good on 410
// (client-node's informer does that); afterwards nothing moves (NotTerminal).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MUTANTS } from "./support/build.js";
import { startPrivatePlane, TcpProxy, type PrivatePlane } from "./support/private-plane.js";
import { ChaosRun, chaosSeed, seededRandom, sleep } from "./support/run.js";

const JOBS = 40;
let cp: PrivatePlane | undefined;
let proxy: TcpProxy | undefined;
let run: ChaosRun | undefined;

beforeAll(async () => {
  cp = await startPrivatePlane(["--watch-cache=false"]);
  proxy = new TcpProxy(Number(new URL(cp.plane.apiServerUrl).port));
}, 120_000);

afterAll(async () => {
  await Promise.all([...(run?.agents ?? []), ...(run?.operators ?? [])].map((p) => p.kill()));
  await proxy?.close();
  await cp?.stop();
});

describe("chaos: forced watch expiry (etcd compaction)", () => {
  it("informers relist after 410 Gone and every job ends once", async () => {
    if (cp === undefined || proxy === undefined) throw new Error("no control plane");
    const random = seededRandom(chaosSeed("watch-expiry"));
    const viaProxy = await cp.kubeconfigWith("proxy", { server: `https://127.0.0.1:${await proxy.listen()}` });
    run = await new ChaosRun({
      scenario: "watch-expiry",
      kubeconfigPath: cp.kubeconfigPath,
      kubeConfig: cp.kubeConfig,
      processKubeconfig: viaProxy,
      removal: { what: MUTANTS.noRelist.what, mutant: MUTANTS.noRelist },
    }).setup();
    const r = run;
    await (await r.startOperator("operator")).ready();
    const agents = ["a", "b"].map((n) => r.startAgent(n, { maxConcurrency: 4 }));
    await Promise.all(agents.map((a) => a.started()));
    await r.createJobs(Array.from({ length: JOBS }, (_, i) => ({ name: `expiry-${i}`, spec: { type: "sleep", payload: { duration: `${Math.round(800 + random() * 1600)}ms` } } })));

    for (let round = 0; round < 3; round++) {
      await sleep(1500 + random() * 1500);
      await cp.plane.compactEtcd();
      proxy.dropAll();
    }

    await r.waitQuiet(45_000);
    const report = await r.finish();
    r.expectVerdict(report);
    if (!r.unprotected) {
      const relists = [...r.operators, ...r.agents].reduce((n, p) => n + p.lines.filter((l) => l["msg"] === "watch expired (410); relisting").length, 0);
      expect(relists, "watches really expired").toBeGreaterThan(0);
      expect(report.stats.phases).toEqual({ Succeeded: JOBS });
    }
  }, 120_000);
});
