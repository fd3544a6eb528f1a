// Builds the helios program from its commands and runs it, mapping every ending to an exit code.
import { Command, CommanderError } from "commander";
import { CliExit, UsageError } from "./command.js";
import type { CliContext } from "./command.js";
import { COMMANDS } from "./commands/index.js";

/**
 * The program for `argv`: the command it names is loaded and registered in full; the others are
 * listed by name and description only, so their modules are never imported. Commander never exits
 * the process itself.
 */
export async function createProgram(name: string, ctx: CliContext, argv: readonly string[] = []): Promise<Command> {
  const program = new Command(name)
    .description("Helios: Kubernetes-native background jobs")
    .exitOverride()
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr })
    .showHelpAfterError(`(run "${name} <command> --help" for usage)`);
  const wanted = commandName(argv);
  for (const entry of COMMANDS) {
    if (entry.name === wanted) (await entry.load()).command.register(program, ctx);
    else program.command(entry.name).description(entry.description);
  }
  return program;
}

/** The subcommand `argv` runs (`help X` shows X's full help): the program has no options of its own before it. */
function commandName(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith("-"));
  return words[0] === "help" ? words[1] : words[0];
}

// Commander's own usage errors become exit 2 like a bad flag value; help and version are 0.
const COMMANDER_OK = new Set(["commander.helpDisplayed", "commander.help", "commander.version"]);

/** Runs `argv` (without node and script) and returns the exit code; never calls process.exit. */
export async function runCli(argv: readonly string[], ctx: CliContext, name = "helios"): Promise<number> {
  try {
    const program = await createProgram(name, ctx, argv);
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
