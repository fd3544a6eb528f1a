// The --watch loop: re-render a frame whenever the watched objects change (and, on a terminal, every tick).
import type { CliContext } from "../command.js";

/** CliContext may carry a signal that ends --watch (tests, embedding); a terminal ends it with Ctrl-C. */
export type WatchContext = CliContext & { readonly signal?: AbortSignal };

export interface WatchLoopOptions {
  /** Renders one frame from the current caches; may be async (reads InformerSource). */
  readonly render: () => Promise<string>;
  /** Prints a frame (stdout). */
  readonly write: (text: string) => void;
  /**
   * On a terminal: clear the screen and redraw, also every `tickMs` so ages move. Otherwise (a pipe,
   * CI, a test): print a frame, after a blank line, only when it differs from the previous one.
   */
  readonly interactive: boolean;
  readonly signal: AbortSignal;
  /** The frame already printed, so an identical first frame is not printed twice. */
  readonly initialFrame?: string;
  readonly tickMs?: number;
  /** Changes closer together than this are drawn once. */
  readonly debounceMs?: number;
}

const CLEAR_SCREEN = "\u001b[H\u001b[2J";

/**
 * Returns the loop's change notifier (hand it to the InformerSource) and its run function;
 * run resolves when `signal` aborts.
 */
export function createWatchLoop(options: WatchLoopOptions): { readonly changed: () => void; readonly run: () => Promise<void> } {
  const debounceMs = options.debounceMs ?? 100;
  let last = options.initialFrame;
  let dirty = true;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const changed = (): void => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      dirty = true;
      wake?.();
    }, debounceMs);
  };

  const run = async (): Promise<void> => {
    const { signal } = options;
    const onAbort = (): void => wake?.();
    signal.addEventListener("abort", onAbort, { once: true });
    const tick = options.interactive ? setInterval(() => ((dirty = true), wake?.()), options.tickMs ?? 1000) : undefined;
    try {
      while (!signal.aborted) {
        if (dirty) {
          dirty = false;
          const frame = await options.render();
          if (signal.aborted) break;
          if (frame !== last) {
            options.write(options.interactive ? `${CLEAR_SCREEN}${frame}` : last === undefined ? frame : `\n${frame}`);
            last = frame;
          }
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (dirty || signal.aborted) resolve();
        });
        wake = undefined;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      clearInterval(tick);
      clearTimeout(timer);
    }
  };
  return { changed, run };
}

/**
 * The signal that ends a watch: the context's, else SIGINT/SIGTERM of this process (then the
 * command exits 0 like `kubectl get -w` ended by the user). Call the returned dispose when done.
 */
export function watchSignal(ctx: WatchContext): { readonly signal: AbortSignal; readonly dispose: () => void } {
  if (ctx.signal !== undefined) return { signal: ctx.signal, dispose: () => undefined };
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    },
  };
}

/**
 * True when frames go to a terminal that understands screen clearing: only when `main` runs us
 * (its context passes this process's env), never in-process callers such as tests.
 */
export function isInteractive(ctx: CliContext): boolean {
  const term = ctx.env["TERM"];
  return ctx.env === process.env && process.stdout.isTTY === true && term !== undefined && term !== "dumb";
}
