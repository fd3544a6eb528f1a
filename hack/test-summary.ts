// Prints vitest's JSON results as one closing line, "tests: N passed, N failed, N skipped", for CI.
import { readFileSync } from "node:fs";

interface VitestJsonReport {
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
}

const file = process.argv[2] ?? ".helios/test-results.json";
try {
  const r = JSON.parse(readFileSync(file, "utf8")) as VitestJsonReport;
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`tests: ${r.numPassedTests ?? 0} passed, ${r.numFailedTests ?? 0} failed, ${skipped} skipped`);
} catch (err) {
  console.log(`tests: no results in ${file} (${err instanceof Error ? err.message : String(err)})`);
  process.exitCode = 1;
}
