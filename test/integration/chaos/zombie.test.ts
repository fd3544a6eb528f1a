// A zombie agent: SIGSTOPped while it runs jobs, past the stale timeout, so the operator requeues its
// work to another agent; then SIGCONT. Its handlers finish (the exec children ran on while it was
// stopped) and it tries to report results for attempts that are no longer its own: every such
// write is fenced off (resourceVersion + status.attempt), and it drops them.
//
// Protection removed (HELIOS_CHAOS_UNPROTECTED=1): a build whose writes carry no resourceVersion,
// so the zombie's stale status lands over the new attempt; the checker sees the status go back to
// the old attempt (StatusBehind), a success after a takeover, or two successes.
import { afterAll, describe, expect, it } from "vitest";
import { kubeConfig, kubeconfigPath } from "../support/cluster.js";
import { MUTANTS } from "./support/build.js";
import { waitUntil } from "./support/processes.js";
import { ChaosRun } from "./support/run.js";

const JOBS = 8;
let run: ChaosRun | undefined;

afterAll(async () => {
  await Promise.all([...(run?.agents ?? []), ...(run?.operators ?? [])].map((p) => p.kill()));
});

describe("chaos: zombie agent (SIGSTOP past the stale timeout, then SIGCONT)", () => {
  it("fences off the zombie's late writes", async () => {
    run = await new ChaosRun({
      scenario: "zombie",
      kubeconfigPath: kubeconfigPath(),
      kubeConfig: kubeConfig(),
      removal: { what: MUTANTS.noOptimisticConcurrency.what, mutant: MUTANTS.noOptimisticConcurrency },
    }).setup();
    const r = run;
    await (await r.startOperator("operator")).ready();
    const zombie = r.startAgent("z", { maxConcurrency: JOBS, args: ["--allow-exec", "sleep"] });
    await zombie.started();
    // Half run a child process (it finishes while the agent is stopped), half a timer in the agent.
    await r.createJobs(
      Array.from({ length: JOBS }, (_, i) => ({
        name: `zombie-${i}`,
        spec: i % 2 === 0 ? { type: "exec", payload: { command: "sleep", args: ["4"] } } : { type: "sleep", payload: { duration: "4s" } },
      })),
    );
    const runningOn = async (agent: string, attempt: number): Promise<boolean> => {
      const jobs = await r.list();
      return jobs.length === JOBS && jobs.every((j) => j.status?.phase === "Running" && j.status.assignedAgent === agent && j.status.attempt === attempt);
    };
    await waitUntil("all jobs Running on the zombie", () => runningOn("z", 1), 20_000);

    zombie.signal("SIGSTOP");
    const healthy = r.startAgent("b", { maxConcurrency: JOBS, args: ["--allow-exec", "sleep"] });
    await healthy.started();
    // Stale after 5 s: requeued to b as attempt 2, while the zombie's exec children finish.
    await waitUntil("all jobs Running on b as attempt 2", () => runningOn("b", 2), 30_000);
    zombie.signal("SIGCONT");

    // The zombie wakes up, finishes its handlers and reports (or drops) every attempt 1.
    await waitUntil("the zombie ended its stale attempts", () => zombie.executions().filter((e) => e.attempt === 1).length === JOBS, 20_000).catch(() => undefined);
    await r.waitQuiet(30_000);
    const staleWrites = zombie.executions().filter((e) => e.attempt === 1);
    const report = await r.finish();
    r.expectVerdict(report);
    if (!r.unprotected) {
      expect(staleWrites.map((e) => `${e.name}:${e.outcome}:${String(e.written)}`).sort()).toEqual(
        Array.from({ length: JOBS }, (_, i) => `zombie-${i}:Dropped:false`).sort(),
      );
      expect(report.stats.phases).toEqual({ Succeeded: JOBS });
    }
  }, 120_000);
});
