// pino root logger factory (JSON lines) and the per-component child loggers built from it.
import { pino } from "pino";
import type { DestinationStream, Level, Logger } from "pino";

/** The levels `--log-level` accepts, most verbose first. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const satisfies readonly Level[];
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Where JSON lines go (default stdout). Tests pass a stream to capture them. */
  readonly destination?: DestinationStream;
  /** Bound on every line, e.g. `{ component: "operator" }`. */
  readonly base?: Record<string, unknown>;
}

/** The process's root logger: JSON lines with an ISO `time` and the level as a word. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const config = {
    level: options.level ?? "info",
    base: options.base ?? {},
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}

/** A child logger for one controller; every line carries `controller`. */
export function controllerLogger(root: Logger, controller: string): Logger {
  return root.child({ controller });
}

/** A logger that drops everything, the default for library code built without one. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
