// Structured logging: one pino JSON root logger per process and child loggers per component.
export type { LoggerOptions, LogLevel } from "./logger.js";
export { controllerLogger, createLogger, LOG_LEVELS, silentLogger } from "./logger.js";
export type { Logger } from "pino";
