// What every scenario gets: the private cluster, progress output, where logs go, and the run's size.
import type { BenchCluster } from "../cluster.js";
import type { Progress } from "../progress.js";

export interface BenchContext {
  readonly cluster: BenchCluster;
  readonly progress: Progress;
  /** Operator and agent logs of this run. */
  readonly logDir: string;
  readonly quick: boolean;
  /** Where control flags live (helios-dispatch-paused); every operator of the run uses it. */
  readonly operatorNamespace: string;
  /** Node options for the operator child processes (e.g. --cpu-prof), from --operator-node-options. */
  readonly operatorNodeOptions: readonly string[];
}

/** Epoch ms → seconds between two of them. */
export function secondsBetween(from: number, to: number): number {
  return (to - from) / 1000;
}

/** Totals divided by a job count. */
export function perJob(totals: Readonly<Record<string, number>>, jobs: number): Record<string, number> {
  return Object.fromEntries(Object.entries(totals).map(([name, v]) => [name, v / jobs]));
}
