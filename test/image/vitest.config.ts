// `make test-image`: builds the image with buildah and runs it (about a minute, so kept out of `make test`).
import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: resolve(import.meta.dirname, "../.."),
  test: {
    name: "image",
    include: ["test/image/**/*.test.ts"],
    testTimeout: 15 * 60_000,
    fileParallelism: false,
  },
});
