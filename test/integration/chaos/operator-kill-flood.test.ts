// The leading operator SIGKILLed three times during a 2 000-job flood, a fresh standby started after
// each kill: every job ends once, no attempt runs twice, and the audit trail is complete (one
// `assigned` per attempt, one ending per Job, no duplicates) once the last leader's audit recovery
// has run. Each dead leader takes up to 5 s of buffered entries with it; recovery writes them from
// the Jobs' statuses.
//
// Protection removed (HELIOS_CHAOS_UNPROTECTED=1): the no-audit-recovery mutant; the trail then
// misses what the dead leaders had buffered (AuditMissing).
import { afterAll, describe, expect, it } from "vitest";
import { kubeConfig, kubeconfigPath } from "../support/cluster.js";
import { MUTANTS } from "./support/build.js";
import { waitUntil, type OperatorProcess } from "./support/processes.js";
import { ChaosRun, chaosSeed, seededRandom } from "./support/run.js";

const JOBS = 2_000;
const KILLS = 3;
let run: ChaosRun | undefined;

afterAll(async () => {
  await Promise.all([...(run?.agents ?? []), ...(run?.operators ?? [])].map((p) => p.kill()));
});

describe("chaos: the leader SIGKILLed three times during a flood", () => {
  it("every job ends once and the audit trail is complete after each new leader's recovery", async () => {
    const random = seededRandom(chaosSeed("operator-kill-flood"));
    run = await new ChaosRun({
      scenario: "operator-kill-flood",
      kubeconfigPath: kubeconfigPath(),
      kubeConfig: kubeConfig(),
      removal: { what: MUTANTS.noAuditRecovery.what, mutant: MUTANTS.noAuditRecovery },
    }).setup();
    const r = run;
    let replicas = 0;
    const startReplica = (): Promise<OperatorProcess> => r.startOperator(`operator-${++replicas}`, { leaderElect: true });
    let leader = await startReplica();
    await waitUntil("operator-1 leads", () => leader.leading, 30_000);
    let standby = await startReplica();
    await standby.ready();
    const agents = ["a", "b", "c", "d"].map((n) => r.startAgent(n, { maxConcurrency: 10 }));
    await Promise.all(agents.map((a) => a.started()));

    await r.createJobs(Array.from({ length: JOBS }, (_, i) => ({ name: `flood-${i}`, spec: { type: "sleep", payload: { duration: `${Math.round(20 + random() * 180)}ms` } } })));
    const killedAt: Record<string, number>[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      const due = Math.round((kill * JOBS) / (KILLS + 1));
      await waitUntil(`${due} jobs done before kill ${kill}`, async () => ((await r.phases())["Succeeded"] ?? 0) >= due, 240_000);
      await leader.kill();
      killedAt.push(await r.phases());
      const next = standby;
      await waitUntil(`${next.name} takes over after kill ${kill}`, () => next.leading, 30_000);
      leader = next;
      standby = await startReplica();
      await standby.ready();
    }

    await r.waitQuiet(240_000);
    const recovered = r.unprotected ? 0 : await leader.auditRecovered();
    const report = await r.finish();
    r.expectVerdict(report);
    if (!r.unprotected) {
      expect(report.stats.phases).toEqual({ Succeeded: JOBS });
      for (const [i, phases] of killedAt.entries()) expect(phases["Succeeded"] ?? 0, `kill ${i + 1} landed mid-flood: ${JSON.stringify(phases)}`).toBeLessThan(JOBS);
      expect(report.stats.auditEntries, "one assigned and one ending per job at least").toBeGreaterThanOrEqual(2 * JOBS);
      console.info(`[chaos] operator-kill-flood: ${KILLS} leader kills, ${recovered} entries recovered by the last leader, ${report.stats.auditEntries} in the trail`);
    }
  }, 600_000);
});
