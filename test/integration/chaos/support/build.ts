// The compiled CLI the chaos processes run, and "mutants": copies of it with one protection removed,
// so each scenario can be shown to fail without the protection it exercises.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { newestMtime } from "../../../../hack/files/index.js";

const ROOT = resolve(import.meta.dirname, "../../../..");
const DIST_MAIN = join(ROOT, "dist/src/cli/main.js");

/** Compiles src/ unless dist/ is newer than every source file (each test file would pay ~20 s otherwise). */
export function ensureBuilt(): void {
  if (existsSync(DIST_MAIN) && newestMtime(join(ROOT, "src")) < statSync(DIST_MAIN).mtimeMs) return;
  try {
    execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json")], { stdio: "ignore", cwd: ROOT });
  } catch {
    // tsc emits despite type errors elsewhere in the tree; the files we run must exist.
  }
  if (!existsSync(DIST_MAIN)) throw new Error(`${DIST_MAIN} was not built`);
}

/** One textual change to a compiled file of dist/src. */
export interface Mutation {
  /** Path under dist/src, e.g. "runtime/client/transport.js". */
  readonly file: string;
  readonly find: string;
  readonly replace: string;
}

/** A build with one protection removed; `what` says which, for reports. */
export interface Mutant {
  readonly name: string;
  readonly what: string;
  readonly mutations: readonly Mutation[];
}

/**
 * The protections the scenarios remove. Each finds its anchor in the compiled code or fails loudly,
 * so a refactor that moves the code breaks the demonstration instead of silently disarming it.
 */
export const MUTANTS = {
  /**
   * Job writes re-read the Job and write with ITS resourceVersion, ignoring the one they decided on
   * (last writer wins: no optimistic concurrency, no fencing by version). Unconditional updates are
   * refused by the apiserver, so this is how a careless writer really looks.
   */
  noOptimisticConcurrency: {
    name: "no-optimistic-concurrency",
    what: "Job status writes use the latest resourceVersion instead of the one read (last writer wins)",
    mutations: [
      {
        file: "runtime/client/resource-client.js",
        find: "replaceStatus(obj, options = {}) {",
        replace:
          'async replaceStatus(obj, options = {}) { if (this.type.plural === "jobs") { const latest = await this.get({ namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? "" }); obj = { ...obj, metadata: { ...obj.metadata, resourceVersion: latest.metadata?.resourceVersion } }; }',
      },
      {
        file: "runtime/client/resource-client.js",
        find: "const body = options.resourceVersion === undefined ? patch :",
        replace: 'const body = options.resourceVersion === undefined || this.type.plural === "jobs" ? patch :',
      },
    ],
  },
  /** A watch that ends with 410 Gone stops for good (client-node's informer behaviour). */
  noRelist: {
    name: "no-relist",
    what: "informers stop for good on 410 Gone instead of relisting",
    mutations: [{ file: "runtime/watch/watcher.js", find: 'if (isApiError(outcome.error, "Gone")) {', replace: 'if (isApiError(outcome.error, "Gone")) { return;' }],
  },
  /** Any failed watch or list stops the informer for good; a failed write is not retried. */
  noReconnect: {
    name: "no-reconnect",
    what: "informers stop for good on the first failed list or watch, and agents do not retry failed writes",
    mutations: [
      { file: "runtime/watch/watcher.js", find: 'notify({ type: "Failed", during: "watch",', replace: 'return; notify({ type: "Failed", during: "watch",' },
      { file: "runtime/watch/watcher.js", find: 'notify({ type: "Failed", during: "list",', replace: 'return; notify({ type: "Failed", during: "list",' },
      { file: "agent/fenced-write.js", find: "const failed = failedWrite(err);", replace: "const failed = ((f) => (f.outcome === \"unknown\" || f.outcome === \"throttled\" ? { outcome: \"rejected\", error: err } : f))(failedWrite(err));" },
    ],
  },
  /** Clients that neither wait out a stalled store nor retry: 2 s request timeout, no write retries, informers stop on failure. */
  impatient: {
    name: "impatient",
    what: "requests time out after 2 s and are not retried (informers stop, agents drop results)",
    mutations: [
      { file: "runtime/client/transport.js", find: "this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;", replace: "this.#requestTimeoutMs = 2_000;" },
      { file: "runtime/watch/watcher.js", find: 'notify({ type: "Failed", during: "watch",', replace: 'return; notify({ type: "Failed", during: "watch",' },
      { file: "runtime/watch/watcher.js", find: 'notify({ type: "Failed", during: "list",', replace: 'return; notify({ type: "Failed", during: "list",' },
      { file: "agent/fenced-write.js", find: "const failed = failedWrite(err);", replace: "const failed = ((f) => (f.outcome === \"unknown\" || f.outcome === \"throttled\" ? { outcome: \"rejected\", error: err } : f))(failedWrite(err));" },
    ],
  },
  /** A 429 is neither waited out nor retried anywhere: the request fails like any other error. */
  no429Retry: {
    name: "no-429-retry",
    what: "a 429 fails the request at once (no Retry-After wait, not retryable)",
    mutations: [
      { file: "runtime/client/transport.js", find: "if (!(apiError instanceof TooManyRequestsError) || attempt >= this.#maxRetriesOn429)", replace: "if (true)" },
      { file: "agent/fenced-write.js", find: "const failed = failedWrite(err);", replace: "const failed = ((f) => (f.outcome === \"throttled\" ? { outcome: \"rejected\", error: err } : f))(failedWrite(err));" },
    ],
  },
  /** An agent that writes whatever its handler returned or threw: no result bound, no message truncation. */
  unbounded: {
    name: "unbounded",
    what: "handler results and error messages are written as they are (no size bound, no truncation)",
    mutations: [
      { file: "agent/result.js", find: "export function boundResult(value) {", replace: "export function boundResult(value) { if (value !== undefined && value !== null) return { ok: true, result: typeof value === \"object\" && !Array.isArray(value) ? value : { value } };" },
      { file: "agent/status-updates.js", find: "function truncate(text, max) {", replace: "function truncate(text, max) { return text;" },
    ],
  },
  /** An agent that takes any 409 for a lost fence and drops its result. */
  conflictDrops: {
    name: "conflict-drops",
    what: "an agent write that meets 409 is dropped as if fenced, instead of re-read and retried",
    mutations: [
      {
        file: "agent/fenced-write.js",
        find: "const failed = failedWrite(err);",
        replace: 'const failed = failedWrite(err); if (failed.outcome === "conflict") return { outcome: "fenced", job: current };',
      },
    ],
  },
  /** A new leader that never writes the entries its dead predecessor lost. */
  noAuditRecovery: {
    name: "no-audit-recovery",
    what: "a new leader does not recover the audit entries its SIGKILLed predecessor had not written",
    mutations: [{ file: "controllers/audit-recovery/runnable.js", find: "const recovered = sink.recover(lostDecisions(decisions, written), written);", replace: "const recovered = 0;" }],
  },
} as const satisfies Record<string, Mutant>;

/** The CLI entry point of `mutant` (built once per run under .helios/mutants), or of dist itself. */
export function cliPath(mutant?: Mutant): string {
  ensureBuilt();
  if (mutant === undefined) return DIST_MAIN;
  const dir = join(ROOT, ".helios", "mutants", mutant.name);
  rmSync(dir, { recursive: true, force: true });
  // Under the project root, so bare imports still resolve from its node_modules.
  cpSync(join(ROOT, "dist/src"), join(dir, "src"), { recursive: true });
  for (const m of mutant.mutations) {
    const path = join(dir, "src", m.file);
    const text = readFileSync(path, "utf8");
    if (!text.includes(m.find)) throw new Error(`mutant ${mutant.name}: "${m.find}" not found in ${m.file}; update the mutation`);
    writeFileSync(path, text.replace(m.find, m.replace));
  }
  return join(dir, "src/cli/main.js");
}

/**
 * True when the run should prove the scenario FAILS without its protection
 * (HELIOS_CHAOS_UNPROTECTED=1): the scenario then runs its mutant and expects violations.
 */
export function unprotected(): boolean {
  return process.env["HELIOS_CHAOS_UNPROTECTED"] === "1";
}
