// Turns SIGTERM/SIGINT into an AbortSignal for a graceful stop; a second signal exits at once.
import type { Logger } from "pino";

/**
 * Returns a signal that aborts on the first SIGTERM or SIGINT. A second one exits the process with
 * code 1 without waiting (controller-runtime's SetupSignalHandler does the same).
 */
export function shutdownSignal(logger?: Logger): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      logger?.error({ signal: name }, "second signal received, exiting now");
      process.exit(1);
    }
    logger?.info({ signal: name }, "signal received, shutting down gracefully");
    controller.abort(new Error(`received ${name}`));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return controller.signal;
}
