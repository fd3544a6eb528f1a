// Builds the helios program from the command files and runs it, mapping every ending to an exit code.
import { readdir } from "node:fs/promises";
import { Command, CommanderError } from "commander";
import { CliExit, UsageError } from "./command.js";
import type { CliCommand, CliContext } from "./command.js";

const COMMANDS_DIR = new URL("./commands/", import.meta.url);

function isCliCommand(value: unknown): value is CliCommand {
  return typeof value === "object" && value !== null && "register" in value && typeof value.register === "function";
}

/**
 * Loads every `commands/*.{js,ts}` module exporting `command`, in file-name order. Discovery
 * (instead of a list) lets each subcommand arrive as one new file.
 */
export async function loadCommands(): Promise<CliCommand[]> {
  const files = (await readdir(COMMANDS_DIR))
    .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith(".d.ts") && !f.includes(".test.") && !/^index\./.test(f))
    .sort();
  const commands: CliCommand[] = [];
  for (const file of files) {
    const mod: unknown = await import(new URL(file, COMMANDS_DIR).href);
    const command = typeof mod === "object" && mod !== null && "command" in mod ? mod.command : undefined;
    if (isCliCommand(command)) commands.push(command);
  }
  return commands;
}

/** The program with all subcommands registered; commander never exits the process itself. */
export async function createProgram(name: string, ctx: CliContext): Promise<Command> {
  const program = new Command(name)
    .description("Helios: Kubernetes-native background jobs")
    .exitOverride()
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr })
    .showHelpAfterError(`(run "${name} <command> --help" for usage)`);
  for (const command of await loadCommands()) command.register(program, ctx);
  return program;
}

// Commander's own usage errors become exit 2 like a bad flag value; help and version are 0.
const COMMANDER_OK = new Set(["commander.helpDisplayed", "commander.help", "commander.version"]);

/** Runs `argv` (without node and script) and returns the exit code; never calls process.exit. */
export async function runCli(argv: readonly string[], ctx: CliContext, name = "helios"): Promise<number> {
  const program = await createProgram(name, ctx);
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
