// Progress lines while the bench runs: one per phase, and periodic counts while jobs complete.
import { performance } from "node:perf_hooks";

/** Writes `[bench +12.3s] scenario: message` lines (to stderr, so stdout keeps only the table). */
export class Progress {
  readonly #started = performance.now();
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
    this.#write = write;
  }

  phase(scenario: string, message: string): void {
    const elapsed = ((performance.now() - this.#started) / 1000).toFixed(1);
    this.#write(`[bench +${elapsed}s] ${scenario}: ${message}`);
  }

  /**
   * Prints `label: done/total` every `intervalMs` until the returned function is called (which
   * prints the final count once more).
   */
  count(scenario: string, label: string, total: number, done: () => number, intervalMs = 2_000): () => void {
    let last = -1;
    const tick = (): void => {
      const n = done();
      if (n === last) return;
      last = n;
      this.phase(scenario, `${label}: ${n}/${total}`);
    };
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      tick();
    };
  }
}
