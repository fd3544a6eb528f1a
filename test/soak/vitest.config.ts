// `make test-chaos`: the soak, the long chaos run and the 10-minute heartbeat check, on the same real
// control plane set-up as the integration tests (kept out of `make test` for time). SOAK_MINUTES,
// CHAOS_LONG_MINUTES and HEARTBEAT_MINUTES bound them (defaults 20, 4 and 10).
import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: resolve(import.meta.dirname, "../.."),
  test: {
    name: "chaos",
    include: ["test/soak/**/*.test.ts"],
    globalSetup: ["test/integration/global-setup.ts"],
    testTimeout: 60 * 60_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
