// Agents SIGKILLed mid-job at random moments, again and again: some come back under the same name
// (they rerun their own unfinished attempts), some never come back (agent-health marks them Offline
// and job-recovery requeues their work). Every job still ends exactly once, one agent per attempt.
//
// Protection removed (HELIOS_CHAOS_UNPROTECTED=1): the operator never judges an agent dead nor an
// assignment unacknowledged (--agent-stale-timeout and --job-ack-timeout of 1h): the dead agents'
// jobs stay stuck, which the checker reports as NotTerminal.
import { afterAll, describe, it } from "vitest";
import { kubeConfig, kubeconfigPath } from "../support/cluster.js";
import { ChaosRun, chaosSeed, seededRandom, sleep } from "./support/run.js";

const JOBS = 36;
const KILLS = 6;
let run: ChaosRun | undefined;

afterAll(async () => {
  await Promise.all([...(run?.agents ?? []), ...(run?.operators ?? [])].map((p) => p.kill()));
});

describe("chaos: agent SIGKILL mid-job", () => {
  it("loses nothing and runs no attempt twice when agents die at random moments", async () => {
    const random = seededRandom(chaosSeed("agent-kill"));
    run = await new ChaosRun({
      scenario: "agent-kill",
      kubeconfigPath: kubeconfigPath(),
      kubeConfig: kubeConfig(),
      removal: { what: "the operator never judges agents dead or assignments unacknowledged (1h timeouts)" },
    }).setup();
    const r = run;
    const operator = await r.startOperator("operator", { args: r.unprotected ? ["--agent-stale-timeout", "1h", "--job-ack-timeout", "1h"] : [] });
    await operator.ready();
    const live = new Map(["a", "b", "c"].map((n) => [n, r.startAgent(n)]));
    await Promise.all([...live.values()].map((a) => a.started()));
    await r.createJobs(
      Array.from({ length: JOBS }, (_, i) => ({
        name: `kill-${i}`,
        spec: { type: "sleep", payload: { duration: `${Math.round(800 + random() * 1700)}ms` }, retry: { maxRetries: 10, backoffSeconds: 1, maxBackoffSeconds: 2 } },
      })),
    );

    // Kill one agent every 1-3 s; the odd kills restart it at once under the same name, the even
    // ones replace it with a new agent (the old name stays dead).
    let fresh = 0;
    for (let k = 0; k < KILLS; k++) {
      await sleep(1000 + random() * 2000);
      const names = [...live.keys()];
      const victim = names[Math.floor(random() * names.length)] as string;
      await live.get(victim)?.kill();
      live.delete(victim);
      const name = k % 2 === 0 ? `n${++fresh}` : victim;
      const next = r.startAgent(name);
      live.set(name, next);
      await next.started();
    }

    await r.waitQuiet(60_000);
    r.expectVerdict(await r.finish({ executions: false }));
  }, 150_000);
});
