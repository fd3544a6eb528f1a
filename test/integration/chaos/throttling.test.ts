// API throttling: a private control plane started with tiny --max-requests-inflight and
// --max-mutating-requests-inflight, where Helios authenticates as a ServiceAccount (system:masters
// is exempt from API Priority and Fairness) whose FlowSchema leads to a one-seat priority level with
// a short queue. Many requests get 429 + Retry-After; clients wait and retry, while the operator's
// reconciles fail fast and are requeued after Retry-After: nothing is lost, nothing runs twice.
//
// Protection removed (HELIOS_CHAOS_UNPROTECTED=1): a build for which a 429 fails the request at once
// and is not retryable; agents drop results, informers and registrations fail (NotTerminal).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MUTANTS } from "./support/build.js";
import { startPrivatePlane, type PrivatePlane } from "./support/private-plane.js";
import { ChaosRun, chaosSeed, seededRandom } from "./support/run.js";

const JOBS = 24;
const LEVEL = "helios-chaos-starved";
let cp: PrivatePlane | undefined;
let run: ChaosRun | undefined;

/** Requests the apiserver rejected with 429, from its own counter. */
async function throttled(plane: PrivatePlane): Promise<number> {
  const res = await plane.kubectl(["get", "--raw", "/metrics"]);
  return res.stdout
    .split("\n")
    .filter((l) => l.startsWith("apiserver_request_total{") && l.includes('code="429"'))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

beforeAll(async () => {
  cp = await startPrivatePlane(["--max-requests-inflight=4", "--max-mutating-requests-inflight=2"]);
}, 120_000);

afterAll(async () => {
  await Promise.all([...(run?.agents ?? []), ...(run?.operators ?? [])].map((p) => p.kill()));
  await cp?.stop();
});

/** A ServiceAccount with cluster-admin rights whose requests all go to the starved priority level; returns its token. */
async function throttledIdentity(plane: PrivatePlane): Promise<string> {
  const manifest = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "helios-clients" } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "helios", namespace: "helios-clients" } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "helios-chaos-admin" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "ServiceAccount", name: "helios", namespace: "helios-clients" }],
    },
    {
      apiVersion: "flowcontrol.apiserver.k8s.io/v1",
      kind: "PriorityLevelConfiguration",
      metadata: { name: LEVEL },
      spec: {
        type: "Limited",
        limited: { nominalConcurrencyShares: 1, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: "Queue", queuing: { queues: 1, handSize: 1, queueLengthLimit: 1 } } },
      },
    },
    {
      apiVersion: "flowcontrol.apiserver.k8s.io/v1",
      kind: "FlowSchema",
      metadata: { name: "helios-chaos" },
      spec: {
        priorityLevelConfiguration: { name: LEVEL },
        matchingPrecedence: 500,
        distinguisherMethod: { type: "ByUser" },
        rules: [
          {
            subjects: [{ kind: "ServiceAccount", serviceAccount: { name: "helios", namespace: "helios-clients" } }],
            resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"], namespaces: ["*"], clusterScope: true }],
          },
        ],
      },
    },
  ];
  const applied = await plane.kubectl(["apply", "-f", "-"], manifest.map((m) => JSON.stringify(m)).join("\n"));
  if (applied.code !== 0) throw new Error(applied.stderr);
  const token = await plane.kubectl(["create", "token", "helios", "-n", "helios-clients", "--duration=2h"]);
  if (token.code !== 0) throw new Error(token.stderr);
  return token.stdout.trim();
}

describe("chaos: API throttling (tiny max-inflight, 429 with Retry-After)", () => {
  it("clients back off and nothing is lost", async () => {
    if (cp === undefined) throw new Error("no control plane");
    const random = seededRandom(chaosSeed("throttling"));
    const token = await throttledIdentity(cp);
    run = await new ChaosRun({
      scenario: "throttling",
      kubeconfigPath: cp.kubeconfigPath,
      kubeConfig: cp.kubeConfig,
      processKubeconfig: await cp.kubeconfigWith("throttled", { token }),
      removal: { what: MUTANTS.no429Retry.what, mutant: MUTANTS.no429Retry },
    }).setup();
    const r = run;
    const before = await throttled(cp);
    // Without the protection a process may die of its first 429: that is the failure being shown.
    const tolerate = (p: Promise<void>): Promise<void> => (r.unprotected ? p.catch(() => undefined) : p);
    const operator = await r.startOperator("operator");
    await tolerate(operator.ready(60_000));
    const agents = ["a", "b", "c"].map((n) => r.startAgent(n, { maxConcurrency: 4 }));
    await Promise.all(agents.map((a) => tolerate(a.started(60_000))));
    await r.createJobs(Array.from({ length: JOBS }, (_, i) => ({ name: `throttle-${i}`, spec: { type: "sleep", payload: { duration: `${Math.round(300 + random() * 900)}ms` } } })));

    await r.waitQuiet(50_000);
    const report = await r.finish();
    r.expectVerdict(report);
    if (!r.unprotected) {
      const rejected = (await throttled(cp)) - before;
      expect(rejected, "requests were throttled with 429").toBeGreaterThan(0);
      console.info(`[chaos] throttling: ${rejected} requests rejected with 429`);
      expect(report.stats.phases).toEqual({ Succeeded: JOBS });
      // Reconciles fail fast on a 429 and come back after Retry-After, instead of a worker (or
      // the dispatcher's one cycle) waiting it out inside the client.
      const failedFast = operator.lines.filter((l) => typeof l["msg"] === "string" && l["msg"].includes("(429)")).length;
      expect(failedFast, "the operator got 429s back and requeued").toBeGreaterThan(0);
      console.info(`[chaos] throttling: the operator failed fast on 429 and requeued ${failedFast} times`);
    }
  }, 150_000);
});
