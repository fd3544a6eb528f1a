// The flag tables name the chart value that sets each flag: read from the Deployment templates, and real values.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { chartValuesOf } from "../../../hack/docs/flags.js";

const root = join(import.meta.dirname, "../../..");

describe("chartValuesOf", () => {
  it("takes the value on the flag's line, else the enclosing block's, else the template text", () => {
    const template = [
      "          args:",
      "            {{- if .Values.leaderElection.enabled }}",
      "            - --leader-elect",
      "            - --leader-election-id={{ .Values.leaderElection.id }}",
      "            {{- end }}",
      "            - --operator-namespace={{ .Release.Namespace }}",
      "            {{- with $agents.capabilities }}",
      '            - --capabilities={{ join "," . }}',
      "            {{- end }}",
      "            - --name=$(POD_NAME)",
      "          env:",
      "            - name: HELIOS_LOG_LEVEL",
      "              value: {{ $agents.logLevel | default .Values.logLevel | quote }}",
    ].join("\n");
    expect(Object.fromEntries(chartValuesOf(template))).toEqual({
      "leader-elect": "leaderElection.enabled",
      "leader-election-id": "leaderElection.id",
      "operator-namespace": "(the release namespace)",
      capabilities: "agents.capabilities",
      name: "(set by the chart: `$(POD_NAME)`)",
      HELIOS_LOG_LEVEL: "agents.logLevel",
    });
  });

  it.each(["deployment.yaml", "agent-deployment.yaml"])("names only values that exist in values.yaml (%s)", (file) => {
    const values: unknown = parse(readFileSync(join(root, "charts/helios/values.yaml"), "utf8"));
    const template = readFileSync(join(root, "charts/helios/templates", file), "utf8");
    const paths = [...chartValuesOf(template).values()].filter((v) => !v.startsWith("("));
    expect(paths.length).toBeGreaterThan(3);
    for (const path of paths) {
      const found = path.split(".").reduce<unknown>((node, key) => (typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined), values);
      expect(found, `values.yaml has no ${path}`).not.toBeUndefined();
    }
  });
});
