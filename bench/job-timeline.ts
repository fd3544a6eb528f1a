// The bench's own watch of Jobs: when each job was created, first assigned, and finished, in ms
// on the bench's clock (status timestamps have only second precision).
import { setTimeout as delay } from "node:timers/promises";
import { JOB_TYPE, type Job } from "../src/api/index.js";
import { Informer } from "../src/runtime/cache/index.js";
import { ResourceClient, type Transport } from "../src/runtime/client/index.js";

/** One job as the bench saw it. Times are epoch ms. */
export interface JobTrack {
  /** The earlier of: the create call answered, the watch first showed it. */
  created?: number;
  /** First seen with an agent assigned (any attempt). */
  firstAssigned?: number;
  succeeded?: number;
  phase: string;
  agent: string | undefined;
  attempt: number;
}

/** A new attempt seen assigned. */
export interface AssignmentSeen {
  readonly at: number;
  readonly name: string;
  readonly attempt: number;
  readonly agent: string;
}

/** A change of phase or agent, for scenarios that follow jobs across agents. */
export type TrackListener = (name: string, track: Readonly<JobTrack>, at: number) => void;

export class JobTimeline {
  readonly informer: Informer<Job>;
  readonly tracks = new Map<string, JobTrack>();
  readonly assignments: AssignmentSeen[] = [];
  #succeeded = 0;
  readonly #listeners = new Set<TrackListener>();

  constructor(transport: Transport, namespace: string) {
    this.informer = new Informer<Job>(new ResourceClient<Job>(transport, JOB_TYPE), { name: "bench/jobs", namespace, resyncPeriodMs: 0 });
    this.informer.addEventHandler({ onAdd: (j) => this.#observe(j), onUpdate: (_, j) => this.#observe(j) });
  }

  /** Starts the watch and resolves once listed. */
  async start(signal: AbortSignal): Promise<void> {
    void this.informer.start(signal);
    await this.informer.waitForSync(signal);
  }

  get succeeded(): number {
    return this.#succeeded;
  }

  onChange(listener: TrackListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records that the create call for `name` answered at `at`. */
  markCreated(name: string, at: number): void {
    const track = this.#track(name);
    track.created = Math.min(track.created ?? at, at);
  }

  #track(name: string): JobTrack {
    let track = this.tracks.get(name);
    if (track === undefined) {
      track = { phase: "", agent: undefined, attempt: 0 };
      this.tracks.set(name, track);
    }
    return track;
  }

  #observe(job: Job): void {
    const at = Date.now();
    const name = job.metadata.name ?? "";
    const track = this.#track(name);
    track.created ??= at;
    const status = job.status;
    const phase = status?.phase ?? "";
    const agent = status?.assignedAgent;
    const attempt = status?.attempt ?? 0;
    if (agent !== undefined && attempt > track.attempt) {
      track.firstAssigned ??= at;
      this.assignments.push({ at, name, attempt, agent });
    }
    const changed = phase !== track.phase || agent !== track.agent || attempt !== track.attempt;
    if (phase === "Succeeded" && track.succeeded === undefined) {
      track.succeeded = at;
      this.#succeeded++;
    }
    track.phase = phase;
    track.agent = agent;
    track.attempt = Math.max(track.attempt, attempt);
    if (changed) for (const listener of this.#listeners) listener(name, track, at);
  }

  /** created → firstAssigned and created → succeeded of `names`, in ms. */
  latencies(names: Iterable<string>): { toAssigned: number[]; toSucceeded: number[] } {
    const toAssigned: number[] = [];
    const toSucceeded: number[] = [];
    for (const name of names) {
      const t = this.tracks.get(name);
      if (t?.created === undefined) continue;
      if (t.firstAssigned !== undefined) toAssigned.push(Math.max(0, t.firstAssigned - t.created));
      if (t.succeeded !== undefined) toSucceeded.push(Math.max(0, t.succeeded - t.created));
    }
    return { toAssigned, toSucceeded };
  }
}

/** Polls `check` every 100 ms until it holds; throws with `describe()` at the deadline. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string = () => ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms. ${describe()}`);
    await delay(100);
  }
}
