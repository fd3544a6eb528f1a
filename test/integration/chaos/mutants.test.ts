// The mutant builds (each scenario's protection cut out, for HELIOS_CHAOS_UNPROTECTED=1) still find
// their anchors in the compiled code, so a refactor cannot silently disarm a demonstration.
import { describe, expect, it } from "vitest";
import { cliPath, MUTANTS } from "./support/build.js";

describe("mutant builds", () => {
  it.each(Object.values(MUTANTS).map((m) => [m.name, m] as const))("%s applies to the current build", (_name, mutant) => {
    expect(cliPath(mutant)).toMatch(/\.helios\/mutants\/.+\/src\/cli\/main\.js$/);
  });
});
