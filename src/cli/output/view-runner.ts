// Prints a view once, or keeps re-rendering it from live informers under --watch.
import { InformerSource, ListSource, type ObjectSource, type RequestTarget } from "../kube/index.js";
import { createWatchLoop, isInteractive, watchSignal, type WatchContext } from "./watch.js";

export interface ViewSpec<D> {
  readonly target: RequestTarget;
  readonly watch: boolean;
  /** Reads what the view needs from `source`; the same code serves lists and live caches. */
  readonly gather: (source: ObjectSource) => Promise<D>;
  /** One frame at `nowMs`. */
  readonly render: (data: D, nowMs: number) => string;
}

/**
 * Lists once and prints the frame (API failures surface here, explained). With `watch`, then
 * starts informers for the same queries and re-renders on every change until the watch ends
 * (Ctrl-C, or the context's signal).
 */
export async function printView<D>(ctx: WatchContext, spec: ViewSpec<D>): Promise<void> {
  const first = spec.render(await spec.gather(new ListSource(spec.target)), Date.now());
  ctx.stdout(first);
  if (!spec.watch) return;
  const { signal, dispose } = watchSignal(ctx);
  try {
    const holder: { source?: ObjectSource } = {};
    const loop = createWatchLoop({
      render: async () => {
        const source = holder.source;
        return source === undefined ? first : spec.render(await spec.gather(source), Date.now());
      },
      write: ctx.stdout,
      interactive: isInteractive(ctx),
      signal,
      initialFrame: first,
    });
    holder.source = new InformerSource(signal, loop.changed);
    await loop.run();
  } finally {
    dispose();
  }
}
