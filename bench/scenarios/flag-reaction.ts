// Scenario 5, flag reaction: while jobs stream in, flip helios-dispatch-paused on (time to the last
// assignment the bench sees) and off again (time to the first assignment).
import { setTimeout as delay } from "node:timers/promises";
import { CONTROL_FLAG_KEYS, FEATURE_FLAG_TYPE, type FeatureFlag } from "../../src/api/index.js";
import { ResourceClient, type Transport } from "../../src/runtime/client/index.js";
import { waitFor } from "../job-timeline.js";
import { benchJob, createJobs } from "../jobs.js";
import type { FlagReactionResult } from "../report.js";
import type { BenchContext } from "./context.js";
import { jobName, type Tenant } from "./tenant.js";

const OBSERVE_MS = 3_000;

/** Creates helios-dispatch-paused, off, so flipping it later is a patch as `helios pause` does. */
export async function createPauseFlag(transport: Transport, operatorNamespace: string): Promise<void> {
  const flags = new ResourceClient<FeatureFlag>(transport, FEATURE_FLAG_TYPE);
  await flags.create({
    apiVersion: "helios.dev/v1alpha1",
    kind: "FeatureFlag",
    metadata: { name: CONTROL_FLAG_KEYS.dispatchPaused, namespace: operatorNamespace },
    spec: { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "off" },
  });
}

async function setPaused(transport: Transport, operatorNamespace: string, paused: boolean): Promise<void> {
  const flags = new ResourceClient<FeatureFlag>(transport, FEATURE_FLAG_TYPE);
  await flags.mergePatch({ namespace: operatorNamespace, name: CONTROL_FLAG_KEYS.dispatchPaused }, { spec: { defaultVariant: paused ? "on" : "off" } });
}

export async function runFlagReaction(ctx: BenchContext, tenant: Tenant): Promise<FlagReactionResult> {
  const scenario = "flags";
  const { timeline } = tenant;
  const transport = ctx.cluster.transport;
  const isOurs = (name: string) => name.startsWith("flag-");
  const streamStop = new AbortController();
  let streamed = 0;
  ctx.progress.phase(scenario, "streaming jobs (4 creates in flight)");
  const stream = createJobs(tenant.jobs, 1_000_000, (i) => benchJob(tenant.namespace, jobName("flag", i), "noop"), 4, (job, at) => {
    streamed++;
    timeline.markCreated(job.metadata.name ?? "", at);
  }, streamStop.signal);
  try {
    await waitFor("a steady stream of assignments", () => timeline.assignments.filter((a) => isOurs(a.name)).length >= 50, 30_000);

    const pausedAt = Date.now();
    await setPaused(transport, ctx.operatorNamespace, true);
    ctx.progress.phase(scenario, `paused dispatch; watching assignments for ${OBSERVE_MS} ms`);
    await delay(OBSERVE_MS - (Date.now() - pausedAt)); // an observation window, not a synchronisation
    const after = timeline.assignments.filter((a) => isOurs(a.name) && a.at > pausedAt);
    const lastAssignment = Math.max(pausedAt, ...after.map((a) => a.at));
    const pendingAtResume = [...timeline.tracks.entries()].filter(([name, t]) => isOurs(name) && t.firstAssigned === undefined).length;

    const resumedAt = Date.now();
    await setPaused(transport, ctx.operatorNamespace, false);
    ctx.progress.phase(scenario, `resumed dispatch with ${pendingAtResume} jobs pending`);
    let firstAfterResume: number | undefined;
    await waitFor(
      "an assignment after resume",
      () => {
        firstAfterResume = timeline.assignments.find((a) => isOurs(a.name) && a.at > resumedAt)?.at;
        return firstAfterResume !== undefined;
      },
      30_000,
    );
    streamStop.abort();
    await stream;
    const names = [...timeline.tracks.keys()].filter(isOurs);
    const done = () => names.reduce((n, name) => n + (timeline.tracks.get(name)?.succeeded === undefined ? 0 : 1), 0);
    await waitFor(`${names.length} streamed jobs Succeeded`, () => done() === names.length, 120_000, () => `${done()} succeeded`);
    ctx.progress.phase(scenario, `${streamed} streamed jobs all Succeeded`);
    return {
      pauseToLastAssignmentMs: lastAssignment - pausedAt,
      assignmentsAfterPause: after.length,
      pendingAtResume,
      resumeToFirstAssignmentMs: (firstAfterResume ?? Number.NaN) - resumedAt,
      observeWindowMs: OBSERVE_MS,
    };
  } finally {
    streamStop.abort();
    await stream.catch(() => undefined);
    await setPaused(transport, ctx.operatorNamespace, false).catch(() => undefined);
  }
}
