// Scenario 4, recovery: jobs held running on 20 agents, 5 of them killed (SIGKILL of their host
// process); measures, after each victim's stale deadline, when agent-health saw it Offline and when
// all its jobs were assigned to and running on survivors.
import { AGENT_LEASE_SELECTOR, AGENT_TYPE, type Agent } from "../../src/api/index.js";
import { Informer } from "../../src/runtime/cache/index.js";
import { LEASES, ResourceClient, type Lease } from "../../src/runtime/client/index.js";
import { parseDuration } from "../../src/runtime/config/index.js";
import { waitFor } from "../job-timeline.js";
import { benchJob, createJobs } from "../jobs.js";
import type { RecoveryResult } from "../report.js";
import type { BenchContext } from "./context.js";
import { jobName, startTenant } from "./tenant.js";

const STALE_TIMEOUT = "5s";
const LEASE_SECONDS = 4;
const ACK_DELAY_MS = 200;
/** The jobs keep the API's default retry policy: a lost agent requeues them without a backoff wait. */
const BACKOFF_SECONDS = 10;
const PER_AGENT = 100;

export async function runRecovery(ctx: BenchContext): Promise<RecoveryResult> {
  const scenario = "recovery";
  const jobs = ctx.quick ? 100 : 1_000;
  const names = Array.from({ length: 20 }, (_, i) => `agent-${String(i).padStart(2, "0")}`);
  const victims = new Set(names.slice(0, 5));
  const survivors = names.slice(5);
  const staleTimeoutMs = parseDuration(STALE_TIMEOUT);
  const tenant = await startTenant(ctx, scenario, {
    namespace: "bench-recovery",
    fleets: [
      { name: "victims", agents: [...victims], maxConcurrency: PER_AGENT },
      { name: "survivors", agents: survivors, maxConcurrency: PER_AGENT },
    ],
    leaseDurationSeconds: LEASE_SECONDS,
    ackDelayMs: ACK_DELAY_MS,
    operatorArgs: ["--agent-stale-timeout", STALE_TIMEOUT],
  });
  const stopper = new AbortController();
  try {
    const { timeline, namespace } = tenant;
    // When the bench last saw each lease renewed, and each agent go Offline (bench clock, as agent-health sees it).
    const renewedAt = new Map<string, number>();
    const offlineAt = new Map<string, number>();
    const leases = new Informer<Lease>(new ResourceClient<Lease>(ctx.cluster.transport, LEASES), { name: "bench/leases", namespace, labelSelector: AGENT_LEASE_SELECTOR, resyncPeriodMs: 0 });
    leases.addEventHandler({
      onAdd: (l) => renewedAt.set(l.metadata.name ?? "", Date.now()),
      onUpdate: (old, l) => {
        if (old.spec?.renewTime !== l.spec?.renewTime) renewedAt.set(l.metadata.name ?? "", Date.now());
      },
    });
    const agents = new Informer<Agent>(new ResourceClient<Agent>(ctx.cluster.transport, AGENT_TYPE), { name: "bench/agents", namespace, resyncPeriodMs: 0 });
    agents.addEventHandler({
      onUpdate: (_, a) => {
        if (a.status?.phase === "Offline" && !offlineAt.has(a.metadata.name ?? "")) offlineAt.set(a.metadata.name ?? "", Date.now());
      },
    });
    void leases.start(stopper.signal);
    void agents.start(stopper.signal);
    await Promise.all([leases.waitForSync(stopper.signal), agents.waitForSync(stopper.signal)]);

    ctx.progress.phase(scenario, `${jobs} held jobs onto ${names.length} agents (x${PER_AGENT} slots)`);
    await createJobs(tenant.jobs, jobs, (i) => benchJob(namespace, jobName("rec", i), "hold"), 32, (job, at) => timeline.markCreated(job.metadata.name ?? "", at));
    const running = () => [...timeline.tracks.values()].filter((t) => t.phase === "Running").length;
    const stopCount = ctx.progress.count(scenario, "jobs Running", jobs, running);
    await waitFor(`${jobs} jobs Running`, () => running() === jobs, 120_000, () => `${running()} running`).finally(stopCount);

    const victimJobs = new Set([...timeline.tracks.entries()].filter(([, t]) => t.agent !== undefined && victims.has(t.agent)).map(([n]) => n));
    const reassignedAt = new Map<string, number>();
    const runningAt = new Map<string, number>();
    timeline.onChange((name, t, at) => {
      if (!victimJobs.has(name) || t.agent === undefined || victims.has(t.agent)) return;
      if (!reassignedAt.has(name)) reassignedAt.set(name, at);
      if (t.phase === "Running" && !runningAt.has(name)) runningAt.set(name, at);
    });
    ctx.progress.phase(scenario, `killing ${victims.size} agents (SIGKILL) holding ${victimJobs.size} jobs; stale timeout ${STALE_TIMEOUT}`);
    await tenant.fleets.get("victims")?.kill();
    const killedAt = Date.now();
    const staleAt = new Map([...victims].map((v) => [v, Math.min(renewedAt.get(v) ?? killedAt, killedAt) + staleTimeoutMs]));
    const lastStale = Math.max(...staleAt.values());
    await waitFor(
      `${victimJobs.size} jobs running on survivors`,
      () => runningAt.size === victimJobs.size,
      staleTimeoutMs + 120_000,
      () => `${reassignedAt.size} reassigned, ${runningAt.size} running elsewhere; offline: ${[...offlineAt.keys()].join(",")}`,
    );
    ctx.progress.phase(scenario, `all ${victimJobs.size} jobs running elsewhere`);
    const offlineLag = [...victims].map((v) => (offlineAt.get(v) ?? Number.NaN) - (staleAt.get(v) ?? Number.NaN));
    const latest = (m: Map<string, number>) => (m.size === 0 ? Number.NaN : Math.max(...m.values()));
    return {
      jobs,
      agents: names.length,
      killed: victims.size,
      victimJobs: victimJobs.size,
      staleTimeoutMs,
      leaseDurationSeconds: LEASE_SECONDS,
      ackDelayMs: ACK_DELAY_MS,
      backoffSeconds: BACKOFF_SECONDS,
      offlineAfterStaleMs: Math.max(...offlineLag),
      reassignedAfterStaleMs: latest(reassignedAt) - lastStale,
      runningElsewhereAfterStaleMs: latest(runningAt) - lastStale,
    };
  } finally {
    stopper.abort();
    await tenant.stop();
  }
}
