// One chaos run: a tenant namespace, operator and agent processes, jobs, a fault, then the quiet
// period and the invariant checker over the Jobs, the audit trail and the agents' executions.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { expect } from "vitest";
import { AUDIT_LOG_TYPE, isTerminalJobPhase, JOB_TYPE, type AuditLog, type Job, type JobInput } from "../../../../src/api/index.js";
import { readAuditTrail } from "../../../../src/audit/index.js";
import { checkInvariants, formatViolations, type InvariantInput, type InvariantReport } from "../../../../src/invariants/index.js";
import { ResourceClient, Transport } from "../../../../src/runtime/client/index.js";
import { createNamespace } from "../../support/cluster.js";
import { cliPath, unprotected, type Mutant } from "./build.js";
import { AgentProcess, CHAOS_LOG_DIR, OperatorProcess, type AgentProcessOptions, type OperatorProcessOptions } from "./processes.js";

export interface ChaosRunOptions {
  /** Scenario name: namespaces, log folder and the results line. */
  readonly scenario: string;
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  /** How this scenario's protection is removed when HELIOS_CHAOS_UNPROTECTED=1: a mutant build, a setting, or both. */
  readonly removal: { readonly what: string; readonly mutant?: Mutant };
  /** Kubeconfig for the Helios processes when it differs (a proxy, a ServiceAccount token). */
  readonly processKubeconfig?: string;
}

export class ChaosRun {
  readonly scenario: string;
  readonly operators: OperatorProcess[] = [];
  /** Every agent process ever started (restarts are new instances). */
  readonly agents: AgentProcess[] = [];
  readonly jobs: ResourceClient<Job>;
  readonly logDir: string;
  /** True when this run removes the scenario's protection and expects violations. */
  readonly unprotected: boolean;
  readonly startedAt = Date.now();
  namespace = "";
  system = "";
  readonly #o: ChaosRunOptions;
  readonly #cli: string;
  readonly #created: Job[] = [];
  #instances = 0;

  constructor(o: ChaosRunOptions) {
    this.#o = o;
    this.scenario = o.scenario;
    this.unprotected = unprotected();
    this.#cli = cliPath(this.unprotected ? o.removal.mutant : undefined);
    this.jobs = new ResourceClient<Job>(new Transport(o.kubeConfig), JOB_TYPE);
    this.logDir = join(CHAOS_LOG_DIR, `${o.scenario}-${new Date().toISOString().replace(/[:.]/g, "")}`);
  }

  async setup(): Promise<this> {
    [this.namespace, this.system] = await Promise.all([createNamespace(`chaos-${this.scenario}`, this.#o.kubeConfig), createNamespace(`chaos-${this.scenario}-sys`, this.#o.kubeConfig)]);
    return this;
  }

  get cli(): string {
    return this.#cli;
  }

  get #kubeconfig(): string {
    return this.#o.processKubeconfig ?? this.#o.kubeconfigPath;
  }

  async startOperator(name: string, o: Partial<OperatorProcessOptions> = {}): Promise<OperatorProcess> {
    const op = await OperatorProcess.start({ name, namespaces: [this.namespace], operatorNamespace: this.system, kubeconfig: this.#kubeconfig, cli: this.#cli, logDir: this.logDir, ...o });
    this.operators.push(op);
    return op;
  }

  /** Starts `helios agent --name name` (a new process instance each call). */
  startAgent(name: string, o: Partial<AgentProcessOptions> = {}): AgentProcess {
    const agent = new AgentProcess(
      { name, namespace: this.namespace, operatorNamespace: this.system, kubeconfig: this.#kubeconfig, cli: this.#cli, logDir: this.logDir, ...o },
      `agent-${name}-${++this.#instances}`,
    );
    this.agents.push(agent);
    return agent;
  }

  /** How many jobs this run created. */
  get created(): number {
    return this.#created.length;
  }

  /** Creates the jobs (16 creates in flight) and remembers them as expected. */
  async createJobs(specs: readonly { name: string; spec: Partial<JobInput["spec"]> & { type: string } }[]): Promise<void> {
    const bodies = specs.map((s) => ({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name: s.name, namespace: this.namespace }, spec: s.spec }) as Job);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++] as Job;
          this.#created.push(await this.jobs.create(body));
        }
      }),
    );
  }

  async list(): Promise<Job[]> {
    return (await this.jobs.listAll({ namespace: this.namespace })).items;
  }

  /** Counts of jobs per phase, for progress conditions and messages. */
  async phases(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const j of await this.list()) out[j.status?.phase ?? ""] = (out[j.status?.phase ?? ""] ?? 0) + 1;
    return out;
  }

  /**
   * Waits until every job is terminal, or `timeoutMs` passed (the checker then reports the rest);
   * without the protection 20 s at most, since jobs are expected to stick.
   */
  async waitQuiet(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + (this.unprotected ? Math.min(timeoutMs, 20_000) : timeoutMs);
    for (;;) {
      const jobs = await this.list().catch(() => undefined);
      // Jobs deleted by their TTL are gone from the list; the checker accounts for them through the audit trail.
      if (jobs !== undefined && jobs.every((j) => isTerminalJobPhase(j.status?.phase))) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * Stops every process gracefully (operators flush their audit buffers), gathers the evidence and
   * runs the checker. `complete` says which sources may have lost records to a SIGKILL.
   */
  async finish(complete: InvariantInput["complete"] = {}): Promise<InvariantReport> {
    await Promise.all(this.agents.map((a) => a.stop()));
    await Promise.all(this.operators.map((o) => o.stop()));
    const audit = await readAuditTrail(new ResourceClient<AuditLog>(new Transport(this.#o.kubeConfig), AUDIT_LOG_TYPE), { namespace: this.namespace, query: {}, now: Date.now() });
    const report = checkInvariants({
      jobs: await this.list(),
      audit,
      executions: this.agents.flatMap((a) => a.executions()),
      expected: this.#created.map((j) => ({ namespace: this.namespace, name: j.metadata.name ?? "" })),
      complete,
    });
    this.#record(report);
    return report;
  }

  /**
   * The verdict: protected runs must have no violations; unprotected runs (the mutant) must have
   * some, which proves the scenario fails without its protection.
   */
  expectVerdict(report: InvariantReport): void {
    const summary = `${this.scenario}: ${JSON.stringify(report.stats)}\n${formatViolations(report.violations)}\nlogs: ${this.logDir}`;
    if (this.unprotected) {
      expect(report.violations.length, `without its protection (${this.#o.removal.what}) the scenario should break an invariant\n${summary}`).toBeGreaterThan(0);
      console.info(`[chaos] ${this.scenario} without protection (${this.#o.removal.what}):\n${formatViolations(report.violations, 8)}`);
      return;
    }
    expect(report.violations, summary).toEqual([]);
  }

  #record(report: InvariantReport): void {
    mkdirSync(CHAOS_LOG_DIR, { recursive: true });
    const line = {
      scenario: this.scenario,
      unprotected: this.unprotected,
      seconds: Math.round((Date.now() - this.startedAt) / 1000),
      ...report.stats,
      violations: report.violations.length,
      codes: [...new Set(report.violations.map((v) => v.code))],
    };
    appendFileSync(join(CHAOS_LOG_DIR, "results.jsonl"), `${JSON.stringify(line)}\n`);
  }
}

/** A failing random schedule can be replayed with HELIOS_CHAOS_SEED. */
export { seededRandom } from "../../../../hack/seeded-random.js";

/** The seed of this run: HELIOS_CHAOS_SEED or a fresh one (printed so it can be replayed). */
export function chaosSeed(scenario: string): number {
  const fixed = Number(process.env["HELIOS_CHAOS_SEED"]);
  const seed = Number.isInteger(fixed) && fixed > 0 ? fixed : Math.floor(Math.random() * 2 ** 31);
  console.info(`[chaos] ${scenario}: seed ${seed} (replay with HELIOS_CHAOS_SEED=${seed})`);
  return seed;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
