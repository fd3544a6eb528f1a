// The --watch loop prints a frame per change (not per tick) off a terminal, and stops on abort.
import { describe, expect, it, vi } from "vitest";
import { createWatchLoop } from "../../../../src/cli/output/index.js";

describe("createWatchLoop", () => {
  it("re-renders after a change, skips identical frames, and ends when the signal aborts", async () => {
    const frames: string[] = [];
    let state = "a";
    let renders = 0;
    const controller = new AbortController();
    const loop = createWatchLoop({
      render: () => {
        renders++;
        return Promise.resolve(`frame ${state}\n`);
      },
      write: (t) => frames.push(t),
      interactive: false,
      signal: controller.signal,
      initialFrame: "frame a\n",
      debounceMs: 5,
    });
    const done = loop.run();
    await vi.waitFor(() => expect(renders).toBe(1), { timeout: 2000 });
    expect(frames).toEqual([]);
    state = "b";
    loop.changed();
    loop.changed();
    await vi.waitFor(() => expect(frames).toEqual(["\nframe b\n"]), { timeout: 2000 });
    loop.changed();
    await vi.waitFor(() => expect(renders).toBe(3), { timeout: 2000 });
    expect(frames).toHaveLength(1);
    controller.abort();
    await done;
  });

  it("clears the screen before each frame on a terminal", async () => {
    const frames: string[] = [];
    const controller = new AbortController();
    const loop = createWatchLoop({ render: () => Promise.resolve("x\n"), write: (t) => frames.push(t), interactive: true, signal: controller.signal, tickMs: 10_000 });
    const done = loop.run();
    await vi.waitFor(() => expect(frames).toEqual(["\u001b[H\u001b[2Jx\n"]), { timeout: 2000 });
    controller.abort();
    await done;
  });
});
