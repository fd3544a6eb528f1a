// The dashboard as its tests and the bench run it: the server as a process, Debian's Chromium.
export { CHROMIUM, launchBrowser } from "./browser.js";
export { ensureDashboardBuilt, startDashboardProcess, type RunningDashboardProcess } from "./server-process.js";
