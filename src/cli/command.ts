// The contract between the helios program and its subcommands (one file each under commands/).
import type { Command } from "commander";

/** What a command may use from its surroundings, so tests can run commands in-process. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * A subcommand. A file in `src/cli/commands/` that exports `command: CliCommand` is picked up by
 * the program; `register` adds the subcommand, its options and its async action.
 */
export interface CliCommand {
  register(program: Command, ctx: CliContext): void;
}

/** Bad usage (a flag value not accepted, a missing argument): exits 2 with the message. */
export class UsageError extends Error {
  readonly code = "Usage" as const;
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Ends the command with a specific exit code (after printing nothing more). */
export class CliExit extends Error {
  readonly code = "Exit" as const;

  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = "CliExit";
  }
}
