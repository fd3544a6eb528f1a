// Reads the flagd-testbed's gherkin features into plain scenarios (one per Examples row) with the
// Cucumber project's own parser and pickle compiler.
import { readFileSync } from "node:fs";
import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from "@cucumber/gherkin";

export interface ConformanceStep {
  readonly text: string;
  /** A step's data table, rows of cells (the first row is the header). */
  readonly table: readonly (readonly string[])[] | undefined;
}

export interface ConformanceScenario {
  /** `<feature file>:<line> <scenario name>`, unique within the suite. */
  readonly id: string;
  readonly name: string;
  readonly tags: readonly string[];
  readonly steps: readonly ConformanceStep[];
}

/** Every scenario of the feature file at `path`, Scenario Outlines expanded; `label` prefixes ids. */
export function loadScenarios(path: string, label: string): ConformanceScenario[] {
  let lastId = 0;
  const newId = (): string => String((lastId += 1));
  const document = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher()).parse(readFileSync(path, "utf8"));
  const lineOf = new Map<string, number>();
  const feature = document.feature;
  for (const child of feature?.children ?? []) {
    const scenario = child.scenario;
    if (!scenario) continue;
    lineOf.set(scenario.id, scenario.location.line);
    for (const examples of scenario.examples) for (const row of examples.tableBody) lineOf.set(row.id, row.location.line);
  }
  return compile(document, path, newId).map((pickle) => {
    // A pickle points at its scenario and, for an outline, at its Examples row: the row's line names it.
    const line = pickle.astNodeIds.map((id) => lineOf.get(id)).filter((l) => l !== undefined).at(-1) ?? 0;
    return {
      id: `${label}:${line} ${pickle.name}`,
      name: pickle.name,
      tags: pickle.tags.map((t) => t.name),
      steps: pickle.steps.map((step) => ({
        text: step.text,
        table: step.argument?.dataTable?.rows.map((row) => row.cells.map((cell) => cell.value)),
      })),
    };
  });
}
