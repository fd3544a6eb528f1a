// The leading operator SIGKILLed mid-dispatch while a warm standby waits: the standby takes the
// lease once it expires and carries on from the apiserver's state. Assignments the dead leader wrote
// stand; nothing is assigned twice (the resourceVersion is the lock) and nothing is lost.
//
// The dead leader's buffered audit entries die with it; the standby's audit recovery writes them
// from the Jobs' statuses, so the trail must be complete: one entry per assignment and ending.
//
// Protection removed (HELIOS_CHAOS_UNPROTECTED=1): no standby (a standby judges expiry by the
// lease's own leaseDurationSeconds, so a flag on the standby cannot disarm it); no one takes over and
// the jobs the leader had not finished stay Pending/Assigned (NotTerminal).
import { afterAll, describe, expect, it } from "vitest";
import { kubeConfig, kubeconfigPath } from "../support/cluster.js";
import { waitUntil } from "./support/processes.js";
import { ChaosRun, chaosSeed, seededRandom } from "./support/run.js";

const JOBS = 90;
let run: ChaosRun | undefined;

afterAll(async () => {
  await Promise.all([...(run?.agents ?? []), ...(run?.operators ?? [])].map((p) => p.kill()));
});

describe("chaos: leader operator SIGKILL with a warm standby", () => {
  it("the standby takes over mid-dispatch; every job ends once", async () => {
    const random = seededRandom(chaosSeed("leader-kill"));
    run = await new ChaosRun({
      scenario: "leader-kill",
      kubeconfigPath: kubeconfigPath(),
      kubeConfig: kubeConfig(),
      removal: { what: "no failover: the warm standby is not started" },
    }).setup();
    const r = run;
    const first = await r.startOperator("operator-1", { leaderElect: true });
    await waitUntil("operator-1 leads", () => first.leading, 30_000);
    const standby = r.unprotected ? undefined : await r.startOperator("operator-2", { leaderElect: true });
    await standby?.ready();
    const agents = ["a", "b", "c"].map((n) => r.startAgent(n, { maxConcurrency: 3 }));
    await Promise.all(agents.map((a) => a.started()));

    await r.createJobs(
      Array.from({ length: JOBS }, (_, i) => ({
        name: `leader-${i}`,
        spec: i % 10 === 0 ? { type: "fail", payload: { times: 1 }, retry: { maxRetries: 3, backoffSeconds: 1, maxBackoffSeconds: 1 } } : { type: "sleep", payload: { duration: `${Math.round(300 + random() * 600)}ms` } },
      })),
    );
    // Mid-dispatch: some jobs done, most still to assign.
    await waitUntil("a sixth of the jobs done", async () => ((await r.phases())["Succeeded"] ?? 0) >= JOBS / 6, 30_000);
    await first.kill();
    const killedAt = await r.phases();

    await r.waitQuiet(45_000);
    if (standby !== undefined) await waitUntil("the standby's audit recovery ran", () => standby.auditRecovered !== undefined, 60_000);
    const recovered = standby?.auditRecovered ?? 0;
    const report = await r.finish();
    r.expectVerdict(report);
    if (!r.unprotected) {
      expect(standby?.leading, "the standby took over").toBe(true);
      expect(killedAt["Succeeded"] ?? 0, `killed mid-dispatch: ${JSON.stringify(killedAt)}`).toBeLessThan(JOBS);
      expect(report.stats.phases).toEqual({ Succeeded: JOBS });
      expect(recovered, "the dead leader's unwritten entries were recovered").toBeGreaterThan(0);
    }
  }, 120_000);
});
