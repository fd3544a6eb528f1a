// Flags: the control flags with toggles (each behind a confirmation saying what will happen) and every
// FeatureFlag with its Valid condition; an edit is checked with the API's zod schema before it is sent.
import { useState, type ReactNode } from "react";
import { featureFlagSpecSchema } from "../../../../api/feature-flag.js";
import { formatIssues } from "../../../../api/parse.js";
import type { FeatureFlag } from "../../../../api/index.js";
import type { FlagsPage } from "../../../model.js";
import { useLive } from "../api.js";
import { ConfirmAction, ErrorNote, flagValue, Problems } from "../components.js";

const NUMBER_FLAGS = {
  "helios-agent-max-concurrency": "cap every agent at",
  "helios-queue-max-inflight": "cap Assigned+Running per queue and namespace at",
  "helios-dispatch-delay-ms": "delay every assignment by (ms)",
} as const;

function NumberFlag({ flagKey, current }: { flagKey: keyof typeof NUMBER_FLAGS; current: string }): ReactNode {
  const [value, setValue] = useState("");
  const n = Number(value);
  const valid = value !== "" && Number.isInteger(n) && n >= 0;
  return (
    <div className="flag-row">
      <label>
        {NUMBER_FLAGS[flagKey]} <input value={value} onChange={(e) => setValue(e.target.value)} inputMode="numeric" size={6} name={flagKey} />
      </label>
      <ConfirmAction
        label="Set"
        disabled={!valid}
        explain={`Sets ${flagKey} to ${value} (now ${current}). The operator applies it at its next dispatch.`}
        action={{ action: "set-number-flag", key: flagKey, value: n }}
      />
      <ConfirmAction label="Off" explain={`Turns ${flagKey} off (no cap, no delay).`} action={{ action: "set-number-flag", key: flagKey, value: null }} />
    </div>
  );
}

function FlagEditor({ flag }: { flag: FeatureFlag }): ReactNode {
  const [text, setText] = useState(() => JSON.stringify(flag.spec, null, 2));
  let spec: unknown;
  let problem: string | undefined;
  try {
    const parsed = featureFlagSpecSchema.safeParse(JSON.parse(text));
    if (parsed.success) spec = parsed.data;
    else problem = formatIssues(parsed.error.issues);
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
  }
  const namespace = flag.metadata.namespace ?? "";
  const name = flag.metadata.name ?? "";
  return (
    <details>
      <summary>Edit</summary>
      <textarea value={text} onChange={(e) => setText(e.target.value)} rows={10} cols={60} />
      {problem === undefined ? null : <p className="problems">Not valid: {problem}</p>}
      <ConfirmAction
        label="Save"
        disabled={spec === undefined}
        explain={`Replaces the spec of FeatureFlag ${namespace}/${name}; applications evaluating it see the new definition.`}
        action={{ action: "edit-feature-flag", namespace, name, spec }}
      />
    </details>
  );
}

export function FlagsView(): ReactNode {
  const { data, error } = useLive<FlagsPage>("/api/flags", ["featureflags"]);
  const [killTypes, setKillTypes] = useState("");
  const control = data?.control;
  const paused = control?.find((f) => f.key === "helios-dispatch-paused")?.value === true;
  const types = killTypes.split(",").map((t) => t.trim()).filter((t) => t !== "");
  return (
    <section data-testid="flags">
      <h2>Flags</h2>
      <ErrorNote error={error} />
      <Problems problems={data?.problems} />
      <h3>Control flags <small>({data?.operatorNamespace})</small></h3>
      {control === undefined ? (
        <p>The control flags are not readable with your access.</p>
      ) : (
        <>
          <div className="flag-row">
            <span>
              Dispatch: <strong data-testid="dispatch-state">{paused ? "paused" : "running"}</strong>
            </span>
            {paused ? (
              <ConfirmAction key="resume" label="Resume" explain="Turns helios-dispatch-paused off: pending jobs are assigned again." action={{ action: "set-dispatch-paused", paused: false }} />
            ) : (
              <ConfirmAction
                key="pause"
                label="Pause"
                danger
                explain="Turns helios-dispatch-paused on (maintenance mode): nothing new is assigned; running jobs continue."
                action={{ action: "set-dispatch-paused", paused: true }}
              />
            )}
          </div>
          <div className="flag-row">
            <label>
              kill switch for job types <input value={killTypes} onChange={(e) => setKillTypes(e.target.value)} placeholder="type.a,type.b" name="kill-types" />
            </label>
            <ConfirmAction
              label="Apply"
              danger
              explain={
                types.length === 0
                  ? "Turns the kill switch off: every job type may be assigned."
                  : `Jobs of type ${types.join(", ")} are no longer assigned (condition Blocked) and running ones are asked to cancel.`
              }
              action={{ action: "set-kill-switch", jobTypes: types }}
            />
          </div>
          {(Object.keys(NUMBER_FLAGS) as (keyof typeof NUMBER_FLAGS)[]).map((key) => {
            const f = control.find((c) => c.key === key);
            return <NumberFlag key={key} flagKey={key} current={f === undefined ? "-" : flagValue(f)} />;
          })}
          <table>
            <thead>
              <tr><th>Key</th><th>Value</th><th>Source</th><th>Effect</th></tr>
            </thead>
            <tbody>
              {control.map((f) => (
                <tr key={f.key} className={f.neutral ? "" : "active"}>
                  <td>{f.key}</td><td>{flagValue(f)}</td><td>{f.source}{f.variant === undefined ? "" : ` (${f.variant})`}{f.targeted ? ", targeted" : ""}</td><td>{f.message ?? f.effect}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h3>FeatureFlags</h3>
      <table>
        <thead>
          <tr><th>Namespace</th><th>Key</th><th>State</th><th>Default</th><th>Valid</th><th /></tr>
        </thead>
        <tbody>
          {(data?.featureFlags ?? []).map((f) => {
            const valid = f.status?.conditions?.find((c) => c.type === "Valid");
            return (
              <tr key={`${f.metadata.namespace ?? ""}/${f.metadata.name ?? ""}`}>
                <td>{f.metadata.namespace}</td>
                <td>{f.metadata.name}</td>
                <td>{f.spec.state}</td>
                <td>{f.spec.defaultVariant}</td>
                <td title={valid?.message}>{valid === undefined ? "-" : `${valid.status}${valid.status === "True" ? "" : `: ${valid.message ?? ""}`}`}</td>
                <td><FlagEditor flag={f} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
