// The leading operator SIGKILLed three times during a 2 000-job flood, two replicas kept running: every job ends once, no attempt runs twice, and the audit trail is complete (one
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
import { ChaosRun, chaosSeed, seededRandom, sleep } from "./support/run.js";

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
    // Two replicas at all times, like a Deployment: one that exits (killed, or its lease lost on a
    // loaded machine) is replaced.
    const replicas = new Set<OperatorProcess>();
    let names = 0;
    let keeping = true;
    const keeper = (async () => {
      while (keeping) {
        for (const p of replicas) if (!p.running) replicas.delete(p);
        while (replicas.size < 2) replicas.add(await r.startOperator(`operator-${++names}`, { leaderElect: true }));
        await sleep(250);
      }
    })();
    const leader = (): OperatorProcess | undefined => [...replicas].find((p) => p.running && p.leading);
    await waitUntil("a replica leads", () => leader() !== undefined, 30_000);
    const agents = ["a", "b", "c", "d"].map((n) => r.startAgent(n, { maxConcurrency: 10 }));
    await Promise.all(agents.map((a) => a.started()));

    await r.createJobs(Array.from({ length: JOBS }, (_, i) => ({ name: `flood-${i}`, spec: { type: "sleep", payload: { duration: `${Math.round(20 + random() * 180)}ms` } } })));
    const killedAt: Record<string, number>[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      const due = Math.round((kill * JOBS) / (KILLS + 1));
      await waitUntil(`${due} jobs done before kill ${kill}`, async () => ((await r.phases())["Succeeded"] ?? 0) >= due, 240_000);
      await waitUntil(`a replica leads before kill ${kill}`, () => leader() !== undefined, 30_000);
      const victim = leader() as OperatorProcess;
      await victim.kill();
      killedAt.push(await r.phases());
      await waitUntil(`another replica takes over after kill ${kill}`, () => leader() !== undefined && leader() !== victim, 30_000);
    }

    await r.waitQuiet(240_000);
    const recoveredBy = (): number | undefined => leader()?.auditRecovered;
    if (!r.unprotected) await waitUntil("the last leader's audit recovery ran", () => recoveredBy() !== undefined, 120_000);
    const recovered = recoveredBy() ?? 0;
    keeping = false;
    await keeper;
    const report = await r.finish();
    r.expectVerdict(report);
    if (!r.unprotected) {
      expect(report.stats.phases).toEqual({ Succeeded: JOBS });
      for (const [i, phases] of killedAt.entries()) expect(phases["Succeeded"] ?? 0, `kill ${i + 1} landed mid-flood: ${JSON.stringify(phases)}`).toBeLessThan(JOBS);
      expect(report.stats.auditEntries, "one assigned and one ending per job at least").toBeGreaterThanOrEqual(2 * JOBS);
      console.info(`[chaos] operator-kill-flood: ${KILLS} leader kills, ${recovered} entries recovered by the last leader (${names} replicas in all), ${report.stats.auditEntries} in the trail`);
    }
  }, 600_000);
});
