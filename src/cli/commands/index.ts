// Every `helios` subcommand, in the order `helios --help` lists them. A command's module is imported
// only when that command runs: `helios operator` never loads the modules (and client-node) of the
// others, and every command starts faster. A new command is one file here exporting
// `command: CliCommand`, plus one entry below whose description is the one its register sets
// (test/unit/cli/commands.test.ts checks they agree).
import type { CliCommand } from "../command.js";

/** A subcommand known by name and description before its module is loaded. */
export interface CommandEntry {
  readonly name: string;
  /** The help line `helios --help` shows. */
  readonly description: string;
  readonly load: () => Promise<{ readonly command: CliCommand }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: "operator", description: "run the Helios operator (controllers, leader election, metrics and probes)", load: () => import("./operator.js") },
  { name: "agent", description: "run a Helios agent with the built-in handlers (echo, sleep, fail, exec)", load: () => import("./agent.js") },
  {
    name: "status",
    description: "show queues (depth by priority, oldest wait), agents by phase and the control flags in effect; all namespaces unless -n",
    load: () => import("./status.js"),
  },
  {
    name: "jobs",
    description: "list Helios Jobs with wait and run times, attempts, retries, reasons and agents (richer than kubectl get hjob)",
    load: () => import("./jobs.js"),
  },
  {
    name: "agents",
    description: "list Helios Agents: phase, capabilities, queues, running/max (from Jobs), last heartbeat (from Leases), quarantine",
    load: () => import("./agents.js"),
  },
  { name: "drain", description: "stop giving an agent new work (sets spec.drain); its running jobs finish", load: () => import("./drain.js") },
  { name: "uncordon", description: "let a drained agent take new work again (clears spec.drain)", load: () => import("./uncordon.js") },
  {
    name: "pause",
    description: "maintenance mode: stop assigning new jobs (running ones continue) via the helios-dispatch-paused flag",
    load: () => import("./pause.js"),
  },
  { name: "resume", description: "end maintenance mode: assign pending jobs again (helios-dispatch-paused off)", load: () => import("./resume.js") },
  {
    name: "submit",
    description: "submit a job (idempotently with --idempotency-key); with --wait, print its result and exit with how it ended",
    load: () => import("./submit.js"),
  },
  {
    name: "wait",
    description: "wait until a job ends and print its result; the exit code says how it ended (0 succeeded, 3 failed, 4 expired, 5 cancelled, 6 timed out)",
    load: () => import("./wait.js"),
  },
  { name: "cancel", description: "request cancellation of a job (sets spec.cancel); the operator cancels it", load: () => import("./cancel.js") },
  {
    name: "flags",
    description: "serve FeatureFlags over OFREP (OpenFeature Remote Evaluation Protocol) to applications in any language",
    load: () => import("./flags.js"),
  },
  {
    name: "dashboard",
    description: "serve the web dashboard (queues, jobs, agents, flags, audit; live) on 127.0.0.1 with your kubeconfig's access, or in a cluster as each signed-in user",
    load: () => import("./dashboard.js"),
  },
  {
    name: "audit",
    description: "print the audit trail: control-plane decisions recorded in AuditLog chunks, oldest first",
    load: () => import("./audit.js"),
  },
];
