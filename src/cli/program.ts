// Builds the helios program from its commands and runs it, mapping every ending to an exit code.
import { Command, CommanderError } from "commander";
import { CliExit, UsageError } from "./command.js";
import type { CliContext } from "./command.js";
import { COMMANDS } from "./commands/index.js";

/** The program with all subcommands registered; commander never exits the process itself. */
export function createProgram(name: string, ctx: CliContext): Command {
  const program = new Command(name)
    .description("Helios: Kubernetes-native background jobs")
    .exitOverride()
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr })
    .showHelpAfterError(`(run "${name} <command> --help" for usage)`);
  for (const command of COMMANDS) command.register(program, ctx);
  return program;
}

// Commander's own usage errors become exit 2 like a bad flag value; help and version are 0.
const COMMANDER_OK = new Set(["commander.helpDisplayed", "commander.help", "commander.version"]);

/** Runs `argv` (without node and script) and returns the exit code; never calls process.exit. */
export async function runCli(argv: readonly string[], ctx: CliContext, name = "helios"): Promise<number> {
  const program = createProgram(name, ctx);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return COMMANDER_OK.has(err.code) ? 0 : 2;
    if (err instanceof UsageError) {
      ctx.stderr(err.message.split("\n").map((line) => `${name}: ${line}\n`).join(""));
      return err.exitCode;
    }
    if (err instanceof CliExit) return err.exitCode;
    ctx.stderr(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
