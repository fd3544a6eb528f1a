// Helpers the control plane's starter leans on: distinct free ports, a dead process's own log lines, pid guards.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePorts, isProcessAlive, logTail } from "../../../hack/control-plane/processes.js";

describe("control-plane process helpers", async () => {
  const dir = await mkdtemp(join(tmpdir(), "helios-processes-"));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("hands out distinct ports in one call", async () => {
    const ports = await freePorts(8);
    expect(new Set(ports).size).toBe(8);
    expect(ports.every((p) => p > 0)).toBe(true);
  });

  it("reads a log from where the last spawn started, keeping only its end", async () => {
    const file = join(dir, "etcd.log");
    const earlier = "listen tcp 127.0.0.1:1: bind: address already in use\n";
    await writeFile(file, earlier + "started\nfatal: disk full\n");
    expect(logTail(file, Buffer.byteLength(earlier))).toBe("started\nfatal: disk full\n");
    expect(logTail(file, 0, 10)).toBe("…disk full\n");
    expect(logTail(join(dir, "missing.log"))).toBe("");
  });

  it("never treats pid 0 or a negative pid (process groups) as a live process", () => {
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
    expect(isProcessAlive(process.pid)).toBe(true);
  });
});
