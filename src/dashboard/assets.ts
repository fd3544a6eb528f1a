// Where the built browser app lives: dist/dashboard-web/, next to dist/src/ (vite builds it in make build).
import { fileURLToPath } from "node:url";

/** The directory holding index.html and assets/ of the browser app, for this module's dist layout. */
export function dashboardAssetsDir(): string {
  // dist/src/dashboard/assets.js → dist/dashboard-web
  return fileURLToPath(new URL("../../dashboard-web", import.meta.url));
}
