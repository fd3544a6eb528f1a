// Every `helios` subcommand, in the order `helios --help` lists them. A new command is one file here
// exporting `command: CliCommand`, plus one line below.
import type { CliCommand } from "../command.js";
import { command as agent } from "./agent.js";
import { command as agents } from "./agents.js";
import { command as audit } from "./audit.js";
import { command as cancel } from "./cancel.js";
import { command as drain } from "./drain.js";
import { command as jobs } from "./jobs.js";
import { command as operator } from "./operator.js";
import { command as pause } from "./pause.js";
import { command as resume } from "./resume.js";
import { command as status } from "./status.js";
import { command as uncordon } from "./uncordon.js";

export const COMMANDS: readonly CliCommand[] = [operator, agent, status, jobs, agents, drain, uncordon, pause, resume, cancel, audit];
