// The built-in handlers of `helios agent`: echo, sleep, fail, and exec (off unless commands are allowed).
import type { Handlers } from "../types.js";
import { echo } from "./echo.js";
import { execHandler, type ExecOptions } from "./exec.js";
import { fail } from "./fail.js";
import { sleep } from "./sleep.js";

export { echo, execHandler, fail, sleep, type ExecOptions };

/** The built-in handlers by type; `exec` only when `allowExec` names at least one command. */
export function builtinHandlers(options: { readonly allowExec?: readonly string[] } = {}): Handlers {
  const allow = options.allowExec ?? [];
  return { echo, sleep, fail, ...(allow.length === 0 ? {} : { exec: execHandler({ allow }) }) };
}
