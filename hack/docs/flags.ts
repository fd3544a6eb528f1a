// docs/reference/operator-flags.md and agent-flags.md: the flags from their declarations (OPERATOR_FLAGS,
// AGENT_FLAGS), with the chart value that sets each one read from the chart's Deployment templates.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AGENT_FLAGS } from "../../src/cli/commands/agent.js";
import { flagEnv, OPERATOR_FLAGS } from "../../src/runtime/config/index.js";
import { code, page, table } from "./markdown.js";

/** A chart value reference in a template: `.Values.a.b`, or `$agents.x` (the agent template's alias of `.Values.agents`). */
const VALUE_REF = /(?:\.Values\.|\$(agents)\.)([A-Za-z0-9_.]+)/;

/**
 * Which chart value sets each flag in a Deployment template, keyed by flag name (`args`) or by env
 * variable (`env`): the value on the flag's own line, else the one of the enclosing `if`/`with`/`range`
 * block, else the template text the chart writes.
 */
export function chartValuesOf(template: string): Map<string, string> {
  const found = new Map<string, string>();
  let block: string | undefined;
  let env: string | undefined;
  for (const line of template.split("\n")) {
    const envValue = env === undefined ? null : /^\s*value:\s*(.*)$/.exec(line);
    if (env !== undefined && envValue !== null) {
      const raw = envValue[1] ?? "";
      found.set(env, raw.includes(".Release.Namespace") ? "(the release namespace)" : (valueOf(raw) ?? `(set by the chart: ${code(raw)})`));
    }
    env = /^\s*- name: (HELIOS_[A-Z_]+)\s*$/.exec(line)?.[1];
    const control = /\{\{-?\s*(if|with|range)\s+([^}]*)\}\}/.exec(line);
    if (control !== null) block = valueOf(control[2] ?? "");
    if (/\{\{-?\s*end\s*-?\}\}/.test(line)) block = undefined;
    const arg = /^\s*- --([a-z-]+)(=(.*))?$/.exec(line);
    if (arg === null) continue;
    const name = arg[1] ?? "";
    const raw = arg[3];
    const value = raw === undefined ? undefined : raw.includes(".Release.Namespace") ? "(the release namespace)" : valueOf(raw);
    const chosen = value ?? block ?? (raw === undefined ? undefined : `(set by the chart: ${code(raw)})`);
    if (chosen !== undefined && !found.has(name)) found.set(name, chosen);
  }
  return found;
}

function valueOf(text: string): string | undefined {
  const m = VALUE_REF.exec(text);
  if (m === null) return undefined;
  return m[1] === undefined ? m[2] : `${m[1]}.${m[2] ?? ""}`;
}

function chartCell(values: Map<string, string>, flag: string, extraArgs: string, env?: string): string {
  const value = values.get(flag) ?? (env === undefined ? undefined : values.get(env));
  if (value === undefined) return `${code(extraArgs)} (${code(`--${flag}=...`)})`;
  return value.startsWith("(") ? value : code(value);
}

/** The operator flags page; `root` is the repository (the chart is read from it). */
export function renderOperatorFlags(root: string): string {
  const values = chartValuesOf(readFileSync(join(root, "charts/helios/templates/deployment.yaml"), "utf8"));
  return page("Operator flags", [
    "Flags of `helios operator`, from `OPERATOR_FLAGS` in `src/runtime/config/operator-config.ts`. A flag falls back to its environment variable, then to its default. " +
      "Durations are Go-style (`90s`, `2m`, `1h30m`). A bad value exits with code 2 and names the flag. " +
      "The chart column is the value of `charts/helios/values.yaml` that sets the flag; flags the chart does not set go in `extraArgs`.",
    table(
      ["flag", "env", "default", "chart value", "description"],
      OPERATOR_FLAGS.map((f) => [code(`--${f.flag}`), code(f.env), f.default === undefined ? "" : code(f.default), chartCell(values, f.flag, "extraArgs", f.env), f.description]),
    ),
  ]);
}

/** The agent flags page. */
export function renderAgentFlags(root: string): string {
  const values = chartValuesOf(readFileSync(join(root, "charts/helios/templates/agent-deployment.yaml"), "utf8"));
  return page("Agent flags", [
    "Flags of `helios agent`, from `AGENT_FLAGS` in `src/cli/commands/agent.ts`. Only the flags with an env column fall back to an environment variable. " +
      "The chart column is the value that sets the flag for the chart's optional agent pool (`agents.enabled`); flags it does not set go in `agents.extraArgs`.",
    table(
      ["flag", "argument", "env", "default", "chart value", "description"],
      Object.values(AGENT_FLAGS).map((f) => [
        code(`--${f.flag}`),
        code(f.arg),
        f.env === true ? code(flagEnv(f.flag)) : "",
        f.default === undefined ? "" : code(f.default === "" ? '""' : f.default),
        chartCell(values, f.flag, "agents.extraArgs", f.env === true ? flagEnv(f.flag) : undefined),
        f.help,
      ]),
    ),
  ]);
}
