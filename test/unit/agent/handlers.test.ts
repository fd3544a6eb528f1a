// Unit tests of the built-in handlers: echo, sleep (progress, abort), fail (N times), exec (allow list, no shell).
import { describe, expect, it } from "vitest";
import { AttemptAbortedError, builtinHandlers, TerminalError, type HandlerContext } from "../../../src/agent/index.js";
import { silentLogger } from "../../../src/runtime/log/index.js";

function context(extra: Partial<{ retries: number; signal: AbortSignal }> = {}): HandlerContext & { reports: [number, string | undefined][] } {
  const reports: [number, string | undefined][] = [];
  return {
    signal: extra.signal ?? new AbortController().signal,
    progress: (p, m) => reports.push([p, m]),
    job: {
      metadata: { name: "j", namespace: "ns", uid: "u" },
      spec: { type: "t", priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 } },
    },
    attempt: 1,
    retries: extra.retries ?? 0,
    log: silentLogger(),
    reports,
  };
}

const handlers = builtinHandlers({ allowExec: ["echo", "sh"] });

describe("built-in handlers", () => {
  it("echo returns the message", async () => {
    await expect(handlers["echo"]!({ message: "hi" }, context())).resolves.toEqual({ message: "hi" });
  });

  it("sleep reports progress up to 100 and honours an abort at once", async () => {
    const ctx = context();
    await expect(handlers["sleep"]!({ duration: "50ms" }, ctx)).resolves.toEqual({ sleptMs: 50 });
    expect(ctx.reports.at(-1)?.[0]).toBe(100);
    expect(ctx.reports.map(([p]) => p)).toEqual([...ctx.reports.map(([p]) => p)].sort((a, b) => a - b));

    const abort = new AbortController();
    const started = Date.now();
    const sleeping = handlers["sleep"]!({ duration: "1h" }, context({ signal: abort.signal }));
    abort.abort(new AttemptAbortedError("Drain"));
    await expect(sleeping).rejects.toBeInstanceOf(AttemptAbortedError);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(handlers["sleep"]!({ duration: "soon" }, context())).rejects.toMatchObject({ reason: "BadPayload" });
  });

  it("sleep waits a duration past Node's timer limit instead of overflowing, and stays cancellable", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): number => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const abort = new AbortController();
      let settled = false;
      const sleeping = handlers["sleep"]!({ duration: "999999999h" }, context({ signal: abort.signal })).finally(() => (settled = true));
      sleeping.catch(() => undefined);
      // An overflowing timer fires after 1 ms and warns on the next tick: give it a few turns.
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 2));
      expect(warnings).not.toContain("TimeoutOverflowWarning");
      expect(settled).toBe(false);
      abort.abort(new AttemptAbortedError("Cancelled"));
      await expect(sleeping).rejects.toBeInstanceOf(AttemptAbortedError);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("fail fails while retries < times, then succeeds", async () => {
    await expect(handlers["fail"]!({ times: 2 }, context({ retries: 0 }))).rejects.toMatchObject({ reason: "InjectedFailure" });
    await expect(handlers["fail"]!({ times: 2 }, context({ retries: 1 }))).rejects.toMatchObject({ reason: "InjectedFailure" });
    await expect(handlers["fail"]!({ times: 2 }, context({ retries: 2 }))).resolves.toEqual({ failedBefore: 2 });
    await expect(handlers["fail"]!({ times: -1 }, context({ retries: 7 }))).rejects.toThrow("try 8 of ∞ failures");
  });

  it("refuses payloads they cannot run with a terminal BadPayload, never a retryable failure", async () => {
    const refused = [
      handlers["fail"]!({ times: -1e308 }, context()),
      handlers["fail"]!({ times: -2 }, context()),
      handlers["fail"]!({ times: 1.5 }, context()),
      handlers["fail"]!({ times: "3" }, context()),
      handlers["fail"]!({ times: 1e300 }, context()),
      handlers["sleep"]!({ duration: "soon" }, context()),
      handlers["sleep"]!({ duration: -1 }, context()),
      handlers["exec"]!({ command: "echo", args: "nope" }, context()),
    ];
    for (const attempt of refused) {
      const error = await attempt.then(() => undefined, (err: unknown) => err);
      expect(error).toBeInstanceOf(TerminalError);
      expect(error).toMatchObject({ reason: "BadPayload" });
    }
    await expect(handlers["exec"]!({ command: "rm" }, context())).rejects.toMatchObject({ reason: "ExecNotAllowed", retryable: false });
  });

  it("exec runs only allow-listed commands, with an argv array and no shell", async () => {
    expect(builtinHandlers()["exec"]).toBeUndefined();
    await expect(handlers["exec"]!({ command: "echo", args: ["a b", "$HOME"] }, context())).resolves.toEqual({ exitCode: 0, stdout: "a b $HOME\n", stderr: "" });
    await expect(handlers["exec"]!({ command: "rm", args: ["-rf", "/tmp/x"] }, context())).rejects.toMatchObject({ reason: "ExecNotAllowed" });
    await expect(handlers["exec"]!({ command: "sh", args: ["-c", "exit 3"] }, context())).rejects.toMatchObject({ reason: "ExitCode" });
    await expect(handlers["exec"]!({ command: "echo", args: "nope" }, context())).rejects.toMatchObject({ reason: "BadPayload" });
  });

  it("exec bounds output and time", async () => {
    const big = (await handlers["exec"]!({ command: "sh", args: ["-c", "head -c 100000 /dev/zero | tr '\\\\0' x"] }, context())) as { stdout: string };
    expect(Buffer.byteLength(big.stdout)).toBeLessThanOrEqual(4096 + 3);
    await expect(handlers["exec"]!({ command: "sh", args: ["-c", "sleep 5"], timeoutSeconds: 0.2 }, context())).rejects.toMatchObject({ reason: "ExecTimeout" });
  });
});
