// `helios dashboard`'s flag checks and the dashboard's recent-read memory.
import { describe, expect, it } from "vitest";
import { parseLoopbackAddress, parsePort } from "../../../src/cli/commands/dashboard.js";
import { RecentReads } from "../../../src/dashboard/recent-reads.js";

describe("--address", () => {
  it("takes loopback addresses only: the dashboard acts with the caller's credentials", () => {
    for (const ok of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) expect(parseLoopbackAddress(ok)).toBe(ok);
    for (const refused of ["0.0.0.0", "::", "192.168.1.10", "example.com", "127.0.0.1.nip.io", ""]) {
      expect(() => parseLoopbackAddress(refused)).toThrow(/--address: the dashboard acts with your credentials, so it listens on loopback only/);
    }
  });
});

describe("--port", () => {
  it("takes 0 to 65535", () => {
    expect(parsePort("0")).toBe(0);
    expect(parsePort("8080")).toBe(8080);
    for (const refused of ["65536", "-1", "80a", ""]) expect(() => parsePort(refused)).toThrow(/--port/);
  });
});

describe("RecentReads", () => {
  it("answers a key from its read for the period, then reads again; a failed read is not kept", async () => {
    const reads = new RecentReads<number>(3_000);
    let calls = 0;
    const read = (): Promise<number> => Promise.resolve(++calls);
    await expect(reads.get("a", 0, read)).resolves.toBe(1);
    await expect(reads.get("a", 2_999, read)).resolves.toBe(1);
    await expect(reads.get("b", 2_999, read)).resolves.toBe(2);
    await expect(reads.get("a", 3_000, read)).resolves.toBe(3);
    await expect(reads.get("c", 3_000, () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    await expect(reads.get("c", 3_001, read)).resolves.toBe(4);
  });
});
