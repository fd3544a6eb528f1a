// Helpers for the dashboard's browser tests: `helios dashboard` as a process logging with the jobs
// tests' logs, and Debian's Chromium driven by playwright-core (both from hack/dashboard, shared with the bench).
import { join } from "node:path";
import { startDashboardProcess as startProcess, type RunningDashboardProcess } from "../../../hack/dashboard/index.js";
import { LOG_DIR } from "../jobs/support.js";

export { ensureDashboardBuilt, launchBrowser, type RunningDashboardProcess } from "../../../hack/dashboard/index.js";
export const SCREENSHOT_DIR = join(process.cwd(), ".helios", "screenshots");

/** Starts `helios dashboard --port 0 ARGS` and resolves with the URL it prints. */
export function startDashboardProcess(args: readonly string[], logName: string, timeoutMs = 60_000): Promise<RunningDashboardProcess> {
  return startProcess(args, LOG_DIR, logName, timeoutMs);
}
